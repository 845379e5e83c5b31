// The message pump's less travelled paths against the ICWS simulator: a channel that fails
// until the session is renewed, event streams a server or gateway will not give (read as a
// poll, or refused outright) and the fall back to short polling, a wrong password that stops
// the pump for good, and messages it cannot read. Each waits on the event that proves it.
import { afterEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../../shared/errors';
import { CONNECTION_STATE_CHANGE_TYPE } from '../../../main/icws/wire';
import { startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim, IcwsSimOptions } from '../../../main/sim/icws/server';
import type { IcwsMessage } from '../../../main/sim/icws/wire';
import { startLoopbackProxy } from '../../support/loopback-proxy';
import type { LoopbackProxy } from '../../support/loopback-proxy';
import { makeClient, nextEvent, waitFor } from './client-harness';
import type { Client } from './client-harness';

const PROBE = 'urn:test:pump-probe';

let sim: IcwsSim | undefined;
let client: Client | undefined;
let proxy: LoopbackProxy | undefined;

afterEach(async () => {
  await client?.shutdown();
  await proxy?.close();
  await sim?.close();
  client = sim = proxy = undefined;
});

async function simulator(options: IcwsSimOptions = {}): Promise<IcwsSim> {
  sim = await startIcwsSim({ supervisor: false, ...options });
  return sim;
}

/** Records the probe messages the pump hands on, by their `n`. */
function probes(c: Client): number[] {
  const seen: number[] = [];
  c.pump.on(PROBE, (m) => seen.push(m.n as number));
  return seen;
}

const probe = (n: number): IcwsMessage => ({ __type: PROBE, isDelta: false, n }) as IcwsMessage;
/** What the simulator was asked and answered, in order, a run of the same exchange (polls) as one; the session id as {id}. */
const exchanges = (s: IcwsSim) =>
  s.control.requests
    .map((r) => `${r.method} ${r.path.replace(/^\/icws\/\d+\//, '/icws/{id}/')} ${r.status}`)
    .filter((e, i, all) => e !== all[i - 1]);
const channelFailures = (errors: AppError[]) => errors.filter((e) => e.code === 'unavailable' || e.code === 'server_error').length;

describe('message pump: failures and renewal', () => {
  it('renews the session after the set number of channel failures, then delivers on the new one', async () => {
    const s = await simulator();
    client = makeClient(s, {}, { failuresBeforeRenew: 2 });
    const seen = probes(client);
    await client.session.connect();
    const first = client.session.sessionId;
    client.pump.start();
    await waitFor('the event stream', () => s.control.sessions()[0]?.streaming);

    // The servers go away (every connection cut, the sessions with them): each try to reopen the
    // stream fails as unavailable, and the second failure is the pump's cue to log in again.
    s.control.setAvailable(false);
    await nextEvent<AppError>('the second channel failure', (l) => client!.pump.onError(l), () => channelFailures(client!.errors) >= 2);
    const renewed = nextEvent<void>('the renewal', (l) => client!.session.onRenewed(l));
    const back = s.control.requests.length;
    s.control.setAvailable(true);
    await renewed;

    // The pump renewed before it asked for the stream again: a new login comes first, not a
    // stream request that would meet the old session's 401.
    expect(s.control.requests.slice(back)[0]).toMatchObject({ method: 'POST', path: '/icws/connection' });
    expect(client.session.sessionId).not.toBe(first);
    // Exactly the set number of failures, one down while they lasted, then up on the new session.
    expect(client.errors.map((e) => e.code)).toEqual(['unavailable', 'unavailable']);
    expect(client.states.map((st) => st.state)).toEqual(['connecting', 'up', 'down', 'connecting', 'up']);
    await waitFor('the stream on the new session', () => s.control.sessions()[0]?.streaming);
    expect(s.control.publish(probe(1))).toBe(1);
    await waitFor('the probe on the new session', () => seen.includes(1));
    expect(client.pump.channel).toBe('sse');
  });

  it('stops for good on a wrong password: one login, no retry', async () => {
    const s = await simulator();
    client = makeClient({ url: s.url, user: { ...s.user, password: 'wrong' } });
    const failed = nextEvent<AppError>('the pump error', (l) => client!.pump.onError(l));
    client.pump.start();
    expect((await failed).code).toBe('auth_failed');
    await waitFor('the pump to stop', () => !client!.pump.running);
    expect(exchanges(s)).toEqual(['POST /icws/connection 400']);
    expect(client.errors.map((e) => e.code)).toEqual(['auth_failed']);
  });
});

describe('message pump: from event streams to short polling', () => {
  it('reads an event-stream request answered with a plain list as a poll, loses none of it, and polls from then on', async () => {
    const s = await simulator();
    // A gateway that drops the Accept header: the server then answers the stream request as a
    // short poll, a JSON list it has already taken off the session's queue.
    const dropAccept: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      if (headers.get('accept')?.includes('text/event-stream')) headers.set('accept', 'application/json');
      return fetch(input, { ...init, headers });
    };
    client = makeClient(s, { fetch: dropAccept });
    const seen = probes(client);
    await client.session.connect();
    expect(client.session.hasFeature('messaging', 2)).toBe(true);
    s.control.publish(probe(1));
    s.control.publish(probe(2));
    client.pump.start();

    await waitFor('both queued probes', () => seen.length === 2);
    expect(seen).toEqual([1, 2]);
    await waitFor('the pump on short polling', () => client!.pump.channel === 'poll');
    s.control.publish(probe(3));
    await waitFor('a probe sent while polling', () => seen.includes(3));
    expect(seen).toEqual([1, 2, 3]);
    // One login, then only short polls (the first of them the stream request the gateway spoilt).
    expect(exchanges(s)).toEqual(['POST /icws/connection 201', 'GET /icws/{id}/messaging/messages 200']);
    expect(client.errors.filter((e) => e.code !== 'feature_unsupported')).toEqual([]);
  });

  it('falls back to short polling when the event stream is refused (410), and loses nothing', async () => {
    const s = await simulator();
    // A gateway in front of the server that refuses event streams outright.
    proxy = await startLoopbackProxy(s.url, (req) =>
      (req.headers.accept ?? '').includes('text/event-stream') ? { status: 410, body: { errorId: 'error.request.gone', message: 'Event streams are not available here.' } } : undefined,
    );
    client = makeClient({ url: proxy.url, user: s.user });
    const seen = probes(client);
    await client.session.connect();
    s.control.publish(probe(1));
    const refused = nextEvent<AppError>('the refusal', (l) => client!.pump.onError(l));
    client.pump.start();

    expect((await refused).code).toBe('feature_unsupported');
    await waitFor('the probe, by short polling', () => seen.includes(1));
    expect(client.pump.channel).toBe('poll');
    s.control.publish(probe(2));
    await waitFor('the next probe', () => seen.includes(2));
    // Asked once: a refused stream is not asked for again on every poll. The server saw a
    // login, then only short polls.
    expect(proxy.answered).toBe(1);
    expect(exchanges(s)).toEqual(['POST /icws/connection 201', 'GET /icws/{id}/messaging/messages 200']);
  });
});

describe('message pump: what it cannot read', () => {
  it('reports a message without a type, a malformed connection state and a failing handler, and keeps delivering', async () => {
    const s = await simulator();
    client = makeClient(s);
    const seen = probes(client);
    client.pump.on('urn:test:boom', () => {
      throw new Error('handler bug');
    });
    await client.session.connect();
    client.pump.start();
    await waitFor('the event stream', () => s.control.sessions()[0]?.streaming);

    s.control.publish({ isDelta: false } as unknown as IcwsMessage);
    s.control.publish({ __type: CONNECTION_STATE_CHANGE_TYPE, isDelta: false, newConnectionState: 'sideways' } as unknown as IcwsMessage);
    s.control.publish({ __type: 'urn:test:boom', isDelta: false } as IcwsMessage);
    s.control.publish(probe(1));

    await waitFor('the probe after the bad ones', () => seen.includes(1));
    expect(client.errors.map((e) => e.code)).toEqual(['bad_response', 'bad_response', 'internal']);
    expect(client.errors[2]?.message).toContain('urn:test:boom');
    // The session is still up: a malformed state message is not a "down".
    expect(client.session.state).toMatchObject({ state: 'up' });
  });
});
