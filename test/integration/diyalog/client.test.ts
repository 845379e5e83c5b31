// The client against the Diyalog simulator: real HTTP on loopback, real signature checks.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiyalogClient } from '../../../main/diyalog/client';
import type { DiyalogClientOptions } from '../../../main/diyalog/client';
import type { FetchLike } from '../../../main/http';
import { startDiyalogSim } from '../../../main/sim/diyalog/server';
import type { DiyalogSim } from '../../../main/sim/diyalog/server';
import { rejection } from '../../support/rejection';

let sim: DiyalogSim;
const extraSims: DiyalogSim[] = [];

beforeAll(async () => {
  sim = await startDiyalogSim({ historySize: 400, seed: 7 });
});
afterAll(async () => {
  await sim.close();
  await Promise.all(extraSims.map((s) => s.close()));
});
afterEach(() => {
  sim.control.setClockOffset(0);
  sim.control.rejectSkewAlways(false);
});

async function extraSim(options: Parameters<typeof startDiyalogSim>[0]): Promise<DiyalogSim> {
  const s = await startDiyalogSim({ historySize: 50, ...options });
  extraSims.push(s);
  return s;
}

function client(over: Partial<DiyalogClientOptions> = {}, on: DiyalogSim = sim): DiyalogClient {
  return new DiyalogClient({
    baseUrl: on.url,
    credentials: on.credentials,
    requesterUserId: on.staffId,
    fetch,
    retryBaseMs: 1,
    random: () => 0.5,
    ...over,
  });
}

/**
 * The real fetch with a hook before each request (to change the simulated world at an
 * exact step) and, optionally, an answer that is received and then lost on the way
 * back, the one fault the simulator cannot inject: the server did the work.
 */
function tappedFetch(hooks: { before?: (endpoint: string, n: number) => void; loseAnswer?: (endpoint: string, n: number) => boolean }): FetchLike {
  const counts = new Map<string, number>();
  return async (input, init) => {
    const endpoint = new URL(String(input)).pathname.split('/').at(-1) ?? '';
    const n = (counts.get(endpoint) ?? 0) + 1;
    counts.set(endpoint, n);
    hooks.before?.(endpoint, n);
    const response = await fetch(input, init);
    if (hooks.loseAnswer?.(endpoint, n)) {
      await response.arrayBuffer();
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    }
    return response;
  };
}


/** A customer with no live session, different on every call. */
const idle = (() => {
  let used = 0;
  return (): string => {
    const live = new Set(sim.control.liveSessions().map((s) => s.customerId));
    const free = sim.control.customers().filter((c) => !live.has(c.customerId));
    const c = free[used++];
    if (!c) throw new Error('the simulator ran out of idle customers');
    return c.customerId;
  };
})();

const AGENT = '45001';

describe('happy paths', () => {
  it('isCustomerInOnlineHelp: in help, not in help, unknown customer', async () => {
    const c = client();
    const busy = idle();
    sim.control.startSession(busy, AGENT, 'outbound');
    await expect(c.isCustomerInOnlineHelp(busy)).resolves.toEqual({ customerId: busy, isInHelp: true, helpType: 'outbound', staffId: AGENT });
    const free = idle();
    await expect(c.isCustomerInOnlineHelp(free)).resolves.toEqual({ customerId: free, isInHelp: false, helpType: null, staffId: null });
    expect((await rejection(c.isCustomerInOnlineHelp('999999999999'))).code).toBe('customer_not_found');
    expect(c.requestCount).toBe(3);
    expect(sim.control.requests.at(-1)?.requester).toBe(sim.staffId);
  });

  it('finishOnlineHelp ends the session; a second call is no_conversation', async () => {
    const c = client();
    const customer = idle();
    sim.control.startSession(customer, AGENT, 'inbound');
    const result = await c.finishOnlineHelp(customer, AGENT);
    expect(result).toEqual({ customerId: customer, staffId: AGENT, outcome: 'ended', message: 'Conversation will be stop with peers.' });
    expect(sim.control.session(customer)).toBeNull();
    const e = await rejection(c.finishOnlineHelp(customer, AGENT));
    expect(e.code).toBe('no_conversation');
    expect(c.requestCount).toBe(2);
  });

  it('getOnlineHelpList returns one page, newest first, as the server holds it', async () => {
    const all = sim.control.history();
    const endDate = all[0]?.helpRequestedAt ?? Date.now();
    const page = await client().getOnlineHelpList({ startDate: 0, endDate });
    expect(page).toHaveLength(20);
    expect(page.map((r) => r.onlineHelpId)).toEqual(all.filter((r) => r.helpRequestedAt <= endDate).slice(0, 20).map((r) => r.onlineHelpId));
    const agentId = page.find((r) => r.agentId)?.agentId;
    expect(agentId).toBeDefined();
    const mine = await client().getOnlineHelpList({ startDate: 0, endDate, agentId });
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((r) => r.agentId === agentId)).toBe(true);
  });

  it('getMessagingDetail returns a browser link', async () => {
    const { url } = await client().getMessagingDetail({ staffId: AGENT, customerId: '2337368', startDate: 1612984180000, endDate: 1615403380000 });
    expect(url).toMatch(/^https:\/\/web\.diyalog\.test\//);
  });

  it('interactionIsNotDelivered releases a waiting customer, then says nobody waits', async () => {
    const c = client();
    const customer = idle();
    const waiting = sim.control.requestSession(customer);
    const message = 'Şu an yardımcı olamıyoruz.\nLütfen tekrar deneyin.';
    await expect(c.interactionIsNotDelivered({ interactionId: waiting.interactionId, message })).resolves.toEqual({
      outcome: 'released',
      message: 'Customer waiting will be stopped.',
    });
    expect(sim.control.releasedInteractions().find((r) => r.interactionId === waiting.interactionId)?.message).toBe(message);
    expect((await rejection(c.interactionIsNotDelivered({ sessionId: waiting.sessionId }))).code).toBe('customer_not_waiting');
  });
});

describe('authentication', () => {
  it('a wrong secret is auth_failed after each way of signing was tried once; the same secret is not probed again', async () => {
    const c = client({ credentials: { keyId: sim.credentials.keyId, secret: 'not-the-secret' } });
    const e = await rejection(c.isCustomerInOnlineHelp('70022'));
    expect(e.code).toBe('auth_failed');
    expect(e.details.status).toBe(401);
    expect(e.message).toContain('both signing forms and both algorithms');
    // example/sha256, pseudocode/sha256, example/sha1, pseudocode/sha1
    expect(c.requestCount).toBe(4);
    expect((await rejection(c.isCustomerInOnlineHelp('70022'))).code).toBe('auth_failed');
    expect(c.requestCount).toBe(5);
    expect(c.signing).toEqual({ form: 'example', algorithm: 'sha256', confirmed: false });
  });

  it('learns the server clock from a 403 and re-signs once', async () => {
    const now = Date.UTC(2024, 1, 29, 9, 30, 0);
    const skewed = await extraSim({ now: () => now, clockOffsetMs: 20 * 60_000 });
    const c = client({ clock: () => now }, skewed);
    await expect(c.isCustomerInOnlineHelp('70022')).resolves.toMatchObject({ customerId: '70022' });
    expect(c.requestCount).toBe(2);
    expect(c.clockOffsetMs).toBe(20 * 60_000);
    expect(skewed.control.requests.map((r) => r.status)).toEqual([403, 200]);
    // The offset is kept: the next call goes through at once.
    await c.isCustomerInOnlineHelp('70022');
    expect(c.requestCount).toBe(3);
  });

  it('a 403 that survives the correction is clock_skew, saying how far off the clock is', async () => {
    sim.control.setClockOffset(-3 * 60 * 60_000);
    sim.control.rejectSkewAlways(true);
    const c = client();
    const e = await rejection(c.isCustomerInOnlineHelp('70022'));
    expect(e.code).toBe('clock_skew');
    expect(e.details.status).toBe(403);
    expect(e.message).toContain('180 minutes ahead of');
    expect(c.requestCount).toBe(2);
  });

  it('signs the base path prefix', async () => {
    const prefixed = await extraSim({ basePath: '/api' });
    expect(prefixed.url).toMatch(/\/api$/);
    await expect(client({}, prefixed).isCustomerInOnlineHelp('70022')).resolves.toMatchObject({ customerId: '70022' });
    await expect(client({ baseUrl: `${prefixed.url}/` }, prefixed).isCustomerInOnlineHelp('70022')).resolves.toMatchObject({ isInHelp: false });
    expect(prefixed.control.requests.map((r) => r.path)).toEqual([
      '/api/v1/application/iscustomerinonlinehelp',
      '/api/v1/application/iscustomerinonlinehelp',
    ]);
  });

  it('signs with SHA1 for an old server when told to; started on SHA256 it finds SHA1 by itself', async () => {
    const old = await extraSim({ signatureAlgorithm: 'sha1' });
    const told = client({ algorithm: 'sha1' }, old);
    await expect(told.isCustomerInOnlineHelp('70022')).resolves.toMatchObject({ isInHelp: false });
    expect(told.requestCount).toBe(1);
    const found = client({}, old);
    await expect(found.isCustomerInOnlineHelp('70022')).resolves.toMatchObject({ isInHelp: false });
    expect(found.requestCount).toBe(3);
    expect(found.signing).toEqual({ form: 'example', algorithm: 'sha1', confirmed: true });
  });
});

describe('failures and retries', () => {
  it('a read retries 500s and then succeeds', async () => {
    sim.control.failNext(2, '500');
    const c = client();
    await expect(c.isCustomerInOnlineHelp('70022')).resolves.toMatchObject({ customerId: '70022' });
    expect(c.requestCount).toBe(3);
  });

  it('a persistent 500 is server_error after 3 requests, carrying the server text', async () => {
    sim.control.failNext(3, '500');
    const c = client();
    const e = await rejection(c.getOnlineHelpList({ startDate: 0, endDate: Date.now() }));
    expect(e.code).toBe('server_error');
    expect(e.details.status).toBe(500);
    expect(e.message).toMatch(/java\.|org\.springframework/);
    expect(c.requestCount).toBe(3);
  });

  it('dropped connections are retried for reads and end as unavailable', async () => {
    sim.control.failNext(3, 'drop');
    const c = client();
    const e = await rejection(c.getMessagingDetail({ staffId: AGENT, customerId: '70022', startDate: 1, endDate: 2 }));
    expect(e.code).toBe('unavailable');
    expect(c.requestCount).toBe(3);
  });

  // Slow sims of their own: a request the client gave up on still wakes up later on the
  // server and would eat a failNext() meant for another test.
  it('a timeout on every attempt is unavailable', async () => {
    const slow = await extraSim({ latencyMs: 400 });
    const c = client({ timeoutMs: 40 }, slow);
    const e = await rejection(c.isCustomerInOnlineHelp('70022'));
    expect(e.code).toBe('unavailable');
    expect(e.details.reason).toBe('timeout');
    expect(c.requestCount).toBe(3);
  });

  it('a truncated JSON answer is bad_response and not retried', async () => {
    sim.control.failNext(1, 'bad_json');
    const c = client();
    const e = await rejection(c.isCustomerInOnlineHelp('70022'));
    expect(e.code).toBe('bad_response');
    expect(c.requestCount).toBe(1);
  });

  it('a caller abort mid-request is cancelled', async () => {
    const slow = await extraSim({ latencyMs: 2_000 });
    const controller = new AbortController();
    const c = client({}, slow);
    const pending = rejection(c.isCustomerInOnlineHelp('70022', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 20);
    expect((await pending).code).toBe('cancelled');
    expect(c.requestCount).toBe(1);
  });

  it('a 500 on finish is server_error, never retried', async () => {
    const customer = idle();
    sim.control.startSession(customer, AGENT, 'inbound');
    sim.control.failNext(1, '500');
    const c = client();
    expect((await rejection(c.finishOnlineHelp(customer, AGENT))).code).toBe('server_error');
    expect(c.requestCount).toBe(1);
    expect(sim.control.session(customer)).not.toBeNull();
  });
});

describe('finishOnlineHelp after a lost answer', () => {
  // Settling a lost answer (asking iscustomerinonlinehelp) is the recovery service's job, which
  // audits both the answer and the settlement: the client sends once and says what happened.
  it('dropped before the server acted: unavailable after one request, the session untouched', async () => {
    const customer = idle();
    sim.control.startSession(customer, AGENT, 'inbound');
    sim.control.failNext(1, 'drop');
    const c = client();
    const e = await rejection(c.finishOnlineHelp(customer, AGENT));
    expect(e).toMatchObject({ code: 'unavailable', details: { reason: 'network' } });
    expect(c.requestCount).toBe(1);
    expect(sim.control.session(customer)).not.toBeNull();
  });

  it('answer lost after the server acted: unavailable, never sent again', async () => {
    const customer = idle();
    sim.control.startSession(customer, AGENT, 'inbound');
    const c = client({ fetch: tappedFetch({ loseAnswer: (endpoint, n) => endpoint === 'finishonlinehelp' && n === 1 }) });
    expect((await rejection(c.finishOnlineHelp(customer, AGENT))).code).toBe('unavailable');
    expect(c.requestCount).toBe(1);
    expect(sim.control.session(customer)).toBeNull();
  });
});

describe('bad input sends nothing', () => {
  const cases: [string, (c: DiyalogClient) => Promise<unknown>][] = [
    ['empty customer id', (c) => c.isCustomerInOnlineHelp('')],
    ['overlong customer id', (c) => c.isCustomerInOnlineHelp('1'.repeat(65))],
    ['control character in staff id', (c) => c.finishOnlineHelp('70022', '45\n186')],
    ['inverted history range', (c) => c.getOnlineHelpList({ startDate: 10, endDate: 5 })],
    ['NaN date', (c) => c.getMessagingDetail({ staffId: AGENT, customerId: '70022', startDate: Number.NaN, endDate: 5 })],
    ['negative date', (c) => c.getOnlineHelpList({ startDate: -1, endDate: 5 })],
    ['neither interaction nor session id', (c) => c.interactionIsNotDelivered({ message: 'x' })],
  ];
  it.each(cases)('%s → invalid_input', async (_name, call) => {
    const before = sim.control.requestCount;
    const c = client();
    const e = await rejection(call(c));
    expect(e.code).toBe('invalid_input');
    expect(c.requestCount).toBe(0);
    expect(sim.control.requestCount).toBe(before);
  });
});
