import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ICWS_SUPERVISOR, startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim, IcwsSimOptions } from '../../../main/sim/icws/server';
import { call, connect, connectBody, postConnect } from '../../support/icws-raw-client';

let sim: IcwsSim | undefined;
async function start(options: IcwsSimOptions = {}): Promise<IcwsSim> {
  sim = await startIcwsSim({ supervisor: false, ...options });
  return sim;
}
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const AUTH_CHALLENGE = 'ICWS realm="ICWS" location="/ICWS/connection"';

describe('ICWS simulator: connection', () => {
  it('connects with the right password and answers like a Session Manager', async () => {
    const { url, user } = await start();
    const res = await postConnect(url, connectBody(user.userId, user.password), { include: 'features,version' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ userID: user.userId, userDisplayName: user.displayName, alternateHostList: ['127.0.0.2'] });
    expect(body.features).toEqual(expect.arrayContaining([{ featureId: 'interactions', version: 10 }, { featureId: 'messaging', version: 2 }]));
    expect(body.version).toMatchObject({ majorVersion: expect.any(String) });
    const sessionId = String(body.sessionId);
    expect(res.headers.get('ININ-ICWS-CSRF-Token')).toBe(body.csrfToken);
    expect(res.headers.get('ININ-ICWS-Session-ID')).toBe(sessionId);
    expect(res.headers.get('Location')).toBe(`/icws/${sessionId}/connection`);
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(new RegExp(`^icws_${sessionId}=[^;]+; Path=/icws/${sessionId}; HttpOnly$`))]);
  });

  it('includes features and version only when asked, and accepts application/json', async () => {
    const { url, user } = await start();
    const res = await postConnect(url, connectBody(user.userId, user.password), { headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.csrfToken).toEqual(expect.any(String));
    expect(body).not.toHaveProperty('features');
    expect(body).not.toHaveProperty('version');
  });

  it('refuses a wrong password, an unknown user and a body of another media type', async () => {
    const { url, user } = await start();
    for (const body of [connectBody(user.userId, `${user.password}x`), connectBody('nobody', user.password)]) {
      const res = await postConnect(url, body);
      expect(res.status).toBe(400);
      // The raw client asks in Turkish: the message comes back in Turkish, the id and code stay.
      expect(await res.json()).toEqual({
        errorId: 'error.request.connection.authenticationFailure',
        errorCode: -2147221503,
        message: 'Kimlik doğrulama işlemi başarısız oldu.',
      });
    }
    const english = await postConnect(url, connectBody('nobody', user.password), { headers: { 'Accept-Language': 'en-US' } });
    expect(await english.json()).toMatchObject({ errorCode: -2147221503, message: 'The authentication process failed.' });
    const res = await postConnect(url, connectBody(user.userId, user.password), { headers: { 'Content-Type': 'text/plain' } });
    expect(res.status).toBe(415);
  });

  it('requires Accept-Language on connect', async () => {
    const { url, user } = await start();
    // fetch always sends Accept-Language, so this request goes out through node:http.
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${url}/icws/connection`, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(connectBody(user.userId, user.password));
    });
    expect(status).toBe(400);
    expect(JSON.parse(body)).toMatchObject({ message: expect.stringContaining('Accept-Language') });
  });

  it('serves the feature list without a session', async () => {
    const { url } = await start({ interactionsVersion: 8, messagingVersion: 1 });
    const res = await fetch(`${url}/icws/connection/features`);
    expect(res.status).toBe(200);
    const { featureInfoList } = (await res.json()) as { featureInfoList: { featureId: string; version: number }[] };
    expect(featureInfoList).toEqual(expect.arrayContaining([{ featureId: 'interactions', version: 8 }, { featureId: 'messaging', version: 1 }]));
  });
});

describe('ICWS simulator: session checks', () => {
  it('answers 401 with the ICWS challenge without the cookie, without or with a wrong CSRF token, or for an unknown session', async () => {
    const { url, user } = await start();
    const s = await connect(url, user);
    const put = 'messaging/subscriptions/interactions/agent-assistance';
    expect((await call(s, 'PUT', put)).status).toBe(204);

    // Genesys' 401 codes (§2.6): 1 id badly formed, 2 not found, 4 cookie missing, 5 cookie invalid.
    const csrf = { errorId: 'error.request.accessDenied.csrfToken.invalid', message: expect.any(String) };
    const attempts: [Promise<Response>, Record<string, unknown>][] = [
      [call(s, 'PUT', put, { cookie: false }), { errorId: 'error.request.accessDenied.cookie.missing', errorCode: 4 }],
      [call(s, 'PUT', put, { csrf: false }), csrf],
      [call({ ...s, csrfToken: `${s.csrfToken}x` }, 'PUT', put), csrf],
      [call({ ...s, cookie: `${s.cookie}x` }, 'PUT', put), { errorId: 'error.request.accessDenied.cookie.invalid', errorCode: 5 }],
      [call({ ...s, sessionId: '123' }, 'PUT', put), { errorId: 'error.request.accessDenied.sessionId.notFound', errorCode: 2 }],
      [call({ ...s, sessionId: 'abc' }, 'PUT', put), { errorId: 'error.request.accessDenied.sessionId.invalid', errorCode: 1 }],
      [call(s, 'GET', 'messaging/messages', { csrf: false, cookie: false }), { errorId: 'error.request.accessDenied.cookie.missing', errorCode: 4 }],
    ];
    for (const [pending, body] of attempts) {
      const res = await pending;
      expect(res.status).toBe(401);
      expect(res.headers.get('WWW-Authenticate')).toBe(AUTH_CHALLENGE);
      expect(await res.json()).toMatchObject({ message: expect.any(String), ...body });
    }
    // The wrong cookie or token changed nothing for the right ones.
    expect((await call(s, 'PUT', put)).status).toBe(204);
    // The messaging GET carries only the cookie.
    expect((await call(s, 'GET', 'messaging/messages', { csrf: false })).status).toBe(200);
  });

  it('expires a session after the idle time, measured on the injected clock', async () => {
    let now = Date.parse('2024-05-02T09:00:00Z');
    const { url, user } = await start({ idleTimeoutMs: 60_000, clock: () => now });
    const s = await connect(url, user);
    now += 59_000;
    expect((await call(s, 'GET', 'messaging/messages', { csrf: false })).status).toBe(200);
    now += 59_000; // the request above counted as activity
    expect((await call(s, 'GET', 'messaging/messages', { csrf: false })).status).toBe(200);
    now += 60_000;
    const res = await call(s, 'GET', 'messaging/messages', { csrf: false });
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe(AUTH_CHALLENGE);
    // A session the server made and ended is an invalid session (§2.6), not an unknown one.
    expect(await res.json()).toMatchObject({ errorId: 'error.request.connection.authenticationFailure', errorCode: -2147221499 });
    expect(sim!.control.sessions()).toEqual([]);
  });

  it('expires one session or all on demand, by method and over /sim/', async () => {
    const { url, user, control } = await start();
    const [a, b, c] = [await connect(url, user), await connect(url, user), await connect(url, DEMO_ICWS_SUPERVISOR)];
    expect(control.expireSession(a.sessionId)).toBe(1);
    expect((await call(a, 'GET', 'messaging/messages', { csrf: false })).status).toBe(401);
    expect((await call(b, 'GET', 'messaging/messages', { csrf: false })).status).toBe(200);

    const res = await fetch(`${url}/sim/sessions/expire`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(await res.json()).toEqual({ expired: 2 });
    for (const s of [b, c]) expect((await call(s, 'GET', 'messaging/messages', { csrf: false })).status).toBe(401);
  });

  it('logs out with DELETE /connection', async () => {
    const { url, user, control } = await start();
    const s = await connect(url, user);
    expect(control.sessions()).toEqual([{ sessionId: s.sessionId, userId: user.userId, host: '127.0.0.1', streaming: false }]);
    const res = await call(s, 'DELETE', 'connection');
    expect(res.status).toBe(204);
    expect(control.sessions()).toEqual([]);
    expect((await call(s, 'DELETE', 'connection')).status).toBe(401);
  });
});

describe('ICWS simulator: switchover', () => {
  it('sends clients from the inactive host to the alternate, where they can connect', async () => {
    const { url, alternateUrl, user, control } = await start({ switchover: true });
    expect(alternateUrl).toBe(url.replace('127.0.0.1', '127.0.0.2'));
    const refused = await postConnect(url, connectBody(user.userId, user.password));
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ errorId: 'error.server.notAcceptingConnections', alternateHostList: ['127.0.0.2'] });

    const s = await connect(alternateUrl, user);
    expect(s.answer.alternateHostList).toEqual(['127.0.0.1']);
    expect(control.requests.at(-1)).toEqual({ method: 'POST', path: '/icws/connection', status: 201, host: '127.0.0.2' });
    // A session belongs to the host that made it.
    expect((await call({ ...s, base: url }, 'GET', 'messaging/messages', { csrf: false })).status).toBe(401);
  });

  it('switches over on demand: the old host refuses, its sessions are gone, and it can switch back', async () => {
    const { url, alternateUrl, user, control } = await start();
    const s = await connect(url, user);
    const res = await fetch(`${url}/sim/switchover`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"on":true}' });
    expect(await res.json()).toEqual({ activeHost: '127.0.0.2' });
    expect((await call(s, 'GET', 'messaging/messages', { csrf: false })).status).toBe(401);
    expect((await postConnect(url, connectBody(user.userId, user.password))).status).toBe(503);
    const moved = await connect(alternateUrl, user);

    control.setSwitchover(false);
    expect(control.activeHost).toBe('127.0.0.1');
    expect((await call(moved, 'GET', 'messaging/messages', { csrf: false })).status).toBe(401);
    expect((await postConnect(alternateUrl, connectBody(user.userId, user.password))).status).toBe(503);
    await connect(url, user);
  });
});

describe('ICWS simulator: control surface', () => {
  it('answers 404 under /sim/ in production mode and logs no secrets', async () => {
    const { url, user, control } = await start({ mode: 'production' });
    for (const [method, path] of [['GET', '/sim/sessions'], ['POST', '/sim/streams/drop'], ['POST', '/sim/switchover']] as const) {
      const res = await fetch(`${url}${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'POST' ? '{"on":true}' : null });
      expect(res.status).toBe(404);
    }
    expect(control.activeHost).toBe('127.0.0.1');
    const s = await connect(url, user);
    const logged = JSON.stringify(control.requests);
    for (const secret of [user.password, s.csrfToken, s.cookie.split('=')[1]!]) expect(logged).not.toContain(secret);
    expect(control.requestCount).toBe(control.requests.length);
  });

  it('answers the /sim/ endpoints in test mode', async () => {
    const { url, user } = await start();
    await connect(url, user);
    const res = await fetch(`${url}/sim/sessions`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([expect.objectContaining({ userId: user.userId })]);
  });
});
