// The simulator plays what real ICWS deployments do (§2.4), checked with a bare client
// (test/support/icws-raw-client.ts), not with the companion's own.

import { afterEach, describe, expect, it } from 'vitest';
import { startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim, IcwsSimOptions } from '../../../main/sim/icws/server';
import { EventStream, call, connect, connectBody, poll, postConnect } from '../../support/icws-raw-client';
import type { RawSession } from '../../support/icws-raw-client';

const LIST_SUBSCRIPTION = 'messaging/subscriptions/interactions/agent-assistance';
const CONNECTION_STATE = 'urn:inin.com:connection:connectionStateChangeMessage';
const SUBSCRIPTION_STATE = 'urn:inin.com:interactions.assistance:assistanceRequestSubscriptionStateMessage';

let sim: IcwsSim | undefined;
const streams: EventStream[] = [];
async function start(options: IcwsSimOptions = {}): Promise<IcwsSim> {
  sim = await startIcwsSim({ supervisor: false, ...options });
  return sim;
}
async function open(s: RawSession): Promise<EventStream> {
  const stream = await EventStream.open(s);
  streams.push(stream);
  return stream;
}
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await sim?.close();
  sim = undefined;
});

const simPost = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

async function ask(s: RawSession, interactionId: string): Promise<Response> {
  return call(s, 'POST', `interactions/${interactionId}/agent-assistance`, { body: { text: 'help' } });
}

describe('ICWS simulator: the reverse proxy', () => {
  it('routes /api/<server>/icws to that server and names servers, not hosts, in alternateHostList', async () => {
    const { url, proxyUrl, user } = await start({ switchover: true });
    expect(proxyUrl).toBe(`${url}/api/icserver1`);
    const refused = await postConnect(proxyUrl, connectBody(user.userId, user.password));
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ errorId: 'error.server.notAcceptingConnections', alternateHostList: ['icserver2'] });

    const s = await connect(`${url}/api/icserver2`, user);
    expect(s.answer.alternateHostList).toEqual(['icserver1']);
    expect(sim!.control.sessions()[0]?.host).toBe('127.0.0.2');
    expect((await call(s, 'PUT', LIST_SUBSCRIPTION)).status).toBe(204);
    expect((await postConnect(`${url}/api/nowhere`, connectBody(user.userId, user.password))).status).toBe(502);
  });
});

describe('ICWS simulator: the server ends sessions', () => {
  it('pushes connectionStateChangeMessage on the open stream, then closes it and forgets the session', async () => {
    const { url, user, control } = await start();
    const s = await connect(url, user);
    const stream = await open(s);
    await stream.until('the session streaming', () => control.sessions()[0]?.streaming === true);
    expect(control.endSessions({ reason: 'Logged in elsewhere.', shouldReconnect: false })).toBe(1);
    await stream.until('the stream closed', () => stream.ended);
    expect(stream.messages).toEqual([
      { __type: CONNECTION_STATE, isDelta: true, previousConnectionState: 1, newConnectionState: 2, reason: 'Logged in elsewhere.', shouldReconnect: false },
    ]);
    expect((await call(s, 'PUT', LIST_SUBSCRIPTION)).status).toBe(401);
  });

  it('without a stream, keeps the goodbye for the next short poll; other calls get 401 meanwhile', async () => {
    const { url, user, control } = await start();
    const s = await connect(url, user);
    const res = await simPost(url, '/sim/sessions/end', { reason: 'Restarting.' });
    expect(await res.json()).toEqual({ ended: 1 });
    expect((await call(s, 'PUT', LIST_SUBSCRIPTION)).status).toBe(401);
    expect(await poll(s)).toEqual([{ __type: CONNECTION_STATE, isDelta: true, previousConnectionState: 1, newConnectionState: 2, reason: 'Restarting.' }]);
    expect(control.sessions()).toEqual([]);
  });
});

describe('ICWS simulator: stalls, subscription state, cookies, outages, redirects', () => {
  it('stalls a stream: open and silent (no pings), messages wait for the next stream', async () => {
    const { url, user, control, interactionIds } = await start({ pingIntervalMs: 20 });
    const s = await connect(url, user);
    await call(s, 'PUT', LIST_SUBSCRIPTION);
    const first = await open(s);
    await first.until('two comments on the first stream', () => first.comments.length >= 2);
    expect(control.stallStreams()).toBe(1);
    const pings = first.comments.length;
    await ask(s, interactionIds[0]!);
    const second = await open(s);
    await second.until('a message and two comments on the second stream', () => second.messages.length === 1 && second.comments.length >= 2);
    expect(second.messages[0]).toMatchObject({ isDelta: true, requestsAdded: [expect.any(String)] });
    expect(first.ended).toBe(false);
    expect(first.comments.length).toBe(pings);
    expect(first.messages).toHaveLength(1);
  });

  it('loses updates while Faulted, announces the state, and a new PUT repairs it with a full list', async () => {
    const { url, user, control, interactionIds } = await start();
    const s = await connect(url, user);
    await call(s, 'PUT', LIST_SUBSCRIPTION);
    await poll(s);
    expect(control.setAssistanceSubscriptionState('faulted')).toBe(1);
    const created = await ask(s, interactionIds[0]!);
    const { assistanceId } = (await created.json()) as { assistanceId: string };
    expect(await poll(s)).toEqual([
      { __type: SUBSCRIPTION_STATE, isDelta: true, state: 3, error: { errorId: 'error.server.subscriptionFaulted', message: expect.any(String) } },
    ]);
    await call(s, 'PUT', LIST_SUBSCRIPTION);
    expect(await poll(s)).toEqual([expect.objectContaining({ isDelta: false, requestsAdded: [assistanceId] })]);
    control.setAssistanceSubscriptionState('normal');
    expect(await poll(s)).toEqual([{ __type: SUBSCRIPTION_STATE, isDelta: true, state: 1 }]);
  });

  it('answers the bad-cookie error with the chosen status and forgets the session', async () => {
    const { url, user, control } = await start();
    const s = await connect(url, user);
    expect(control.invalidateCookies(403)).toBe(1);
    const res = await call(s, 'PUT', LIST_SUBSCRIPTION);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ errorId: 'error.request.accessDenied.cookie.invalid', errorCode: 5, message: 'Oturum çerezi geçersiz.' });
    expect(control.sessions()).toEqual([]);
  });

  it('cuts every ICWS connection while unavailable, and comes back without the old sessions', async () => {
    const { url, user, control } = await start();
    const s = await connect(url, user);
    control.setAvailable(false);
    await expect(postConnect(url, connectBody(user.userId, user.password))).rejects.toThrow();
    control.setAvailable(true);
    expect((await call(s, 'PUT', LIST_SUBSCRIPTION)).status).toBe(401);
    await connect(url, user);
  });

  it('answers a redirect (login only, or everything) when told to', async () => {
    const { url, user, control } = await start();
    control.setRedirect({ location: 'http://127.0.0.1:9/icws/connection', connectOnly: true });
    const res = await fetch(`${url}/icws/connection`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/json' }, body: connectBody(user.userId, user.password) });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('http://127.0.0.1:9/icws/connection');
    control.setRedirect(null);
    await connect(url, user);
  });
});

describe('ICWS simulator: supervisors and refusals', () => {
  it('refuses a non-ACD interaction and a user without the right with 400 and the server message', async () => {
    const { url, user, scenarios, interactionIds } = await start();
    const s = await connect(url, user);
    const notAcd = await ask(s, scenarios.notAcd);
    expect(notAcd.status).toBe(400);
    // Worded in the language the raw client asks in (Turkish).
    expect(await notAcd.json()).toMatchObject({ message: 'Yardım yalnızca ACD ile yönlendirilmiş bir etkileşimde istenebilir.' });

    expect((await simPost(url, '/sim/users/rights', { userId: user.userId, canRequestAssistance: false })).status).toBe(204);
    const noRight = await ask(s, interactionIds[0]!);
    expect(noRight.status).toBe(400);
    expect(await noRight.json()).toMatchObject({ errorId: 'error.request.accessDenied.assistance', message: expect.stringMatching(/Süpervizörlerden Yardım İste/) });
  });

  it('queues a message exactly as given, for tests of what newer servers send', async () => {
    const { url, user } = await start();
    const s = await connect(url, user);
    const odd = { __type: 'urn:inin.com:interactions.assistance:assistanceRequestDetailsMessage', isDelta: true, assistanceId: 'x', state: 9 };
    expect(await (await simPost(url, '/sim/messages', { message: odd })).json()).toEqual({ sessions: 1 });
    expect(await poll(s)).toEqual([odd]);
  });
});
