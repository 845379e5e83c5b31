// The simulator playing what real deployments do (§2.6): localised texts, connect refusals
// beyond a bad password, the password-expiry count, the heartbeat, and a buffering proxy.

import { afterEach, describe, expect, it } from 'vitest';
import { startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim, IcwsSimOptions } from '../../../main/sim/icws/server';
import { EventStream, call, connect, connectBody, poll, postConnect } from '../../support/icws-raw-client';
import type { RawSession } from '../../support/icws-raw-client';

const LIST_SUBSCRIPTION = 'messaging/subscriptions/interactions/agent-assistance';
const CONNECTION_STATE = 'urn:inin.com:connection:connectionStateChangeMessage';

let sim: IcwsSim | undefined;
const streams: EventStream[] = [];
async function start(options: IcwsSimOptions = {}): Promise<IcwsSim> {
  sim = await startIcwsSim({ supervisor: false, ...options });
  return sim;
}
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await sim?.close();
  sim = undefined;
});

/** Like the raw client's connect, in another language. */
async function connectIn(url: string, user: { userId: string; password: string }, language: string): Promise<RawSession> {
  const res = await postConnect(url, connectBody(user.userId, user.password), { headers: { 'Accept-Language': language } });
  expect(res.status).toBe(201);
  const answer = (await res.json()) as Record<string, unknown>;
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  return { base: url, sessionId: String(answer.sessionId), csrfToken: String(answer.csrfToken), cookie, answer };
}

function simPost(url: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

describe('ICWS simulator: localised texts', () => {
  it('words error messages in the Accept-Language of the request, English unless Turkish comes first', async () => {
    const { url, user } = await start();
    const wrong = connectBody(user.userId, `${user.password}x`);
    const cases: [string, string][] = [
      ['tr-TR', 'Kimlik doğrulama işlemi başarısız oldu.'],
      ['tr', 'Kimlik doğrulama işlemi başarısız oldu.'],
      ['en-US', 'The authentication process failed.'],
      ['de-DE, tr;q=0.5', 'The authentication process failed.'],
    ];
    for (const [language, message] of cases) {
      const res = await postConnect(url, wrong, { headers: { 'Accept-Language': language } });
      // The id and the code never change with the language: clients decide by them.
      expect(await res.json(), language).toEqual({ errorId: 'error.request.connection.authenticationFailure', errorCode: -2147221503, message });
    }
  });

  it("words the server's own reason for ending a session in the language the session connected with", async () => {
    const { url, user } = await start();
    const turkish = await connect(url, user);
    const english = await connectIn(url, user, 'en-US');
    expect((await simPost(url, '/sim/sessions/end', { shouldReconnect: false })).status).toBe(200);
    expect(await poll(turkish)).toEqual([expect.objectContaining({ __type: CONNECTION_STATE, reason: 'Bir yönetici oturumunuzu sonlandırdı.' })]);
    expect(await poll(english)).toEqual([expect.objectContaining({ __type: CONNECTION_STATE, reason: 'An administrator ended your session.' })]);
  });
});

describe('ICWS simulator: connect refusals and the password count', () => {
  it('refuses a right password with the chosen reason and status, in the language asked, until told to stop', async () => {
    const { url, user } = await start();
    const body = connectBody(user.userId, user.password);
    expect((await simPost(url, '/sim/connect/refusal', { refusal: { reason: 'noLicense' } })).status).toBe(204);
    const tr = await postConnect(url, body);
    expect(tr.status).toBe(400);
    expect(await tr.json()).toEqual({ errorId: 'error.request.connection.noLicenseAvailable', message: 'Bu kullanıcı için kullanılabilir istemci erişim lisansı yok.' });

    await simPost(url, '/sim/connect/refusal', { refusal: { reason: 'passwordExpired', status: 500 } });
    const en = await postConnect(url, body, { headers: { 'Accept-Language': 'en-US' } });
    expect(en.status).toBe(500);
    expect(await en.json()).toEqual({ errorId: 'error.request.connection.passwordExpired', message: 'Your password has expired. Change it before logging in.' });

    // A wrong password is still a wrong password.
    const wrong = await postConnect(url, connectBody(user.userId, 'nope'));
    expect(await wrong.json()).toMatchObject({ errorId: 'error.request.connection.authenticationFailure' });
    expect((await simPost(url, '/sim/connect/refusal', { refusal: { reason: 'unknownReason' } })).status).toBe(400);

    await simPost(url, '/sim/connect/refusal', { refusal: null });
    await connect(url, user);
  });

  it('counts the days until the password expires in the connect answer when told to', async () => {
    const { url, user } = await start();
    expect((await connect(url, user)).answer).not.toHaveProperty('daysUntilPasswordExpiration');
    await simPost(url, '/sim/connect/password-expiry', { days: 3 });
    expect((await connect(url, user)).answer).toMatchObject({ daysUntilPasswordExpiration: 3 });
  });
});

describe('ICWS simulator: heartbeat and idle sessions', () => {
  it('answers the heartbeat with 204, and it counts as activity', async () => {
    let now = Date.parse('2024-05-02T09:00:00Z');
    const { url, user, control } = await start({ idleTimeoutMs: 60_000, clock: () => now });
    const s = await connect(url, user);
    now += 59_000;
    const res = await call(s, 'POST', 'messaging/heartbeat');
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    now += 59_000;
    expect(control.sessions()).toHaveLength(1);
    now += 1_000;
    expect(control.sessions()).toEqual([]);
    expect((await call(s, 'POST', 'messaging/heartbeat')).status).toBe(401);
  });
});

describe('ICWS simulator: a buffering proxy', () => {
  it('opens the stream with its headers and then holds everything back, flushing only when the server ends it', async () => {
    const { url, user, control } = await start({ pingIntervalMs: 5 });
    const s = await connect(url, user);
    expect((await simPost(url, '/sim/proxy/buffering', { on: true })).status).toBe(204);
    const held = await EventStream.open(s);
    streams.push(held);
    await held.until('the held stream attached', () => control.sessions()[0]?.streaming === true);
    expect((await call(s, 'PUT', LIST_SUBSCRIPTION)).status).toBe(204);
    // The server sent the list on the stream (its queue is empty), and the client got not a byte of it.
    expect(await poll(s)).toEqual([]);
    expect(held).toMatchObject({ messages: [], comments: [], retry: null, ended: false });

    // Only the server ending the stream makes the proxy let go of what it held.
    control.expireSession();
    await held.until('the flush as the stream ends', () => held.ended);
    expect(held.retry).toBe(2000);
    expect(held.messages).toEqual([expect.objectContaining({ isDelta: false })]);
  });

  it('loses what a held stream carried when the client gives up on it; short polls and streams opened after the proxy went pass', async () => {
    const { url, user, control } = await start({ pingIntervalMs: 5 });
    const s = await connect(url, user);
    control.setBufferingProxy(true);
    const held = await EventStream.open(s);
    await held.until('the held stream attached', () => control.sessions()[0]?.streaming === true);
    expect((await call(s, 'PUT', LIST_SUBSCRIPTION)).status).toBe(204);
    held.close();
    await held.until('the held stream gone', () => control.sessions()[0]?.streaming === false);
    expect(await poll(s)).toEqual([]);

    // A short poll is one answer: the proxy passes it. Re-subscribing brings the full list again.
    expect((await call(s, 'PUT', LIST_SUBSCRIPTION)).status).toBe(204);
    expect(await poll(s)).toEqual([expect.objectContaining({ isDelta: false })]);

    control.setBufferingProxy(false);
    const clear = await EventStream.open(s);
    streams.push(clear);
    await clear.until('the retry line and a ping on a stream opened after the proxy went', () => clear.retry !== null && clear.comments.includes('ping'));
  });
});
