// The audit trail's commands against a real collector (rsyslogd over TLS with a test CA,
// test/support/rsyslog.ts): a force-end forwards before the command exits; with the collector
// down it exits all the same and the entries wait (`audit forward --status`); `audit forward`
// sends them; `audit verify --against` compares the local trail with what the collector
// wrote, and catches a log cut with its head rebuilt. The keyed head (the keychain: run with
// test/with-keyring.sh), a read-only copy of the data folder, and a linked data folder.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_FILE, AUDIT_HEAD_FILE } from '../../../main/store/audit';
import { freePort, makeTestCa, rsyslogCollector, rsyslogMissing, type Collector, type TestCa } from '../../support/rsyslog';
import { expectError, jsonOf, okJson, runCompanion, startDiyalogFixture, tempDir } from './cli-harness';
import type { DiyalogFixture, RunResult } from './cli-harness';

const missing = rsyslogMissing();
if (missing) console.warn(`companion audit forward tests skipped: ${missing}`);

const HOUR = 3_600_000;
const REASON = 'Agent app crashed during the shift';

let fixture: DiyalogFixture;
let ca: TestCa;
let caDir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  fixture = await startDiyalogFixture({ historySize: 100, seed: 1719 });
  caDir = await mkdtemp(join(tmpdir(), 'companion-cli-ca-'));
  if (!missing) ca = await makeTestCa(caDir);
});
afterAll(async () => {
  await fixture?.close();
  await rm(caDir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function exitCode(result: RunResult, code: number): void {
  expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(code);
}

/** A data folder of its own and an env pointing the command at it (and at `collector`, when given). */
async function dataDir(collectorPort?: number) {
  const dir = await tempDir('audit');
  cleanups.push(dir.remove);
  const env = {
    ...fixture.env,
    COMPANION_DATA_DIR: dir.path,
    ...(collectorPort !== undefined && { COMPANION_AUDIT_FORWARD_URL: `syslog+tls://localhost:${collectorPort}`, COMPANION_TLS_CA_FILE: ca.caFile }),
  };
  return { path: dir.path, env };
}

async function startCollector(port?: number, options: { requireClientCert?: boolean } = {}): Promise<Collector> {
  const dir = await mkdtemp(join(tmpdir(), 'companion-cli-collector-'));
  const collector = rsyslogCollector(dir, port ?? (await freePort()), ca, options);
  cleanups.push(async () => {
    await collector.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await collector.start();
  return collector;
}

async function forceEnd(env: NodeJS.ProcessEnv): Promise<RunResult> {
  const customerId = fixture.idleCustomer();
  fixture.sim.control.crashSession(customerId, fixture.agents[0]!, fixture.sim.control.serverNow() - HOUR);
  return runCompanion(['force-end', customerId, '--staff', fixture.agents[0]!, '--reason', REASON, '--yes', '--json'], env);
}

async function localLines(dir: string): Promise<string[]> {
  return (await readFile(join(dir, AUDIT_FILE), 'utf8')).split('\n').filter((l) => l !== '');
}

describe.skipIf(missing !== null)('companion audit forward and verify --against, with rsyslogd over TLS', () => {
  it('a force-end reaches the collector before the command exits; down, the entries wait, and audit forward sends them', async () => {
    const collector = await startCollector();
    const data = await dataDir(collector.port);
    expect(okJson(await runCompanion(['audit', 'forward', '--status', '--json'], data.env))).toEqual({ pending: 0, lastSentSeq: 0, lastError: null });

    exitCode(await forceEnd(data.env), 0);
    const first = await localLines(data.path);
    expect(okJson(await runCompanion(['audit', 'forward', '--status', '--json'], data.env))).toEqual({ pending: 0, lastSentSeq: first.length, lastError: null });
    const received = await collector.received();
    for (const line of first) expect(received).toContain(line);

    await collector.stop();
    const started = Date.now();
    exitCode(await forceEnd(data.env), 0);
    // The command does not wait for a collector that is down (a few seconds at most).
    expect(Date.now() - started).toBeLessThan(8_000);
    const waiting = okJson<{ pending: number; lastSentSeq: number; lastError: string }>(await runCompanion(['audit', 'forward', '--status', '--json'], data.env));
    expect(waiting).toMatchObject({ pending: 2, lastSentSeq: first.length });
    expect(waiting.lastError).toMatch(/could not be reached/);
    const down = await runCompanion(['audit', 'forward', '--json'], data.env);
    expectError(down, 4, 'unavailable');

    await collector.start();
    const sent = await runCompanion(['audit', 'forward', '--json'], data.env);
    exitCode(sent, 0);
    const all = await localLines(data.path);
    expect(jsonOf(sent)).toEqual({ sent: 2, pending: 0, lastSentSeq: all.length, lastError: null });

    const exportFile = join(data.path, '..', `export-${Date.now()}.log`);
    await writeFile(exportFile, await collector.received());
    cleanups.push(() => rm(exportFile, { force: true }));
    const agree = await runCompanion(['audit', 'verify', '--against', exportFile, '--json'], data.env);
    exitCode(agree, 0);
    expect(jsonOf(agree)).toMatchObject({ ok: true, missingLocally: [], missingAtCollector: [], collected: all.length });

    // Cut the last force-end and rebuild the head from the rest, as someone with the file but not the collector would.
    const kept = all.slice(0, -2);
    const text = kept.map((l) => `${l}\n`).join('');
    await writeFile(join(data.path, AUDIT_FILE), text);
    await writeFile(join(data.path, AUDIT_HEAD_FILE), JSON.stringify({ version: 1, entries: kept.length, lastHash: sha256(kept.at(-1)!), bytes: Buffer.byteLength(text) }));
    const caught = await runCompanion(['audit', 'verify', '--against', exportFile, '--json'], data.env);
    exitCode(caught, 1);
    expect(jsonOf(caught)).toMatchObject({ ok: false, missingLocally: [all.length - 1, all.length], missingAtCollector: [] });
    const words = await runCompanion(['audit', 'verify', '--against', exportFile], data.env);
    expect(words.stdout).toContain(`entries ${all.length - 1}-${all.length}`);
  });

  it('a collector that asks for a client certificate gets the one stored in the keychain (audit client-cert); without it, the entries wait', async (ctx) => {
    const collector = await startCollector(undefined, { requireClientCert: true });
    const data = await dataDir(collector.port);
    const stored = await runCompanion(['audit', 'client-cert', '--cert', ca.clientCertFile, '--key', ca.clientKeyFile, '--json'], data.env);
    if (jsonOf<{ error?: { code: string } }>(stored).error?.code === 'keychain_unavailable') ctx.skip(); // no keychain here (run under test/with-keyring.sh)
    cleanups.push(async () => void (await runCompanion(['audit', 'client-cert', '--clear'], data.env)));
    expect(jsonOf(stored)).toEqual({ subject: 'CN=desk-07.bank.local', validTo: expect.any(String) });

    exitCode(await forceEnd(data.env), 0);
    const lines = await localLines(data.path);
    expect(okJson(await runCompanion(['audit', 'forward', '--status', '--json'], data.env))).toEqual({ pending: 0, lastSentSeq: lines.length, lastError: null });
    for (const line of lines) expect(await collector.received()).toContain(line);

    exitCode(await runCompanion(['audit', 'client-cert', '--clear'], data.env), 0);
    exitCode(await forceEnd(data.env), 0);
    const refused = await runCompanion(['audit', 'forward', '--json'], data.env);
    expect(refused.code).not.toBe(0);
    expect(okJson<{ pending: number }>(await runCompanion(['audit', 'forward', '--status', '--json'], data.env)).pending).toBe(2);

    // A key that is not the certificate's is refused before anything is stored.
    expectError(await runCompanion(['audit', 'client-cert', '--cert', ca.clientCertFile, '--key', ca.keyFile, '--json'], data.env), 2, 'invalid_input');
  });

  it('forwarding off: audit forward says how to turn it on, exit 1; a bad collector address is refused, exit 2', async () => {
    const data = await dataDir();
    const off = await runCompanion(['audit', 'forward'], data.env);
    exitCode(off, 1);
    expect(off.stdout).toContain('audit.forward.url');
    expectError(await runCompanion(['audit', 'forward', '--json'], { ...data.env, COMPANION_AUDIT_FORWARD_URL: 'https://siem.bank.local' }), 2, 'invalid_input');
    // Plain TCP leaves this computer only with consent.
    expectError(await runCompanion(['audit', 'forward', '--json'], { ...data.env, COMPANION_AUDIT_FORWARD_URL: 'syslog+tcp://siem.bank.local:514' }), 2, 'invalid_input');
  });
});

describe('the keyed head, a read-only copy, a linked data folder', () => {
  it('a log cut and its head rebuilt without the keychain is caught by audit verify alone', async (ctx) => {
    const data = await dataDir();
    exitCode(await forceEnd(data.env), 0);
    exitCode(await forceEnd(data.env), 0);
    const head = JSON.parse(await readFile(join(data.path, AUDIT_HEAD_FILE), 'utf8')) as { hmac?: string };
    if (head.hmac === undefined) ctx.skip(); // no keychain here (run under test/with-keyring.sh)
    expect(okJson(await runCompanion(['audit', 'verify', '--json'], data.env))).toEqual({ ok: true, entries: 4 });

    const kept = (await localLines(data.path)).slice(0, 2);
    const text = kept.map((l) => `${l}\n`).join('');
    await writeFile(join(data.path, AUDIT_FILE), text);
    await writeFile(join(data.path, AUDIT_HEAD_FILE), JSON.stringify({ version: 1, entries: 2, lastHash: sha256(kept[1]!), bytes: Buffer.byteLength(text) }));
    const caught = await runCompanion(['audit', 'verify', '--json'], data.env);
    exitCode(caught, 1);
    expect(jsonOf(caught)).toMatchObject({ ok: false, brokenAt: 1 });
    expect((await runCompanion(['audit', 'verify'], data.env)).stdout).toContain('rebuilt without the keychain');
  });

  it('audit, audit verify and verify --against read a read-only copy of the data folder', async (ctx) => {
    const data = await dataDir();
    exitCode(await forceEnd(data.env), 0);
    const mount = await mkdtemp(join(tmpdir(), 'companion-ro-'));
    cleanups.push(() => rm(mount, { recursive: true, force: true }));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]).status !== 0) {
      console.warn('read-only copy test skipped: cannot mount a tmpfs here (not root)');
      ctx.skip();
    }
    cleanups.push(async () => void spawnSync('umount', [mount]));
    await cp(data.path, join(mount, 'copy'), { recursive: true });
    const exportFile = join(mount, 'export.log');
    await writeFile(exportFile, '');
    expect(spawnSync('mount', ['-o', 'remount,ro', mount]).status).toBe(0);
    const env = { ...data.env, COMPANION_DATA_DIR: join(mount, 'copy') };

    expect(okJson<{ entries: unknown[] }>(await runCompanion(['audit', '--json'], env)).entries).toHaveLength(1);
    expect(okJson(await runCompanion(['audit', 'verify', '--json'], env))).toMatchObject({ ok: true, entries: 2 });
    const against = await runCompanion(['audit', 'verify', '--against', exportFile, '--json'], env);
    exitCode(against, 1);
    expect(jsonOf(against)).toMatchObject({ ok: false, missingLocally: [], missingAtCollector: [1, 2] });
  });

  it('verify --against refuses what it cannot use: --host alone, an export that cannot be read', async () => {
    const data = await dataDir();
    expectError(await runCompanion(['audit', 'verify', '--host', 'desk-07', '--json'], data.env), 2, 'invalid_input');
    expect(expectError(await runCompanion(['audit', 'verify', '--against', join(data.path, 'no-such-export.log'), '--json'], data.env), 1, 'not_found').message).toContain('ENOENT');
  });

  it('a data folder that is a symbolic link is refused, naming it', async () => {
    const data = await dataDir();
    const link = `${data.path}-link`;
    await symlink(data.path, link);
    cleanups.push(() => rm(link, { force: true }));
    const refused = await runCompanion(['audit', 'verify', '--json'], { ...data.env, COMPANION_DATA_DIR: link });
    expect(expectError(refused, 1, 'data_dir_unsafe').message).toContain(link);
  });
});
