// The one composition root of the app, for the Electron shell and the browser host alike:
// the settings of the data dir with this run's COMPANION_* overrides, demo mode when no
// server is configured anywhere, and the services over them.

import type { FetchLike } from '../http';
import { SettingsStore } from '../store/settings';
import { createCompanion, type Companion } from './companion';
import { collectOverrides, overridePatch } from './configuration';
import { AppError } from '../../shared/errors';
import { shouldStartDemo, startDemo, type Demo, type DemoOptions } from './demo';
import type { SecretStore } from './secrets';

export interface LaunchOptions {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  fetch: FetchLike;
  /** The OS keychain; demo mode uses memory instead and never touches it. */
  keychain: () => SecretStore;
  version: string;
  osLocale: string;
  openExternal?: (url: string) => Promise<void>;
}

export interface Launched {
  companion: Companion;
  /** Set in demo mode: the simulators' addresses. */
  demo: Pick<Demo, 'diyalog' | 'icws'> | null;
  stop(): Promise<void>;
}

export async function launchCompanion(options: LaunchOptions): Promise<Launched> {
  // A bad variable is refused before anything starts, naming the variable.
  overridePatch(collectOverrides(options.env));
  const loaded = await new SettingsStore(options.dataDir).load();
  const { recovered } = loaded;
  // Demo only for a data dir that never had servers: a reset one starts unconfigured and says so.
  const demo = shouldStartDemo(loaded, options.env) ? await startDemo(options.dataDir, demoOptions(options.env)) : null;
  const companion = await createCompanion({
    dataDir: demo?.dataDir ?? options.dataDir,
    fetch: options.fetch,
    secrets: demo?.secrets ?? options.keychain(),
    demo: demo !== null,
    version: options.version,
    osLocale: options.osLocale,
    // Demo mode runs on the simulators whatever the variables say (none names a server).
    ...(demo ? { initialSettings: demo.settings } : { env: options.env }),
    ...(!demo && recovered && { recovered }),
    ...(options.openExternal && { openExternal: options.openExternal }),
  });
  return {
    companion,
    demo,
    async stop() {
      await companion.stop();
      await demo?.stop();
    },
  };
}

/** COMPANION_DEMO_SIGNING=pseudocode starts the demo server checking the other canonical form. */
export function demoOptions(env: NodeJS.ProcessEnv): DemoOptions {
  const form = env.COMPANION_DEMO_SIGNING;
  if (form === undefined || form === '') return {};
  if (form !== 'example' && form !== 'pseudocode') {
    throw new AppError('invalid_input', `COMPANION_DEMO_SIGNING must be example or pseudocode, not "${form}".`);
  }
  return { signingForm: form };
}
