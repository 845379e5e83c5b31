// The administrator's policy in the app (Electron and the browser host both start through
// launchCompanion): it is read before anything starts and fails closed, a policy that names a
// server is never a demo, the window learns which keys are locked and which roles it may offer,
// and a change to a locked key is refused with nothing written. Run under `sh test/with-keyring.sh`.

import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallInput, CallName } from '../../../shared/contract';
import type { ErrorValue } from '../../../shared/errors';
import { dispatch } from '../../../main/services/dispatch';
import { launchCompanion, type Launched } from '../../../main/services/launch';
import { Keychain } from '../../../main/store/keychain';
import { startDiyalogSim, type DiyalogSim } from '../../../main/sim/diyalog/server';

const keychain = new Keychain(`agent-companion-test-${randomUUID()}`);
let sim: DiyalogSim;
const dirs: string[] = [];
const running: Launched[] = [];

beforeAll(async () => {
  sim = await startDiyalogSim({ historySize: 20, seed: 4 });
});
afterAll(async () => {
  await Promise.all(running.map((l) => l.stop()));
  await sim?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function launchWith(policy: unknown): Promise<{ launched: Promise<Launched>; dataDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'companion-policy-'));
  dirs.push(dir);
  const policyFile = join(dir, 'policy.json');
  await writeFile(policyFile, typeof policy === 'string' ? policy : JSON.stringify(policy));
  const dataDir = join(dir, 'data');
  const env = { COMPANION_POLICY_FILE: policyFile, COMPANION_DIYALOG_SECRET: sim.credentials.secret };
  const launched = launchCompanion({ dataDir, env, keychain: () => keychain, version: '0.0.0-test', osLocale: 'en-US' });
  launched.then((l) => running.push(l), () => undefined);
  return { launched, dataDir };
}

async function call<N extends CallName>(launched: Launched, name: N, input: CallInput<N>) {
  return dispatch(launched.companion.handlers, name, input);
}

const bankPolicy = () => ({
  diyalog: { baseUrl: sim.url, keyId: sim.credentials.keyId },
  allowInsecureHttp: false,
  theme: 'dark',
  limits: { roles: ['agent'], historyConcurrency: 2 },
});

describe('the policy in the app', () => {
  it('a policy that fails the schema stops the app before anything starts, naming the file and the key', async () => {
    const { launched } = await launchWith({ diyalog: { baseUrl: 'ftp://diyalog.bank.example' } });
    await expect(launched).rejects.toMatchObject({ code: 'policy_invalid', message: expect.stringContaining('diyalog.baseUrl') });
    const broken = await launchWith('{');
    await expect(broken.launched).rejects.toMatchObject({ code: 'policy_invalid', message: expect.stringContaining('policy.json') });
  });

  it('a policy naming a server is not a demo; the window gets the locked keys and the roles allowed', async () => {
    const { launched: started } = await launchWith(bankPolicy());
    const launched = await started;
    expect(launched.demo).toBeNull();
    const view = await call(launched, 'settings.get', {});
    expect(view).toMatchObject({
      ok: true,
      value: {
        settings: { diyalog: { baseUrl: sim.url, keyId: sim.credentials.keyId }, theme: 'dark', role: 'agent' },
        locked: expect.arrayContaining(['diyalog.baseUrl', 'diyalog.keyId', 'allowInsecureHttp', 'theme']),
        allowedRoles: ['agent'],
      },
    });
  });

  it('a change to a locked key is refused and nothing is written; the form sent whole saves what is open, not what is locked', async () => {
    const { launched: started, dataDir } = await launchWith(bankPolicy());
    const launched = await started;
    const refused = await call(launched, 'settings.update', { diyalog: { baseUrl: 'https://other.bank.example' } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'locked_by_policy' } });
    expect((refused as { error: ErrorValue }).error.message).toContain('diyalog.baseUrl');
    await expect(readFile(join(dataDir, 'settings.json'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await call(launched, 'settings.update', { role: 'supervisor' })).toMatchObject({ ok: false, error: { code: 'locked_by_policy' } });

    // What the Settings form sends: every field, the locked ones with the values in force.
    const saved = await call(launched, 'settings.update', { diyalog: { baseUrl: sim.url, keyId: sim.credentials.keyId }, staffId: sim.staffId, theme: 'dark', role: 'agent' });
    expect(saved).toMatchObject({ ok: true, value: { settings: { staffId: sim.staffId, diyalog: { baseUrl: sim.url } } } });
    // The file keeps the user's own values (here the defaults), which apply again if the policy lets go.
    const file = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')) as { staffId: string; theme: string; diyalog: { baseUrl: string | null } };
    expect(file).toMatchObject({ staffId: sim.staffId, theme: 'system', diyalog: { baseUrl: null } });
  });

  it('history in the window asks within the limit: more than the policy allows is refused', async () => {
    const { launched: started } = await launchWith({ ...bankPolicy(), staffId: sim.staffId });
    const launched = await started;
    const range = { startDate: Date.now() - 86_400_000, endDate: Date.now() };
    expect(await call(launched, 'history.start', { ...range, concurrency: 3 })).toMatchObject({ ok: false, error: { code: 'locked_by_policy' } });
    expect(await call(launched, 'history.start', range)).toMatchObject({ ok: true });
  });
});
