// The app's composition root (Electron and the browser host both start through
// launchCompanion): the COMPANION_* variables configure it for the run, are shown as
// overrides, and never end up in the settings file. Run under `sh test/with-keyring.sh`.

import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallInput, CallName, CallOutput } from '../../../shared/contract';
import { dispatch } from '../../../main/services/dispatch';
import { launchCompanion, type Launched } from '../../../main/services/launch';
import { diyalogAccount } from '../../../main/services/secrets';
import { Keychain } from '../../../main/store/keychain';
import { startDiyalogSim, type DiyalogSim } from '../../../main/sim/diyalog/server';

const keychain = new Keychain(`agent-companion-test-${randomUUID()}`);
let sim: DiyalogSim;
const dirs: string[] = [];
const running: Launched[] = [];

beforeAll(async () => {
  sim = await startDiyalogSim({ historySize: 20, seed: 3 });
});

afterAll(async () => {
  await Promise.all(running.map((l) => l.stop()));
  await sim?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function launch(env: NodeJS.ProcessEnv, files: Record<string, string> = {}): Promise<{ launched: Launched; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'companion-launch-'));
  dirs.push(dataDir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dataDir, name), text);
  const launched = await launchCompanion({ dataDir, env, fetch, keychain: () => keychain, version: '0.0.0-test', osLocale: 'en-US' });
  running.push(launched);
  return { launched, dataDir };
}

async function call<N extends CallName>(launched: Launched, name: N, input: CallInput<N>): Promise<CallOutput<N>> {
  const result = await dispatch(launched.companion.handlers, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as CallOutput<N>;
}

describe('launchCompanion', () => {
  it('uses the Diyalog server the variables name (not demo mode), and writes none of it', async () => {
    const env = {
      COMPANION_DIYALOG_URL: sim.url,
      COMPANION_DIYALOG_KEY_ID: sim.credentials.keyId,
      COMPANION_DIYALOG_SECRET: sim.credentials.secret,
      COMPANION_STAFF_ID: sim.staffId,
    };
    const { launched, dataDir } = await launch(env);
    expect(launched.demo).toBeNull();
    const status = await call(launched, 'status.get', {});
    expect(status.demo).toBe(false);
    expect(status.diyalog).toMatchObject({ configured: true, hasSecret: true });

    // A call that reaches the server: the variables are used, not only reported.
    const customer = sim.control.customers()[0]!.customerId;
    await call(launched, 'watch.add', { customerId: customer });
    const entry = await call(launched, 'watch.refresh', { customerId: customer });
    expect(entry.error).toBeNull();
    expect(entry.state?.customerId).toBe(customer);

    const view = await call(launched, 'settings.get', {});
    expect(view.settings.diyalog.baseUrl).toBe(sim.url);
    expect(view.overridden.sort()).toEqual(['diyalog.baseUrl', 'diyalog.keyId', 'staffId']);

    // The Settings form sends every field back; an override it did not change stays unwritten.
    await call(launched, 'settings.update', { diyalog: { baseUrl: sim.url, keyId: sim.credentials.keyId }, staffId: sim.staffId, language: 'tr' });
    const file = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')) as { diyalog: { baseUrl: unknown; keyId: unknown }; staffId: unknown; language: unknown; watchList: string[] };
    expect(file.diyalog.baseUrl).toBeNull();
    expect(file.diyalog.keyId).toBeNull();
    expect(file.staffId).toBeNull();
    expect(file.language).toBe('tr');
    expect(file.watchList).toEqual([customer]);
    expect(JSON.stringify(file)).not.toContain(sim.credentials.secret);
  });

  it('starts demo mode on a data dir with no server anywhere', async () => {
    const { launched, dataDir } = await launch({});
    expect(launched.demo).not.toBeNull();
    const status = await call(launched, 'status.get', {});
    expect(status.demo).toBe(true);
    // Demo settings live apart; the real file is never written by demo mode.
    await expect(readFile(join(dataDir, 'settings.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await call(launched, 'settings.get', {})).overridden).toEqual([]);
  });

  it('uses the settings file when it names the servers', async () => {
    const settings = { diyalog: { baseUrl: sim.url, keyId: sim.credentials.keyId }, staffId: sim.staffId };
    const { launched } = await launch({ COMPANION_DIYALOG_SECRET: sim.credentials.secret }, { 'settings.json': JSON.stringify(settings) });
    expect(launched.demo).toBeNull();
    const view = await call(launched, 'settings.get', {});
    expect(view.settings.diyalog.baseUrl).toBe(sim.url);
    expect(view.overridden).toEqual([]);
    expect((await call(launched, 'status.get', {})).diyalog).toMatchObject({ configured: true, hasSecret: true });
  });

  it('refuses a bad variable before starting anything, naming it', async () => {
    await expect(launch({ COMPANION_ICWS_URL: 'javascript:alert(1)' })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('COMPANION_ICWS_URL') });
  });
});

describe('leaving demo mode (Settings → Set up real servers)', () => {
  const useSim = (): CallInput<'demo.useServers'> => ({
    settings: { diyalog: { baseUrl: sim.url, keyId: sim.credentials.keyId }, staffId: sim.staffId },
    secrets: { diyalog: sim.credentials.secret },
  });

  it('stores the servers for real (file and keychain), runs on them through the same wiring, and never starts in demo again', async () => {
    const { launched, dataDir } = await launch({});
    expect(launched.demo).not.toBeNull();
    const events: string[] = [];
    launched.companion.subscribe((event) => events.push(event));

    await call(launched, 'demo.useServers', useSim());

    expect(launched.demo).toBeNull();
    expect(await call(launched, 'status.get', {})).toMatchObject({ demo: false, diyalog: { configured: true, hasSecret: true } });
    // The same handlers the shell wired now reach the user's server.
    const tested = await call(launched, 'connection.test', { target: 'diyalog' });
    expect(tested).toMatchObject({ ok: true, host: new URL(sim.url).host });
    // Events of the new services reach the sinks subscribed before the switch.
    await call(launched, 'watch.add', { customerId: '2337368' });
    await expect.poll(() => events.includes('watch.changed'), { timeout: 10_000, message: 'a watch.changed event from the new services' }).toBe(true);

    const file = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')) as { diyalog: { baseUrl: string; keyId: string }; staffId: string };
    expect(file).toMatchObject({ diyalog: { baseUrl: sim.url, keyId: sim.credentials.keyId }, staffId: sim.staffId });
    expect(JSON.stringify(file)).not.toContain(sim.credentials.secret);
    expect(await keychain.getSecret('diyalog', diyalogAccount(sim.credentials.keyId, sim.url))).toBe(sim.credentials.secret);

    const again = await launchCompanion({ dataDir, env: {}, fetch, keychain: () => keychain, version: '0.0.0-test', osLocale: 'en-US' });
    running.push(again);
    expect(again.demo).toBeNull();
  });

  it('refuses a setup without any server, stores nothing and stays in demo', async () => {
    const { launched, dataDir } = await launch({});
    const result = await dispatch(launched.companion.handlers, 'demo.useServers', { settings: { staffId: sim.staffId }, secrets: {} });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    await expect(readFile(join(dataDir, 'settings.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(launched.demo).not.toBeNull();
    expect((await call(launched, 'status.get', {})).demo).toBe(true);
    // Nothing that would turn the next start away from demo.
    const again = await launchCompanion({ dataDir, env: {}, fetch, keychain: () => keychain, version: '0.0.0-test', osLocale: 'en-US' });
    running.push(again);
    expect(again.demo).not.toBeNull();
  });

  it('is refused outside demo mode', async () => {
    const env = { COMPANION_DIYALOG_URL: sim.url, COMPANION_DIYALOG_KEY_ID: sim.credentials.keyId, COMPANION_STAFF_ID: sim.staffId };
    const { launched } = await launch(env);
    const result = await dispatch(launched.companion.handlers, 'demo.useServers', useSim());
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});
