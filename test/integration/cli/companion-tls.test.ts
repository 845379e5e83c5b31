// A bank's servers carry certificates from the bank's own CA (specs §2.6). The command trusts
// Node's CAs, the OS store and the administrator's file (tls.caFile), and refuses anything
// else with a code that names the reason: never a bypass. The simulators play the bank over
// HTTPS with a CA made for this file; the machine's own store is never changed. The OS store
// is played by SSL_CERT_FILE, which OpenSSL (and Node's system store) read at process start,
// so those cases run the built command as a process.

import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HelpStateAnswer } from '../../../shared/diyalog';
import { createSimAuthority, type SimAuthority } from '../../../main/sim/certificates';
import { startDiyalogSim, type DiyalogSim } from '../../../main/sim/diyalog/server';
import { startIcwsSim, type IcwsSim } from '../../../main/sim/icws/server';
import { assertBuilt, cleanEnv, expectError, LineReader, okJson, runCompanion, runCompanionProcess, startCompanion, tempDir } from './cli-harness';

let authority: SimAuthority;
let dir: { path: string; remove: () => Promise<void> };
let caFile: string;
const sims: { close(): Promise<void> }[] = [];
let diyalog: DiyalogSim;
let icws: IcwsSim;

async function diyalogWith(certificate: ReturnType<SimAuthority['issue']>): Promise<DiyalogSim> {
  const sim = await startDiyalogSim({ tls: certificate, historySize: 5, seed: 3 });
  sims.push(sim);
  return sim;
}

function envFor(sim: DiyalogSim, vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv({
    COMPANION_DIYALOG_URL: sim.url,
    COMPANION_DIYALOG_KEY_ID: sim.credentials.keyId,
    COMPANION_DIYALOG_SECRET: sim.credentials.secret,
    COMPANION_STAFF_ID: sim.staffId,
    COMPANION_DATA_DIR: join(dir.path, 'data'),
    ...vars,
  });
}

const customerOf = (sim: DiyalogSim) => sim.control.customers()[0]!.customerId;
const hostOf = (url: string) => new URL(url).host;

beforeAll(async () => {
  authority = createSimAuthority('Test Bank Internal CA');
  dir = await tempDir('tls');
  caFile = join(dir.path, 'bank-ca.pem');
  await writeFile(caFile, authority.caPem);
  diyalog = await diyalogWith(authority.issue());
  icws = await startIcwsSim({ tls: authority.issue(), supervisor: false });
  sims.push(icws);
});
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
  await dir?.remove();
});

describe('the bank CA by tls.caFile', () => {
  it('a server signed by a CA nobody trusts is refused: tls_untrusted, naming the host, exit 4', async () => {
    const before = diyalog.control.requests.length;
    const error = expectError(await runCompanion(['help-state', customerOf(diyalog), '--json'], envFor(diyalog)), 4, 'tls_untrusted');
    expect(error.message).toContain(hostOf(diyalog.url));
    // Refused at the handshake: no request reached the server (other tests in this file may have made theirs).
    expect(diyalog.control.requests.length).toBe(before);
  });

  it('trusted through --ca-file, COMPANION_TLS_CA_FILE or the setting, the same call answers', async () => {
    const customer = customerOf(diyalog);
    const expected = { customerId: customer, isInHelp: false, helpType: null, staffId: null };
    expect(okJson<HelpStateAnswer>(await runCompanion(['help-state', customer, '--json', '--ca-file', caFile], envFor(diyalog)))).toMatchObject(expected);
    expect(okJson<HelpStateAnswer>(await runCompanion(['help-state', customer, '--json'], envFor(diyalog, { COMPANION_TLS_CA_FILE: caFile })))).toMatchObject(expected);
    const env = envFor(diyalog);
    expect((await runCompanion(['settings', 'set', 'tls.caFile', caFile], env)).code).toBe(0);
    expect(okJson<HelpStateAnswer>(await runCompanion(['help-state', customer, '--json'], env))).toMatchObject(expected);
    expect((await runCompanion(['settings', 'set', 'tls.caFile', 'null'], env)).code).toBe(0);
  });

  it('an expired certificate is tls_expired, one issued for another name tls_name_mismatch, even from the trusted CA', async () => {
    const expired = await diyalogWith(authority.issue({ validFrom: new Date(Date.now() - 10 * 86_400_000), validTo: new Date(Date.now() - 86_400_000) }));
    const error = expectError(await runCompanion(['help-state', customerOf(expired), '--json', '--ca-file', caFile], envFor(expired)), 4, 'tls_expired');
    expect(error.message).toContain(hostOf(expired.url));
    const elsewhere = await diyalogWith(authority.issue({ names: ['diyalog.bank.example'] }));
    expectError(await runCompanion(['help-state', customerOf(elsewhere), '--json', '--ca-file', caFile], envFor(elsewhere)), 4, 'tls_name_mismatch');
    expect([...expired.control.requests, ...elsewhere.control.requests]).toEqual([]);
  });

  it('a CA file that is missing, holds no certificate or is relative is refused before anything is sent (exit 2)', async () => {
    const empty = join(dir.path, 'empty.pem');
    await writeFile(empty, 'not a certificate\n');
    const missing = expectError(await runCompanion(['help-state', customerOf(diyalog), '--json', '--ca-file', join(dir.path, 'nope.pem')], envFor(diyalog)), 2, 'tls_ca_file');
    expect(missing.message).toContain('nope.pem');
    expectError(await runCompanion(['help-state', customerOf(diyalog), '--json', '--ca-file', empty], envFor(diyalog)), 2, 'tls_ca_file');
    expectError(await runCompanion(['settings', 'set', 'tls.caFile', 'certs/bank.pem', '--json'], envFor(diyalog)), 2, 'invalid_input');
  });

  it('ICWS trusts the same file: an assistance list logs in over HTTPS', async () => {
    const vars = { COMPANION_ICWS_URL: icws.url, COMPANION_ICWS_USER: icws.user.userId, COMPANION_ICWS_PASSWORD: icws.user.password };
    expectError(await runCompanion(['assistance', 'list', '--json'], envFor(diyalog, vars)), 4, 'tls_untrusted');
    const listed = okJson<{ requests: unknown[] }>(await runCompanion(['assistance', 'list', '--json', '--ca-file', caFile], envFor(diyalog, vars)));
    expect(listed.requests).toEqual([]);
  });
});

describe('the bank CA in the OS store alone', () => {
  it('a process whose OS store holds the CA (SSL_CERT_FILE) trusts the server with no setting; one whose store does not, refuses it', async () => {
    assertBuilt();
    const customer = customerOf(diyalog);
    const trusted = await runCompanionProcess(['help-state', customer, '--json'], envFor(diyalog, { SSL_CERT_FILE: caFile }));
    expect(okJson<HelpStateAnswer>(trusted)).toMatchObject({ customerId: customer, isInHelp: false });
    // The same process without the bundle: the CA was trusted because the store held it.
    const other = join(dir.path, 'other-ca.pem');
    await writeFile(other, createSimAuthority('Some Other CA').caPem);
    expectError(await runCompanionProcess(['help-state', customer, '--json'], envFor(diyalog, { SSL_CERT_FILE: other })), 4, 'tls_untrusted');
  });
});

describe('companion sim --tls', () => {
  it('serves both simulators over HTTPS and prints the CA file to trust, which works and is removed when it stops', async () => {
    const data = await tempDir('sim-tls');
    const run = startCompanion(['sim', '--tls'], cleanEnv({ COMPANION_DATA_DIR: data.path }));
    const lines = new LineReader(run);
    try {
      const line = JSON.parse(await lines.next()) as { caFile: string; diyalog: { url: string; keyId: string; secret: string; staffId: string }; icws: { url: string } };
      expect(line.diyalog.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+/);
      expect(line.icws.url).toMatch(/^https:\/\//);
      const env = cleanEnv({
        COMPANION_DIYALOG_URL: line.diyalog.url,
        COMPANION_DIYALOG_KEY_ID: line.diyalog.keyId,
        COMPANION_DIYALOG_SECRET: line.diyalog.secret,
        COMPANION_STAFF_ID: line.diyalog.staffId,
        COMPANION_DATA_DIR: data.path,
      });
      // The server's own answer about an unknown customer: the connection was trusted and made.
      expectError(await runCompanion(['help-state', '1001', '--json', '--ca-file', line.caFile], env), 1, 'customer_not_found');
      expectError(await runCompanion(['help-state', '1001', '--json'], env), 4, 'tls_untrusted');
      run.interrupt();
      expect((await run.finished).code).toBe(0);
      expect(existsSync(line.caFile)).toBe(false);
    } finally {
      run.interrupt();
      await run.finished;
      await data.remove();
    }
  });
});
