// The audit trail forwarded to a real collector: Debian's rsyslogd on loopback, over TLS with
// a test CA (test/support/rsyslog.ts). Force-ends go through the real recovery path against
// the Diyalog simulator; the collector is stopped mid-way and started again; what it wrote
// must be the local chain, entry for entry, in order, none lost. Skipped, saying why, where
// rsyslogd or its TLS driver is missing.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DiyalogClient } from '../../../main/diyalog/client';
import { AuditForwarder, forwardOrigin } from '../../../main/services/audit-forward';
import { createCompanion } from '../../../main/services/companion';
import { dispatch } from '../../../main/services/dispatch';
import { MemorySecretStore } from '../../../main/services/secrets';
import type { Status } from '../../../shared/contract';
import type { CollectorConnection } from '../../../main/services/audit-forward-transport';
import { forceEndMany, forceEndTruthfully } from '../../../main/services/recovery';
import { startDiyalogSim, type DiyalogSim } from '../../../main/sim/diyalog/server';
import { AUDIT_FILE, AuditLog } from '../../../main/store/audit';
import { freePort, makeTestCa, rsyslogCollector, rsyslogMissing, type Collector, type TestCa } from '../../support/rsyslog';
import { waitUntil } from '../../support/wait';

const missing = rsyslogMissing();
if (missing) console.warn(`audit-forward tests skipped: ${missing}`);

const REASON = 'Agent app crashed during the shift';

let sim: DiyalogSim;
let dir: string;
let collectorDir: string;
let ca: TestCa;
let collector: Collector;
let audit: AuditLog;
let forwarder: AuditForwarder | undefined;
let idle: string[];
let agent: string;

beforeAll(async () => {
  if (missing) return;
  const caDir = await mkdtemp(join(tmpdir(), 'companion-ca-'));
  ca = await makeTestCa(caDir);
  return () => rm(caDir, { recursive: true, force: true });
});

beforeEach(async () => {
  sim = await startDiyalogSim({ historySize: 50, seed: 1717 });
  agent = sim.control.staff().find((s) => s.role === 'agent')!.staffId;
  const busy = new Set(sim.control.liveSessions().map((s) => s.customerId));
  for (const r of sim.control.history()) if (r.helpState === 'onlinehelp_started' || r.helpState === 'onlinehelp_requested') busy.add(r.customerNo);
  idle = sim.control.customers().map((c) => c.customerId).filter((id) => !busy.has(id));
  dir = await mkdtemp(join(tmpdir(), 'companion-forward-'));
  collectorDir = await mkdtemp(join(tmpdir(), 'companion-collector-'));
  audit = new AuditLog(dir);
});

afterEach(async () => {
  await forwarder?.stop();
  forwarder = undefined;
  await collector?.stop();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(collectorDir, { recursive: true, force: true });
});

const client = () => new DiyalogClient({ baseUrl: sim.url, credentials: sim.credentials, requesterUserId: sim.staffId, fetch: globalThis.fetch, retryBaseMs: 1 });

function crashed(n: number): { customerId: string; staffId: string }[] {
  return Array.from({ length: n }, () => {
    const customerId = idle.shift()!;
    sim.control.crashSession(customerId, agent, sim.control.serverNow() - 3_600_000);
    return { customerId, staffId: agent };
  });
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function localLines(): Promise<string[]> {
  return (await readFile(join(dir, AUDIT_FILE), 'utf8')).split('\n').filter((l) => l !== '');
}

/** The audit lines the collector wrote (each message's body after its BOM), in the order received. */
async function collectedLines(): Promise<string[]> {
  return (await collector.received())
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.slice(l.indexOf('\ufeff') + 1));
}

function tlsTo(port: number): CollectorConnection {
  return { target: { transport: 'tls', host: 'localhost', port }, ca: [ca.caPem] };
}

describe.skipIf(missing !== null)('forwarding to a real rsyslog over TLS', () => {
  it('sends every entry in order; the collector down mid-way loses nothing; the export verifies against the local chain', async () => {
    const port = await freePort();
    collector = rsyslogCollector(collectorDir, port, ca);
    await collector.start();
    forwarder = new AuditForwarder({ audit, collector: async () => tlsTo(port), backoff: { baseMs: 50, capMs: 200 }, pollMs: 50 });
    forwarder.start();

    await forceEndMany(client(), audit, { actor: sim.staffId, reason: REASON, sessions: crashed(3) }, { concurrency: 2 });
    await waitUntil('the first force-ends at the collector', async () => (await audit.forwardStatus()).pending === 0 && (await collectedLines()).length >= (await localLines()).length);

    await collector.stop();
    for (const s of crashed(2)) await forceEndTruthfully(client(), audit, { actor: sim.staffId, reason: REASON, ...s }, { precheck: true });
    await waitUntil('the forwarder to record the collector as down', async () => (await audit.forwardStatus()).lastError);
    const down = await audit.forwardStatus();
    expect(down.pending).toBeGreaterThan(0);
    expect(down.lastError).toMatch(/could not be reached/);

    await collector.start();
    await waitUntil('the waiting entries at the collector', async () => (await audit.forwardStatus()).pending === 0, { timeout: 15_000 });

    const local = await localLines();
    // At least once: a batch may arrive twice; the collector's copy, duplicates dropped by hash, is the local chain.
    const seen = new Set<string>();
    const collected = (await collectedLines()).filter((l) => (seen.has(sha256(l)) ? false : (seen.add(sha256(l)), true)));
    expect(collected).toEqual(local);
    expect(await audit.forwardStatus()).toEqual({ pending: 0, lastSentSeq: local.length, lastError: null, lastErrorCode: null });

    // The collector's copy alone is a chain: each entry names the hash of the one before.
    let prev = '0'.repeat(64);
    for (const line of collected) {
      expect((JSON.parse(line) as { prev: string }).prev).toBe(prev);
      prev = sha256(line);
    }
    const exportFile = join(collectorDir, 'received.log');
    expect(await audit.compareWithCollector(await readFile(exportFile, 'utf8'), forwardOrigin().host)).toMatchObject({ ok: true, missingLocally: [], missingAtCollector: [] });
  });

  it('a log cut and its head rebuilt is caught against the export', async () => {
    const port = await freePort();
    collector = rsyslogCollector(collectorDir, port, ca);
    await collector.start();
    forwarder = new AuditForwarder({ audit, collector: async () => tlsTo(port) });
    await forceEndMany(client(), audit, { actor: sim.staffId, reason: REASON, sessions: crashed(3) });
    expect(await forwarder.flush(10_000)).toMatchObject({ error: null, pending: 0 });
    await waitUntil('the entries at the collector', async () => (await collectedLines()).length >= (await localLines()).length);

    // Cut the last two entries and rebuild the head as an intruder would (without the keychain).
    const lines = await localLines();
    const kept = lines.slice(0, -2);
    const text = kept.map((l) => `${l}\n`).join('');
    await writeFile(join(dir, AUDIT_FILE), text);
    await writeFile(join(dir, 'audit.head.json'), JSON.stringify({ version: 1, entries: kept.length, lastHash: sha256(kept.at(-1)!), bytes: Buffer.byteLength(text) }));
    expect(await audit.verify()).toMatchObject({ ok: true });

    const result = await audit.compareWithCollector(await collector.received(), forwardOrigin().host);
    expect(result).toMatchObject({ ok: false, missingLocally: [lines.length - 1, lines.length], missingAtCollector: [] });
  });

  it('a collector whose certificate is not from a trusted CA is refused, and the entries wait', async () => {
    const port = await freePort();
    collector = rsyslogCollector(collectorDir, port, ca);
    await collector.start();
    // Only Node's bundled CAs: the test CA is not among them.
    forwarder = new AuditForwarder({ audit, collector: async () => ({ target: { transport: 'tls', host: 'localhost', port } }) });
    await forceEndMany(client(), audit, { actor: sim.staffId, reason: REASON, sessions: crashed(1) });
    const result = await forwarder.flush(5_000);
    expect(result.error?.code).toBe('tls_untrusted');
    expect(result.pending).toBe((await localLines()).length);
    expect(await collector.received()).toBe('');
  });
});

describe.skipIf(missing !== null)('the window forwards continuously, and its status bar says how far behind', () => {
  it('entries another process wrote wait while the collector is down (status says so), and go once it is up (plain TCP on loopback)', async () => {
    const port = await freePort();
    collector = rsyslogCollector(collectorDir, port, null);
    // Written before the window starts, as by a `companion force-end` while it was closed.
    await forceEndMany(client(), audit, { actor: sim.staffId, reason: REASON, sessions: crashed(2) });
    const lines = await localLines();

    const companion = await createCompanion({
      dataDir: dir,
      secrets: new MemorySecretStore(),
      demo: false,
      version: '9.9.9-test',
      osLocale: 'en-GB',
      env: { COMPANION_AUDIT_FORWARD_URL: `syslog+tcp://127.0.0.1:${port}` },
    });
    const statuses: Status[] = [];
    companion.subscribe((event, payload) => {
      if (event === 'status.changed') statuses.push(payload as Status);
    });
    try {
      const statusNow = async () => {
        const result = await dispatch(companion.handlers, 'status.get', {});
        if (!result.ok) throw new Error(result.error.message);
        return (result.value as Status).auditForward;
      };
      await waitUntil('the status to say the collector is down', async () => (await statusNow())?.lastError);
      // The code is what the window words in the user's language; the English message is the detail.
      expect(await statusNow()).toMatchObject({ pending: lines.length, lastSentSeq: 0, lastError: expect.stringMatching(/could not be reached/), lastErrorCode: 'unavailable' });

      await collector.start();
      await waitUntil('the entries at the collector', async () => (await statusNow())?.pending === 0, { timeout: 15_000 });
      expect(await statusNow()).toEqual({ pending: 0, lastSentSeq: lines.length, lastError: null, lastErrorCode: null });
      await waitUntil('a status.changed saying nothing waits', () => statuses.at(-1)?.auditForward?.pending === 0);
      expect(await collectedLines()).toEqual(expect.arrayContaining(lines));
    } finally {
      await companion.stop();
    }
  });
});
