// `companion login diyalog|icws` and the secrets read back from the real OS keychain (run
// under `sh test/with-keyring.sh`). Key ids and ICWS users are unique per run, and every
// entry written is deleted afterwards.

import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HelpStateAnswer } from '../../../shared/diyalog';
import { diyalogAccount, icwsAccount } from '../../../main/services/secrets';
import { Keychain } from '../../../main/store/keychain';
import { startDiyalogSim } from '../../../main/sim/diyalog/server';
import type { DiyalogSim } from '../../../main/sim/diyalog/server';
import { DEMO_ICWS_SUPERVISOR, startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim } from '../../../main/sim/icws/server';
import { cleanEnv, expectError, okJson, runCompanion, runCompanionProcess, tempDir } from './cli-harness';

const run = randomUUID().slice(0, 8);
const keyId = `cli-test-${run}`;
const secret = `secret-${randomBytes(12).toString('hex')}`;
const icwsUser = { userId: `cli.agent.${run}`, password: `pw-${randomBytes(8).toString('hex')}`, displayName: 'CLI Test Agent' };

const keychain = new Keychain();
let diyalog: DiyalogSim;
let icws: IcwsSim;
let dataDir: { path: string; remove: () => Promise<void> };
/** Everything but the secrets. */
let env: NodeJS.ProcessEnv;
const written: [kind: 'diyalog' | 'icws', account: string][] = [];

beforeAll(async () => {
  [diyalog, icws, dataDir] = await Promise.all([
    startDiyalogSim({ historySize: 50, credentials: { keyId, secret } }),
    startIcwsSim({ users: [icwsUser, { ...DEMO_ICWS_SUPERVISOR }], supervisor: false }),
    tempDir('keychain'),
  ]);
  env = cleanEnv({
    COMPANION_DIYALOG_URL: diyalog.url,
    COMPANION_DIYALOG_KEY_ID: keyId,
    COMPANION_STAFF_ID: diyalog.staffId,
    COMPANION_ICWS_URL: icws.url,
    COMPANION_ICWS_USER: icwsUser.userId,
    COMPANION_DATA_DIR: dataDir.path,
  });
  written.push(['diyalog', diyalogAccount(keyId, diyalog.url)], ['icws', icwsAccount(icwsUser.userId, icws.url)]);
});

afterAll(async () => {
  for (const [kind, account] of written) await keychain.deleteSecret(kind, account);
  await Promise.all([diyalog?.close(), icws?.close(), dataDir?.remove()]);
});

beforeEach(() => diyalog.control.resetCounters());

const helpState = (extra: NodeJS.ProcessEnv = {}) => runCompanion(['help-state', '70022', '--json'], { ...env, ...extra });

describe('companion login diyalog', () => {
  it('stores the secret read from stdin; later calls without COMPANION_DIYALOG_SECRET use it', async () => {
    // The built command with its stdin piped, as `echo "$SECRET" | companion login diyalog` runs it.
    const login = await runCompanionProcess(['login', 'diyalog', '--key-id', keyId, '--json'], env, `${secret}\n`);
    expect(okJson(login)).toEqual({ stored: true, keyId });
    expect(login.stdout + login.stderr).not.toContain(secret);
    expect(await keychain.getSecret('diyalog', diyalogAccount(keyId, diyalog.url))).toBe(secret);

    expect(okJson<HelpStateAnswer>(await helpState())).toMatchObject({ customerId: '70022', isInHelp: false });
    expect(diyalog.control.requests.map((r) => r.status)).toEqual([200]);
  });

  it('uses what the keychain holds: a wrong stored secret fails with 3, the environment overrides it', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    okJson(await runCompanion(['login', 'diyalog', '--json'], env, wrong));
    expect(await keychain.getSecret('diyalog', diyalogAccount(keyId, diyalog.url))).toBe(wrong);
    expectError(await helpState(), 3, 'auth_failed');
    expect(okJson<HelpStateAnswer>(await helpState({ COMPANION_DIYALOG_SECRET: secret })).isInHelp).toBe(false);

    okJson(await runCompanion(['login', 'diyalog', '--json'], env, secret));
    expect(okJson<HelpStateAnswer>(await helpState()).isInHelp).toBe(false);
  });

  it('exits 3 naming "companion login diyalog" when no secret is stored, and sends nothing', async () => {
    const unknownKey = `cli-test-${run}-none`;
    const error = expectError(await helpState({ COMPANION_DIYALOG_KEY_ID: unknownKey }), 3, 'missing_credentials');
    expect(error.message).toContain('companion login diyalog');
    expect(diyalog.control.requestCount).toBe(0);
  });

  it('exits 2 and stores nothing on an empty secret or without a key id', async () => {
    const otherKey = `cli-test-${run}-empty`;
    written.push(['diyalog', diyalogAccount(otherKey, diyalog.url)]);
    expectError(await runCompanion(['login', 'diyalog', '--key-id', otherKey, '--json'], env, '\n'), 2, 'invalid_input');
    expect(await keychain.getSecret('diyalog', diyalogAccount(otherKey, diyalog.url))).toBeNull();
    const { COMPANION_DIYALOG_KEY_ID: _key, ...noKey } = env;
    expectError(await runCompanion(['login', 'diyalog', '--json'], noKey, 'whatever'), 2, 'invalid_input');
  });
});

describe('companion login icws', () => {
  it('stores the password under user@host; assistance commands then log in without COMPANION_ICWS_PASSWORD', async () => {
    const account = icwsAccount(icwsUser.userId, icws.url);
    const login = await runCompanion(['login', 'icws', '--json'], env, icwsUser.password);
    expect(okJson(login)).toEqual({ stored: true, account });
    expect(await keychain.getSecret('icws', account)).toBe(icwsUser.password);

    const listed = okJson<{ requests: unknown[] }>(await runCompanion(['assistance', 'list', '--json'], env));
    expect(listed).toMatchObject({ requests: [] });
    expect(icws.control.requests.filter((r) => r.path === '/icws/connection').map((r) => r.status)).toContain(201);
    expect(icws.control.sessions()).toEqual([]);
  });

  it('exits 3 naming "companion login icws" when no password is stored', async () => {
    const before = icws.control.requestCount;
    const error = expectError(
      await runCompanion(['assistance', 'list', '--json'], { ...env, COMPANION_ICWS_USER: `${icwsUser.userId}.none` }),
      3,
      'missing_credentials',
    );
    expect(error.message).toContain('companion login icws');
    expect(icws.control.requestCount).toBe(before);
  });
});
