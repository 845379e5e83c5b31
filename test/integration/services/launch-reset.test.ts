// Issue 9: a corrupt settings file never silently turns the app into demo mode. The app
// (Electron and the browser host both start through launchCompanion) starts unconfigured,
// and what the window reads (settings.get) names the saved copy, on this start and the next.

import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallInput, CallName, CallOutput } from '../../../shared/contract';
import { dispatch } from '../../../main/services/dispatch';
import { launchCompanion, type Launched } from '../../../main/services/launch';
import { MemorySecretStore } from '../../../main/services/secrets';

const dirs: string[] = [];
const running: Launched[] = [];

afterAll(async () => {
  await Promise.all(running.map((l) => l.stop()));
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function launch(dataDir: string): Promise<Launched> {
  // No keychain here: nothing in these cases may need one.
  const launched = await launchCompanion({ dataDir, env: {}, fetch, keychain: () => new MemorySecretStore(), version: '0.0.0-test', osLocale: 'en-US' });
  running.push(launched);
  return launched;
}

async function call<N extends CallName>(launched: Launched, name: N, input: CallInput<N>): Promise<CallOutput<N>> {
  const result = await dispatch(launched.companion.handlers, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as CallOutput<N>;
}

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'companion-reset-'));
  dirs.push(dir);
  return dir;
}

describe('a corrupt settings file at start', () => {
  it('starts unconfigured in the reset state, naming the saved copy, never demo: this start and the next', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, 'settings.json'), '{"diyalog":{"baseUrl":"https://diyalog.bank.exa');

    const first = await launch(dir);
    expect(first.demo).toBeNull();
    expect((await call(first, 'status.get', {})).demo).toBe(false);
    const view = await call(first, 'settings.get', {});
    const copy = (await readdir(dir)).find((name) => name.startsWith('settings.corrupt-'));
    expect(copy).toBeDefined();
    expect(view.recoveredFrom).toBe(join(dir, copy!));
    expect(view.settings.diyalog.baseUrl).toBeNull();
    await first.stop();

    const second = await launch(dir);
    expect(second.demo).toBeNull();
    expect((await call(second, 'settings.get', {})).recoveredFrom).toBe(join(dir, copy!));
  });

  it('the control: a data dir that never had settings starts in demo', async () => {
    const launched = await launch(await dataDir());
    expect(launched.demo).not.toBeNull();
    expect((await call(launched, 'status.get', {})).demo).toBe(true);
  });
});
