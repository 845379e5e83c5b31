// A cancelled history search keeps what it found: history.done and history.result carry the
// records so far with the cancel, and the window marks them partial. A simulator and a
// companion of its own: its slow, cancelled walk leaves calls in flight that no other test
// should meet. Within the file too: a call the first walk left in the simulator's latency
// would take the second test's hold (see afterEach). Run under `sh test/with-keyring.sh`.

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallInput, CallName, CallOutput, EventPayload } from '../../../shared/contract';
import { createCompanion, type Companion } from '../../../main/services/companion';
import { dispatch } from '../../../main/services/dispatch';
import { diyalogAccount } from '../../../main/services/secrets';
import { Keychain } from '../../../main/store/keychain';
import { startDiyalogSim, type DiyalogSim } from '../../../main/sim/diyalog/server';
import { waitUntil, within } from '../../support/wait';

const DAY = 86_400_000;
const keychain = new Keychain(`agent-companion-test-${randomUUID()}`);
let dataDir: string;
let sim: DiyalogSim;
let companion: Companion;
const progress: EventPayload<'history.progress'>[] = [];
const done: EventPayload<'history.done'>[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'companion-history-partial-'));
  sim = await startDiyalogSim({ historySize: 3000, seed: 77, latencyMs: 40 });
  companion = await createCompanion({ dataDir, fetch, secrets: keychain, demo: false, version: '0.0.0-test', osLocale: 'en-US' });
  companion.subscribe((event, payload) => {
    if (event === 'history.progress') progress.push(payload as EventPayload<'history.progress'>);
    if (event === 'history.done') done.push(payload as EventPayload<'history.done'>);
  });
  await call('settings.update', { diyalog: { baseUrl: sim.url, keyId: sim.credentials.keyId }, staffId: sim.staffId });
  await call('secret.set', { kind: 'diyalog', secret: sim.credentials.secret });
});

// A cancelled walk's last call may still sit in the simulator's 40 ms latency, its client
// gone. Left there, it reaches the next test's holdNext('getonlinehelplist') first and takes
// the hold meant for that test's own call (which then never arrives held, and the abandoned
// one never says so): the test hung in about one run of four. Each test ends with every
// call it made answered.
afterEach(async () => {
  await waitUntil('the simulator to answer every call made (none left in flight)', () => sim.control.requests.length === sim.control.requestCount, { timeout: 5_000 });
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

describe('a cancelled history search', () => {
  it('keeps what it found, with the cancel as its error', async () => {
    const endDate = sim.control.serverNow();
    const { walkId } = await call('history.start', { startDate: endDate - 365 * DAY, endDate, concurrency: 1 });
    await waitUntil('progress with a record found', () => progress.find((p) => p.walkId === walkId && p.progress.records > 0));
    await call('history.cancel', { walkId });
    const end = await waitUntil('history.done of the cancelled walk', () => done.find((d) => d.walkId === walkId));
    expect(end.error).toMatchObject({ code: 'cancelled' });
    expect(end.result?.items.length).toBeGreaterThan(0);
    expect(await call('history.result', { walkId })).toMatchObject({ status: 'failed', error: { code: 'cancelled' }, result: { items: end.result!.items } });
  });

  it('sends no result when nothing was found before the cancel', async () => {
    const held = sim.control.holdNext('getonlinehelplist');
    try {
      const endDate = sim.control.serverNow();
      const { walkId } = await call('history.start', { startDate: endDate - 365 * DAY, endDate, concurrency: 1 });
      await within('the first call of the walk, held at the simulator', held.arrived);
      await call('history.cancel', { walkId });
      expect(await waitUntil('history.done of the cancelled walk', () => done.find((d) => d.walkId === walkId))).toMatchObject({ result: null, error: { code: 'cancelled' } });
      await within('the held call, abandoned by the cancel', held.abandoned);
    } finally {
      held.release();
    }
  });
});
