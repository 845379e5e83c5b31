// What the client meets at a bank (issue 16, §2.6), each played by the simulator: a login
// refused for a reason of the server's own, a password about to expire, a server that words
// its texts in the language asked for, a session that expires under an open stream, and a
// proxy that holds the event stream back.

import { afterEach, describe, expect, it } from 'vitest';
import type { AssistanceRequest } from '../../../shared/assistance';
import { STREAM_RETRY_AFTER_BUFFERING_MS } from '../../../main/icws/messaging';
import { startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim, IcwsSimOptions } from '../../../main/sim/icws/server';
import { makeClient, rejection, waitFor } from './client-harness';
import type { Client } from './client-harness';

const LOGIN_PATH = /\/icws\/connection$/;
const MESSAGES_PATH = /\/messaging\/messages$/;

let sim: IcwsSim | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.shutdown();
  await sim?.close();
  client = undefined;
  sim = undefined;
});

async function startSim(options: IcwsSimOptions = {}): Promise<IcwsSim> {
  sim = await startIcwsSim({ supervisor: false, ...options });
  return sim;
}

const logins = (s: IcwsSim) => s.control.requests.filter((r) => r.method === 'POST' && LOGIN_PATH.test(r.path));
const find = (c: Client, id: string): AssistanceRequest | undefined => c.assistance.list().find((r) => r.assistanceId === id);

describe('a login refused for a reason of the server (no licence, expired password, station required)', () => {
  it.each([
    ['noLicense', 400, 'tr-TR', 'Bu kullanıcı için kullanılabilir istemci erişim lisansı yok.'],
    ['passwordExpired', 500, 'en-US', 'Your password has expired. Change it before logging in.'],
    ['stationRequired', 400, 'en-US', 'A station is required to log in with this application.'],
  ] as const)('%s with %i: the server’s own message (%s), one attempt, no retry', async (reason, status, language, message) => {
    const s = await startSim();
    s.control.setConnectRefusal({ reason, status });
    // A window's policy: it would retry an unavailable server forever, so the rejection itself proves no retry.
    client = makeClient(s, { language, reconnect: { baseMs: 5, capMs: 50, maxAttempts: Infinity } });
    const error = await rejection(client.session.connect());
    expect(error).toMatchObject({ code: 'connect_refused', message, details: { status } });
    expect(client.session.state).toEqual({ state: 'down', reason: message, code: 'connect_refused' });
    expect(logins(s)).toHaveLength(1);
  });

  it('stops the message pump instead of logging in again and again; a new login once the server allows it works', async () => {
    const s = await startSim();
    client = makeClient(s);
    await client.assistance.start();
    await waitFor('the first list', () => client!.pump.channel);
    // The session expires and the next login is refused: the pump stops, waiting for the user.
    s.control.setConnectRefusal({ reason: 'noLicense', status: 400 });
    s.control.expireSession();
    await waitFor('the pump to stop', () => !client!.pump.running);
    expect(client.session.state).toMatchObject({ state: 'down', code: 'connect_refused' });
    expect(client.errors.filter((e) => e.code === 'connect_refused')).toHaveLength(1);
    expect(logins(s).filter((r) => r.status === 400)).toHaveLength(1);

    // The user fixed it and logs in again (the window's "Log in again" builds a new stack: the same as this).
    s.control.setConnectRefusal(null);
    await client.shutdown();
    client = makeClient(s);
    await client.assistance.start();
    expect(client.session.state).toMatchObject({ state: 'up' });
  });

  it('keeps a wrong password auth_failed and a 503 a switchover', async () => {
    const s = await startSim({ switchover: true });
    client = makeClient(s, { credentials: { userId: s.user.userId, password: 'wrong' } });
    expect(await rejection(client.session.connect())).toMatchObject({ code: 'auth_failed' });
    await client.shutdown();
    client = makeClient(s);
    await client.session.connect();
    expect(client.session.servers.current.base).toBe(s.alternateUrl);
  });
});

describe('the password about to expire', () => {
  it.each([
    [3, 3],
    [7, 7],
    [0, 0],
    [8, undefined],
    [null, undefined],
  ] as const)('%s days left in the connect answer: the up state warns with %s', async (days, warned) => {
    const s = await startSim();
    s.control.setPasswordExpiry(days);
    client = makeClient(s);
    await client.session.connect();
    expect(client.session.state).toEqual({ state: 'up', host: new URL(s.url).host, sse: true, ...(warned !== undefined && { passwordExpiresInDays: warned }) });
    expect(client.session.passwordExpiresInDays).toBe(warned ?? null);
  });
});

describe('Accept-Language', () => {
  it('is sent at connect and on every call: the server words its refusals in it', async () => {
    const s = await startSim();
    client = makeClient(s, { language: 'tr-TR' });
    await client.session.connect();
    const notAcd = await rejection(client.assistance.request(s.scenarios.notAcd, 'yardım'));
    expect(notAcd).toMatchObject({ code: 'operation_failed', message: 'Yardım yalnızca ACD ile yönlendirilmiş bir etkileşimde istenebilir.' });
    // The decision is the same in either language: it never read the text.
    await client.shutdown();
    client = makeClient(s, { language: 'en-US' });
    await client.session.connect();
    expect(await rejection(client.assistance.request(s.scenarios.notAcd, 'help'))).toMatchObject({
      code: 'operation_failed',
      message: 'Assistance can only be requested on an ACD-routed interaction.',
    });
  });
});

describe('a session that expires while its event stream is open', () => {
  it('logs in again, re-subscribes, and keeps delivering', async () => {
    let now = Date.parse('2026-12-07T09:00:00Z');
    const s = await startSim({ idleTimeoutMs: 60_000, clock: () => now });
    client = makeClient(s);
    await client.assistance.start();
    await client.assistance.whenSynced(AbortSignal.timeout(10_000));
    await waitFor('the stream open', () => s.control.sessions()[0]?.streaming);
    const first = client.session.sessionId;

    // Nothing but the open stream for longer than the idle time: the server ends the session anyway.
    now += 61_000;
    expect(s.control.sessions()).toEqual([]);
    await waitFor('a new session with the list subscribed again', () => client!.session.sessionId !== first && s.control.sessions()[0]?.streaming);
    expect(logins(s)).toHaveLength(2);

    const id = await client.assistance.request(s.interactionIds[0]!, 'still there?');
    await waitFor('the new request through the new session', () => find(client!, id));
  });
});

describe('a buffering proxy in front of ICWS', () => {
  it('falls back to polling after two silent streams, says so, delivers by polling, and tries the stream again after an hour', async () => {
    let now = Date.parse('2026-12-07T09:00:00Z');
    // Pings far enough apart that a busy machine does not make a healthy stream look stalled
    // (a stream dropped while a message is on its way loses it, proxy or not).
    const s = await startSim({ pingIntervalMs: 100 });
    s.control.setBufferingProxy(true);
    client = makeClient(s, {}, { stallTimeoutMs: 400, pollIntervalMs: 20, clock: () => now });
    await client.assistance.start();
    // Asked while the streams are held: its news go down a stream the proxy never lets through.
    const early = await client.assistance.request(s.interactionIds[1]!, 'while held');

    await waitFor('the fall back to polling', () => client!.pump.pollingUntil !== null);
    expect(client.pump.pollingUntil).toBe(now + STREAM_RETRY_AFTER_BUFFERING_MS);
    expect(client.pump.stalls).toBe(2);
    await waitFor('the status saying so', () => client!.session.state.state === 'up' && client!.session.state.proxyBuffering);
    expect(client.session.state).toEqual({ state: 'up', host: new URL(s.url).host, sse: false, proxyBuffering: true });

    // What the held streams swallowed comes back with the full list the fall back re-subscribed for.
    await client.assistance.whenSynced(AbortSignal.timeout(10_000));
    expect(find(client, early)?.messages.map((m) => m.text)).toEqual(['while held']);
    // Events still arrive, by polling.
    const id = await client.assistance.request(s.interactionIds[0]!, 'by polling');
    await waitFor('the request seen by polling', () => find(client!, id));
    expect(client.pump.channel).toBe('poll');
    expect(client.pump.stalls).toBe(2);

    // The proxy is fixed; an hour later the stream is tried again, and the status follows once it delivers.
    s.control.setBufferingProxy(false);
    const before = s.control.requests.filter((r) => MESSAGES_PATH.test(r.path)).length;
    now += STREAM_RETRY_AFTER_BUFFERING_MS;
    await waitFor('the stream tried again', () => client!.pump.channel === 'sse' && s.control.sessions()[0]?.streaming);
    await waitFor('the status back to the stream', () => client!.session.state.state === 'up' && client!.session.state.sse);
    expect(client.session.state).toEqual({ state: 'up', host: new URL(s.url).host, sse: true });
    expect(client.pump.pollingUntil).toBeNull();
    expect(s.control.requests.filter((r) => MESSAGES_PATH.test(r.path)).length).toBeGreaterThan(before);
    await client.assistance.addMessage(id, 'by stream');
    await waitFor('the message by the stream', () => find(client!, id)?.messages.some((m) => m.text === 'by stream'));
  });

  it('does not count a stream that delivered something and then stalled', async () => {
    const s = await startSim({ pingIntervalMs: 100 });
    client = makeClient(s, {}, { stallTimeoutMs: 400, pollIntervalMs: 20 });
    await client.assistance.start();
    await client.assistance.whenSynced(AbortSignal.timeout(10_000));
    for (let stall = 1; stall <= 3; stall++) {
      await waitFor('the stream open', () => s.control.sessions()[0]?.streaming);
      expect(s.control.stallStreams()).toBe(1);
      await waitFor(`stall ${stall} noticed`, () => client!.pump.stalls >= stall);
    }
    expect(client.pump.pollingUntil).toBeNull();
    expect(client.session.state).toMatchObject({ state: 'up', sse: true });
  });
});
