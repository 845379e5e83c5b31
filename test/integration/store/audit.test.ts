import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_FILE, AUDIT_HEAD_FILE, AuditLog, type AuditIntent } from '../../../main/store/audit';
import { AppError } from '../../../shared/errors';

const T0 = Date.UTC(2025, 2, 9, 13, 28, 32, 123);
const intent: AuditIntent = { actor: '45186', customerId: '2337368', staffId: '45187', reason: 'Agent app crashed; customer stuck in help.' };
const GENESIS = '0'.repeat(64);

let dir: string;
let now: number;
const clock = () => now;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'companion-audit-'));
  now = T0;
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const logFile = () => join(dir, AUDIT_FILE);
const headFile = () => join(dir, AUDIT_HEAD_FILE);

async function lines(file = logFile()): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
}

async function head(): Promise<{ entries: number; lastHash: string; bytes: number; pending?: unknown; lost?: number }> {
  return JSON.parse(await readFile(headFile(), 'utf8')) as { entries: number; lastHash: string; bytes: number };
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A log of `n` force-ends: an intent and an outcome each, so 2n entries. */
async function trail(n: number): Promise<AuditLog> {
  const log = new AuditLog(dir, clock);
  for (let i = 0; i < n; i++) {
    const id = await log.recordIntent({ ...intent, customerId: String(1000 + i) });
    await log.recordOutcome(id, { outcome: 'ended', message: `Finished ${i}.` });
    now += 1000;
  }
  return log;
}

describe('AuditLog entries', () => {
  it('folds an intent and its outcome into one entry, keeping what the call returned', async () => {
    const log = new AuditLog(dir, clock);
    const id = await log.recordIntent(intent);
    now = T0 + 1500;
    await log.recordOutcome(id, { outcome: 'failed', code: 'auth_failed', message: 'Diyalog rejected the request signature.' });
    const at = new Date(T0 + 1500).toISOString();
    expect(await log.entries()).toEqual([
      {
        id,
        at: new Date(T0).toISOString(),
        ...intent,
        outcome: 'failed',
        outcomeAt: at,
        settledBy: 'answer',
        code: 'auth_failed',
        message: 'Diyalog rejected the request signature.',
        answer: { outcome: 'failed', code: 'auth_failed', message: 'Diyalog rejected the request signature.', at },
      },
    ]);
    // Another instance over the same folder (the next launch) reads the same trail.
    expect(await new AuditLog(dir).entries()).toHaveLength(1);
  });

  it('shows an intent without an outcome as unknown, and lists it as unsettled', async () => {
    const log = new AuditLog(dir, clock);
    const id = await log.recordIntent(intent);
    const [entry] = await log.entries();
    expect(entry).toEqual({ id, at: new Date(T0).toISOString(), ...intent, outcome: 'unknown' });
    expect(entry).not.toHaveProperty('outcomeAt');
    expect((await log.unsettled()).map((e) => e.id)).toEqual([id]);
  });

  it('keeps both what the call returned and how it was settled by a check', async () => {
    const log = new AuditLog(dir, clock);
    const id = await log.recordIntent(intent);
    now = T0 + 1000;
    await log.recordOutcome(id, { outcome: 'unknown', code: 'server_error', message: 'Diyalog failed on finishonlinehelp' });
    expect((await log.unsettled()).map((e) => e.id)).toEqual([id]);
    now = T0 + 2000;
    expect(await log.recordSettlement(id, { outcome: 'ended', check: { isInHelp: false, staffId: null } })).toBe(true);
    const [entry] = await log.entries();
    expect(entry).toMatchObject({
      outcome: 'ended',
      settledBy: 'check',
      outcomeAt: new Date(T0 + 2000).toISOString(),
      check: { isInHelp: false, staffId: null },
      code: 'server_error',
      answer: { outcome: 'unknown', code: 'server_error', at: new Date(T0 + 1000).toISOString() },
    });
    expect(await log.unsettled()).toEqual([]);
  });

  it('writes a settlement "only if unknown" only while the entry is unknown', async () => {
    const log = new AuditLog(dir, clock);
    const id = await log.recordIntent(intent);
    await log.recordOutcome(id, { outcome: 'ended' });
    expect(await log.recordSettlement(id, { outcome: 'not_ended', check: { isInHelp: true, staffId: intent.staffId } }, { onlyIfUnknown: true })).toBe(false);
    expect((await log.entries())[0]).toMatchObject({ outcome: 'ended', settledBy: 'answer' });
    expect(await lines()).toHaveLength(2);
    const other = await log.recordIntent({ ...intent, customerId: '70022' });
    expect(await log.recordSettlement(other, { outcome: 'not_ended', check: { isInHelp: true, staffId: intent.staffId } }, { onlyIfUnknown: true })).toBe(true);
    expect((await log.entries()).find((e) => e.id === other)).toMatchObject({ outcome: 'not_ended', settledBy: 'check' });
    expect((await log.entries()).find((e) => e.id === other)).not.toHaveProperty('answer');
  });

  it('has the line on disk when recordIntent resolves', async () => {
    const log = new AuditLog(dir, clock);
    const id = await log.recordIntent(intent);
    const [line] = await lines();
    expect(JSON.parse(line ?? '')).toMatchObject({ seq: 1, prev: GENESIS, type: 'intent', id, ...intent });
  });

  it('lists newest first, a later outcome superseding an earlier one', async () => {
    const log = new AuditLog(dir, clock);
    const first = await log.recordIntent(intent);
    now = T0 + 60_000;
    const second = await log.recordIntent({ ...intent, customerId: '7403713' });
    await log.recordOutcome(second, { outcome: 'failed', code: 'unavailable' });
    await log.recordOutcome(second, { outcome: 'already_ended', message: 'No conversation.' });
    await log.recordOutcome(first, { outcome: 'no_conversation', code: 'no_conversation', message: 'No conversation found between peers.' });
    const entries = await log.entries();
    expect(entries.map((e) => [e.id, e.outcome])).toEqual([
      [second, 'already_ended'],
      [first, 'no_conversation'],
    ]);
    expect(entries[0]).not.toHaveProperty('code');
  });

  it('creates the folder when needed and the log and head with mode 0600', async () => {
    const nested = join(dir, 'a', 'b');
    const log = new AuditLog(nested, clock);
    await log.recordIntent(intent);
    expect((await stat(join(nested, AUDIT_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(join(nested, AUDIT_HEAD_FILE))).mode & 0o777).toBe(0o600);
  });

  it('keeps concurrent appends whole: every line valid JSON, every entry present, one chain', async () => {
    const log = new AuditLog(dir, clock);
    const reasons = Array.from({ length: 40 }, (_, i) => `${'x'.repeat(400)} ${i}`);
    const ids = await Promise.all(reasons.map((reason, i) => log.recordIntent({ ...intent, customerId: String(1000 + i), reason })));
    await Promise.all(ids.map((id, i) => log.recordOutcome(id, { outcome: i % 2 ? 'ended' : 'failed', message: 'm'.repeat(300) })));
    const written = await lines();
    expect(written).toHaveLength(80);
    for (const line of written) expect(() => JSON.parse(line)).not.toThrow();
    const { entries, skippedLines } = await log.read();
    expect(skippedLines).toBe(0);
    expect(new Set(entries.map((e) => e.id))).toEqual(new Set(ids));
    expect(entries.every((e) => e.outcome !== 'unknown')).toBe(true);
    expect(await log.verify()).toEqual({ ok: true, entries: 80 });
  });

  it('rejects bad input as invalid_input and writes nothing', async () => {
    const log = new AuditLog(dir, clock);
    const bad: AuditIntent[] = [
      { ...intent, actor: '' },
      { ...intent, customerId: '   ' },
      { ...intent, staffId: '45\n187' },
      { ...intent, customerId: '9'.repeat(65) },
      { ...intent, reason: '' },
      { ...intent, reason: 'r'.repeat(501) },
    ];
    for (const b of bad) {
      const error: unknown = await log.recordIntent(b).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('invalid_input');
    }
    await expect(log.recordOutcome('', { outcome: 'ended' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(log.recordOutcome('some-id', { outcome: 'maybe' as 'ended' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(log.recordSettlement('some-id', { outcome: 'ended', check: { isInHelp: 'no' as unknown as boolean, staffId: null } })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(stat(logFile())).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await log.entries()).toEqual([]);
    // The limits themselves are accepted.
    await log.recordIntent({ ...intent, customerId: '9'.repeat(64), reason: 'r'.repeat(500) });
    expect(await log.entries()).toHaveLength(1);
  });

  it('reads an empty trail when there is no file yet, and verifies it without creating the folder', async () => {
    const missing = join(dir, 'missing');
    expect(await new AuditLog(missing).read()).toEqual({ entries: [], skippedLines: 0 });
    expect(await new AuditLog(missing).verify()).toEqual({ ok: true, entries: 0 });
    await expect(stat(missing)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('AuditLog chain and head', () => {
  it('chains each entry to the exact bytes of the one before, and keeps the head apart', async () => {
    await trail(2);
    const written = await lines();
    expect(written).toHaveLength(4);
    let prev = GENESIS;
    for (const [i, line] of written.entries()) {
      expect(JSON.parse(line)).toMatchObject({ seq: i + 1, prev });
      prev = sha256(line);
    }
    expect(await head()).toEqual({ version: 1, entries: 4, lastHash: prev, bytes: (await stat(logFile())).size });
  });

  it('verifies a whole trail', async () => {
    const log = await trail(3);
    expect(await log.verify()).toEqual({ ok: true, entries: 6 });
  });

  it('detects an edited entry in the middle, at that entry', async () => {
    const log = await trail(3);
    const written = await lines();
    written[2] = written[2]!.replace('"customerId":"1001"', '"customerId":"1009"');
    await writeFile(logFile(), written.join('\n') + '\n');
    expect(await log.verify()).toMatchObject({ ok: false, entries: 6, brokenAt: 3, problem: 'changed' });
  });

  it('detects an edited last entry through the head', async () => {
    const log = await trail(2);
    const written = await lines();
    written[3] = written[3]!.replace('Finished 1.', 'Finished 7.');
    await writeFile(logFile(), written.join('\n') + '\n');
    expect(await log.verify()).toMatchObject({ ok: false, entries: 4, brokenAt: 4, problem: 'changed' });
  });

  it('detects a deleted entry', async () => {
    const log = await trail(3);
    const written = await lines();
    written.splice(1, 1);
    await writeFile(logFile(), written.join('\n') + '\n');
    const result = await log.verify();
    expect(result).toMatchObject({ ok: false, entries: 5, brokenAt: 2, problem: 'sequence' });
    expect(result.ok === false && result.reason).toMatch(/Entry 2 is missing/);
  });

  it('detects reordered entries', async () => {
    const log = await trail(3);
    const written = await lines();
    [written[3], written[4]] = [written[4]!, written[3]!];
    await writeFile(logFile(), written.join('\n') + '\n');
    expect(await log.verify()).toMatchObject({ ok: false, entries: 6, brokenAt: 4, problem: 'sequence' });
  });

  it('detects a truncated log: whole entries cut from the end', async () => {
    const log = await trail(3);
    const written = await lines();
    await writeFile(logFile(), written.slice(0, 4).join('\n') + '\n');
    const result = await log.verify();
    expect(result).toMatchObject({ ok: false, entries: 4, brokenAt: 5, problem: 'truncated' });
    expect(result.ok === false && result.reason).toMatch(/Entries 5 to 6 are missing/);
  });

  it('detects a log emptied altogether', async () => {
    const log = await trail(1);
    await truncate(logFile(), 0);
    expect(await log.verify()).toMatchObject({ ok: false, entries: 0, brokenAt: 1, problem: 'truncated' });
  });

  it('detects the last entry cut mid-line', async () => {
    const log = await trail(2);
    const size = (await stat(logFile())).size;
    await truncate(logFile(), size - 20);
    expect(await log.verify()).toMatchObject({ ok: false, entries: 3, brokenAt: 4, problem: 'unreadable' });
  });

  it('detects an unreadable line and an entry added behind the head', async () => {
    const log = await trail(2);
    const original = await readFile(logFile(), 'utf8');
    await appendFile(logFile(), 'not json at all\n');
    expect(await log.verify()).toMatchObject({ ok: false, entries: 5, brokenAt: 5, problem: 'unreadable' });

    // A well-formed, well-chained entry the head never recorded.
    const last = original.trimEnd().split('\n').at(-1)!;
    const forged = JSON.stringify({ seq: 5, prev: sha256(last), type: 'intent', id: 'forged', at: new Date(T0).toISOString(), ...intent });
    await writeFile(logFile(), `${original}${forged}\n`);
    expect(await log.verify()).toMatchObject({ ok: false, entries: 5, brokenAt: 5, problem: 'extra' });
  });

  it('detects a head that does not match: edited, missing, unreadable', async () => {
    const log = await trail(2);
    const good = await head();
    await writeFile(headFile(), JSON.stringify({ ...good, entries: 3 }));
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 4, problem: 'extra' });
    await writeFile(headFile(), JSON.stringify({ ...good, lastHash: 'f'.repeat(64) }));
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 4, problem: 'changed' });
    await writeFile(headFile(), '{oops');
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 5, problem: 'head_missing' });
    await unlink(headFile());
    expect(await log.verify()).toMatchObject({ ok: false, entries: 4, brokenAt: 5, problem: 'head_missing' });
  });

  it('keeps a lost head visible after the next append', async () => {
    const log = await trail(2);
    await unlink(headFile());
    const id = await log.recordIntent(intent);
    // The chain goes on from the log as it was found...
    expect(JSON.parse((await lines()).at(-1)!)).toMatchObject({ seq: 5, id });
    // ...and the trail still says it cannot vouch for what came before.
    expect(await log.verify()).toMatchObject({ ok: false, entries: 5, brokenAt: 5, problem: 'head_missing' });
    expect((await log.entries())[0]?.id).toBe(id);
  });

  it('chains on from the head, never from a shortened log: the break stays visible', async () => {
    const log = await trail(2);
    const written = await lines();
    await writeFile(logFile(), written.slice(0, 2).join('\n') + '\n');
    await log.recordIntent(intent);
    expect(JSON.parse((await lines()).at(-1)!)).toMatchObject({ seq: 5 });
    expect(await log.verify()).toMatchObject({ ok: false, entries: 3, brokenAt: 3, problem: 'sequence' });
  });

  it('skips a corrupt line when reading, counts it, and appends after it on a fresh line', async () => {
    const log = await trail(1);
    await appendFile(logFile(), '{"type":"outcome","id":"x","at":"2025-03-09T13:2');
    now = T0 + 5000;
    const id = await log.recordIntent({ ...intent, customerId: '70022' });
    const readout = await log.read();
    expect(readout.skippedLines).toBe(1);
    expect(readout.entries.map((e) => e.id)[0]).toBe(id);
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 3, problem: 'unreadable' });
  });
});

describe('AuditLog after a crash', () => {
  /** What a crash leaves: the pending head written, and `part` of the next line (1 = all of it). */
  async function crashMidAppend(part: number): Promise<AuditLog> {
    const log = await trail(1);
    const before = await head();
    const line = JSON.stringify({ seq: 3, prev: before.lastHash, type: 'intent', id: 'crashed', at: new Date(T0).toISOString(), ...intent });
    const text = `${line}\n`;
    const pending = { entries: 3, lastHash: sha256(line), bytes: before.bytes + Buffer.byteLength(text) };
    await writeFile(headFile(), JSON.stringify({ ...before, pending }));
    await appendFile(logFile(), text.slice(0, Math.floor(text.length * part)));
    return log;
  }

  it('a line half written is no tampering, and the next append cuts it back', async () => {
    const log = await crashMidAppend(0.5);
    expect(await log.verify()).toEqual({ ok: true, entries: 2 });
    const id = await log.recordIntent({ ...intent, customerId: '70022' });
    expect((await lines()).map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 2, 3]);
    expect(JSON.parse((await lines())[2]!)).toMatchObject({ id });
    expect(await log.verify()).toEqual({ ok: true, entries: 3 });
  });

  it('a line written before the head caught up counts, and the chain goes on from it', async () => {
    const log = await crashMidAppend(1);
    expect(await log.verify()).toEqual({ ok: true, entries: 3 });
    expect((await log.entries()).map((e) => e.id)).toContain('crashed');
    await log.recordIntent({ ...intent, customerId: '70022' });
    expect(await log.verify()).toEqual({ ok: true, entries: 4 });
    expect(await head()).not.toHaveProperty('pending');
  });
});

describe('AuditLog across processes', () => {
  const WRITER = fileURLToPath(new URL('./audit-writer.ts', import.meta.url));

  function writer(tag: string, count: number) {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, String(count), tag], { stdio: ['pipe', 'pipe', 'inherit'] });
    const out = createInterface({ input: child.stdout });
    const said = (word: string) =>
      new Promise<void>((resolve, reject) => {
        out.on('line', (l) => l === word && resolve());
        child.once('exit', (code) => reject(new Error(`writer ${tag} exited ${code} before "${word}"`)));
      });
    return { child, ready: said('ready'), done: said('done') };
  }

  it('two processes appending at once neither interleave bytes nor fork the chain', async () => {
    const count = 15;
    const a = writer('a', count);
    const b = writer('b', count);
    await Promise.all([a.ready, b.ready]);
    a.child.stdin.end('go\n');
    b.child.stdin.end('go\n');
    // This process appends meanwhile too, as the app would.
    const log = new AuditLog(dir);
    for (let i = 0; i < 5; i++) await log.recordIntent({ ...intent, customerId: `c${i}` });
    await Promise.all([a.done, b.done]);

    const written = await lines();
    expect(written).toHaveLength(4 * count + 5);
    for (const line of written) expect(() => JSON.parse(line)).not.toThrow();
    expect(await log.verify()).toEqual({ ok: true, entries: 4 * count + 5 });
    const { entries, skippedLines } = await log.read();
    expect(skippedLines).toBe(0);
    expect(entries).toHaveLength(2 * count + 5);
  }, 60_000);
});
