// Limits in the services that keep one window (or a page looping on a call) from turning
// the companion into an amplifier: connection tests are one at a time per server and at
// most one per interval (a wrong password tested in a loop must not lock the account), and
// a new history search cancels the one still running. Run under `sh test/with-keyring.sh`.

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, EventPayload } from '../../../shared/contract';
import { createCompanion, type Companion } from '../../../main/services/companion';
import { dispatch } from '../../../main/services/dispatch';
import { ConnectionTestGate } from '../../../main/services/settings-feature';
import { Keychain } from '../../../main/store/keychain';
import { startDiyalogSim, type DiyalogSim } from '../../../main/sim/diyalog/server';
import { startIcwsSim, type IcwsSim } from '../../../main/sim/icws/server';
import { waitUntil } from '../../support/wait';

const keychain = new Keychain(`agent-companion-test-${randomUUID()}`);
let dataDir: string;
let diyalog: DiyalogSim;
let icws: IcwsSim;
let companion: Companion;
const done: EventPayload<'history.done'>[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'companion-limits-'));
  [diyalog, icws] = await Promise.all([startDiyalogSim({ historySize: 3000, seed: 5, latencyMs: 20 }), startIcwsSim({ supervisor: false })]);
  companion = await createCompanion({ dataDir, fetch, secrets: keychain, demo: false, version: '0.0.0-test', osLocale: 'en-US' });
  companion.subscribe((event, payload) => {
    if (event === 'history.done') done.push(payload as EventPayload<'history.done'>);
  });
  const ok = async (name: CallName, input: unknown) => {
    const result = await dispatch(companion.handlers, name, input);
    if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  };
  await ok('settings.update', {
    diyalog: { baseUrl: diyalog.url, keyId: diyalog.credentials.keyId },
    staffId: diyalog.staffId,
    icws: { baseUrl: icws.url, userId: icws.user.userId },
  });
  await ok('secret.set', { kind: 'diyalog', secret: diyalog.credentials.secret });
  // A wrong password: what a lockout amplifier would hammer.
  await ok('secret.set', { kind: 'icws', secret: 'wrong-password' });
});

afterAll(async () => {
  await companion?.stop();
  await Promise.all([diyalog?.close(), icws?.close()]);
  for (const kind of ['diyalog', 'icws'] as const) {
    const account = kind === 'diyalog' ? diyalog.credentials.keyId : `${icws.user.userId}@${new URL(icws.url).host}`;
    await keychain.deleteSecret(kind, account).catch(() => false);
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const logins = () => icws.control.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/icws/connection')).length;

describe('connection tests', () => {
  it('runs one ICWS test of many asked at once, and refuses another within the interval, as busy', async () => {
    // The app's own session tries the wrong password once and stays down: count from there.
    await waitUntil('the ICWS session of the app down after the wrong password', async () => {
      const status = await dispatch(companion.handlers, 'status.get', {});
      return status.ok && (status.value as { icws: { state: string } | null }).icws?.state === 'down';
    });
    const before = logins();
    const answers = await Promise.all(Array.from({ length: 10 }, () => dispatch(companion.handlers, 'connection.test', { target: 'icws' })));
    const codes = answers.map((a) => (a.ok ? 'ok' : a.error.code)).sort();
    expect(codes.filter((c) => c === 'busy')).toHaveLength(9);
    expect(codes.filter((c) => c !== 'busy')).toEqual(['auth_failed']);
    const again = await dispatch(companion.handlers, 'connection.test', { target: 'icws' });
    expect(again).toMatchObject({ ok: false, error: { code: 'busy' } });
    expect(logins() - before).toBe(1);
  });

  it('keeps the servers apart: a Diyalog test is not held up by an ICWS one', async () => {
    const answer = await dispatch(companion.handlers, 'connection.test', { target: 'diyalog' });
    expect(answer).toMatchObject({ ok: true });
  });

  it('lets a test through again once the interval has passed', async () => {
    let now = 1_000_000;
    const gate = new ConnectionTestGate(5_000, () => now);
    await gate.run('icws', async () => 'first');
    await expect(gate.run('icws', async () => 'second')).rejects.toMatchObject({ code: 'busy', message: expect.stringContaining('5 s') });
    now += 4_999;
    await expect(gate.run('icws', async () => 'third')).rejects.toMatchObject({ code: 'busy' });
    now += 1;
    expect(await gate.run('icws', async () => 'fourth')).toBe('fourth');
  });
});

describe('history walks', () => {
  it('cancels the running search when a new one starts', async () => {
    const range = { startDate: Date.parse('2020-01-01T00:00:00Z'), endDate: Date.now() };
    const first = await dispatch(companion.handlers, 'history.start', range);
    const second = await dispatch(companion.handlers, 'history.start', range);
    if (!first.ok || !second.ok) throw new Error('history.start refused');
    const { walkId: firstId } = first.value as { walkId: string };
    const { walkId: secondId } = second.value as { walkId: string };
    const endOf = (walkId: string) => waitUntil(`history.done of walk ${walkId}`, () => done.find((d) => d.walkId === walkId), { timeout: 20_000 });
    expect((await endOf(firstId)).error).toMatchObject({ code: 'cancelled' });
    const finished = await endOf(secondId);
    expect(finished.error).toBeNull();
    expect(finished.result?.items.length).toBeGreaterThan(0);
  });
});
