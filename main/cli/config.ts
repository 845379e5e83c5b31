// The command's side of the one composition root: every command reads the same
// settings file as the app (in --data-dir, COMPANION_DATA_DIR or the OS app-data folder),
// with this invocation's flags and COMPANION_* variables laid over it and never written.

import { openServiceContext, type ServiceContext } from '../services/context';
import { SETTING_KEYS } from '../services/configuration';
import { Keychain } from '../store/keychain';
import { loadPolicy, policyFilePath } from '../store/policy';
import { defaultDataDir } from '../store/paths';

/** The override flags come from the settings table, so a flag exists exactly where a setting has one. */
const SETTING_FLAGS = Object.fromEntries(
  Object.values(SETTING_KEYS).flatMap((spec) => ('flag' in spec ? [[spec.flag, { type: 'string' as const }]] : [])),
) as Record<string, { type: 'string' }>;

export const GLOBAL_OPTION_SPECS = {
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...SETTING_FLAGS,
} as const satisfies Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** Options every command understands. */
export interface GlobalOptions {
  json: boolean;
  dataDir: string;
}

export function globalOptions(values: Record<string, unknown>, env: NodeJS.ProcessEnv): GlobalOptions {
  const flag = values['data-dir'];
  const dir = typeof flag === 'string' && flag !== '' ? flag : env.COMPANION_DATA_DIR || defaultDataDir(env);
  return { json: values.json === true, dataDir: dir };
}

/**
 * Opens the services over the settings file, once per invocation and only when a command
 * asks: a command refuses bad input before any file or keychain is read.
 */
export function serviceOpener(options: GlobalOptions, flags: Record<string, unknown>, env: NodeJS.ProcessEnv): () => Promise<ServiceContext> {
  let opened: Promise<ServiceContext> | undefined;
  return () =>
    (opened ??= loadPolicy(policyFilePath(env)).then((policy) =>
      openServiceContext({
      dataDir: options.dataDir,
      secrets: new Keychain(),
      purpose: 'cli',
      env,
      flags,
      osLocale: env.LC_ALL || env.LC_MESSAGES || env.LANG || '',
      policy,
    })));
}
