// Truthful when the disk fails: the data folder on a small tmpfs (CI runs as root), filled at
// the moment that matters. An intent the disk refuses sends nothing and says why
// (audit_unwritable); a disk that fills once the intent is on disk makes the outcome
// `unknown`, never `failed`, for a single force-end and in a bulk end, and the next start's
// reconcile settles it. Skipped, saying why, where a tmpfs cannot be mounted.

import { spawnSync } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiyalogClient } from '../../../main/diyalog/client';
import type { FetchLike } from '../../../main/http';
import { forceEndMany, forceEndTruthfully, reconcileAudit } from '../../../main/services/recovery';
import { startDiyalogSim, type DiyalogSim } from '../../../main/sim/diyalog/server';
import { AuditLog } from '../../../main/store/audit';
import { rejection } from '../../support/rejection';
import { cleanEnv, jsonOf, runCompanion } from '../cli/cli-harness';

const REASON = 'Agent app crashed during the shift';

function canMount(): string | null {
  if (process.platform !== 'linux') return 'tmpfs is Linux only';
  const probe = spawnSync('sh', ['-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d"; r=$?; rmdir "$d"; exit $r']);
  return probe.status === 0 ? null : `cannot mount a tmpfs here (${probe.stderr.toString().trim() || 'not root'})`;
}
const mountProblem = canMount();
if (mountProblem) console.warn(`disk-full tests skipped: ${mountProblem}`);

let sim: DiyalogSim;
let mountPoint: string;
let dataDir: string;
let idle: string[];
let agent: string;

beforeEach(async () => {
  if (mountProblem) return;
  sim = await startDiyalogSim({ historySize: 50, seed: 1718 });
  agent = sim.control.staff().find((s) => s.role === 'agent')!.staffId;
  const busy = new Set(sim.control.liveSessions().map((s) => s.customerId));
  for (const r of sim.control.history()) if (r.helpState === 'onlinehelp_started' || r.helpState === 'onlinehelp_requested') busy.add(r.customerNo);
  idle = sim.control.customers().map((c) => c.customerId).filter((id) => !busy.has(id));
  mountPoint = await mkdtemp(join(tmpdir(), 'companion-tmpfs-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mountPoint]);
  if (mounted.status !== 0) throw new Error(`mount failed: ${mounted.stderr.toString()}`);
  dataDir = join(mountPoint, 'data');
});

afterEach(async () => {
  if (mountProblem) return;
  await sim?.close();
  spawnSync('umount', [mountPoint]);
  await rm(mountPoint, { recursive: true, force: true });
});

/** Fills the tmpfs to the last byte (a file grown until ENOSPC). */
async function fillDisk(): Promise<void> {
  const handle = await open(join(mountPoint, `filler-${Math.random().toString(36).slice(2)}`), 'w');
  try {
    for (const size of [16_384, 1_024, 64, 1]) {
      const chunk = Buffer.alloc(size, 0x2e);
      for (;;) {
        try {
          await handle.write(chunk);
        } catch {
          break;
        }
      }
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function crashed(n: number): { customerId: string; staffId: string }[] {
  return Array.from({ length: n }, () => {
    const customerId = idle.shift()!;
    sim.control.crashSession(customerId, agent, sim.control.serverNow() - 3_600_000);
    return { customerId, staffId: agent };
  });
}

/** A client over real fetch that fills the disk just as finishonlinehelp goes out: the intent is on disk, the outcome will not fit. */
function clientFillingDiskOnFinish(): DiyalogClient {
  const filling: FetchLike = async (input, init) => {
    if (String(input).endsWith('/finishonlinehelp')) await fillDisk();
    return globalThis.fetch(input, init);
  };
  return new DiyalogClient({ baseUrl: sim.url, credentials: sim.credentials, requesterUserId: sim.staffId, fetch: filling, retryBaseMs: 1 });
}

const finishes = () => sim.control.requests.filter((r) => r.path.endsWith('/finishonlinehelp')).length;

describe.skipIf(mountProblem !== null)('a full disk on a tmpfs', () => {
  it('an intent the disk refuses: nothing is sent, audit_unwritable says why', async () => {
    const audit = new AuditLog(dataDir);
    const [session] = crashed(1);
    await audit.secureDataDir();
    await fillDisk();
    const client = new DiyalogClient({ baseUrl: sim.url, credentials: sim.credentials, requesterUserId: sim.staffId, fetch: globalThis.fetch, retryBaseMs: 1 });
    const error = await rejection(forceEndTruthfully(client, audit, { actor: sim.staffId, reason: REASON, ...session! }));
    expect(error.code).toBe('audit_unwritable');
    expect(finishes()).toBe(0);

    const { results } = await forceEndMany(client, audit, { actor: sim.staffId, reason: REASON, sessions: crashed(2) }, { precheck: false });
    expect(results.map((r) => [r.outcome, r.code])).toEqual([
      ['not_sent', 'audit_unwritable'],
      ['not_sent', 'audit_unwritable'],
    ]);
    expect(finishes()).toBe(0);
  });

  it('a disk that fills after the intent: unknown, never failed, single and bulk; the reconcile settles it once there is room', async () => {
    const audit = new AuditLog(dataDir);
    const single = await forceEndTruthfully(clientFillingDiskOnFinish(), audit, { actor: sim.staffId, reason: REASON, ...crashed(1)[0]! });
    expect(single).toMatchObject({ outcome: 'unknown', code: 'audit_unwritable' });
    expect(finishes()).toBe(1);

    // Room again for the next intents, then full again as each finish goes out.
    spawnSync('sh', ['-c', `rm -f "${mountPoint}"/filler-*`]);
    const { results } = await forceEndMany(clientFillingDiskOnFinish(), audit, { actor: sim.staffId, reason: REASON, sessions: crashed(2) }, { precheck: false, concurrency: 1 });
    expect(results.map((r) => r.outcome)).not.toContain('failed');
    expect(results.some((r) => r.outcome === 'unknown')).toBe(true);

    // With room again, the next start's reconcile settles what the server did: the sessions ended.
    spawnSync('sh', ['-c', `rm -f "${mountPoint}"/filler-*`]);
    const client = new DiyalogClient({ baseUrl: sim.url, credentials: sim.credentials, requesterUserId: sim.staffId, fetch: globalThis.fetch, retryBaseMs: 1 });
    const reconciled = await reconcileAudit(client, audit);
    expect(reconciled.stillUnknown).toBe(0);
    expect(reconciled.settled.every((s) => s.outcome === 'ended')).toBe(true);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });
});

describe.skipIf(mountProblem !== null)('companion force-end on a full disk', () => {
  const env = () =>
    cleanEnv({
      COMPANION_DIYALOG_URL: sim.url,
      COMPANION_DIYALOG_KEY_ID: sim.credentials.keyId,
      COMPANION_DIYALOG_SECRET: sim.credentials.secret,
      COMPANION_STAFF_ID: sim.staffId,
      COMPANION_DATA_DIR: dataDir,
    });
  const forceEnd = (s: { customerId: string; staffId: string }) => runCompanion(['force-end', s.customerId, '--staff', s.staffId, '--reason', REASON, '--yes', '--json'], env());

  it('the disk fills while the call is at the server: --json says unknown (never failed), exit 1', async () => {
    const [session] = crashed(1);
    const held = sim.control.holdNext('finishonlinehelp');
    const running = forceEnd(session!);
    await held.arrived;
    await fillDisk();
    held.release();
    const result = await running;
    expect(result.code).toBe(1);
    expect(jsonOf(result)).toMatchObject({ customerId: session!.customerId, outcome: 'unknown', code: 'audit_unwritable' });
    // The server did end it: the outcome is unknown to the audit, not failed.
    expect(sim.control.session(session!.customerId)).toBeNull();
  });

  it('the disk is full before the intent: nothing is sent, audit_unwritable with what to do, exit 1', async () => {
    const [session] = crashed(1);
    const audit = new AuditLog(dataDir);
    await audit.secureDataDir();
    await forceEnds(audit);
    await fillDisk();
    const result = await forceEnd(session!);
    expect(result.code).toBe(1);
    expect(jsonOf<{ error: { code: string; message: string } }>(result).error).toMatchObject({ code: 'audit_unwritable', message: expect.stringContaining('ENOSPC') });
    expect(finishes()).toBe(0);
  });
});

/** One entry first, so the data folder and its files exist before the disk fills. */
async function forceEnds(audit: AuditLog): Promise<void> {
  const id = await audit.recordIntent({ actor: '45186', customerId: '1', staffId: '2', reason: REASON });
  await audit.recordOutcome(id, { outcome: 'not_sent', message: 'Nothing was sent.' });
}
