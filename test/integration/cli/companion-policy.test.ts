// An administrator's policy (COMPANION_POLICY_FILE here; /etc/agent-companion/policy.json on a
// real Linux desktop) sets and locks settings for every command: it wins over the file, the
// variables and the flags, refuses a change with locked_by_policy (exit 2, nothing written), and
// a policy that cannot be used stops every command naming the file and the key (fail closed).

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HelpStateAnswer } from '../../../shared/diyalog';
import { cleanEnv, expectError, okJson, runCompanion, startDiyalogFixture, tempDir, type DiyalogFixture } from './cli-harness';

let fixture: DiyalogFixture;
let dir: { path: string; remove: () => Promise<void> };
let n = 0;

/** A fresh data dir and a policy file holding `policy`; the env names both, and the Diyalog secret. */
async function withPolicy(policy: unknown): Promise<{ env: NodeJS.ProcessEnv; policyFile: string; dataDir: string }> {
  const base = join(dir.path, `case-${++n}`);
  await mkdir(base);
  const policyFile = join(base, 'policy.json');
  await writeFile(policyFile, typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2));
  const dataDir = join(base, 'data');
  const env = cleanEnv({ COMPANION_POLICY_FILE: policyFile, COMPANION_DATA_DIR: dataDir, COMPANION_DIYALOG_SECRET: fixture.sim.credentials.secret });
  return { env, policyFile, dataDir };
}

const bankPolicy = () => ({
  diyalog: { baseUrl: fixture.sim.url, keyId: fixture.sim.credentials.keyId },
  staffId: fixture.sim.staffId,
  allowInsecureHttp: false,
  limits: { roles: ['agent'], historyConcurrency: 2 },
});

beforeAll(async () => {
  fixture = await startDiyalogFixture({ historySize: 30, seed: 5 });
  dir = await tempDir('policy');
});
afterAll(async () => {
  await fixture?.close();
  await dir?.remove();
});

describe('a policy sets and locks', () => {
  it('companion settings shows each locked key with the source policy, and the policy file', async () => {
    const { env, policyFile } = await withPolicy(bankPolicy());
    const shown = okJson<{ policy: string; settings: Record<string, { value: unknown; source: string }> }>(await runCompanion(['settings', '--json'], env));
    expect(shown.policy).toBe(policyFile);
    expect(shown.settings['diyalog.baseUrl']).toEqual({ value: fixture.sim.url, source: 'policy' });
    expect(shown.settings.allowInsecureHttp).toEqual({ value: false, source: 'policy' });
    expect(shown.settings['icws.baseUrl']).toEqual({ value: null, source: 'default' });
    const text = await runCompanion(['settings'], env);
    expect(text.stdout).toContain(policyFile);
    expect(text.stdout).toMatch(/diyalog\.baseUrl .*\(policy/);
  });

  it('works from the policy alone: the command reaches the server the policy names', async () => {
    const { env } = await withPolicy(bankPolicy());
    const customer = fixture.idleCustomer();
    expect(okJson<HelpStateAnswer>(await runCompanion(['help-state', customer, '--json'], env))).toMatchObject({ customerId: customer, isInHelp: false });
  });

  it('settings set on a locked key exits 2 with locked_by_policy and writes nothing; an open key is written', async () => {
    const { env, dataDir } = await withPolicy(bankPolicy());
    const error = expectError(await runCompanion(['settings', 'set', 'diyalog.baseUrl', 'https://other.bank.example', '--json'], env), 2, 'locked_by_policy');
    expect(error.message).toContain('diyalog.baseUrl');
    await expect(readFile(join(dataDir, 'settings.json'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    expectError(await runCompanion(['settings', 'set', 'role', 'supervisor', '--json'], env), 2, 'locked_by_policy');
    expect((await runCompanion(['settings', 'set', 'icws.userId', 'agent7'], env)).code).toBe(0);
    expect(JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8'))).toMatchObject({ icws: { userId: 'agent7' } });
  });

  it('wins over a variable and a flag for the same key', async () => {
    const { env } = await withPolicy(bankPolicy());
    const elsewhere = 'https://elsewhere.bank.example';
    const shown = okJson<{ settings: Record<string, { value: unknown; source: string }> }>(
      await runCompanion(['settings', '--json', '--diyalog-url', elsewhere], { ...env, COMPANION_DIYALOG_URL: elsewhere }),
    );
    expect(shown.settings['diyalog.baseUrl']).toEqual({ value: fixture.sim.url, source: 'policy' });
    const customer = fixture.idleCustomer();
    expect(okJson<HelpStateAnswer>(await runCompanion(['help-state', customer, '--json', '--diyalog-url', elsewhere], env))).toMatchObject({ customerId: customer });
  });

  it('limits history concurrency: more than the policy allows is refused (exit 2), the default fits under it', async () => {
    const { env } = await withPolicy(bankPolicy());
    const range = ['--from', String(Date.now() - 30 * 86_400_000), '--to', String(Date.now())];
    const error = expectError(await runCompanion(['history', ...range, '--concurrency', '4', '--json'], env), 2, 'locked_by_policy');
    expect(error.message).toContain('at most 2');
    expect((await runCompanion(['history', ...range, '--json'], env)).code).toBe(0);
    expect((await runCompanion(['history', ...range, '--concurrency', '2', '--json'], env)).code).toBe(0);
  });

  it('no policy file: nothing is locked', async () => {
    const data = join(dir.path, 'no-policy');
    const env = cleanEnv({ COMPANION_POLICY_FILE: join(dir.path, 'absent.json'), COMPANION_DATA_DIR: data });
    expect((await runCompanion(['settings', 'set', 'role', 'supervisor'], env)).code).toBe(0);
    const shown = okJson<{ policy: null; settings: Record<string, { source: string }> }>(await runCompanion(['settings', '--json'], env));
    expect(shown.policy).toBeNull();
    expect(shown.settings.role!.source).toBe('file');
  });
});

describe('a policy that cannot be used stops every command (exit 2, policy_invalid)', () => {
  const cases: [string, unknown, string][] = [
    ['not JSON', '{"diyalog": ', 'not JSON'],
    ['an unknown key', { diyalog: { baseURL: 'https://x.example' } }, 'baseURL'],
    ['a value the schema refuses', { role: 'admin' }, 'role'],
    ['an unknown limit', { limits: { maxRoles: 1 } }, 'maxRoles'],
    ['window geometry', { window: { width: 800, height: 600 } }, 'window'],
    ['plain http to another computer with insecure http locked off', { diyalog: { baseUrl: 'http://diyalog.bank.example' }, allowInsecureHttp: false }, 'diyalog.baseUrl'],
    ['a role outside its own limit', { role: 'supervisor', limits: { roles: ['agent'] } }, 'role'],
  ];
  it.each(cases)('%s', async (_what, policy, named) => {
    const { env, policyFile } = await withPolicy(policy);
    for (const args of [['settings', '--json'], ['help-state', '123', '--json'], ['audit', '--json']]) {
      const error = expectError(await runCompanion(args, env), 2, 'policy_invalid');
      expect(error.message).toContain(policyFile);
      expect(error.message).toContain(named);
    }
  });

  it('a policy path that cannot be read (a folder) is refused, not ignored', async () => {
    const folder = join(dir.path, 'a-folder');
    await mkdir(folder);
    const env = cleanEnv({ COMPANION_POLICY_FILE: folder, COMPANION_DATA_DIR: join(dir.path, 'folder-data') });
    const error = expectError(await runCompanion(['settings', '--json'], env), 2, 'policy_invalid');
    expect(error.message).toContain(folder);
  });
});
