// The Diyalog pill in the status bar is fed by every Diyalog call the app makes, not only the
// watch poll: a history walk or a stuck-session search that meets a failing server turns it
// to failing with nothing on the watch list, and a good one turns it back. A connection test
// tries a draft, not the server in use, and leaves it alone.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallInput, CallName, CallOutput, DiyalogHealth } from '../../../shared/contract';
import { createCompanion, type Companion } from '../../../main/services/companion';
import { dispatch } from '../../../main/services/dispatch';
import { diyalogAccount, MemorySecretStore } from '../../../main/services/secrets';
import { startDiyalogSim, type DiyalogSim } from '../../../main/sim/diyalog/server';
import { waitUntil } from '../../support/wait';

const DAY = 86_400_000;
let dataDir: string;
let sim: DiyalogSim;
let companion: Companion;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'companion-diyalog-health-'));
  sim = await startDiyalogSim({ historySize: 40, seed: 5 });
  const secrets = new MemorySecretStore();
  await secrets.setSecret('diyalog', diyalogAccount(sim.credentials.keyId, sim.url), sim.credentials.secret);
  companion = await createCompanion({
    dataDir,
    fetch,
    secrets,
    demo: false,
    version: '0.0.0-test',
    osLocale: 'en-US',
    connectionTestIntervalMs: 0,
    initialSettings: { diyalog: { baseUrl: sim.url, keyId: sim.credentials.keyId }, staffId: sim.staffId },
  });
});

afterAll(async () => {
  await companion?.stop();
  await sim?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
  const result = await dispatch(companion.handlers, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as CallOutput<N>;
}

const health = async (): Promise<DiyalogHealth> => (await call('status.get', {})).diyalog.health;
const healthIs = (state: DiyalogHealth['state']) => waitUntil(`Diyalog health ${state}`, async () => ((await health()).state === state ? true : null), { timeout: 20_000 });

/** Walks two days of history; answers how it ended (`done` or `failed`, with the error's code). */
async function walkHistory(): Promise<string> {
  const endDate = sim.control.serverNow();
  const { walkId } = await call('history.start', { startDate: endDate - 2 * DAY, endDate, concurrency: 2 });
  const result = await waitUntil('the history walk to end', async () => {
    const r = await call('history.result', { walkId });
    return r.status === 'running' ? null : r;
  }, { timeout: 20_000 });
  return result.status === 'failed' ? `failed: ${result.error.code}` : result.status;
}

/** Searches two days for stuck sessions; answers how it ended. */
async function findStuck(): Promise<string> {
  const endDate = sim.control.serverNow();
  const { searchId } = await call('recovery.find', { startDate: endDate - 2 * DAY, endDate });
  const result = await waitUntil('the stuck-session search to end', async () => {
    const r = await call('recovery.result', { searchId });
    return r.status === 'running' ? null : r;
  }, { timeout: 20_000 });
  return result.status === 'failed' ? `failed: ${result.error.code}` : result.status;
}

describe('Diyalog health from every call', { shuffle: false }, () => {
  it('a history walk against a failing server turns it to failing, with no watch; a good walk turns it back', async () => {
    expect(await call('watch.list', {})).toEqual([]);
    expect((await health()).state).toBe('unknown');

    sim.control.setFailureRate(1);
    try {
      expect(await walkHistory()).toMatch(/^failed: (server_error|unavailable|bad_response)$/);
      await healthIs('failing');
      expect((await health()).error?.code).toMatch(/^(server_error|unavailable|bad_response)$/);
    } finally {
      sim.control.setFailureRate(0);
    }
    expect(await walkHistory()).toBe('done');
    await healthIs('ok');
  });

  it('a stuck-session search against a failing server turns it to failing', async () => {
    expect((await health()).state).toBe('ok');
    sim.control.setFailureRate(1);
    try {
      expect(await findStuck()).toMatch(/^failed: (server_error|unavailable|bad_response)$/);
      await healthIs('failing');
    } finally {
      sim.control.setFailureRate(0);
    }
    // The search reads its client's request count: an observed client answers it as the client would.
    expect(await findStuck()).toBe('done');
    await healthIs('ok');
  });

  it('a connection test of a draft that fails leaves it as it was', async () => {
    expect((await health()).state).toBe('ok');
    const answer = await dispatch(companion.handlers, 'connection.test', {
      target: 'diyalog',
      draft: { settings: { diyalog: { baseUrl: sim.url, keyId: sim.credentials.keyId }, staffId: sim.staffId }, secret: 'not-the-secret' },
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    expect((await health()).state).toBe('ok');
  });
});
