// `companion assistance …` meeting an ICWS login the server refuses for a reason of its own,
// and a password about to expire (issue 16): the server's message on stderr (or in the JSON
// error), one login and no retry, and the warning on stderr only. In-process.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim } from '../../../main/sim/icws/server';
import { EXIT } from '../../../main/cli/exit-codes';
import { cleanEnv, expectError, okJson, runCompanion, tempDir } from './cli-harness';

let sim: IcwsSim;
let dataDir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  sim = await startIcwsSim({ supervisor: false });
  dataDir = await tempDir('icws-connect');
});

afterEach(() => {
  sim.control.setConnectRefusal(null);
  sim.control.setPasswordExpiry(null);
});

afterAll(async () => {
  await sim?.close();
  await dataDir?.remove();
});

function companion(language: 'en_US.UTF-8' | 'tr_TR.UTF-8', ...args: string[]) {
  const env = cleanEnv({
    COMPANION_ICWS_URL: sim.url,
    COMPANION_ICWS_USER: sim.user.userId,
    COMPANION_ICWS_PASSWORD: sim.user.password,
    COMPANION_DATA_DIR: dataDir.path,
    LC_ALL: language,
  });
  return runCompanion(args, env);
}

const logins = () => sim.control.requests.filter((r) => r.method === 'POST' && r.path === '/icws/connection');

describe('companion and an ICWS login the server refuses', () => {
  it('prints the server’s own message in the operator’s language and gives up after one login (a command would retry an unavailable server three times)', async () => {
    sim.control.setConnectRefusal({ reason: 'passwordExpired', status: 500 });
    const before = logins().length;
    const tr = await companion('tr_TR.UTF-8', 'assistance', 'list');
    expect(tr.code).toBe(EXIT.refused);
    expect(tr.stderr).toContain('Parolanızın süresi doldu. Giriş yapmadan önce değiştirin.');
    expect(tr.stderr).toContain('[connect_refused]');
    expect(logins()).toHaveLength(before + 1);

    const en = expectError(await companion('en_US.UTF-8', 'assistance', 'list', '--json'), EXIT.refused, 'connect_refused');
    expect(en.message).toBe('Your password has expired. Change it before logging in.');
    expect(logins()).toHaveLength(before + 2);
    expect(sim.control.sessions()).toEqual([]);
  });

  it('warns on stderr when the password expires within a week, and keeps the JSON document clean', async () => {
    sim.control.setPasswordExpiry(4);
    const result = await companion('en_US.UTF-8', 'assistance', 'list', '--json');
    expect(okJson<{ requests: unknown[] }>(result).requests).toEqual([]);
    expect(result.stderr).toBe('companion: Your ICWS password expires in 4 days: change it before then.\n');

    const tr = await companion('tr_TR.UTF-8', 'assistance', 'list');
    expect(tr.code).toBe(EXIT.ok);
    expect(tr.stderr).toContain('ICWS parolanızın süresi 4 gün içinde doluyor');

    sim.control.setPasswordExpiry(30);
    const later = await companion('en_US.UTF-8', 'assistance', 'list', '--json');
    expect(later.code).toBe(EXIT.ok);
    expect(later.stderr).toBe('');
  });
});
