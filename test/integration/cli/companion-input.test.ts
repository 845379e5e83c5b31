// `companion` (in-process, runCli) for input that can't lie (issue 9): every bad flag
// value is exit 2 with a usage line (never `internal`), field errors speak the operator's
// language, and stored values print escaped so a line cannot be forged. Nothing here needs
// a server: each refusal comes before one would be contacted.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../main/store/audit';
import { cleanEnv, expectError, runCompanion, tempDir } from './cli-harness';

let dataDir: { path: string; remove: () => Promise<void> };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dataDir = await tempDir('input');
  env = cleanEnv({ COMPANION_DATA_DIR: dataDir.path, COMPANION_LANG: 'en' });
});

afterAll(async () => {
  await dataDir.remove();
});

const companion = (args: string[], extra: Record<string, string> = {}) => runCompanion(args, { ...env, ...extra });

describe('bad flag values: exit 2 with the usage, never internal', () => {
  it.each([
    [['start', '--browser', '--port', 'abc'], 'companion start'],
    [['start', '--browser', '--port', '70000'], 'companion start'],
    [['start', '--browser', '--port='], 'companion start'],
    [['start', '--browser', '--port', '80.5'], 'companion start'],
    [['sim', '--diyalog-port', 'x'], 'companion sim'],
    [['sim', '--latency-ms', '0x10'], 'companion sim'],
    [['sim', '--failure-rate', '2'], 'companion sim'],
    [['history', '--from', '1', '--to', '2', '--concurrency', 'abc'], 'companion history'],
    [['history', '--from', '1', '--to', '2', '--concurrency', '17'], 'companion history'],
    [['history', '--from', 'tomorrow 3', '--to', '2'], 'companion history'],
  ])('%j', async (args, usage) => {
    const error = expectError(await companion([...args, '--json']), 2, 'invalid_input');
    expect(error.message).toContain(`\nUsage: ${usage}`);
  });

  it('on stderr without --json, nothing on stdout', async () => {
    const result = await companion(['start', '--browser', '--port', 'abc']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'companion: The input was not accepted: Invalid --port: Must be a number.\nUsage: companion start [--browser] [--port P] [invalid_input]\n',
    );
  });

  it('in Turkish for a Turkish operator', async () => {
    const error = expectError(await companion(['start', '--browser', '--port', '70000', '--json'], { COMPANION_LANG: 'tr' }), 2, 'invalid_input');
    expect(error.message).toBe('Geçersiz --port: 0 ile 65535 arasında olmalı.\nKullanım: companion start [--browser] [--port P]');
  });
});

describe('usage', () => {
  it('the list of commands: exit 2 with none given, 0 with --help', async () => {
    const [none, help] = await Promise.all([companion([]), companion(['--help'])]);
    expect(none).toMatchObject({ code: 2, stderr: '' });
    expect(help.code).toBe(0);
    for (const { stdout } of [none, help]) expect(stdout).toMatch(/^Usage: companion <command>[\s\S]*--diyalog-url or COMPANION_DIYALOG_URL/);
  });

  it("a command's --help: its usage and summary, exit 0; an unknown flag: exit 2 with that usage", async () => {
    const help = await companion(['history', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: companion history --from .*\nEvery help record/);
    const error = expectError(await companion(['help-state', '70022', '--bogus', '--json']), 2, 'invalid_input');
    expect(error.message).toContain('\nUsage: companion help-state <customerId>');
  });
});

describe('ids that would lie are refused, in the operator’s language', () => {
  it.each([
    ['12\u202E34', 'U+202E'],
    ['12\u200B34', 'U+200B'],
    ['\uFEFF1234', 'U+FEFF'],
    ['1234\u2028', 'U+2028'],
    ['\u001b[31m1234', 'U+001B'],
  ])('%j', async (id, codePoint) => {
    const [english, turkish] = await Promise.all([
      companion(['help-state', id, '--json']),
      companion(['help-state', id, '--json'], { COMPANION_LANG: 'tr' }),
    ]);
    expect(expectError(english, 2, 'invalid_input').message).toMatch(new RegExp(`^Invalid customer id: .*\\(${codePoint.replace('+', '\\+')}\\)\\.$`));
    expect(expectError(turkish, 2, 'invalid_input').message).toMatch(new RegExp(`^Geçersiz müşteri numarası: .*\\(${codePoint.replace('+', '\\+')}\\)\\.$`));
    // The character itself is echoed nowhere.
    const raw = id.replace(/[0-9[m]/g, '');
    for (const out of [english.stdout, english.stderr, turkish.stdout, turkish.stderr]) expect(out).not.toContain(raw);
  });
});

describe('stored values print escaped', () => {
  it('a reason with a line break stays on its audit line', async () => {
    const log = new AuditLog(dataDir.path);
    await log.recordIntent({
      actor: '45186',
      customerId: '70022',
      staffId: '45001',
      reason: 'crashed\n2030-01-01T00:00:00.000Z  99999  customer 1  staff 2  ended  forged',
    });
    const result = await companion(['audit']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('crashed\\n2030-01-01T00:00:00.000Z  99999');
    // --json keeps the exact value.
    const json = await companion(['audit', '--json']);
    const { entries } = JSON.parse(json.stdout) as { entries: { reason: string }[] };
    expect(entries[0]?.reason).toContain('crashed\n2030');
  });
});
