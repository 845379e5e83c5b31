// The `companion` Diyalog commands as a script sees them, against the Diyalog simulator over
// loopback: exit codes and --json shapes are the contract. In-process (runCli), but for the
// usage, whose exit codes and closed pipe go through the built entry in a child process.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HelpStateAnswer } from '../../../shared/diyalog';
import type { DiyalogSim } from '../../../main/sim/diyalog/server';
import { cleanEnv, closedPort, expectError, finished, okJson, runCompanion, runCompanionProcess, spawnCompanion, startDiyalogFixture } from './cli-harness';
import type { DiyalogFixture } from './cli-harness';

let fixture: DiyalogFixture;
let sim: DiyalogSim;
let env: NodeJS.ProcessEnv;
let agents: string[];

beforeAll(async () => {
  fixture = await startDiyalogFixture({ historySize: 50, seed: 77 });
  ({ sim, env, agents } = fixture);
});
afterAll(() => fixture?.close());
beforeEach(() => sim.control.resetCounters());

const idleCustomer = () => fixture.idleCustomer();
const companion = (...args: string[]) => runCompanion(args, env);

describe('companion help-state', () => {
  it('answers {customerId, isInHelp, helpType, staffId} for a customer in help and one not', async () => {
    const customer = idleCustomer();
    const staff = agents[0]!;
    expect(okJson<HelpStateAnswer>(await companion('help-state', customer, '--json'))).toEqual({
      customerId: customer, isInHelp: false, helpType: null, staffId: null,
    });
    sim.control.startSession(customer, staff, 'outbound');
    expect(okJson<HelpStateAnswer>(await companion('help-state', customer, '--json'))).toEqual({
      customerId: customer, isInHelp: true, helpType: 'outbound', staffId: staff,
    });
    expect(sim.control.requests.map((r) => [r.path, r.status, r.requester])).toEqual([
      ['/v1/application/iscustomerinonlinehelp', 200, sim.staffId],
      ['/v1/application/iscustomerinonlinehelp', 200, sim.staffId],
    ]);
  });

  it('takes the configuration from flags as well as from the environment', async () => {
    const customer = idleCustomer();
    const bare = cleanEnv({ COMPANION_DIYALOG_SECRET: sim.credentials.secret });
    const result = await runCompanion(
      ['help-state', customer, '--json', '--diyalog-url', sim.url, '--key-id', sim.credentials.keyId, '--staff-id', '45999', '--data-dir', fixture.dataDir],
      bare,
    );
    expect(okJson<HelpStateAnswer>(result)).toMatchObject({ customerId: customer, isInHelp: false });
    expect(sim.control.requests.map((r) => r.requester)).toEqual(['45999']);
  });

  it('prints a sentence without --json', async () => {
    const customer = idleCustomer();
    const result = await companion('help-state', customer);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(customer);
    expect(() => JSON.parse(result.stdout) as unknown).toThrow();
  });

  it('exits 1 with customer_not_found for a customer Diyalog does not know', async () => {
    expectError(await companion('help-state', '99999999999', '--json'), 1, 'customer_not_found');
  });

  it('exits 2 on a bad customer id and sends nothing', async () => {
    const results = await Promise.all([
      companion('help-state', 'x'.repeat(65), '--json'),
      companion('help-state', 'bad\u0007id', '--json'),
      companion('help-state', '--json'),
      companion('help-state', 'a', 'b', '--json'),
      companion('help-state', '70022', '--no-such-flag', '--json'),
    ]);
    for (const result of results) expectError(result, 2, 'invalid_input');
    expect(sim.control.requestCount).toBe(0);
  });

  it('without --json reports an error on stderr, naming its code, and nothing on stdout', async () => {
    const result = await companion('help-state', 'x'.repeat(65));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^companion: .+ \[invalid_input\]\n$/);
  });

  it('exits 3 with auth_failed on a wrong secret, without the secret in the output', async () => {
    const wrong = 'wrong-secret-value-1234';
    const result = await runCompanion(['help-state', idleCustomer(), '--json'], { ...env, COMPANION_DIYALOG_SECRET: wrong });
    expectError(result, 3, 'auth_failed');
    expect(result.stdout + result.stderr).not.toContain(wrong);
    // Each way of signing once (both forms × both algorithms), then no more.
    expect(sim.control.requests.map((r) => r.status)).toEqual([401, 401, 401, 401]);
  });

  it('exits 3 with missing_credentials when no Diyalog URL is configured', async () => {
    const { COMPANION_DIYALOG_URL: _url, ...rest } = env;
    const error = expectError(await runCompanion(['help-state', '70022', '--json'], rest), 3, 'missing_credentials');
    expect(error.message).toContain('COMPANION_DIYALOG_URL');
  });

  it('speaks Turkish to a Turkish terminal, and English otherwise', async () => {
    const customer = idleCustomer();
    const turkish = await runCompanion(['help-state', customer], { ...env, LANG: 'tr_TR.UTF-8' });
    expect(turkish.stdout).toContain(`Müşteri ${customer} canlı yardımda değil.`);
    const chosen = await runCompanion(['help-state', customer], { ...env, LANG: 'en_US.UTF-8', COMPANION_LANG: 'tr' });
    expect(chosen.stdout).toContain('canlı yardımda değil');
    const english = await runCompanion(['help-state', customer], { ...env, LANG: 'C.UTF-8' });
    expect(english.stdout).toContain(`Customer ${customer} is not in live help.`);
    const refused = await runCompanion(['help-state', ''], { ...env, COMPANION_LANG: 'tr' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Girilen değer kabul edilmedi');
    expect(refused.stderr).toContain('[invalid_input]');
  });

  it('refuses a bad id with exit 2 before looking for credentials', async () => {
    const { COMPANION_DIYALOG_SECRET: _secret, ...rest } = env;
    expectError(await runCompanion(['help-state', 'a\tb', '--json'], { ...rest, COMPANION_DIYALOG_KEY_ID: 'no-such-key-in-keychain' }), 2, 'invalid_input');
    expect(sim.control.requestCount).toBe(0);
  });

  it('exits 4 with unavailable when nothing listens at the URL', async () => {
    const port = await closedPort();
    const result = await runCompanion(['help-state', '70022', '--json'], { ...env, COMPANION_DIYALOG_URL: `http://127.0.0.1:${port}` });
    expectError(result, 4, 'unavailable');
  });

  it('retries 500s, then exits 4 with server_error', async () => {
    sim.control.failNext(3, '500');
    expectError(await companion('help-state', idleCustomer(), '--json'), 4, 'server_error');
    expect(sim.control.requests.map((r) => r.status)).toEqual([500, 500, 500]);
  });

  it('recovers when a retry succeeds', async () => {
    sim.control.failNext(2, '500');
    expect(okJson<HelpStateAnswer>(await companion('help-state', idleCustomer(), '--json')).isInHelp).toBe(false);
    expect(sim.control.requests.map((r) => r.status)).toEqual([500, 500, 200]);
  });
});

describe('companion usage, through the built entry', () => {
  it('exits 2 on an unknown command or none, and 0 on --help', async () => {
    const [unknown, none, help] = await Promise.all([
      runCompanionProcess(['frobnicate', '--json'], env),
      runCompanionProcess([], env),
      runCompanionProcess(['--help'], env),
    ]);
    expectError(unknown, 2, 'invalid_input');
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('Usage: companion <command>');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('help-state');
  });

  it('stops quietly when its reader is gone (`| head`): no EPIPE trace, exit 0', async () => {
    const child = spawnCompanion(['--help'], env);
    // The reading end closes before the command writes: its write fails with EPIPE.
    child.stdout.destroy();
    const result = await finished(child);
    expect(result, result.stderr).toMatchObject({ code: 0, signal: null, stderr: '' });
  });
});
