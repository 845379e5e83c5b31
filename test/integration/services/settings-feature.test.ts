// Settings and status against the simulators: a connection test of what the form holds
// (saved or not, nothing of it stored), and a Diyalog health the status bar can trust
// (a failing server is never "connected"). Run under `sh test/with-keyring.sh`.

import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallInput, CallName, CallOutput, EventPayload, Status } from '../../../shared/contract';
import { createCompanion, type Companion } from '../../../main/services/companion';
import { dispatch } from '../../../main/services/dispatch';
import { Keychain } from '../../../main/store/keychain';
import { startDiyalogSim, type DiyalogSim } from '../../../main/sim/diyalog/server';
import { waitUntil } from '../../support/wait';

const keychain = new Keychain(`agent-companion-test-${randomUUID()}`);
let dataDir: string;
let sim: DiyalogSim;
let companion: Companion;
const statuses: Status[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'companion-settings-feature-'));
  sim = await startDiyalogSim({ historySize: 20, seed: 9 });
  companion = await createCompanion({ dataDir, fetch, secrets: keychain, demo: false, version: '0.0.0-test', osLocale: 'en-US', connectionTestIntervalMs: 0 });
  companion.subscribe((event, payload) => {
    if (event === 'status.changed') statuses.push(payload as EventPayload<'status.changed'>);
  });
});

afterAll(async () => {
  await companion?.stop();
  await sim?.close();
  await keychain.deleteSecret('diyalog', sim.credentials.keyId).catch(() => false);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
  const result = await dispatch(companion.handlers, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as CallOutput<N>;
}

function statusWhere(what: string, predicate: (s: Status) => boolean, since: number): Promise<Status> {
  return waitUntil(`a status.changed event with ${what}`, () => statuses.slice(since).find(predicate));
}

const draftSettings = () => ({ diyalog: { baseUrl: sim.url, keyId: sim.credentials.keyId }, staffId: sim.staffId });

// In order: the drafts are tested before anything is saved, the health once it is.
describe('settings and status', { shuffle: false }, () => {
  describe('connection.test with a draft', () => {
    it('tests what the form holds before anything is saved, and stores none of it', async () => {
      const answer = await call('connection.test', { target: 'diyalog', draft: { settings: draftSettings(), secret: sim.credentials.secret } });
      expect(answer).toMatchObject({ ok: true, host: new URL(sim.url).host });
      expect(await readdir(dataDir)).not.toContain('settings.json');
      expect(await keychain.getSecret('diyalog', sim.credentials.keyId)).toBeNull();
      expect((await call('settings.get', {})).settings.diyalog.baseUrl).toBeNull();
    });

    it('reports a wrong typed secret as auth_failed, and a draft without one as missing', async () => {
      const wrong = await dispatch(companion.handlers, 'connection.test', { target: 'diyalog', draft: { settings: draftSettings(), secret: 'not-the-secret' } });
      expect(wrong).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
      expect(JSON.stringify(wrong)).not.toContain('not-the-secret');
      const none = await dispatch(companion.handlers, 'connection.test', { target: 'diyalog', draft: { settings: draftSettings() } });
      expect(none).toMatchObject({ ok: false, error: { code: 'missing_credentials' } });
    });
  });

  describe('Diyalog health in the status', () => {
    it('is unknown until a call is answered, ok after, failing on server errors, and ok again', async () => {
      expect((await call('status.get', {})).diyalog.health).toMatchObject({ state: 'unknown', lastSuccessAt: null, error: null });

      await call('settings.update', draftSettings());
      await call('secret.set', { kind: 'diyalog', secret: sim.credentials.secret });
      const customer = sim.control.customers()[0]!.customerId;
      await call('watch.add', { customerId: customer });

      let since = statuses.length;
      await call('watch.refresh', { customerId: customer });
      const ok = await statusWhere('Diyalog health ok', (s) => s.diyalog.health.state === 'ok', since);
      expect(ok.diyalog.health.lastSuccessAt).toBeGreaterThan(0);

      since = statuses.length;
      sim.control.setFailureRate(1);
      try {
        const failed = await call('watch.refresh', { customerId: customer });
        expect(failed.error).not.toBeNull();
        const failing = await statusWhere('Diyalog health failing', (s) => s.diyalog.health.state === 'failing', since);
        expect(failing.diyalog.health.error?.code).toMatch(/^(server_error|unavailable|bad_response)$/);
        // The last success is kept: the status bar can say "failing since".
        expect(failing.diyalog.health.lastSuccessAt).toBe(ok.diyalog.health.lastSuccessAt);
      } finally {
        sim.control.setFailureRate(0);
      }

      since = statuses.length;
      await call('watch.refresh', { customerId: customer });
      await statusWhere('Diyalog health ok', (s) => s.diyalog.health.state === 'ok', since);
    });

    it('counts an answer that refuses (an unknown customer) as the server answering', async () => {
      const since = statuses.length;
      // Refused by the server (no such customer): it answered properly.
      await call('watch.add', { customerId: 'no-such-customer-1' });
      const entry = await call('watch.refresh', { customerId: 'no-such-customer-1' });
      expect(entry.error).toMatchObject({ code: 'customer_not_found' });
      expect((await call('status.get', {})).diyalog.health.state).toBe('ok');
      expect(statuses.slice(since).every((s) => s.diyalog.health.state === 'ok')).toBe(true);
    });
  });
});
