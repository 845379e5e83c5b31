import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_FILE, AuditLog, type AuditIntent } from '../../../main/store/audit';
import { AppError } from '../../../shared/errors';

const T0 = Date.UTC(2025, 2, 9, 13, 28, 32, 123);
const intent: AuditIntent = { actor: '45186', customerId: '2337368', staffId: '45187', reason: 'Agent app crashed; customer stuck in help.' };

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

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
}

describe('AuditLog', () => {
  it('folds an intent and its outcome into one entry', async () => {
    const log = new AuditLog(dir, clock);
    const id = await log.recordIntent(intent);
    now = T0 + 1500;
    await log.recordOutcome(id, { outcome: 'failed', code: 'unavailable', message: 'Diyalog did not answer.' });
    expect(await log.entries()).toEqual([
      {
        id,
        at: new Date(T0).toISOString(),
        ...intent,
        outcome: 'failed',
        outcomeAt: new Date(T0 + 1500).toISOString(),
        code: 'unavailable',
        message: 'Diyalog did not answer.',
      },
    ]);
    // Another instance over the same folder (the next launch) reads the same trail.
    expect(await new AuditLog(dir).entries()).toHaveLength(1);
  });

  it('shows an intent without an outcome as unknown', async () => {
    const log = new AuditLog(dir, clock);
    const id = await log.recordIntent(intent);
    const [entry] = await log.entries();
    expect(entry).toEqual({ id, at: new Date(T0).toISOString(), ...intent, outcome: 'unknown' });
    expect(entry).not.toHaveProperty('outcomeAt');
  });

  it('has the line on disk when recordIntent resolves', async () => {
    const log = new AuditLog(dir, clock);
    const id = await log.recordIntent(intent);
    const [line] = await lines(join(dir, AUDIT_FILE));
    expect(JSON.parse(line ?? '')).toMatchObject({ type: 'intent', id, ...intent });
  });

  it('lists newest first, a later outcome superseding an earlier one', async () => {
    const log = new AuditLog(dir, clock);
    const first = await log.recordIntent(intent);
    now = T0 + 60_000;
    const second = await log.recordIntent({ ...intent, customerId: '7403713' });
    await log.recordOutcome(second, { outcome: 'failed', code: 'unavailable' });
    await log.recordOutcome(second, { outcome: 'already_ended', message: 'No conversation.' });
    await log.recordOutcome(first, { outcome: 'ended', message: 'Finished.' });
    const entries = await log.entries();
    expect(entries.map((e) => [e.id, e.outcome])).toEqual([
      [second, 'already_ended'],
      [first, 'ended'],
    ]);
    expect(entries[0]).not.toHaveProperty('code');
  });

  it('creates the folder when needed and the file with mode 0600', async () => {
    const nested = join(dir, 'a', 'b');
    const log = new AuditLog(nested, clock);
    await log.recordIntent(intent);
    expect((await stat(join(nested, AUDIT_FILE))).mode & 0o777).toBe(0o600);
  });

  it('keeps concurrent appends whole: every line valid JSON, every entry present', async () => {
    const log = new AuditLog(dir, clock);
    const reasons = Array.from({ length: 40 }, (_, i) => `${'x'.repeat(400)} ${i}`);
    const ids = await Promise.all(reasons.map((reason, i) => log.recordIntent({ ...intent, customerId: String(1000 + i), reason })));
    await Promise.all(ids.map((id, i) => log.recordOutcome(id, { outcome: i % 2 ? 'ended' : 'failed', message: 'm'.repeat(300) })));
    const written = await lines(join(dir, AUDIT_FILE));
    expect(written).toHaveLength(80);
    for (const line of written) expect(() => JSON.parse(line)).not.toThrow();
    const { entries, skippedLines } = await log.read();
    expect(skippedLines).toBe(0);
    expect(new Set(entries.map((e) => e.id))).toEqual(new Set(ids));
    expect(entries.every((e) => e.outcome !== 'unknown')).toBe(true);
  });

  it('skips a torn last line and a corrupt line, counts them, and appends after them cleanly', async () => {
    const log = new AuditLog(dir, clock);
    const file = join(dir, AUDIT_FILE);
    const first = await log.recordIntent(intent);
    await appendFile(file, 'not json at all\n{"type":"outcome","id":"nobody","at":"x","outcome":"ended"}\n');
    now = T0 + 1000;
    const second = await log.recordIntent({ ...intent, customerId: '70022' });
    // A crash in the middle of writing an outcome line.
    await appendFile(file, `{"type":"outcome","id":"${second}","at":"2025-03-09T13:2`);
    let readout = await log.read();
    expect(readout.entries.map((e) => [e.id, e.outcome])).toEqual([
      [second, 'unknown'],
      [first, 'unknown'],
    ]);
    expect(readout.skippedLines).toBe(3);

    await log.recordOutcome(second, { outcome: 'ended' });
    readout = await log.read();
    expect(readout.entries.map((e) => [e.id, e.outcome])).toEqual([
      [second, 'ended'],
      [first, 'unknown'],
    ]);
    expect(readout.skippedLines).toBe(3);
    expect(await log.entries()).toEqual(readout.entries);
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
    await expect(stat(join(dir, AUDIT_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await log.entries()).toEqual([]);
    // The limits themselves are accepted.
    await log.recordIntent({ ...intent, customerId: '9'.repeat(64), reason: 'r'.repeat(500) });
    expect(await log.entries()).toHaveLength(1);
  });

  it('reads an empty trail when there is no file yet', async () => {
    expect(await new AuditLog(join(dir, 'missing')).read()).toEqual({ entries: [], skippedLines: 0 });
  });
});
