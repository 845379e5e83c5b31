// `companion` at an operator's terminal: the force-end confirmation and the secret prompts of
// `login`, on a real pseudo-terminal (see runOnTerminal). Secrets go to the real OS keychain
// (run under `sh test/with-keyring.sh`) under ids unique to this run, deleted afterwards.

import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorValue } from '../../../shared/errors';
import type { ForceEndResult } from '../../../shared/diyalog';
import type { AuditEntry } from '../../../main/store/audit';
import { diyalogAccount, icwsAccount } from '../../../main/services/secrets';
import { Keychain } from '../../../main/store/keychain';
import type { SecretKind } from '../../../main/store/keychain';
import type { DiyalogSim } from '../../../main/sim/diyalog/server';
import { cleanEnv, okJson, runCompanion, runOnTerminal, startDiyalogFixture, terminalJson } from './cli-harness';
import type { DiyalogFixture, TerminalResult, TerminalRun } from './cli-harness';

const run = randomUUID().slice(0, 8);
const keychain = new Keychain();
const written: [SecretKind, string][] = [];
let fixture: DiyalogFixture;
let sim: DiyalogSim;

beforeAll(async () => {
  fixture = await startDiyalogFixture({ historySize: 20, seed: 91 });
  sim = fixture.sim;
});
afterAll(async () => {
  for (const [kind, account] of written) await keychain.deleteSecret(kind, account);
  await fixture?.close();
});
beforeEach(() => sim.control.resetCounters());

function expectTerminalError(result: TerminalResult, exitCode: number, code: ErrorValue['code']): void {
  expect(result.code, JSON.stringify(result.output)).toBe(exitCode);
  expect(terminalJson<{ error: ErrorValue }>(result).error.code).toBe(code);
}

/** The raw audit file: "unchanged" means not one byte more. */
const auditFile = () => readFile(join(fixture.dataDir, 'audit.jsonl'), 'utf8').catch(() => '');

const CONFIRM = 'Type "yes" to confirm: ';

/** A live session, and a force-end of it started on a terminal, stopped at the confirmation. */
async function forceEndAtPrompt(reason: string) {
  const customer = fixture.idleCustomer();
  const staff = fixture.agents[0]!;
  sim.control.startSession(customer, staff, 'inbound');
  const terminal = runOnTerminal(['force-end', customer, '--staff', staff, '--reason', reason, '--json'], fixture.env);
  await terminal.waitFor(CONFIRM);
  return { customer, staff, terminal };
}

describe('companion force-end on a terminal, without --yes', () => {
  it.each(['yes', 'evet', ' EVET '])('answered %j: ends the session and audits it', async (answer) => {
    const reason = `terminal ${answer.trim()} ${run}`;
    const { customer, staff, terminal } = await forceEndAtPrompt(reason);
    terminal.type(`${answer}\r`);
    const result = await terminal.finished;

    expect(result.code, JSON.stringify(result.output)).toBe(0);
    expect(result.output).toContain(`Force-end the live-help session of customer ${customer} with staff ${staff}?`);
    expect(result.output).toContain(`Reason: ${reason}`);
    expect(terminalJson<ForceEndResult>(result)).toEqual({ customerId: customer, staffId: staff, outcome: 'ended', message: expect.any(String) });
    expect(sim.control.session(customer)).toBeNull();
    expect(sim.control.requests.map((r) => r.path)).toContain('/v1/application/finishonlinehelp');
    const { entries } = okJson<{ entries: AuditEntry[] }>(await runCompanion(['audit', '--json'], fixture.env));
    expect(entries.find((e) => e.reason === reason)).toMatchObject({ actor: sim.staffId, customerId: customer, staffId: staff, outcome: 'ended' });
  });

  it.each<[string, (terminal: TerminalRun) => void]>([
    ['"no"', (t) => t.type('no\r')],
    ['an empty answer', (t) => t.type('\r')],
    ['Ctrl-C', (t) => t.type('\x03')],
    ['Ctrl-D', (t) => t.type('\x04')],
    ['SIGTERM from elsewhere', (t) => t.kill('SIGTERM')],
  ])('answered with %s: exits 1 cancelled, sends nothing, audits nothing', async (_what, answer) => {
    const before = await auditFile();
    const { customer, staff, terminal } = await forceEndAtPrompt(`terminal refused ${run}`);
    answer(terminal);
    const result = await terminal.finished;

    expectTerminalError(result, 1, 'cancelled');
    expect(sim.control.requestCount).toBe(0);
    expect(sim.control.session(customer)).toMatchObject({ helpState: 'onlinehelp_started', staffId: staff });
    expect(await auditFile()).toBe(before);
  });
});

describe('companion login on a terminal', () => {
  // The secret is stored for a key id on one server: the server is named too (nothing is sent to it).
  const DIYALOG_URL = 'https://diyalog.bank.test';
  const account = (keyId: string) => diyalogAccount(keyId, DIYALOG_URL);
  const loginDiyalog = (keyId: string) => {
    written.push(['diyalog', account(keyId)]);
    return runOnTerminal(['login', 'diyalog', '--key-id', keyId, '--diyalog-url', DIYALOG_URL, '--json'], cleanEnv({}));
  };

  /** Types like a person: one key at a time. */
  async function typeAtPrompt(terminal: TerminalRun, prompt: string, keys: string): Promise<TerminalResult> {
    await terminal.waitFor(prompt);
    for (const key of keys) terminal.type(key);
    return terminal.finished;
  }

  it('login diyalog: stores the typed secret in the keychain and never shows it', async () => {
    const keyId = `cli-tty-${run}`;
    const secret = `tty-${randomBytes(12).toString('hex')}`;
    const result = await typeAtPrompt(loginDiyalog(keyId), `Diyalog secret for key id ${keyId}: `, `${secret}\r`);

    expect(result.code, JSON.stringify(result.output)).toBe(0);
    expect(terminalJson(result)).toEqual({ stored: true, keyId });
    expect(result.output).not.toContain(secret);
    expect(result.output).not.toContain(secret.slice(0, 8));
    expect(await keychain.getSecret('diyalog', account(keyId))).toBe(secret);
  });

  it('login diyalog: Backspace edits what was typed', async () => {
    const keyId = `cli-tty-${run}-edit`;
    const start = `ed-${randomBytes(6).toString('hex')}`;
    const result = await typeAtPrompt(loginDiyalog(keyId), 'Diyalog secret', `${start}X\x7fd\r`);

    expect(result.code, JSON.stringify(result.output)).toBe(0);
    expect(result.output).not.toContain(start);
    expect(await keychain.getSecret('diyalog', account(keyId))).toBe(`${start}d`);
  });

  it('login diyalog: Ctrl-C at the prompt exits 1 cancelled and stores nothing', async () => {
    const keyId = `cli-tty-${run}-abort`;
    const result = await typeAtPrompt(loginDiyalog(keyId), 'Diyalog secret', 'half-typed\x03');

    expectTerminalError(result, 1, 'cancelled');
    expect(result.output).not.toContain('half-typed');
    expect(await keychain.getSecret('diyalog', account(keyId))).toBeNull();
  });

  it('login diyalog: SIGTERM while it waits for the secret exits 1 cancelled and stores nothing', async () => {
    const keyId = `cli-tty-${run}-term`;
    const terminal = loginDiyalog(keyId);
    await terminal.waitFor('Diyalog secret');
    terminal.type('half');
    terminal.kill('SIGTERM');
    const result = await terminal.finished;

    expectTerminalError(result, 1, 'cancelled');
    expect(await keychain.getSecret('diyalog', account(keyId))).toBeNull();
  });

  it('login icws: stores the typed password under user@host and never shows it', async () => {
    const userId = `cli.tty.${run}`;
    const icwsUrl = 'http://127.0.0.1:8019';
    const account = icwsAccount(userId, icwsUrl);
    written.push(['icws', account]);
    const password = `pw-${randomBytes(10).toString('hex')}`;
    const terminal = runOnTerminal(['login', 'icws', '--icws-url', icwsUrl, '--icws-user', userId, '--json'], cleanEnv({}));
    const result = await typeAtPrompt(terminal, `ICWS password for ${userId}: `, `${password}\r`);

    expect(result.code, JSON.stringify(result.output)).toBe(0);
    expect(terminalJson(result)).toEqual({ stored: true, account });
    expect(result.output).not.toContain(password);
    expect(await keychain.getSecret('icws', account)).toBe(password);
  });
});
