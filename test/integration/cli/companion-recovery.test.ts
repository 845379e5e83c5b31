// The supervisor's recovery commands as a script sees them, against the Diyalog simulator over
// loopback: `stuck`, `recover`, `force-end` with truthful outcomes, `audit`, `audit verify`,
// `audit reconcile`. In-process (runCli), but the built CLI in a child process for a SIGTERM
// and a kill -9 between the intent and the outcome, and on a pseudo-terminal for a confirmation.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry } from '../../../main/store/audit';
import type { DiyalogSim } from '../../../main/sim/diyalog/server';
import type { StuckSearchResult } from '../../../shared/recovery';
import { expectError, finished, jsonOf, okJson, runCompanion, runOnTerminal, spawnCompanion, startDiyalogFixture, stopWith, tempDir } from './cli-harness';
import type { DiyalogFixture, RunResult } from './cli-harness';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let fixture: DiyalogFixture;
let sim: DiyalogSim;
let env: NodeJS.ProcessEnv;
let agents: string[];

beforeAll(async () => {
  fixture = await startDiyalogFixture({ historySize: 300, seed: 4242 });
  ({ sim, env, agents } = fixture);
});
afterAll(() => fixture?.close());
beforeEach(() => sim.control.resetCounters());

const companion = (...args: string[]) => runCompanion(args, env);
const auditOf = (dataDir = fixture.dataDir) => new AuditLog(dataDir);

/** A crashed agent app: in help with `staffId` since `ago` ms, never ending by itself. */
function crash(ago: number, staffId: string = agents[0]!): { customerId: string; staffId: string } {
  const customerId = fixture.idleCustomer();
  sim.control.crashSession(customerId, staffId, sim.control.serverNow() - ago);
  return { customerId, staffId };
}

/** A data folder of its own, for tests that count or break audit entries. */
async function freshDataDir() {
  const dir = await tempDir('recovery');
  return { ...dir, env: { ...env, COMPANION_DATA_DIR: dir.path } };
}

function exitCode(result: RunResult, code: number): void {
  expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(code);
}

describe('companion stuck', () => {
  it('lists the confirmed sessions oldest first with what was dropped, in the documented shape', async () => {
    const found = [crash(3 * HOUR, agents[1]), crash(9 * HOUR, agents[2]), crash(40 * MINUTE, agents[1])];
    const transferred = crash(2 * HOUR);
    sim.control.transferSession(transferred.customerId, agents[3]!);
    crash(5 * MINUTE);

    const result = okJson<StuckSearchResult>(await companion('stuck', '--json'));
    expect(Object.keys(result).sort()).toEqual(['candidates', 'dropped', 'requests', 'sessions', 'window']);
    expect(Object.keys(result.window).sort()).toEqual(['from', 'to']);
    expect(Object.keys(result.dropped).sort()).toEqual(['ended', 'otherStaff', 'unknown']);
    const ours = result.sessions.filter((s) => found.some((f) => f.customerId === s.customerId));
    expect(ours.map((s) => [s.customerId, s.staffId])).toEqual([found[1]!, found[0]!, found[2]!].map((f) => [f.customerId, f.staffId]));
    for (const s of result.sessions) {
      expect(Object.keys(s).sort()).toEqual(['customerId', 'customerName', 'minutes', 'onlineHelpId', 'staffId', 'staffName', 'startedAt']);
      expect(new Date(s.startedAt).toISOString()).toBe(s.startedAt);
    }
    expect(result.sessions.map((s) => s.startedAt)).toEqual(result.sessions.map((s) => s.startedAt).sort());
    expect(result.sessions.map((s) => s.customerId)).not.toContain(transferred.customerId);
    expect(result.dropped.otherStaff).toBeGreaterThanOrEqual(1);
    expect(result.requests).toBe(sim.control.requestCount);

    const narrow = okJson<StuckSearchResult>(await companion('stuck', '--agent', agents[1]!, '--older-than', '2h', '--json'));
    expect(narrow.sessions.map((s) => s.customerId)).toContain(found[0]!.customerId);
    expect(narrow.sessions.map((s) => s.customerId)).not.toContain(found[2]!.customerId);
    expect(narrow.sessions.every((s) => s.staffId === agents[1])).toBe(true);

    const from = new Date(sim.control.serverNow() - 4 * HOUR).toISOString();
    const to = new Date(sim.control.serverNow()).toISOString();
    const window = okJson<StuckSearchResult>(await companion('stuck', '--from', from, '--to', to, '--customer', found[0]!.customerId, '--json'));
    expect(window.sessions.map((s) => s.customerId)).toEqual([found[0]!.customerId]);
  });

  it('prints a table and a summary for people', async () => {
    const s = crash(4 * HOUR);
    const result = await companion('stuck', '--customer', s.customerId);
    exitCode(result, 0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain(`customer ${s.customerId}`);
    expect(lines[0]).toContain(`staff ${s.staffId}`);
    expect(lines[1]).toMatch(/^1 stuck session among 1 candidate;/);
    // The window searched, and how to look further back.
    expect(lines[2]).toMatch(/^Searched .+ – .+\. To look further back: --since 7d/);
    const tr = await runCompanion(['stuck', '--customer', s.customerId], { ...env, COMPANION_LANG: 'tr' });
    expect(tr.stdout).toContain('takılı oturum');
    expect(tr.stdout).toMatch(/arası arandı\. Daha geriye bakmak için: --since 7d/);
  });

  it('by default searches the last 72 hours: the demo’s session stuck 26–30 h is listed, and the window is in the document', async () => {
    const now = sim.control.serverNow();
    const older = sim.control.crashedSessions().filter((s) => s.startedAt !== null && s.startedAt < now - 24 * HOUR && s.startedAt >= now - 70 * HOUR);
    const weekend = crash(60 * HOUR, agents[2]);
    expect(older.length).toBeGreaterThan(0);
    const result = okJson<StuckSearchResult>(await companion('stuck', '--json'));
    expect(Date.parse(result.window.to) - Date.parse(result.window.from)).toBe(72 * HOUR);
    expect(result.sessions.map((s) => s.customerId)).toEqual(expect.arrayContaining([...older.map((s) => s.customerId), weekend.customerId]));
    const day = okJson<StuckSearchResult>(await companion('stuck', '--since', '24h', '--json'));
    expect(Date.parse(day.window.to) - Date.parse(day.window.from)).toBe(24 * HOUR);
    expect(day.sessions.map((s) => s.customerId)).not.toContain(weekend.customerId);
  });

  it('refuses bad filters with exit 2 before sending anything', async () => {
    for (const args of [
      ['--since', 'yesterday'],
      ['--since', '0h'],
      ['--since', '24h', '--from', '2026-01-01T00:00:00Z', '--to', '2026-01-02T00:00:00Z'],
      ['--from', '2026-01-01T00:00:00Z'],
      ['--older-than', '15x'],
      ['--agent', ''],
      ['--customer', 'a\u202eb'],
    ]) {
      expectError(await companion('stuck', ...args, '--json'), 2, 'invalid_input');
    }
    expect(sim.control.requestCount).toBe(0);
  });
});

describe('companion recover', () => {
  it('refuses without a terminal and without --yes: exit 2, nothing sent, nothing audited', async () => {
    const data = await freshDataDir();
    try {
      const s = crash(3 * HOUR);
      expectError(await runCompanion(['recover', '--reason', 'crash', '--json'], data.env), 2, 'confirmation_required');
      expect(sim.control.requestCount).toBe(0);
      expect(sim.control.session(s.customerId)).not.toBeNull();
      expect(await auditOf(data.path).entries()).toEqual([]);
    } finally {
      await data.remove();
    }
  });

  it('with --yes ends every stuck session, each audited; a session not ended makes it exit 1', async () => {
    const data = await freshDataDir();
    try {
      // A staff number of its own: no seeded session shares it.
      const agent = '49104';
      const sessions = [crash(2 * HOUR, agent), crash(3 * HOUR, agent), crash(4 * HOUR, agent)];
      // One finish answered 500 after it ended the session, one 500 before anything happened.
      sim.control.failNextAfterProcessing(1, '500');
      sim.control.failNext(1, '500', 'finishonlinehelp');
      const result = await runCompanion(['recover', '--agent', agent, '--reason', 'Agent PC crashed', '--yes', '--concurrency', '1', '--json'], data.env);
      exitCode(result, 1);
      const { results } = jsonOf<{ results: { customerId: string; staffId: string; outcome: string; code?: string }[] }>(result);
      expect(results.map((r) => r.customerId).sort()).toEqual(sessions.map((s) => s.customerId).sort());
      for (const r of results) expect(Object.keys(r).every((k) => ['customerId', 'staffId', 'outcome', 'code'].includes(k))).toBe(true);
      // Oldest first: the 4 h one got the 500 before processing, the 3 h one the 500 after.
      expect(results.map((r) => [r.customerId, r.outcome, r.code])).toEqual([
        [sessions[2]!.customerId, 'not_ended', 'server_error'],
        [sessions[1]!.customerId, 'ended', undefined],
        [sessions[0]!.customerId, 'ended', undefined],
      ]);
      expect(sim.control.session(sessions[2]!.customerId)).not.toBeNull();
      const entries = await auditOf(data.path).entries();
      expect(entries).toHaveLength(3);
      expect(entries.find((e) => e.customerId === sessions[1]!.customerId)).toMatchObject({
        outcome: 'ended',
        settledBy: 'check',
        reason: 'Agent PC crashed',
        answer: { outcome: 'unknown', code: 'server_error' },
      });
      expect(entries.every((e) => e.outcome !== 'failed')).toBe(true);

      // The one left: a second run ends it and exits 0.
      const again = await runCompanion(['recover', '--agent', agent, '--reason', 'Agent PC crashed', '--yes', '--json'], data.env);
      exitCode(again, 0);
      expect(jsonOf<{ results: unknown[] }>(again).results).toEqual([{ customerId: sessions[2]!.customerId, staffId: agent, outcome: 'ended' }]);
    } finally {
      await data.remove();
    }
  });

  it('with nothing stuck answers {results: []} and exits 0', async () => {
    const result = await companion('recover', '--customer', fixture.idleCustomer(), '--reason', 'r', '--yes', '--json');
    expect(okJson(result)).toEqual({ results: [] });
  });

  it('on a terminal lists every session in one confirmation, then ends them', async () => {
    const agent = '49105';
    const sessions = [crash(2 * HOUR, agent), crash(5 * HOUR, agent)];
    const terminal = runOnTerminal(['recover', '--agent', agent, '--reason', 'crash\nhidden', '--json'], env);
    await terminal.waitFor('Type "yes" to confirm: ');
    terminal.type('yes\r');
    const result = await terminal.finished;
    expect(result.code, JSON.stringify(result.output)).toBe(0);
    expect(result.output).toContain('Force-end these 2 sessions?');
    for (const s of sessions) expect(result.output).toContain(`customer ${s.customerId}`);
    // The reason shown escaped: its newline cannot draw a line of its own.
    expect(result.output).toContain('Reason: crash\\nhidden');
    // The document follows the progress line the terminal cleared (\r): take it from where it starts.
    const document = /\{"results".*\}/.exec(result.output)?.[0] ?? '{}';
    expect((JSON.parse(document) as { results: { outcome: string }[] }).results.map((r) => r.outcome)).toEqual(['ended', 'ended']);
  });
});

describe('companion force-end', () => {
  it('refuses without --yes when there is no terminal: exit 2, nothing sent, nothing audited', async () => {
    const s = crash(HOUR);
    const before = await auditOf().entries();
    expectError(await companion('force-end', s.customerId, '--staff', s.staffId, '--reason', 'agent app crashed', '--json'), 2, 'confirmation_required');
    expect(sim.control.requestCount).toBe(0);
    expect(await auditOf().entries()).toEqual(before);
  });

  it('ended: exit 0 and {customerId, staffId, outcome, message}; intent and answer on disk', async () => {
    const s = crash(HOUR);
    const reason = `crash ticket ${Date.now()}`;
    const result = okJson(await companion('force-end', s.customerId, '--staff', s.staffId, '--reason', reason, '--yes', '--json'));
    expect(result).toEqual({ ...s, outcome: 'ended', message: expect.any(String) });
    expect(sim.control.session(s.customerId)).toBeNull();
    expect(sim.control.requests.map((r) => [r.path, r.requester])).toContainEqual(['/v1/application/finishonlinehelp', sim.staffId]);
    const entry = (await auditOf().entries()).find((e) => e.reason === reason)!;
    expect(entry).toMatchObject({ actor: sim.staffId, ...s, outcome: 'ended', settledBy: 'answer' });
    const lines = (await readFile(join(fixture.dataDir, 'audit.jsonl'), 'utf8')).split('\n').filter((l) => l.includes(entry.id));
    expect(lines.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['intent', 'outcome']);
  });

  it('no conversation on the first try: exit 1 with the outcome document, audited as no_conversation', async () => {
    const customerId = fixture.idleCustomer();
    const reason = `no such session ${Date.now()}`;
    const result = await companion('force-end', customerId, '--staff', agents[0]!, '--reason', reason, '--yes', '--json');
    exitCode(result, 1);
    expect(jsonOf(result)).toEqual({ customerId, staffId: agents[0], outcome: 'no_conversation', message: expect.any(String), code: 'no_conversation' });
    expect((await auditOf().entries()).find((e) => e.reason === reason)).toMatchObject({ outcome: 'no_conversation' });
  });

  it('a 500 after the server ended it: exit 0, ended (settled by check), never failed', async () => {
    const s = crash(HOUR);
    sim.control.failNextAfterProcessing(1, '500');
    const reason = `five hundred ${Date.now()}`;
    const result = okJson<{ outcome: string; message: string }>(await companion('force-end', s.customerId, '--staff', s.staffId, '--reason', reason, '--yes', '--json'));
    expect(result.outcome).toBe('ended');
    expect(result).not.toHaveProperty('code');
    expect((await auditOf().entries()).find((e) => e.reason === reason)).toMatchObject({ outcome: 'ended', settledBy: 'check', answer: { outcome: 'unknown', code: 'server_error' } });
  });

  it('failed when the server proves nothing happened: a wrong secret, exit 1', async () => {
    const s = crash(HOUR);
    const result = await runCompanion(['force-end', s.customerId, '--staff', s.staffId, '--reason', 'r', '--yes', '--json'], { ...env, COMPANION_DIYALOG_SECRET: 'wrong-secret' });
    exitCode(result, 1);
    expect(jsonOf(result)).toMatchObject({ outcome: 'failed', code: 'auth_failed' });
    expect(sim.control.session(s.customerId)).not.toBeNull();
  });

  it('SIGTERM while the call is in flight: unknown, settled before exiting, the document printed', async () => {
    const s = crash(HOUR);
    const held = sim.control.holdNext('finishonlinehelp');
    const child = spawnCompanion(['force-end', s.customerId, '--staff', s.staffId, '--reason', 'sigterm', '--yes', '--json'], env);
    const done = finished(child);
    await held.arrived;
    child.kill('SIGTERM');
    const result = await done;
    held.release();
    // The server had not acted when the state was checked: not ended, and said so.
    exitCode(result, 1);
    expect(jsonOf(result)).toMatchObject({ ...s, outcome: 'not_ended', code: 'cancelled' });
    expect((await auditOf().entries()).find((e) => e.reason === 'sigterm')).toMatchObject({
      outcome: 'not_ended',
      settledBy: 'check',
      answer: { outcome: 'unknown', code: 'cancelled' },
    });
  });

  it('exits 2 on bad input before anything is sent or audited', async () => {
    const before = await auditOf().entries();
    const results = await Promise.all([
      companion('force-end', '70022', '--reason', 'r', '--yes', '--json'),
      companion('force-end', '70022', '--staff', '45001', '--yes', '--json'),
      companion('force-end', 'x'.repeat(65), '--staff', '45001', '--reason', 'r', '--yes', '--json'),
      companion('force-end', '70022', '--staff', '45001', '--reason', 'r'.repeat(501), '--yes', '--json'),
      companion('force-end', '70022', '--staff', '45001', '--reason', 'bell \x07', '--yes', '--json'),
    ]);
    for (const result of results) expectError(result, 2, 'invalid_input');
    expect(sim.control.requestCount).toBe(0);
    expect(await auditOf().entries()).toEqual(before);
  });
});

describe('kill -9 between the intent and the outcome', () => {
  it('leaves an intent without outcome, settled by the next recovery command or by `audit reconcile`', async () => {
    const data = await freshDataDir();
    /** A force-end killed while its call is held at the server; `serve` lets the server act on it afterwards. */
    const killedForceEnd = async (s: { customerId: string; staffId: string }, serve: boolean) => {
      const held = sim.control.holdNext('finishonlinehelp');
      const child = spawnCompanion(['force-end', s.customerId, '--staff', s.staffId, '--reason', 'killed', '--yes', '--json'], data.env);
      await held.arrived;
      expect((await auditOf(data.path).unsettled()).map((e) => e.customerId)).toContain(s.customerId);
      expect(await stopWith(child, 'SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      if (serve) {
        held.release();
        await eventually(() => sim.control.session(s.customerId) === null);
      }
    };
    try {
      const served = crash(HOUR);
      await killedForceEnd(served, true);
      const only = okJson<{ entries: AuditEntry[] }>(await runCompanion(['audit', '--json'], data.env)).entries;
      expect(only).toEqual([expect.objectContaining({ customerId: served.customerId, outcome: 'unknown' })]);
      expect(only[0]).not.toHaveProperty('answer');
      expect(okJson(await runCompanion(['audit', 'verify', '--json'], data.env))).toEqual({ ok: true, entries: 1 });

      // The next recovery command (this force-end) settles it on its way, then is killed in turn,
      // before the server saw its own call.
      const untouched = crash(HOUR);
      await killedForceEnd(untouched, false);
      const entries = await auditOf(data.path).entries();
      expect(entries.find((e) => e.customerId === served.customerId)).toMatchObject({ outcome: 'ended', settledBy: 'check', check: { isInHelp: false } });
      expect(entries.find((e) => e.customerId === untouched.customerId)).toMatchObject({ outcome: 'unknown' });

      const reconciled = await runCompanion(['audit', 'reconcile', '--json'], data.env);
      exitCode(reconciled, 0);
      expect(jsonOf(reconciled)).toEqual({
        checked: 1,
        settled: [{ id: expect.any(String), customerId: untouched.customerId, staffId: untouched.staffId, outcome: 'not_ended' }],
        stillUnknown: 0,
      });
      const { entries: after } = okJson<{ entries: AuditEntry[] }>(await runCompanion(['audit', '--json'], data.env));
      expect(after.map((e) => [e.customerId, e.outcome, e.settledBy])).toEqual([
        [untouched.customerId, 'not_ended', 'check'],
        [served.customerId, 'ended', 'check'],
      ]);
      expect((await runCompanion(['audit'], data.env)).stdout).toContain('Not ended (settled by check; no answer was recorded)');
      expect(okJson(await runCompanion(['audit', 'verify', '--json'], data.env))).toEqual({ ok: true, entries: 4 });
      expect(okJson(await runCompanion(['audit', 'reconcile', '--json'], data.env))).toEqual({ checked: 0, settled: [], stillUnknown: 0 });
      expect(sim.control.session(untouched.customerId)).not.toBeNull();
    } finally {
      await data.remove();
    }
  });
});

describe('companion audit', () => {
  it('answers {entries: []} for a fresh data folder, then the settled outcome of each force-end', async () => {
    const data = await freshDataDir();
    try {
      expect(okJson(await runCompanion(['audit', '--json'], data.env))).toEqual({ entries: [] });
      for (const reason of ['first', 'second']) {
        await runCompanion(['force-end', fixture.idleCustomer(), '--staff', agents[0]!, '--reason', reason, '--yes', '--json'], data.env);
      }
      const { entries } = okJson<{ entries: AuditEntry[] }>(await runCompanion(['audit', '--json'], data.env));
      expect(entries.map((e) => [e.reason, e.outcome, e.actor])).toEqual([
        ['second', 'no_conversation', sim.staffId],
        ['first', 'no_conversation', sim.staffId],
      ]);
    } finally {
      await data.remove();
    }
  });

  it('shows stored values escaped: a reason cannot forge a line or reach the terminal as an escape', async () => {
    const data = await freshDataDir();
    try {
      // Written straight to the log by something else, past every input rule.
      const line = JSON.stringify({
        seq: 1,
        prev: '0'.repeat(64),
        type: 'intent',
        id: 'raw',
        at: '2026-01-01T00:00:00.000Z',
        actor: '45186',
        customerId: '70022',
        staffId: '45001',
        reason: 'ok\n2026-01-01T00:00:00Z  45186  forged line \x1b[2J\x1b]0;t\x07',
      });
      await writeFile(join(data.path, 'audit.jsonl'), `${line}\n`);
      const result = await runCompanion(['audit'], data.env);
      exitCode(result, 0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('ok\\n2026-01-01T00:00:00Z  45186  forged line \\x1b[2J\\x1b]0;t\\x07');
      expect(result.stdout).not.toContain('\x1b');
    } finally {
      await data.remove();
    }
  });
});

describe('companion audit verify', () => {
  it('exit 0 with {ok, entries} for a whole trail; exit 1 naming where an edited one breaks', async () => {
    const data = await freshDataDir();
    try {
      expect(okJson(await runCompanion(['audit', 'verify', '--json'], data.env))).toEqual({ ok: true, entries: 0 });
      for (let i = 0; i < 2; i++) {
        const s = crash(HOUR);
        okJson(await runCompanion(['force-end', s.customerId, '--staff', s.staffId, '--reason', `verify ${i}`, '--yes', '--json'], data.env));
      }
      expect(okJson(await runCompanion(['audit', 'verify', '--json'], data.env))).toEqual({ ok: true, entries: 4 });
      expect((await runCompanion(['audit', 'verify'], data.env)).stdout).toContain('The audit trail holds: 4 entries');

      const file = join(data.path, 'audit.jsonl');
      const original = await readFile(file, 'utf8');
      await writeFile(file, original.replace('"outcome":"ended"', '"outcome":"failed"'));
      const broken = await runCompanion(['audit', 'verify', '--json'], data.env);
      exitCode(broken, 1);
      expect(jsonOf(broken)).toEqual({ ok: false, entries: 4, brokenAt: 2, reason: expect.stringContaining('Entry 2 was changed') });
      const tr = await runCompanion(['audit', 'verify'], { ...data.env, COMPANION_LANG: 'tr' });
      exitCode(tr, 1);
      expect(tr.stdout).toContain('2. kayıt yazıldıktan sonra değiştirilmiş');

      await writeFile(file, original.split('\n').slice(0, 2).join('\n') + '\n');
      expect(jsonOf(await runCompanion(['audit', 'verify', '--json'], data.env))).toMatchObject({ ok: false, entries: 2, brokenAt: 3 });
    } finally {
      await data.remove();
    }
  });
});

/** Polls a condition the simulator makes true on its own event loop turn. */
async function eventually(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
