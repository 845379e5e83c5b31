// One composition root: `companion settings set` configures a data dir once, and every
// command (and the app, see test/integration/services/launch.test.ts) uses it; variables
// and flags override it for one invocation and are never written. Run under
// `sh test/with-keyring.sh`: the secrets go through the real keychain.

import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HelpStateAnswer } from '../../../shared/diyalog';
import { diyalogAccount, icwsAccount } from '../../../main/services/secrets';
import { Keychain } from '../../../main/store/keychain';
import { startDiyalogSim, type DiyalogSim } from '../../../main/sim/diyalog/server';
import { DEMO_ICWS_SUPERVISOR, startIcwsSim, type IcwsSim } from '../../../main/sim/icws/server';
import { cleanEnv, expectError, okJson, runCompanion, tempDir } from './cli-harness';

const run = randomUUID().slice(0, 8);
const keyId = `settings-test-${run}`;
const secret = `secret-${randomBytes(12).toString('hex')}`;
const icwsUser = { userId: `settings.agent.${run}`, password: `pw-${randomBytes(8).toString('hex')}`, displayName: 'Settings Test Agent' };

interface Described {
  dataDir: string;
  file: string;
  settings: Record<string, { value: unknown; source: 'file' | 'environment' | 'flag' | 'default' }>;
  secrets: Record<'diyalog' | 'icws', string>;
}

let diyalog: DiyalogSim;
let icws: IcwsSim;
let dataDir: { path: string; remove: () => Promise<void> };
/** Only the data dir: everything else must come from the settings file. */
let env: NodeJS.ProcessEnv;
const settingsFile = () => join(dataDir.path, 'settings.json');

beforeAll(async () => {
  [diyalog, icws, dataDir] = await Promise.all([
    startDiyalogSim({ historySize: 50, credentials: { keyId, secret } }),
    startIcwsSim({ users: [icwsUser, { ...DEMO_ICWS_SUPERVISOR }], supervisor: false }),
    tempDir('settings'),
  ]);
  env = cleanEnv({ COMPANION_DATA_DIR: dataDir.path });
});

afterAll(async () => {
  const keychain = new Keychain();
  await keychain.deleteSecret('diyalog', diyalogAccount(keyId, diyalog.url)).catch(() => false);
  await keychain.deleteSecret('icws', icwsAccount(icwsUser.userId, icws.url)).catch(() => false);
  await Promise.all([diyalog?.close(), icws?.close(), dataDir?.remove()]);
});

const set = (key: string, value: string) => runCompanion(['settings', 'set', key, value, '--json'], env);

// A story in order (defaults, refusals, configure once, then overrides over it): never shuffled.
describe('companion settings', { shuffle: false }, () => {
  it('starts from the defaults, each value saying so, and never names a secret', async () => {
    const shown = okJson<Described>(await runCompanion(['settings', '--json'], { ...env, COMPANION_DIYALOG_SECRET: secret }));
    expect(shown.dataDir).toBe(dataDir.path);
    expect(shown.file).toBe(settingsFile());
    expect(shown.settings['diyalog.baseUrl']).toEqual({ value: null, source: 'default' });
    expect(shown.settings['diyalog.signatureAlgorithm']).toEqual({ value: 'sha256', source: 'default' });
    expect(shown.settings['icws.applicationName']).toEqual({ value: 'Agent Companion', source: 'default' });
    expect(shown.secrets.diyalog).toBe('environment');
    expect(JSON.stringify(shown)).not.toContain(secret);
  });

  it('refuses an unknown key or a bad value with exit 2 and leaves the file as it was', async () => {
    okJson(await set('staffId', 'S1'));
    const before = await readFile(settingsFile());
    const unknown = expectError(await set('diyalog.secret', 'x'), 2, 'invalid_input');
    expect(unknown.message).toContain('diyalog.baseUrl');
    expectError(await set('diyalog.baseUrl', 'ftp://dlg.bank.local'), 2, 'invalid_input');
    expectError(await set('diyalog.signatureAlgorithm', 'md5'), 2, 'invalid_input');
    expectError(await set('language', 'de'), 2, 'invalid_input');
    expectError(await set('staffId', 'a b\u202e'), 2, 'invalid_input');
    expectError(await runCompanion(['settings', 'set', 'staffId', '--json'], env), 2, 'invalid_input');
    expect(await readFile(settingsFile())).toEqual(before);
  });

  it('configures Diyalog and ICWS once; every command then uses the file and the keychain alone', async () => {
    for (const [key, value] of [
      ['diyalog.baseUrl', diyalog.url],
      ['diyalog.keyId', keyId],
      ['staffId', diyalog.staffId],
      ['icws.baseUrl', icws.url],
      ['icws.userId', icwsUser.userId],
      ['icws.applicationName', 'Şube Masaüstü'],
      ['language', 'tr'],
    ] as const) {
      expect(okJson<{ key: string; value: unknown }>(await set(key, value))).toMatchObject({ key, value });
    }
    const file = JSON.parse(await readFile(settingsFile(), 'utf8')) as { diyalog: { baseUrl: string }; icws: { applicationName: string } };
    expect(file.diyalog.baseUrl).toBe(diyalog.url);
    expect(file.icws.applicationName).toBe('Şube Masaüstü');

    // Secrets go to the keychain, under the accounts the settings name.
    okJson(await runCompanion(['login', 'diyalog', '--json'], env, `${secret}\n`));
    okJson(await runCompanion(['login', 'icws', '--json'], env, `${icwsUser.password}\n`));

    const customer = diyalog.control.customers()[0]?.customerId ?? '70022';
    const state = okJson<HelpStateAnswer>(await runCompanion(['help-state', customer, '--json'], env));
    expect(state.customerId).toBe(customer);
    const list = okJson<{ requests: unknown[] }>(await runCompanion(['assistance', 'list', '--json'], env));
    expect(list.requests).toEqual([]);

    const shown = okJson<Described>(await runCompanion(['settings', '--json'], env));
    expect(shown.settings['diyalog.baseUrl']).toEqual({ value: diyalog.url, source: 'file' });
    expect(shown.settings.language).toEqual({ value: 'tr', source: 'file' });
    expect(shown.secrets).toEqual({ diyalog: 'keychain', icws: 'keychain' });
  });

  it('lets a flag beat a variable and a variable beat the file, for one invocation, writing nothing', async () => {
    const before = await readFile(settingsFile());
    const shown = okJson<Described>(
      await runCompanion(['settings', '--json', '--staff-id', 'FLAG1'], { ...env, COMPANION_STAFF_ID: 'ENV1', COMPANION_ICWS_USER: 'env.user' }),
    );
    expect(shown.settings.staffId).toEqual({ value: 'FLAG1', source: 'flag' });
    expect(shown.settings['icws.userId']).toEqual({ value: 'env.user', source: 'environment' });
    expect(shown.settings['diyalog.keyId']).toEqual({ value: keyId, source: 'file' });
    // An override pointing elsewhere is used: this URL refuses connections. The stored
    // secret belongs to the configured server, so another server gets none of it...
    const elsewhere = { ...env, COMPANION_DIYALOG_URL: 'http://127.0.0.1:9/' };
    expectError(await runCompanion(['help-state', '70022', '--json'], elsewhere), 3, 'missing_credentials');
    // ...unless one is given for the run.
    expectError(await runCompanion(['help-state', '70022', '--json'], { ...elsewhere, COMPANION_DIYALOG_SECRET: secret }), 4, 'unavailable');
    expect(await readFile(settingsFile())).toEqual(before);
  });

  it('refuses a bad override naming its variable, before anything is read or sent', async () => {
    const before = diyalog.control.requestCount;
    const error = expectError(await runCompanion(['help-state', '70022', '--json'], { ...env, COMPANION_DIYALOG_URL: 'not a url' }), 2, 'invalid_input');
    expect(error.message).toContain('COMPANION_DIYALOG_URL');
    expect(diyalog.control.requestCount).toBe(before);
  });

  it('says in people\'s words where each value came from, in Turkish too', async () => {
    const text = await runCompanion(['settings'], { ...env, COMPANION_LANG: 'tr', COMPANION_STAFF_ID: 'ENV1' });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Ayar dosyası');
    expect(text.stdout).toMatch(/staffId\s+ENV1\s+\(ortam değişkeni\)/);
  });
});
