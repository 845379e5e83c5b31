// Supervisor recovery against the Diyalog simulator over loopback: the finder's precision and
// recall on seeded crashed sessions and their look-alikes, force-end outcomes that tell the
// truth (a 500 after the server acted is `ended`, never `failed`), the bulk end with injected
// failures, and reconciling what a crash left unknown.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiyalogClient, type DiyalogClientOptions } from '../../../main/diyalog/client';
import type { FetchLike } from '../../../main/http';
import { openServiceContext } from '../../../main/services/context';
import { forceEndAudited, forceEndMany, forceEndTruthfully, reconcileAudit } from '../../../main/services/recovery';
import { createRecoveryFeature } from '../../../main/services/recovery-feature';
import { RecoveryJobs } from '../../../main/services/recovery-jobs';
import { MemorySecretStore } from '../../../main/services/secrets';
import { DEFAULT_WINDOW_MS, findSessionFacts, findStuckSessions } from '../../../main/services/stuck-sessions';
import { startDiyalogSim, type DiyalogSim } from '../../../main/sim/diyalog/server';
import { AuditLog } from '../../../main/store/audit';
import type { StuckSearchProgress } from '../../../shared/recovery';
import { rejection } from '../../support/rejection';
import { waitUntil } from '../../support/wait';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const REASON = 'Agent app crashed during the shift';

let sim: DiyalogSim;
let dir: string;
let audit: AuditLog;
let agents: string[];
let idle: string[];

// A simulator for each test: they crash, transfer and end sessions, and the finder's counts
// must not depend on which tests ran before (they pass in any order).
beforeEach(async () => {
  sim = await startDiyalogSim({ historySize: 400, seed: 8080 });
  agents = sim.control.staff().filter((s) => s.role === 'agent').map((s) => s.staffId);
  // Customers with no live session and no row that could pass for one.
  const busy = new Set(sim.control.history().filter((r) => r.helpState === 'onlinehelp_started' || r.helpState === 'onlinehelp_requested').map((r) => r.customerNo));
  for (const s of sim.control.liveSessions()) busy.add(s.customerId);
  idle = sim.control.customers().map((c) => c.customerId).filter((id) => !busy.has(id));
});
afterEach(() => sim?.close());

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'companion-recovery-'));
  audit = new AuditLog(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function nextIdle(): string {
  const id = idle.shift();
  if (!id) throw new Error('the simulator ran out of idle customers');
  return id;
}

function options(over: Partial<DiyalogClientOptions> = {}, on: DiyalogSim = sim): DiyalogClientOptions {
  return { baseUrl: on.url, credentials: on.credentials, requesterUserId: on.staffId, fetch: globalThis.fetch, retryBaseMs: 1, ...over };
}

/** What the client provider hands a search: a maker of fresh clients, each counting its own requests. */
function clients(over: Partial<DiyalogClientOptions> = {}, on: DiyalogSim = sim): () => DiyalogClient {
  const o = options(over, on);
  return () => new DiyalogClient(o);
}

const client = (over: Partial<DiyalogClientOptions> = {}) => new DiyalogClient(options(over));
const finishes = () => sim.control.requests.filter((r) => r.path.endsWith('/finishonlinehelp'));
const request = (customerId: string, staffId: string) => ({ actor: sim.staffId, customerId, staffId, reason: REASON });

/** A crashed session: started `ago` ms ago, never to end on its own. */
function crash(ago: number, staffId: string = agents[0]!): { customerId: string; staffId: string } {
  const customerId = nextIdle();
  sim.control.crashSession(customerId, staffId, sim.control.serverNow() - ago);
  return { customerId, staffId };
}

describe('the stuck-session finder', () => {
  it('finds exactly the crashed sessions: precision and recall 1, look-alikes dropped and counted by why', async () => {
    const now = sim.control.serverNow();
    // More crashed agent apps at random hours of the last day, among the seeded ones.
    for (let i = 0; i < 12; i++) crash((1 + ((i * 7) % 22)) * HOUR + i * MINUTE, agents[i % agents.length]);
    // Look-alikes: transferred to another staff member, ended but the row never updated, recent.
    for (let i = 0; i < 3; i++) {
      const { customerId } = crash((2 + i) * HOUR, agents[0]);
      sim.control.transferSession(customerId, agents[1]!);
    }
    for (let i = 0; i < 3; i++) {
      const { customerId } = crash((3 + i) * HOUR, agents[2]);
      sim.control.endSessionUnreported(customerId);
    }
    crash(5 * MINUTE); // crashed, but too recently to tell from a live conversation
    sim.control.startSession(nextIdle(), agents[3]!, 'inbound');
    // Normal history: ended and cancelled sessions of today.
    const ended = nextIdle();
    sim.control.startSession(ended, agents[4]!, 'inbound');
    sim.control.endSession(ended);
    const cancelled = nextIdle();
    sim.control.requestSession(cancelled);
    sim.control.endSession(cancelled);
    crash(30 * HOUR); // outside the window

    const window = { startDate: now - 24 * HOUR, endDate: now };
    const truth = sim.control
      .crashedSessions()
      .filter((s) => s.requestedAt >= window.startDate && (s.startedAt ?? 0) <= now - 15 * MINUTE)
      .map((s) => `${s.customerId}/${s.staffId}`)
      .sort();
    expect(truth.length).toBe(14); // 12 here and 2 seeded (the third seeded one is 26 h old)

    const before = sim.control.requestCount;
    const result = await findStuckSessions(clients(), window, { now: () => now });
    const found = result.sessions.map((s) => `${s.customerId}/${s.staffId}`).sort();
    const hits = found.filter((f) => truth.includes(f)).length;
    expect({ precision: hits / found.length, recall: hits / truth.length }).toEqual({ precision: 1, recall: 1 });
    // Seeded: 2 unreported, 1 transferred, 1 unknown customer; here: 3 unreported, 3 transferred.
    expect(result.dropped).toEqual({ ended: 5, otherStaff: 4, unknown: 1 });
    expect(result.candidates).toBe(14 + 5 + 4 + 1);
    expect(result.requests).toBe(sim.control.requestCount - before);

    // Oldest first, with what the table shows.
    const starts = result.sessions.map((s) => s.startedAt);
    expect(starts).toEqual([...starts].sort());
    for (const s of result.sessions) {
      const live = sim.control.session(s.customerId);
      expect(s).toMatchObject({ staffId: live?.staffId, onlineHelpId: live?.onlineHelpId, startedAt: new Date(live!.startedAt!).toISOString() });
      expect(s.customerName).not.toBe('');
      expect(s.staffName).not.toBe('');
      expect(s.minutes).toBe(Math.floor((now - live!.startedAt!) / MINUTE));
      expect(s.minutes).toBeGreaterThanOrEqual(15);
    }
  });

  it('with no window given searches the last 72 hours: the demo’s session stuck 26–30 h and a crash left over a weekend are found, and the result says the window', async () => {
    const now = sim.control.serverNow();
    // The demo seeds a crashed session 26–30 h old: a night the default search must not miss.
    const seededOld = sim.control.crashedSessions().filter((s) => s.startedAt !== null && s.startedAt < now - 24 * HOUR);
    expect(seededOld).toHaveLength(1);
    const weekend = crash(60 * HOUR, agents[1]);
    const tooOld = crash(80 * HOUR, agents[2]);

    const result = await findStuckSessions(clients(), {}, { now: () => now });
    expect(DEFAULT_WINDOW_MS).toBe(72 * HOUR);
    expect(result.window).toEqual({ from: new Date(now - 72 * HOUR).toISOString(), to: new Date(now).toISOString() });
    const found = result.sessions.map((s) => s.customerId);
    expect(found).toEqual(expect.arrayContaining([seededOld[0]!.customerId, weekend.customerId]));
    expect(found).not.toContain(tooOld.customerId);

    // Only a start: up to now. Only an end: the default window before it.
    const since = await findStuckSessions(clients(), { startDate: now - 90 * HOUR, customerId: tooOld.customerId }, { now: () => now });
    expect(since.window).toEqual({ from: new Date(now - 90 * HOUR).toISOString(), to: new Date(now).toISOString() });
    expect(since.sessions.map((s) => s.customerId)).toEqual([tooOld.customerId]);
    const until = await findStuckSessions(clients(), { endDate: now - HOUR, customerId: weekend.customerId }, { now: () => now });
    expect(until.window).toEqual({ from: new Date(now - HOUR - 72 * HOUR).toISOString(), to: new Date(now - HOUR).toISOString() });
    expect(until.sessions.map((s) => s.customerId)).toEqual([weekend.customerId]);
  });

  it('narrows by agent, by customer and by age, and walks sequentially to the same answer', async () => {
    const now = sim.control.serverNow();
    const mine = crash(40 * MINUTE, agents[5]);
    const window = { startDate: now - 24 * HOUR, endDate: now };
    const byAgent = await findStuckSessions(clients(), { ...window, agentId: agents[5]! });
    expect(byAgent.sessions.length).toBeGreaterThan(0);
    expect(byAgent.sessions.every((s) => s.staffId === agents[5])).toBe(true);
    expect(byAgent.sessions.map((s) => s.customerId)).toContain(mine.customerId);

    const byCustomer = await findStuckSessions(clients(), { ...window, customerId: mine.customerId });
    expect(byCustomer.sessions.map((s) => s.customerId)).toEqual([mine.customerId]);
    expect(byCustomer.candidates).toBe(1);

    const older = await findStuckSessions(clients(), { ...window, customerId: mine.customerId, olderThanMinutes: 60 });
    expect(older).toMatchObject({ sessions: [], candidates: 0 });

    const concurrent = await findStuckSessions(clients(), window);
    const sequential = await findStuckSessions(clients(), window, { walkConcurrency: 1, checkConcurrency: 1 });
    expect(sequential.sessions).toEqual(concurrent.sessions);
    expect(sequential.dropped).toEqual(concurrent.dropped);
  });

  it('reports progress through the walk and the checks, and ends done', async () => {
    const now = sim.control.serverNow();
    const seen: StuckSearchProgress[] = [];
    const result = await findStuckSessions(clients(), { startDate: now - 24 * HOUR, endDate: now }, { onProgress: (p) => seen.push({ ...p }) });
    expect(seen.at(-1)).toMatchObject({ phase: 'done', candidates: result.candidates, requests: result.requests });
    expect(seen.some((p) => p.phase === 'walk' && p.walked > 0)).toBe(true);
    const checked = seen.map((p) => p.checked);
    expect(checked).toEqual([...checked].sort((a, b) => a - b));
  });

  it('stops on cancel: cancelled, and no request after it', async () => {
    const slow = await startDiyalogSim({ historySize: 400, seed: 8081, latencyMs: 40 });
    try {
      const controller = new AbortController();
      const now = slow.control.serverNow();
      const pending = rejection(
        findStuckSessions(clients({}, slow), { startDate: now - 90 * 24 * HOUR, endDate: now }, {
          signal: controller.signal,
          onProgress: (p) => p.requests >= 3 && controller.abort(),
        }),
      );
      expect((await pending).code).toBe('cancelled');
      const after = slow.control.requestCount;
      // Whatever was in flight has been aborted; nothing new starts.
      const again = await findStuckSessions(clients({}, slow), { startDate: now - HOUR, endDate: now });
      expect(slow.control.requestCount - after).toBe(again.requests);
    } finally {
      await slow.close();
    }
  });

  it('refuses bad input before sending anything', async () => {
    const now = sim.control.serverNow();
    const cases = [
      { startDate: now, endDate: now - 1 },
      { startDate: 0, endDate: now, agentId: '' },
      { startDate: 0, endDate: now, customerId: '12\n34' },
      { startDate: 0, endDate: now, olderThanMinutes: -1 },
      { startDate: 0, endDate: now, olderThanMinutes: 1.5 },
    ];
    for (const query of [...cases, { startDate: now + HOUR, endDate: now }, { endDate: -1 }]) {
      expect((await rejection(findStuckSessions(clients(), query))).code).toBe('invalid_input');
    }
    expect((await rejection(findStuckSessions(clients(), { startDate: 0, endDate: now }, { checkConcurrency: 0 }))).code).toBe('invalid_input');
    expect(sim.control.requestCount).toBe(0);
  });
});

describe('force-end outcomes that tell the truth', () => {
  it('ended when the server says so, audited as answered', async () => {
    const s = crash(2 * HOUR);
    const row = await forceEndTruthfully(client(), audit, request(s.customerId, s.staffId));
    expect(row).toMatchObject({ ...s, outcome: 'ended', auditId: expect.any(String) });
    expect(row).not.toHaveProperty('code');
    expect(sim.control.session(s.customerId)).toBeNull();
    expect((await audit.entries())[0]).toMatchObject({ id: row.auditId, outcome: 'ended', settledBy: 'answer', answer: { outcome: 'ended' } });
  });

  it('no_conversation when there is none on the first try', async () => {
    const customerId = nextIdle();
    const row = await forceEndTruthfully(client(), audit, request(customerId, agents[0]!));
    expect(row).toMatchObject({ outcome: 'no_conversation', code: 'no_conversation' });
    expect((await audit.entries())[0]).toMatchObject({ outcome: 'no_conversation', code: 'no_conversation' });
  });

  it('failed only when the answer proves nothing happened: a rejected signature', async () => {
    const s = crash(2 * HOUR);
    const row = await forceEndTruthfully(client({ credentials: { keyId: sim.credentials.keyId, secret: 'wrong' } }), audit, request(s.customerId, s.staffId));
    expect(row).toMatchObject({ outcome: 'failed', code: 'auth_failed' });
    expect(sim.control.session(s.customerId)).not.toBeNull();
    expect((await audit.entries())[0]).toMatchObject({ outcome: 'failed', settledBy: 'answer' });
  });

  it('a 500 after the server ended the session: unknown at first, then settled ended by check, never failed', async () => {
    const s = crash(2 * HOUR);
    sim.control.failNextAfterProcessing(1, '500');
    const row = await forceEndTruthfully(client(), audit, request(s.customerId, s.staffId));
    expect(row.outcome).toBe('ended');
    expect(row.message).toMatch(/settled by check/);
    expect(sim.control.session(s.customerId)).toBeNull();
    expect(finishes()).toHaveLength(1);
    const [entry] = await audit.entries();
    expect(entry).toMatchObject({
      outcome: 'ended',
      settledBy: 'check',
      check: { isInHelp: false, staffId: null },
      answer: { outcome: 'unknown', code: 'server_error' },
    });
  });

  it('an answer dropped after the server acted is ended by check too', async () => {
    const s = crash(2 * HOUR);
    sim.control.failNextAfterProcessing(1, 'drop');
    const row = await forceEndTruthfully(client(), audit, request(s.customerId, s.staffId));
    expect(row.outcome).toBe('ended');
    expect((await audit.entries())[0]).toMatchObject({ outcome: 'ended', settledBy: 'check', answer: { outcome: 'unknown', code: 'unavailable' } });
  });

  it('a 500 before the server acted: settled not_ended, the session still there', async () => {
    const s = crash(2 * HOUR);
    sim.control.failNext(1, '500');
    const row = await forceEndTruthfully(client(), audit, request(s.customerId, s.staffId));
    expect(row).toMatchObject({ outcome: 'not_ended', code: 'server_error' });
    expect(sim.control.session(s.customerId)).not.toBeNull();
    expect((await audit.entries())[0]).toMatchObject({ outcome: 'not_ended', settledBy: 'check', check: { isInHelp: true, staffId: s.staffId } });
  });

  it('unknown when neither the answer nor the check comes back, then reconciled', async () => {
    const s = crash(2 * HOUR);
    sim.control.failNextAfterProcessing(1, 'drop');
    // The finish is processed and its answer dropped; the check that follows is dropped with its retries.
    const dropChecks: FetchLike = async (url, init) => {
      if (String(url).endsWith('/iscustomerinonlinehelp')) throw new TypeError('fetch failed');
      return globalThis.fetch(url, init);
    };
    const row = await forceEndTruthfully(client({ fetch: dropChecks }), audit, request(s.customerId, s.staffId));
    expect(row.outcome).toBe('unknown');
    expect((await audit.unsettled()).map((e) => e.id)).toEqual([row.auditId]);

    const reconciled = await reconcileAudit(client(), audit);
    expect(reconciled).toEqual({ checked: 1, settled: [{ id: row.auditId, ...s, outcome: 'ended' }], stillUnknown: 0 });
    expect((await audit.entries())[0]).toMatchObject({ outcome: 'ended', settledBy: 'check', answer: { outcome: 'unknown' } });
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('a cancel while the call is in flight: unknown, then settled by check as the server left it', async () => {
    const s = crash(2 * HOUR);
    const heldFinish = sim.control.holdNext('finishonlinehelp');
    const heldCheck = sim.control.holdNext('iscustomerinonlinehelp');
    const controller = new AbortController();
    const pending = forceEndTruthfully(client(), audit, request(s.customerId, s.staffId), { signal: controller.signal });
    await heldFinish.arrived;
    controller.abort();
    // The server goes on with the finish it received while we ask about the state.
    await heldCheck.arrived;
    heldFinish.release();
    await waitUntil('the session ended at the simulator', () => sim.control.session(s.customerId) === null, { timeout: 5_000, interval: 5 });
    heldCheck.release();
    const row = await pending;
    expect(row.outcome).toBe('ended');
    expect((await audit.entries())[0]).toMatchObject({ outcome: 'ended', settledBy: 'check', answer: { outcome: 'unknown', code: 'cancelled' } });
  });

  it('a cancel before sending sends nothing', async () => {
    const s = crash(2 * HOUR);
    const controller = new AbortController();
    controller.abort();
    expect((await rejection(forceEndTruthfully(client(), audit, request(s.customerId, s.staffId), { signal: controller.signal }))).code).toBe('cancelled');
    expect(await audit.entries()).toEqual([]);
    expect(sim.control.requestCount).toBe(0);
  });

  it('with a pre-check, a session that ended meanwhile is already_ended and nothing is sent', async () => {
    const s = crash(2 * HOUR);
    sim.control.endSession(s.customerId);
    const row = await forceEndTruthfully(client(), audit, request(s.customerId, s.staffId), { precheck: true });
    expect(row.outcome).toBe('already_ended');
    expect(finishes()).toEqual([]);
    expect((await audit.entries())[0]).toMatchObject({ outcome: 'already_ended' });
  });

  it('refuses bad input before writing or sending anything', async () => {
    for (const bad of [request('', agents[0]!), request('70022', '45\n001'), { ...request('70022', agents[0]!), reason: '  ' }]) {
      expect((await rejection(forceEndTruthfully(client(), audit, bad))).code).toBe('invalid_input');
    }
    expect(await audit.entries()).toEqual([]);
    expect(sim.control.requestCount).toBe(0);
  });

  it('forceEndAudited (the single force-end call) resolves when ended and throws what happened otherwise', async () => {
    const s = crash(2 * HOUR);
    await expect(forceEndAudited(client(), audit, request(s.customerId, s.staffId))).resolves.toMatchObject({ outcome: 'ended' });
    expect((await rejection(forceEndAudited(client(), audit, request(s.customerId, s.staffId)))).code).toBe('no_conversation');
    const other = crash(2 * HOUR);
    sim.control.failNext(1, '500');
    expect((await rejection(forceEndAudited(client(), audit, request(other.customerId, other.staffId)))).code).toBe('operation_failed');
  });
});

describe('the facts of one session (the help watch’s force-end dialog)', () => {
  it('names the customer and the staff member and says since when, from one history call', async () => {
    const now = sim.control.serverNow();
    const s = crash(27 * HOUR + 5 * MINUTE, agents[3]);
    sim.control.resetCounters();
    const facts = await findSessionFacts(client(), s, { now: () => now });
    const live = sim.control.session(s.customerId)!;
    expect(facts).toEqual({
      ...s,
      customerName: sim.control.customers().find((c) => c.customerId === s.customerId)!.name,
      staffName: sim.control.staff().find((st) => st.staffId === s.staffId)!.name,
      startedAt: new Date(live.startedAt!).toISOString(),
      minutes: Math.floor((now - live.startedAt!) / MINUTE),
    });
    expect(facts.minutes).toBeGreaterThanOrEqual(27 * 60);
    expect(sim.control.requestCount).toBe(1);
  });

  it('says null (shown as unknown) for what the history does not give, never an empty string', async () => {
    const idleCustomer = nextIdle();
    const none = await findSessionFacts(client(), { customerId: idleCustomer, staffId: agents[0]! });
    expect(none).toMatchObject({ startedAt: null, minutes: null, staffName: null });
    const stranger = await findSessionFacts(client(), { customerId: '99999999999', staffId: agents[0]! });
    expect(stranger).toEqual({ customerId: '99999999999', staffId: agents[0], customerName: null, staffName: null, startedAt: null, minutes: null });
    // In help with someone else: no start time for this staff member.
    const s = crash(3 * HOUR, agents[1]);
    expect(await findSessionFacts(client(), { customerId: s.customerId, staffId: agents[2]! })).toMatchObject({ startedAt: null, minutes: null });
    expect((await rejection(findSessionFacts(client(), { customerId: '', staffId: agents[0]! }))).code).toBe('invalid_input');
  });
});

describe('reconcile after a crash', () => {
  it('settles intents without outcome by the state now; unknown customers stay unknown', async () => {
    const gone = crash(2 * HOUR);
    const still = crash(2 * HOUR);
    const goneId = await audit.recordIntent(request(gone.customerId, gone.staffId));
    const stillId = await audit.recordIntent(request(still.customerId, still.staffId));
    const strangerId = await audit.recordIntent(request('99999999999', agents[0]!));
    // The process died here; meanwhile the server had processed the first one.
    sim.control.endSession(gone.customerId, 'onlinehelp_ended_by_agent');

    const result = await reconcileAudit(client(), audit);
    expect(result.checked).toBe(3);
    expect(result.settled).toEqual([
      { id: goneId, ...gone, outcome: 'ended' },
      { id: stillId, ...still, outcome: 'not_ended' },
    ]);
    expect(result.stillUnknown).toBe(1);
    expect((await audit.unsettled()).map((e) => e.id)).toEqual([strangerId]);
    // Nothing left to do: a second reconcile asks only about what is still unknown.
    sim.control.resetCounters();
    expect(await reconcileAudit(client(), audit)).toMatchObject({ checked: 1, settled: [], stillUnknown: 1 });
    expect(sim.control.requestCount).toBe(1);
  });

  it('with nothing unknown makes no request', async () => {
    expect(await reconcileAudit(client(), audit)).toEqual({ checked: 0, settled: [], stillUnknown: 0 });
    expect(sim.control.requestCount).toBe(0);
  });
});

describe('bulk force-end', () => {
  it('ends several at a bounded concurrency with a row each, every one audited, failures reported plainly, each re-checked', async () => {
    const plain = [crash(3 * HOUR), crash(4 * HOUR, agents[1]), crash(5 * HOUR, agents[2])];
    const endedMeanwhile = crash(3 * HOUR);
    sim.control.endSession(endedMeanwhile.customerId);
    const lostAfter = [crash(6 * HOUR), crash(7 * HOUR)];
    const behindProxy = crash(8 * HOUR);
    sim.control.failNextAfterProcessing(2, '500');
    // A proxy that answers 503 for one customer's finish without passing it on.
    const proxy: FetchLike = async (url, init) => {
      if (String(url).endsWith('/finishonlinehelp') && String(init?.body).includes(`"${behindProxy.customerId}"`)) {
        return new Response('Service Unavailable', { status: 503 });
      }
      return globalThis.fetch(url, init);
    };
    // The two 500s go to whichever finishes come first: list the sessions they are meant for first.
    const sessions = [...lostAfter, ...plain, endedMeanwhile, behindProxy];
    const progress: number[] = [];
    let inFlight = 0;
    let most = 0;
    const counting: FetchLike = async (url, init) => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        return await proxy(url, init);
      } finally {
        inFlight--;
      }
    };
    const { results } = await forceEndMany(client({ fetch: counting }), audit, { actor: sim.staffId, reason: REASON, sessions }, {
      concurrency: 1,
      onRow: (_row, done) => progress.push(done),
    });
    expect(results.map((r) => [r.customerId, r.outcome])).toEqual([
      [lostAfter[0]!.customerId, 'ended'],
      [lostAfter[1]!.customerId, 'ended'],
      ...plain.map((p) => [p.customerId, 'ended']),
      [endedMeanwhile.customerId, 'already_ended'],
      [behindProxy.customerId, 'not_ended'],
    ]);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(1);
    expect(results.find((r) => r.customerId === behindProxy.customerId)).toMatchObject({ code: 'unavailable', recheck: { isInHelp: true, staffId: behindProxy.staffId } });
    for (const r of results.filter((x) => x.outcome === 'ended')) expect(r.recheck).toEqual({ isInHelp: false, staffId: null });
    const entries = await audit.entries();
    expect(entries).toHaveLength(7);
    for (const r of results) expect(entries.find((e) => e.id === r.auditId)?.outcome).toBe(r.outcome);
    expect(entries.filter((e) => e.settledBy === 'check').map((e) => e.answer?.code).sort()).toEqual(['server_error', 'server_error', 'unavailable']);
    expect(await audit.verify()).toEqual({ ok: true, entries: 7 * 2 + 3 });
  });

  it('keeps to its concurrency', async () => {
    const sessions = Array.from({ length: 10 }, (_, i) => crash((2 + i) * HOUR, agents[i % agents.length]));
    let inFlight = 0;
    let most = 0;
    const counting: FetchLike = async (url, init) => {
      const finish = String(url).endsWith('/finishonlinehelp');
      if (finish) most = Math.max(most, ++inFlight);
      try {
        return await globalThis.fetch(url, init);
      } finally {
        if (finish) inFlight--;
      }
    };
    sim.control.setLatency(15);
    try {
      const { results } = await forceEndMany(client({ fetch: counting }), audit, { actor: sim.staffId, reason: REASON, sessions }, { concurrency: 3 });
      expect(results.every((r) => r.outcome === 'ended')).toBe(true);
      expect(most).toBeLessThanOrEqual(3);
      expect(most).toBeGreaterThan(1);
    } finally {
      sim.control.setLatency(0);
    }
  });

  it('on stop: rows not started are not_sent at once (never failed) and unaudited; the one in flight is unknown while checked, then settled', async () => {
    const sessions = [crash(2 * HOUR), crash(3 * HOUR), crash(4 * HOUR)];
    const held = sim.control.holdNext('finishonlinehelp');
    const controller = new AbortController();
    const events: string[] = [];
    const pending = forceEndMany(client(), audit, { actor: sim.staffId, reason: REASON, sessions }, {
      concurrency: 1,
      signal: controller.signal,
      onRow: (r, done) => events.push(`${r.customerId} ${r.outcome} ${done}`),
      onChecking: (r, done) => events.push(`${r.customerId} ${r.outcome}${r.checking ? ' checking' : ''} ${done}`),
    });
    await held.arrived;
    controller.abort();
    // Reported as the stop lands, not after the row in flight has settled.
    expect(events).toEqual([`${sessions[1]!.customerId} not_sent 1`, `${sessions[2]!.customerId} not_sent 2`]);
    held.release();
    const { results } = await pending;
    expect(events[2]).toBe(`${sessions[0]!.customerId} unknown checking 2`);
    expect(events[3]).toMatch(new RegExp(`^${sessions[0]!.customerId} (ended|not_ended) 3$`));
    expect(events).toHaveLength(4);
    expect(['ended', 'not_ended']).toContain(results[0]!.outcome);
    expect(results[0]).not.toHaveProperty('checking');
    expect(results.slice(1).map((r) => [r.outcome, r.code, r.auditId])).toEqual([
      ['not_sent', 'cancelled', undefined],
      ['not_sent', 'cancelled', undefined],
    ]);
    expect(results.some((r) => r.outcome === 'failed')).toBe(false);
    expect((await audit.entries()).map((e) => e.customerId)).toEqual([sessions[0]!.customerId]);
  });

  it('a stop during a row’s pre-check: not_sent and audited so, nothing sent', async () => {
    const s = crash(2 * HOUR);
    const held = sim.control.holdNext('iscustomerinonlinehelp');
    const controller = new AbortController();
    const pending = forceEndTruthfully(client(), audit, request(s.customerId, s.staffId), { precheck: true, signal: controller.signal });
    await held.arrived;
    controller.abort();
    held.release();
    const row = await pending;
    expect(row).toMatchObject({ outcome: 'not_sent', code: 'cancelled' });
    expect(finishes()).toEqual([]);
    expect(sim.control.session(s.customerId)).not.toBeNull();
    expect((await audit.entries())[0]).toMatchObject({ id: row.auditId, outcome: 'not_sent', code: 'cancelled' });
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('refuses bad input before anything is sent or audited', async () => {
    const s = crash(2 * HOUR);
    const base = { actor: sim.staffId, reason: REASON, sessions: [s] };
    const cases: [Parameters<typeof forceEndMany>[2], Parameters<typeof forceEndMany>[3]][] = [
      [{ ...base, reason: '' }, {}],
      [{ ...base, sessions: [] }, {}],
      [{ ...base, sessions: [s, s] }, {}],
      [{ ...base, sessions: [{ customerId: 'x'.repeat(65), staffId: '1' }] }, {}],
      [base, { concurrency: 0 }],
      [base, { concurrency: 17 }],
    ];
    for (const [req, opts] of cases) expect((await rejection(forceEndMany(client(), audit, req, opts))).code).toBe('invalid_input');
    expect(sim.control.requestCount).toBe(0);
    expect(await audit.entries()).toEqual([]);
  });
});


describe('RecoveryJobs (what the app starts and watches)', () => {
  it('a search reports progress and its result; a bulk end reports each row live, then the rows re-checked', async () => {
    const now = sim.control.serverNow();
    const agent = '49201';
    const sessions = [crash(2 * HOUR, agent), crash(3 * HOUR, agent)];
    const events: string[] = [];
    let searchDone: (v: unknown) => void = () => {};
    const searched = new Promise((resolve) => (searchDone = resolve));
    let endDone: (v: unknown) => void = () => {};
    const ended = new Promise((resolve) => (endDone = resolve));
    const jobs = new RecoveryJobs({
      searchProgress: (_id, p) => events.push(`search ${p.phase}`),
      searchDone: (_id, state) => searchDone(state),
      endRow: (_id, row, done, total) => events.push(`row ${row.customerId} ${row.outcome} ${done}/${total}`),
      endDone: (_id, state) => endDone(state),
    });
    const searchId = jobs.startSearch(clients(), { startDate: now - 24 * HOUR, endDate: now, agentId: agent });
    expect(jobs.search(searchId).status).toBe('running');
    const state = (await searched) as { status: 'done'; result: { sessions: { customerId: string; staffId: string }[] } };
    expect(state.status).toBe('done');
    expect(jobs.search(searchId)).toEqual(state);
    expect(state.result.sessions.map((s) => s.customerId)).toEqual([sessions[1]!.customerId, sessions[0]!.customerId]);
    expect(events.at(-1)).toBe('search done');

    const jobId = jobs.startEnd(client(), audit, { actor: sim.staffId, reason: REASON, sessions: state.result.sessions }, { concurrency: 1 });
    const endState = (await ended) as { status: 'done'; result: { results: { outcome: string; recheck: unknown }[] } };
    expect(endState.result.results.map((r) => [r.outcome, r.recheck])).toEqual([
      ['ended', { isInHelp: false, staffId: null }],
      ['ended', { isInHelp: false, staffId: null }],
    ]);
    expect(jobs.end(jobId)).toEqual(endState);
    expect(events.filter((e) => e.startsWith('row'))).toEqual([
      `row ${sessions[1]!.customerId} ended 1/2`,
      `row ${sessions[0]!.customerId} ended 2/2`,
    ]);
  });

  it('refuses bad input at once, cancels, and forgets unknown ids', async () => {
    const jobs = new RecoveryJobs();
    const now = sim.control.serverNow();
    expect(() => jobs.startSearch(clients(), { startDate: now, endDate: now - 1 })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => jobs.startEnd(client(), audit, { actor: sim.staffId, reason: '', sessions: [{ customerId: '1', staffId: '2' }] })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    expect(() => jobs.search('nope')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => jobs.cancelEnd('nope')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(sim.control.requestCount).toBe(0);

    let done: (v: unknown) => void = () => {};
    const finished = new Promise((resolve) => (done = resolve));
    const slow = new RecoveryJobs({ searchDone: (_id, state) => done(state) });
    sim.control.setLatency(30);
    try {
      const id = slow.startSearch(clients(), { startDate: now - 90 * 24 * HOUR, endDate: now });
      slow.cancelSearch(id);
      expect(await finished).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });
      slow.stop();
    } finally {
      sim.control.setLatency(0);
    }
  });
});

describe('the recovery feature at the start of the app', () => {
  it('settles what a crash left unknown, and asks nothing when nothing is', async () => {
    const gone = crash(HOUR);
    const id = await audit.recordIntent(request(gone.customerId, gone.staffId));
    sim.control.endSession(gone.customerId, 'onlinehelp_ended_by_agent');
    const ctx = await openServiceContext({
      dataDir: dir,
      fetch: globalThis.fetch,
      secrets: new MemorySecretStore(),
      purpose: 'app',
      env: { COMPANION_DIYALOG_URL: sim.url, COMPANION_DIYALOG_KEY_ID: sim.credentials.keyId, COMPANION_DIYALOG_SECRET: sim.credentials.secret, COMPANION_STAFF_ID: sim.staffId },
      osLocale: 'en-US',
    });
    const feature = createRecoveryFeature({ ctx, emit: () => undefined, refreshWatched: () => undefined });
    await feature.reconciled;
    await feature.stop?.();
    expect((await audit.entries()).find((e) => e.id === id)).toMatchObject({ outcome: 'ended', settledBy: 'check' });

    sim.control.resetCounters();
    const again = createRecoveryFeature({ ctx, emit: () => undefined, refreshWatched: () => undefined });
    await again.reconciled;
    // Stopped like the first: the feature also runs the audit forwarder, which looks at the log on a timer.
    await again.stop?.();
    expect(sim.control.requestCount).toBe(0);
  });
});
