// The prompts of `force-end` and `login` run in-process on a stdin that says it is a terminal
// (TerminalInput): the question on io's stderr, the answer from io's stdin, raw mode for a
// secret and back, Ctrl-C, Ctrl-D and an interrupt at the prompt. companion-terminal.test.ts
// proves the same on a real pseudo-terminal, a process each. Secrets go to the real keychain
// (run under `sh test/with-keyring.sh`) under ids unique to this run, deleted afterwards.

import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorValue } from '../../../shared/errors';
import type { ForceEndResult } from '../../../shared/diyalog';
import { diyalogAccount, icwsAccount } from '../../../main/services/secrets';
import { Keychain, type SecretKind } from '../../../main/store/keychain';
import { cleanEnv, eventually, jsonOf, startCompanion, startDiyalogFixture, TerminalInput } from './cli-harness';
import type { CompanionRun, DiyalogFixture, RunResult } from './cli-harness';

const run = randomUUID().slice(0, 8);
const keychain = new Keychain();
const written: [SecretKind, string][] = [];
let fixture: DiyalogFixture;

beforeAll(async () => {
  fixture = await startDiyalogFixture({ historySize: 20, seed: 93 });
});
afterAll(async () => {
  for (const [kind, account] of written) await keychain.deleteSecret(kind, account);
  await fixture?.close();
});
beforeEach(() => fixture.sim.control.resetCounters());

/** Resolves once the run's stderr (where prompts go) has shown `text`. */
function prompted(companion: CompanionRun, text: string): Promise<true> {
  let shown = '';
  companion.stderr.on('data', (d: string) => (shown += d));
  return eventually(async () => (shown.includes(text) ? true : undefined), `the prompt ${JSON.stringify(text)}`);
}

function expectCancelled(result: RunResult): void {
  expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(1);
  expect(jsonOf<{ error: ErrorValue }>(result).error.code).toBe('cancelled');
}

describe('force-end asks on the terminal', () => {
  async function atPrompt(reason: string) {
    const customer = fixture.idleCustomer();
    const staff = fixture.agents[0]!;
    fixture.sim.control.startSession(customer, staff, 'inbound');
    const keys = new TerminalInput();
    const companion = startCompanion(['force-end', customer, '--staff', staff, '--reason', reason, '--json'], fixture.env, keys);
    await prompted(companion, 'Type "yes" to confirm: ');
    return { customer, staff, keys, companion };
  }

  it('answered "yes": ends the session', async () => {
    const { customer, staff, keys, companion } = await atPrompt(`prompt yes ${run}`);
    keys.type('yes\r');
    const result = await companion.finished;

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Force-end the live-help session of customer ${customer} with staff ${staff}?`);
    expect(jsonOf<ForceEndResult>(result)).toMatchObject({ customerId: customer, staffId: staff, outcome: 'ended' });
    expect(fixture.sim.control.session(customer)).toBeNull();
  });

  it.each<[string, (keys: TerminalInput, companion: CompanionRun) => void]>([
    ['"no"', (keys) => keys.type('no\r')],
    ['Ctrl-C', (keys) => keys.type('\x03')],
    ['Ctrl-D', (keys) => keys.type('\x04')],
    ['an interrupt (SIGINT or SIGTERM)', (_keys, companion) => companion.interrupt()],
  ])('answered with %s: cancelled, nothing sent', async (_what, answer) => {
    const { customer, staff, keys, companion } = await atPrompt(`prompt refused ${run}`);
    answer(keys, companion);
    expectCancelled(await companion.finished);
    expect(fixture.sim.control.requestCount).toBe(0);
    expect(fixture.sim.control.session(customer)).toMatchObject({ helpState: 'onlinehelp_started', staffId: staff });
  });
});

describe('login reads the secret without echo', () => {
  const DIYALOG_URL = 'https://diyalog.bank.test';
  const loginDiyalog = (keyId: string, keys: TerminalInput) => {
    written.push(['diyalog', diyalogAccount(keyId, DIYALOG_URL)]);
    return startCompanion(['login', 'diyalog', '--key-id', keyId, '--diyalog-url', DIYALOG_URL, '--json'], cleanEnv({}), keys);
  };

  it('login diyalog: raw mode from before the prompt until the Enter; Backspace edits; the secret shown nowhere', async () => {
    const keyId = `cli-prompt-${run}`;
    const start = `pr-${randomBytes(6).toString('hex')}`;
    const keys = new TerminalInput();
    const companion = loginDiyalog(keyId, keys);
    await prompted(companion, `Diyalog secret for key id ${keyId}: `);
    expect(keys.raw).toBe(true);
    for (const key of `${start}X\x7fd\r`) keys.type(key);
    const result = await companion.finished;

    expect(result.code, result.stderr).toBe(0);
    expect(jsonOf(result)).toEqual({ stored: true, keyId });
    expect(keys.raw).toBe(false);
    expect(result.stdout + result.stderr).not.toContain(start);
    expect(await keychain.getSecret('diyalog', diyalogAccount(keyId, DIYALOG_URL))).toBe(`${start}d`);
  });

  it.each<[string, (keys: TerminalInput, companion: CompanionRun) => void]>([
    ['Ctrl-C', (keys) => keys.type('half\x03')],
    ['Ctrl-D on an empty line', (keys) => keys.type('\x04')],
    ['the end of input', (keys) => keys.end()],
    ['an interrupt', (keys, companion) => (keys.type('half'), companion.interrupt())],
  ])('login diyalog, %s at the prompt: cancelled, nothing stored, raw mode off', async (what, answer) => {
    const keyId = `cli-prompt-${run}-${what.replace(/\W+/g, '-')}`;
    const keys = new TerminalInput();
    const companion = loginDiyalog(keyId, keys);
    await prompted(companion, 'Diyalog secret');
    answer(keys, companion);
    expectCancelled(await companion.finished);
    expect(keys.raw).toBe(false);
    expect(await keychain.getSecret('diyalog', diyalogAccount(keyId, DIYALOG_URL))).toBeNull();
  });

  it('login icws: stores the typed password under user@host', async () => {
    const userId = `cli.prompt.${run}`;
    const icwsUrl = 'http://127.0.0.1:8019';
    const account = icwsAccount(userId, icwsUrl);
    written.push(['icws', account]);
    const password = `pw-${randomBytes(10).toString('hex')}`;
    const keys = new TerminalInput();
    const companion = startCompanion(['login', 'icws', '--icws-url', icwsUrl, '--icws-user', userId, '--json'], cleanEnv({}), keys);
    await prompted(companion, `ICWS password for ${userId}: `);
    keys.type(`${password}\r`);
    const result = await companion.finished;

    expect(result.code, result.stderr).toBe(0);
    expect(jsonOf(result)).toEqual({ stored: true, account });
    expect(result.stdout + result.stderr).not.toContain(password);
    expect(await keychain.getSecret('icws', account)).toBe(password);
  });
});
