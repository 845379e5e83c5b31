// What production ICWS servers do that the seed pages did not say (issue 10, §2.4), each
// played by the simulator and met by the client, in both pump modes where the message
// channel matters: server-sent events (messaging 2) and short polling (messaging 1).

import { afterEach, describe, expect, it } from 'vitest';
import type { AssistanceRequest, ConnectionState } from '../../../shared/assistance';
import type { AppError } from '../../../shared/errors';
import type { AssistanceClientOptions } from '../../../main/icws/assistance';
import type { MessagePumpOptions } from '../../../main/icws/messaging';
import type { IcwsSessionOptions } from '../../../main/icws/session';
import { DEMO_ICWS_SUPERVISOR, startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim, IcwsSimOptions } from '../../../main/sim/icws/server';
import { makeClient, nextEvent, rejection, waitFor } from './client-harness';
import type { Client } from './client-harness';

const DETAILS = 'urn:inin.com:interactions.assistance:assistanceRequestDetailsMessage';
const LIST_SUBSCRIPTION_PATH = /\/messaging\/subscriptions\/interactions\/agent-assistance$/;
const LOGIN_PATH = /\/icws\/connection$/;

let sim: IcwsSim | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.shutdown();
  await sim?.close();
  client = undefined;
  sim = undefined;
});

type Mode = 'sse' | 'poll';
const MODES: Mode[] = ['sse', 'poll'];

interface Setup {
  sim?: IcwsSimOptions;
  session?: Partial<IcwsSessionOptions>;
  pump?: MessagePumpOptions;
  assistance?: AssistanceClientOptions;
  /** connect to the primary through the reverse proxy */
  viaProxy?: boolean;
}

/** The simulator (messaging 1 for short polling) and a started client whose view is in sync. */
async function started(mode: Mode, setup: Setup = {}): Promise<{ sim: IcwsSim; client: Client }> {
  sim = await startIcwsSim({ supervisor: false, messagingVersion: mode === 'poll' ? 1 : 2, ...setup.sim });
  const target = { url: setup.viaProxy ? sim.proxyUrl : sim.url, user: sim.user };
  client = makeClient(target, setup.session, { pollIntervalMs: 20, ...setup.pump }, setup.assistance);
  await client.assistance.start();
  await client.assistance.whenSynced();
  expect(client.pump.channel ?? mode).toBe(mode);
  return { sim, client };
}

const find = (c: Client, id: string): AssistanceRequest | undefined => c.assistance.list().find((r) => r.assistanceId === id);
const logins = (s: IcwsSim) => s.control.requests.filter((r) => r.method === 'POST' && LOGIN_PATH.test(r.path));

async function askAndSee(c: Client, interactionId: string, text = 'help'): Promise<string> {
  const id = await c.assistance.request(interactionId, text);
  await waitFor('the new request in the view', () => find(c, id));
  return id;
}

describe('switchover behind a reverse proxy (<proxy>/api/<server>)', () => {
  it('logs in to the alternate server through the same proxy, replacing the last path segment', async () => {
    sim = await startIcwsSim({ supervisor: false, switchover: true });
    client = makeClient({ url: sim.proxyUrl, user: sim.user });
    await client.session.connect();
    const proxyHost = new URL(sim.url).host;
    expect(sim.control.requests.map((r) => `${r.host} ${r.path} ${r.status}`)).toEqual([
      '127.0.0.1 /api/icserver1/icws/connection 503',
      '127.0.0.1 /api/icserver2/icws/connection 201',
    ]);
    expect(client.states).toEqual([
      { state: 'connecting' },
      { state: 'switching', host: `${proxyHost}/api/icserver2` },
      { state: 'up', host: `${proxyHost}/api/icserver2`, sse: true },
    ]);
    expect(client.session.servers.current.base).toBe(`${sim.url}/api/icserver2`);
  });

  describe.each(MODES)('a live switchover (%s)', (mode) => {
    it('moves the session to the other server behind the proxy and the view carries on', async () => {
      const { sim, client } = await started(mode, { viaProxy: true });
      const id = await askAndSee(client, sim.interactionIds[0]!);
      const first = client.session.sessionId;

      sim.control.setSwitchover(true);
      const proxyHost = new URL(sim.url).host;
      await waitFor('up on icserver2', () => client.session.state.state === 'up' && client.session.state.host === `${proxyHost}/api/icserver2`);
      expect(client.session.sessionId).not.toBe(first);
      expect(sim.control.requests.every((r) => r.host === '127.0.0.1')).toBe(true);

      sim.control.supervisorMessage(id, 'still with you');
      await waitFor('the message after the switchover', () => find(client, id)?.messages.some((m) => m.text === 'still with you'));
    });
  });
});

describe.each(MODES)('the server says the connection is down (%s)', (mode) => {
  it('shouldReconnect false: down with the server reason at once, no login by itself, the user logs in again by hand', async () => {
    const { sim, client } = await started(mode);
    const id = await askAndSee(client, sim.interactionIds[0]!);
    const loginsBefore = logins(sim).length;
    const reason = 'Oturumunuz bir yönetici tarafından kapatıldı.';

    const ended = nextEvent<AppError>('the ended event', (l) => client.session.onEnded(l));
    expect(sim.control.endSessions({ reason, shouldReconnect: false })).toBe(1);
    expect((await ended).code).toBe('session_ended');
    expect(client.session.state).toEqual({ state: 'down', reason, code: 'session_ended' });
    expect(client.assistance.stale).toBe(true);

    // Nothing logs in by itself: a call fails at once, says why, and sends nothing.
    const error = await rejection(client.assistance.addMessage(id, 'are you there?'));
    expect(error.code).toBe('session_ended');
    expect(error.message).toBe(reason);
    expect(error.details).toMatchObject({ sent: false });
    expect(logins(sim)).toHaveLength(loginsBefore);
    expect(sim.control.sessions()).toEqual([]);

    // The user logs in again: subscriptions come back, the view is current again.
    const fresh = nextEvent<boolean>('the view current again', (l) => client.assistance.onStaleChange(l), (stale) => !stale);
    await client.session.resume();
    await fresh;
    expect(logins(sim)).toHaveLength(loginsBefore + 1);
    sim.control.supervisorMessage(id, 'back again');
    await waitFor('a message on the resumed session', () => find(client, id)?.messages.some((m) => m.text === 'back again'));
  });

  it('Down without shouldReconnect: shows down with the reason at once, then logs in again by itself', async () => {
    const { sim, client } = await started(mode);
    const id = await askAndSee(client, sim.interactionIds[0]!);
    const first = client.session.sessionId;
    const reason = 'The Session Manager is restarting.';

    const down = nextEvent<ConnectionState>('down with the reason', (l) => client.session.onStateChange(l), (s) => s.state === 'down');
    sim.control.endSessions({ reason });
    expect(await down).toEqual({ state: 'down', reason, code: 'session_expired' });
    await waitFor('up again', () => client.session.state.state === 'up' && client.session.sessionId !== first && client.session.sessionId);
    sim.control.supervisorMessage(id, 'after the restart');
    await waitFor('the view carrying on', () => find(client, id)?.messages.some((m) => m.text === 'after the restart'));
    expect(client.session.ended).toBeNull();
  });
});

describe('stalled streams (server-sent events)', () => {
  it('reopens a stream silent for more than three times the ping interval seen so far; nothing is lost', async () => {
    const { sim, client } = await started('sse', { sim: { pingIntervalMs: 40 }, pump: { stallTimeoutMs: 60_000 } });
    const id = await askAndSee(client, sim.interactionIds[0]!);
    await waitFor('the ping interval learnt', () => client.pump.stallAfterMs < 60_000);
    expect(client.pump.stallAfterMs).toBeGreaterThanOrEqual(3 * 30);

    const stall = nextEvent<{ silentMs: number }>('the stall', (l) => client.pump.onStall(l));
    const limit = client.pump.stallAfterMs;
    expect(sim.control.stallStreams()).toBe(1);
    sim.control.supervisorMessage(id, 'are you getting this?');
    // Not reopened before the limit: a stream that is merely quiet between pings is left alone.
    const { silentMs } = await stall;
    expect(silentMs).toBeGreaterThanOrEqual(limit - 20);
    await waitFor('the message held while the stream stalled', () => find(client, id)?.messages.some((m) => m.text === 'are you getting this?'));
    expect(client.pump.stalls).toBe(1);
  });

  it('a server that writes on into the stalled connection (those messages lost): the reopened stream re-subscribes and the full answers bring them back', async () => {
    const { sim, client } = await started('sse', { sim: { pingIntervalMs: 40 }, pump: { stallTimeoutMs: 60_000 } });
    const id = await askAndSee(client, sim.interactionIds[0]!);
    await waitFor('the ping interval learnt', () => client.pump.stallAfterMs < 60_000);
    const puts = () => sim.control.requests.filter((r) => r.method === 'PUT' && LIST_SUBSCRIPTION_PATH.test(r.path)).length;
    const before = puts();

    const stall = nextEvent<{ silentMs: number }>('the stall', (l) => client.pump.onStall(l));
    expect(sim.control.stallStreams({ lossy: true })).toBe(1);
    // Taken off the queue and written into the dead connection: only a re-subscription brings it back.
    sim.control.supervisorMessage(id, 'written into the dead stream');
    await stall;
    await waitFor('the lost message, from the full answer', () => find(client, id)?.messages.some((m) => m.text === 'written into the dead stream'));
    expect(puts()).toBe(before + 1);
    expect(client.errors).toEqual([]);
  });

  it('before any ping, reopens after the first-ping limit (60 s by default; shortened here)', async () => {
    const { sim, client } = await started('sse', { sim: { pingIntervalMs: 600_000 }, pump: { stallTimeoutMs: 300 } });
    const id = await askAndSee(client, sim.interactionIds[0]!);
    expect(client.pump.stallAfterMs).toBe(300);
    sim.control.stallStreams();
    sim.control.supervisorMessage(id, 'late but here');
    await waitFor('the message after a reopen', () => find(client, id)?.messages.some((m) => m.text === 'late but here'));
    expect(client.pump.stalls).toBeGreaterThanOrEqual(1);
  });
});

describe.each(MODES)('assistance subscription state (%s)', (mode) => {
  it('Faulted: the view is stale, the client re-subscribes and gets back what was lost', async () => {
    const { sim, client } = await started(mode, { assistance: { resubscribe: { baseMs: 10, capMs: 50 } } });
    const id = await askAndSee(client, sim.interactionIds[0]!);
    const staleChanges: boolean[] = [];
    client.assistance.onStaleChange((s) => staleChanges.push(s));

    // The subscription breaks silently first: this update is lost on the way.
    sim.control.setAssistanceSubscriptionState('faulted', { announce: false });
    sim.control.supervisorMessage(id, 'lost while faulted');
    sim.control.setAssistanceSubscriptionState('faulted');

    await waitFor('the lost message after re-subscribing', () => find(client, id)?.messages.some((m) => m.text === 'lost while faulted'));
    await waitFor('current again', () => !client.assistance.stale);
    expect(staleChanges).toEqual([true, false]);
    expect(client.assistance.snapshot()).toEqual({ requests: client.assistance.list(), stale: false });
    expect(client.errors.map((e) => e.message)).toContainEqual(expect.stringContaining('faulted'));
  });

  it('Suspended then Normal: stale until Normal, with no re-subscription needed', async () => {
    const { sim, client } = await started(mode, { assistance: { resubscribe: { baseMs: 600_000, capMs: 600_000 } } });
    await askAndSee(client, sim.interactionIds[0]!);
    const puts = () => sim.control.requests.filter((r) => r.method === 'PUT' && LIST_SUBSCRIPTION_PATH.test(r.path)).length;
    const before = puts();

    const stale = nextEvent<boolean>('stale', (l) => client.assistance.onStaleChange(l), (s) => s);
    sim.control.setAssistanceSubscriptionState('suspended');
    await stale;
    const current = nextEvent<boolean>('current', (l) => client.assistance.onStaleChange(l), (s) => !s);
    sim.control.setAssistanceSubscriptionState('normal');
    await current;
    expect(puts()).toBe(before);
  });
});

describe.each(MODES)('lenient parsing (%s)', (mode) => {
  it('keeps a message with an unknown state, an unknown action, extended times and one bad time', async () => {
    const { sim, client } = await started(mode);
    const id = await askAndSee(client, sim.interactionIds[0]!);
    sim.control.publish({
      __type: DETAILS,
      isDelta: true,
      assistanceId: id,
      state: 7,
      participantsAdded: [{ userId: DEMO_ICWS_SUPERVISOR.userId, displayName: DEMO_ICWS_SUPERVISOR.displayName, action: 9 }],
      messagesAdded: [
        { text: 'extended', participantId: DEMO_ICWS_SUPERVISOR.userId, timeAdded: '2024-05-02T09:00:00.250Z' },
        { text: 'basic', participantId: DEMO_ICWS_SUPERVISOR.userId, timeAdded: '20240502T090001Z' },
        { text: 'odd time', participantId: DEMO_ICWS_SUPERVISOR.userId, timeAdded: 'soon' },
      ],
    });
    const request = await waitFor('the odd message applied', () => (find(client, id)?.messages.length === 4 ? find(client, id) : undefined));
    expect(request.state).toBe('unknown');
    expect(request.participants.at(-1)).toEqual({ userId: DEMO_ICWS_SUPERVISOR.userId, displayName: DEMO_ICWS_SUPERVISOR.displayName, action: 'unknown' });
    expect(request.messages.slice(1).map((m) => [m.text, m.timeAdded])).toEqual([
      ['extended', '2024-05-02T09:00:00.250Z'],
      ['basic', '2024-05-02T09:00:01.000Z'],
      ['odd time', expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/)],
    ]);
    expect(client.errors.some((e) => e.code === 'bad_response' && /kept the rest/.test(e.message) && /soon/.test(e.message))).toBe(true);
  });
});

describe.each(MODES)('a bad session cookie (%s)', (mode) => {
  it.each([400, 403, 500])('error.request.accessDenied.cookie.invalid with %i means log in again, and the call succeeds', async (status) => {
    const { sim, client } = await started(mode);
    const id = await askAndSee(client, sim.interactionIds[0]!);
    const first = client.session.sessionId;
    expect(sim.control.invalidateCookies(status)).toBe(1);
    await client.assistance.addMessage(id, 'after the cookie went bad');
    expect(client.session.sessionId).not.toBe(first);
    expect(sim.control.requests.some((r) => r.status === status)).toBe(true);
    await waitFor('the message in the view', () => find(client, id)?.messages.some((m) => m.text === 'after the cookie went bad'));
  });
});

describe('no late delivery', () => {
  it('fails within the deadline while ICWS is down, says it was not sent, and never sends it later', async () => {
    const { sim, client } = await started('sse', { assistance: { deadlineMs: 300 } });
    const interactionId = sim.interactionIds[0]!;
    sim.control.setAvailable(false);
    // With the session still held, a call fails at once (the connection is refused).
    expect((await rejection(client.assistance.addMessage('a-request', 'hello?'))).code).toBe('unavailable');
    // The pump gives the lost session up and keeps logging in (with backoff): calls now wait for a login.
    await waitFor('the session given up', () => !client.session.connected && client.session.state.state === 'down');

    const error = await rejection(client.assistance.request(interactionId, 'anyone?'));
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/not sent/);
    expect(error.details).toMatchObject({ sent: false });

    // The user gives up on another one.
    const controller = new AbortController();
    const pending = rejection(client.assistance.addMessage('a-request', 'never mind', controller.signal));
    controller.abort();
    expect((await pending).code).toBe('cancelled');

    // ICWS comes back; the pump logs in and re-subscribes (the full list arrives): neither call went out.
    // Either proves the resync; a race of two waits left the loser's 10 s timer running.
    let resynced = false;
    const off = client.assistance.onChange(() => (resynced = true));
    sim.control.setAvailable(true);
    await waitFor('up again', () => client.session.state.state === 'up');
    await waitFor('the list again, or the re-subscription', () => resynced || sim.control.requests.some((r) => r.method === 'PUT' && r.status === 204));
    off();
    expect(sim.control.requests.filter((r) => r.method === 'POST' && /agent-assistance/.test(r.path))).toEqual([]);
  });
});

describe('supervisors and refusals agents meet', () => {
  it('a supervisor who ignores, one who never answers, and one who answers', async () => {
    const { sim, client } = await started('sse', { sim: { supervisor: { acceptDelayMs: 20, reply: 'Geliyorum.' } } });
    const ignored = await askAndSee(client, sim.scenarios.ignored, 'ignored one');
    const unanswered = await askAndSee(client, sim.scenarios.unanswered, 'unanswered one');
    const answered = await askAndSee(client, sim.interactionIds[0]!, 'answered one');

    await waitFor('the ignore', () => find(client, ignored)?.participants.some((p) => p.action === 'ignored'));
    await waitFor('the answer', () => find(client, answered)?.messages.some((m) => m.text === 'Geliyorum.'));
    expect(find(client, ignored)).toMatchObject({ state: 'none', messages: [{ text: 'ignored one' }] });
    // The script has run for all three (the later two answered): the unanswered one stays as it was.
    expect(find(client, unanswered)).toMatchObject({ state: 'none', messages: [{ text: 'unanswered one' }], participants: [{ action: 'initiated' }] });
  });

  it('refuses a non-ACD interaction and a user without the right, with the server message', async () => {
    const { sim, client } = await started('sse');
    const notAcd = await rejection(client.assistance.request(sim.scenarios.notAcd, 'help'));
    expect(notAcd.code).toBe('operation_failed');
    expect(notAcd.message).toBe('Assistance can only be requested on an ACD-routed interaction.');
    expect(notAcd.details).toMatchObject({ status: 400 });

    sim.control.setAssistanceRight(sim.user.userId, false);
    const noRight = await rejection(client.assistance.request(sim.interactionIds[0]!, 'help'));
    expect(noRight.code).toBe('operation_failed');
    expect(noRight.message).toMatch(/Request Assistance from Supervisors/);
    expect(client.assistance.list()).toEqual([]);
  });
});
