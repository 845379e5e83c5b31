// The audit head keyed under a key in the keychain (here an in-memory key store with the
// keychain's interface; the real keychain is in test/integration/cli/companion-audit.test.ts),
// an old unkeyed head keyed on the next append and said so, times that go backwards, links
// refused, and the syslog form an entry travels in, read back from a collector's export.

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_FILE, AUDIT_HEAD_FILE, AuditLog, syslogMessage, type AuditIntent, type AuditKeyStore } from '../../../main/store/audit';
import { readCollectorExport } from '../../../main/store/audit/syslog';
import { compareWithCollector } from '../../../main/store/audit/against';
import { rejection } from '../../support/rejection';

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
const intent: AuditIntent = { actor: '45186', customerId: '2337368', staffId: '45187', reason: 'Agent app crashed; customer stuck in help.' };
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/** The keychain's interface over a map: one store stands for one user's keychain. */
class KeyStore implements AuditKeyStore {
  readonly keys = new Map<string, string>();
  unavailable = false;
  async getAuditKey(trail: string): Promise<string | null> {
    if (this.unavailable) throw new Error('keychain locked');
    return this.keys.get(trail) ?? null;
  }
  async setAuditKey(trail: string, key: string): Promise<void> {
    if (this.unavailable) throw new Error('keychain locked');
    this.keys.set(trail, key);
  }
}

let dir: string;
let now: number;
const clock = () => now;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'companion-keyed-'));
  now = T0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function forceEnds(log: AuditLog, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const id = await log.recordIntent({ ...intent, customerId: String(1000 + i) });
    await log.recordOutcome(id, { outcome: 'ended', message: 'Finished.' });
    now += 1000;
  }
}

async function lines(): Promise<string[]> {
  return (await readFile(join(dir, AUDIT_FILE), 'utf8')).split('\n').filter((l) => l !== '');
}

/** What an intruder with the files but not the keychain does: cut the log to `keep` entries and recompute the head. */
async function cutAndRebuild(keep: number): Promise<void> {
  const kept = (await lines()).slice(0, keep);
  const text = kept.map((l) => `${l}\n`).join('');
  await writeFile(join(dir, AUDIT_FILE), text);
  await writeFile(join(dir, AUDIT_HEAD_FILE), JSON.stringify({ version: 1, entries: keep, lastHash: sha256(kept.at(-1)!), bytes: Buffer.byteLength(text) }));
}

describe('the keyed head', () => {
  it('carries an HMAC under the keychain key; a cut log with a recomputed head is caught', async () => {
    const keys = new KeyStore();
    const log = new AuditLog(dir, clock, keys);
    await forceEnds(log, 3);
    expect(keys.keys.size).toBe(1);
    expect(JSON.parse(await readFile(join(dir, AUDIT_HEAD_FILE), 'utf8'))).toMatchObject({ entries: 6, keyedFrom: 0, hmac: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await log.verify()).toEqual({ ok: true, entries: 6 });

    await cutAndRebuild(4);
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 1, problem: 'head_forged' });
    // Without the keychain's key the same files pass the chain and the head: the key is what catches it.
    expect(await new AuditLog(dir, clock).verify()).toMatchObject({ ok: true, entries: 4 });

    // The next append does not launder it: the entries before it stay not vouched for.
    await forceEnds(log, 1);
    expect(await log.verify()).toMatchObject({ ok: false, problem: 'head_missing', brokenAt: 5 });
  });

  it('an old head without an HMAC is keyed on the next append, and verify says since when; nothing breaks', async () => {
    await forceEnds(new AuditLog(dir, clock), 2);
    const keys = new KeyStore();
    const log = new AuditLog(dir, clock, keys);
    expect(await log.verify()).toEqual({ ok: true, entries: 4, warnings: [{ kind: 'unkeyed' }] });
    await forceEnds(log, 1);
    expect(await log.verify()).toEqual({ ok: true, entries: 6, warnings: [{ kind: 'keyed_from', entries: 4 }] });
  });

  it('a locked keychain never holds up a force-end; the head is written unkeyed and verify cannot vouch for it once the keychain is back', async () => {
    const keys = new KeyStore();
    const log = new AuditLog(dir, clock, keys);
    await forceEnds(log, 1);
    keys.unavailable = true;
    const locked = new AuditLog(dir, clock, keys);
    await forceEnds(locked, 1);
    expect(await locked.verify()).toEqual({ ok: true, entries: 4 });
    keys.unavailable = false;
    expect(await new AuditLog(dir, clock, keys).verify()).toMatchObject({ ok: false, problem: 'head_forged' });
  });

  it('a copy on another computer (no key for it) is checked without the key, and says so', async () => {
    await forceEnds(new AuditLog(dir, clock, new KeyStore()), 1);
    expect(await new AuditLog(dir, clock, new KeyStore()).verify()).toEqual({ ok: true, entries: 2, warnings: [{ kind: 'key_unchecked' }] });
  });
});

describe('verify warnings and refusals', () => {
  it('warns where entry times go backwards, and the trail still holds', async () => {
    const log = new AuditLog(dir, clock);
    await forceEnds(log, 1);
    now = T0 - 60_000;
    await forceEnds(log, 1);
    const result = await log.verify();
    expect(result).toMatchObject({ ok: true, entries: 4 });
    expect(result.warnings).toEqual([{ kind: 'time_backwards', entry: 3, at: new Date(T0 - 60_000).toISOString(), previousAt: new Date(T0).toISOString() }]);
  });

  it('refuses an audit log or data folder that is a symbolic link, writing nothing there', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'companion-elsewhere-'));
    try {
      await writeFile(join(elsewhere, 'trail.jsonl'), '');
      await symlink(join(elsewhere, 'trail.jsonl'), join(dir, AUDIT_FILE));
      const log = new AuditLog(dir, clock);
      expect((await rejection(log.recordIntent(intent))).code).toBe('data_dir_unsafe');
      expect((await rejection(log.entries())).code).toBe('data_dir_unsafe');
      expect(await readFile(join(elsewhere, 'trail.jsonl'), 'utf8')).toBe('');

      const linkedDir = join(elsewhere, 'data');
      await symlink(dir, linkedDir);
      expect((await rejection(new AuditLog(linkedDir, clock).secureDataDir())).code).toBe('data_dir_unsafe');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('the syslog form and the collector export', () => {
  it('carries the exact line as its body and the fields as structured data, escaped; one message per line even with a newline in the reason', async () => {
    const log = new AuditLog(dir, clock);
    await log.recordIntent({ ...intent, reason: 'Stuck] "quoted" \\ back\nslash' });
    const [line] = await lines();
    const message = syslogMessage(Buffer.from(line!), { host: 'desk-07', user: 'ayse', trail: sha256(line!) });
    expect(message).toMatch(/^<109>1 2026-12-07T09:00:00\.000Z desk-07 agent-companion - intent \[companion-audit@32473 trail="[0-9a-f]{64}" seq="1" hash="[0-9a-f]{64}" prev="0{64}" host="desk-07" user="ayse" /);
    expect(message).toContain('reason="Stuck\\] \\"quoted\\" \\\\ back\ufffdslash"');
    expect(message).not.toContain('\n');
    expect(message.endsWith(`\ufeff${line}`)).toBe(true);

    const read = readCollectorExport(`Dec  7 09:00:01 collector ${message}\nsome other program's line\n`);
    expect(read).toEqual({ entries: [{ seq: 1, hash: sha256(line!), prev: '0'.repeat(64), trail: sha256(line!), host: 'desk-07', exportLine: 1 }], unreadable: [] });
  });

  it('compares by hash: duplicates count once, other desktops are not ours, a changed entry is missing on both sides', async () => {
    const log = new AuditLog(dir, clock);
    await forceEnds(log, 2);
    const local = await lines();
    const trail = sha256(local[0]!);
    const ours = local.map((l) => syslogMessage(Buffer.from(l), { host: 'desk-07', user: 'ayse', trail }));
    const theirs = syslogMessage(Buffer.from(local[0]!.replace('45186', '99999')), { host: 'desk-99', user: 'zeynep', trail: 'f'.repeat(64) });
    const logBytes = await readFile(join(dir, AUDIT_FILE));
    const exportText = [...ours, ours[1], theirs].join('\n');
    expect(compareWithCollector(logBytes, readCollectorExport(exportText), 'desk-07')).toEqual({ ok: true, missingLocally: [], missingAtCollector: [], collected: 4, unreadableLines: [] });

    const changed = syslogMessage(Buffer.from(local[3]!.replace('Finished.', 'Failed.')), { host: 'desk-07', user: 'ayse', trail });
    expect(changed).not.toBe(ours[3]);
    const tampered = [ours[0], ours[1], ours[2], changed].join('\n');
    expect(compareWithCollector(logBytes, readCollectorExport(tampered), 'desk-07')).toMatchObject({ ok: false, missingLocally: [4], missingAtCollector: [4] });
  });
});
