// The window's side of an ICWS login at a bank (issue 16): a refusal for a reason of the
// server (no licence, an expired password) shows the server's own message in the status and
// waits for "Log in again"; the login speaks the app's language, and a language switch makes
// the next login speak the new one; a password about to expire shows in the status. A
// companion and a simulator of this file's own, over the real keychain.

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import keytar from 'keytar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../../shared/assistance';
import type { CallInput, CallName, CallOutput } from '../../../shared/contract';
import { createCompanion, type Companion } from '../../../main/services/companion';
import { dispatch } from '../../../main/services/dispatch';
import { Keychain } from '../../../main/store/keychain';
import { startIcwsSim, type IcwsSim } from '../../../main/sim/icws/server';
import { waitUntil } from '../../support/wait';

const service = `agent-companion-test-${randomUUID()}`;
let dataDir: string;
let sim: IcwsSim;
let companion: Companion;
const states: ConnectionState[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'companion-icws-connect-'));
  sim = await startIcwsSim({ supervisor: false });
  // Refused from the first login on: the companion must never get in by itself.
  sim.control.setConnectRefusal({ reason: 'noLicense', status: 400 });
  companion = await createCompanion({ dataDir, fetch, secrets: new Keychain(service), demo: false, version: '9.9.9-test', osLocale: 'tr-TR', connectionTestIntervalMs: 0 });
  companion.subscribe((event, payload) => {
    if (event === 'connection.changed') states.push(payload as ConnectionState);
  });
  await call('settings.update', { icws: { baseUrl: sim.url, userId: sim.user.userId } });
  await call('secret.set', { kind: 'icws', secret: sim.user.password });
});

afterAll(async () => {
  await companion?.stop();
  await sim?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  for (const { account } of await keytar.findCredentials(service)) await keytar.deletePassword(service, account);
});

async function call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
  const result = await dispatch(companion.handlers, name, input);
  if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as CallOutput<N>;
}

const icws = async () => (await call('status.get', {})).icws;
const logins = () => sim.control.requests.filter((r) => r.method === 'POST' && r.path === '/icws/connection');
const refusedIn = (reason: string) =>
  waitUntil(`the refusal "${reason}" in the status`, async () => {
    const state = await icws();
    return state?.state === 'down' && state.code === 'connect_refused' && state.reason === reason;
  });

const TURKISH_REFUSAL = 'Bu kullanıcı için kullanılabilir istemci erişim lisansı yok.';
const ENGLISH_REFUSAL = 'No client access license is available for this user.';

describe('an ICWS login the server refuses', () => {
  it('shows the server’s own message in the app’s language after one login; a language switch logs in speaking the new one; Log in again retries; a password about to expire shows', async () => {
    await refusedIn(TURKISH_REFUSAL);
    expect(logins()).toHaveLength(1);
    expect(states.filter((s) => s.state === 'down' && s.code === 'connect_refused')).toEqual([{ state: 'down', reason: TURKISH_REFUSAL, code: 'connect_refused' }]);

    await call('language.set', { language: 'en' });
    await refusedIn(ENGLISH_REFUSAL);
    expect(logins()).toHaveLength(2);

    // One story, not two tests: each step stands on the state the one before left (shuffled runs keep it whole).
    const before = logins().length;
    // Still refused: "Log in again" tries once more and shows the refusal again.
    expect(await call('assistance.loginAgain', {})).toEqual({ ok: true });
    await waitUntil('one more login', () => logins().length === before + 1);
    await refusedIn(ENGLISH_REFUSAL);

    sim.control.setConnectRefusal(null);
    sim.control.setPasswordExpiry(2);
    expect(await call('assistance.loginAgain', {})).toEqual({ ok: true });
    const up = await waitUntil('ICWS up', async () => {
      const state = await icws();
      return state?.state === 'up' ? state : undefined;
    });
    expect(up).toEqual({ state: 'up', host: new URL(sim.url).host, sse: true, passwordExpiresInDays: 2 });
    expect(logins()).toHaveLength(before + 2);
  });
});
