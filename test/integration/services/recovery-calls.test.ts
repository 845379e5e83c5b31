// The Recovery screen's calls through dispatch, as either transport makes them: find the
// crashed sessions of the last day (progress and the end as events), end them in bulk with
// a row each as it settles, and verify the audit chain. Run under `sh test/with-keyring.sh`.

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallInput, CallName, CallOutput, EventName, EventPayload } from '../../../shared/contract';
import { createCompanion, type Companion } from '../../../main/services/companion';
import { checkEvent, dispatch } from '../../../main/services/dispatch';
import { Keychain } from '../../../main/store/keychain';
import { startDiyalogSim, type DiyalogSim } from '../../../main/sim/diyalog/server';
import { diyalogAccount } from '../../../main/services/secrets';
import { waitUntil } from '../../support/wait';

const HOUR = 3_600_000;
const keychain = new Keychain(`agent-companion-test-${randomUUID()}`);
let dataDir: string;
let sim: DiyalogSim;
let companion: Companion;
type Recorded = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName];
const recorded: Recorded[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'companion-recovery-calls-'));
  sim = await startDiyalogSim({ historySize: 400, seed: 4242 });
  companion = await createCompanion({ dataDir, fetch, secrets: keychain, demo: false, version: '0.0.0-test', osLocale: 'en-US' });
  companion.subscribe((event, payload) => {
    const checked = checkEvent(event, payload);
    if (checked !== undefined) recorded.push({ event, payload: checked } as Recorded);
  });
  await call('settings.update', { diyalog: { baseUrl: sim.url, keyId: sim.credentials.keyId }, staffId: sim.staffId });
  await call('secret.set', { kind: 'diyalog', secret: sim.credentials.secret });
});

afterAll(async () => {
  await companion?.stop();
  await sim?.close();
  await keychain.deleteSecret('diyalog', diyalogAccount(sim.credentials.keyId, sim.url)).catch(() => false);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
  const result = await dispatch(companion.handlers, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as CallOutput<N>;
}

function event<E extends EventName>(name: E, match: (p: EventPayload<E>) => boolean): Promise<EventPayload<E>> {
  return waitUntil(`a ${name} event`, () => recorded.find((r) => r.event === name && match(r.payload as EventPayload<E>))?.payload as EventPayload<E> | undefined);
}

const key = (s: { customerId: string; staffId: string }) => `${s.customerId}/${s.staffId}`;

describe('recovery through the contract', () => {
  it('finds exactly the sessions the simulator crashed, ends them in bulk, and the audit chain holds', async () => {
    const now = sim.control.serverNow();
    const truth = sim.control
      .crashedSessions()
      .filter((s) => s.startedAt !== null && s.startedAt >= now - 24 * HOUR && s.startedAt <= now - 15 * 60_000)
      .map((s) => key({ customerId: s.customerId, staffId: s.staffId ?? '' }))
      .sort();
    expect(truth.length).toBeGreaterThan(0);

    const { searchId } = await call('recovery.find', { startDate: now - 24 * HOUR, endDate: now });
    const done = await event('recovery.done', (p) => p.searchId === searchId);
    expect(done.error).toBeNull();
    const found = done.result!.sessions.map(key).sort();
    expect(found).toEqual(truth);
    expect(recorded.some((r) => r.event === 'recovery.progress' && r.payload.searchId === searchId)).toBe(true);
    const kept = await call('recovery.result', { searchId });
    expect(kept).toMatchObject({ status: 'done', result: { sessions: done.result!.sessions } });

    const sessions = done.result!.sessions.map(({ customerId, staffId }) => ({ customerId, staffId }));
    const { jobId } = await call('recovery.endMany', { sessions, reason: 'Agent app crashed (bulk)', confirmed: true, concurrency: 4 });
    const ended = await event('recovery.ended', (p) => p.jobId === jobId);
    expect(ended.error).toBeNull();
    expect(ended.results!.map((r) => [key(r), r.outcome, r.recheck?.isInHelp]).sort()).toEqual(sessions.map((s) => [key(s), 'ended', false]).sort());
    const rows = recorded.filter((r) => r.event === 'recovery.outcome' && r.payload.jobId === jobId);
    expect(rows).toHaveLength(sessions.length);
    for (const s of sessions) expect(sim.control.session(s.customerId)).toBeNull();

    expect(await call('audit.verify', {})).toEqual({ ok: true, entries: expect.any(Number) });
    const audited = (await call('audit.entries', {})).filter((e) => e.reason === 'Agent app crashed (bulk)');
    expect(audited).toHaveLength(sessions.length);
    expect(audited.every((e) => e.outcome === 'ended')).toBe(true);
  });

  it('without dates searches main’s default window, and the result says which: the demo’s session stuck 26–30 h is found', async () => {
    const now = sim.control.serverNow();
    const older = sim.control.crashedSessions().filter((s) => s.startedAt !== null && s.startedAt < now - 24 * HOUR && s.startedAt >= now - 72 * HOUR);
    expect(older.length).toBeGreaterThan(0);
    const { searchId } = await call('recovery.find', {});
    const done = await event('recovery.done', (p) => p.searchId === searchId);
    expect(done.error).toBeNull();
    const { from, to } = done.result!.window;
    expect(Date.parse(to) - Date.parse(from)).toBe(72 * HOUR);
    expect(Math.abs(Date.parse(to) - Date.now())).toBeLessThan(60_000);
    expect(done.result!.sessions.map(key)).toEqual(expect.arrayContaining(older.map((s) => key({ customerId: s.customerId, staffId: s.staffId ?? '' }))));
  });

  it('watch.sessionFacts names the customer and staff member and says since when, for the force-end dialog', async () => {
    const busy = new Set(sim.control.liveSessions().map((l) => l.customerId));
    const customer = sim.control.customers().find((c) => !busy.has(c.customerId))!;
    const agent = sim.control.staff().find((st) => st.role === 'agent')!;
    sim.control.crashSession(customer.customerId, agent.staffId, sim.control.serverNow() - 2 * HOUR);
    const facts = await call('watch.sessionFacts', { customerId: customer.customerId, staffId: agent.staffId });
    expect(facts).toMatchObject({ customerId: customer.customerId, staffId: agent.staffId, customerName: customer.name, staffName: agent.name });
    expect(facts.minutes).toBeGreaterThanOrEqual(119);
    expect(Date.parse(facts.startedAt!)).toBe(sim.control.session(customer.customerId)!.startedAt);
  });

  it('cancels a running search, and a new search replaces the one still running', async () => {
    const now = sim.control.serverNow();
    sim.control.setLatency(30);
    try {
      const first = await call('recovery.find', { startDate: now - 30 * 24 * HOUR, endDate: now });
      const second = await call('recovery.find', { startDate: now - 30 * 24 * HOUR, endDate: now });
      expect((await event('recovery.done', (p) => p.searchId === first.searchId)).error).toMatchObject({ code: 'cancelled' });
      expect(await call('recovery.cancel', second)).toEqual({ ok: true });
      expect((await event('recovery.done', (p) => p.searchId === second.searchId)).error).toMatchObject({ code: 'cancelled' });
    } finally {
      sim.control.setLatency(0);
    }
  });

  it('refuses a bulk end without a reason or a confirmation, sending nothing', async () => {
    const before = sim.control.requestCount;
    const noReason = await dispatch(companion.handlers, 'recovery.endMany', { sessions: [{ customerId: '70022', staffId: '45001' }], reason: ' ', confirmed: true });
    expect(noReason).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const unconfirmed = await dispatch(companion.handlers, 'recovery.endMany', { sessions: [{ customerId: '70022', staffId: '45001' }], reason: 'r' });
    expect(unconfirmed).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const twice = await dispatch(companion.handlers, 'recovery.endMany', {
      sessions: [{ customerId: '70022', staffId: '45001' }, { customerId: '70022', staffId: '45001' }],
      reason: 'r',
      confirmed: true,
    });
    expect(twice).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(sim.control.requestCount).toBe(before);
  });
});
