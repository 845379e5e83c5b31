import { AppError } from '../../shared/errors';
import type { DiyalogClientOptions } from '../diyalog/client';
import { Keychain } from '../store/keychain';
import { defaultDataDir } from '../store/paths';

/** Options every command understands; each falls back to its environment variable. */
export interface GlobalOptions {
  json: boolean;
  diyalogUrl?: string;
  keyId?: string;
  staffId?: string;
  dataDir?: string;
  icwsUrl?: string;
  icwsUser?: string;
}

export const GLOBAL_OPTION_SPECS = {
  json: { type: 'boolean' },
  'diyalog-url': { type: 'string' },
  'key-id': { type: 'string' },
  'staff-id': { type: 'string' },
  'data-dir': { type: 'string' },
  'icws-url': { type: 'string' },
  'icws-user': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function globalOptions(values: Record<string, unknown>, env: NodeJS.ProcessEnv): GlobalOptions {
  const pick = (flag: string, variable: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string' && v !== '') return v;
    const e = env[variable];
    return e !== undefined && e !== '' ? e : undefined;
  };
  return {
    json: values.json === true,
    diyalogUrl: pick('diyalog-url', 'COMPANION_DIYALOG_URL'),
    keyId: pick('key-id', 'COMPANION_DIYALOG_KEY_ID'),
    staffId: pick('staff-id', 'COMPANION_STAFF_ID'),
    dataDir: pick('data-dir', 'COMPANION_DATA_DIR'),
    icwsUrl: pick('icws-url', 'COMPANION_ICWS_URL'),
    icwsUser: pick('icws-user', 'COMPANION_ICWS_USER'),
  };
}

export function dataDirOf(options: GlobalOptions): string {
  return options.dataDir ?? defaultDataDir();
}

function required(value: string | undefined, what: string, flag: string, variable: string): string {
  if (value === undefined) {
    throw new AppError('missing_credentials', `No ${what} configured: pass ${flag} or set ${variable}.`);
  }
  return value;
}

/** Everything a Diyalog client needs; the secret from the environment, else the keychain. */
export async function diyalogClientOptions(
  options: GlobalOptions,
  env: NodeJS.ProcessEnv,
  keychain: Keychain = new Keychain(),
): Promise<DiyalogClientOptions> {
  const baseUrl = required(options.diyalogUrl, 'Diyalog URL', '--diyalog-url', 'COMPANION_DIYALOG_URL');
  const keyId = required(options.keyId, 'Diyalog access key id', '--key-id', 'COMPANION_DIYALOG_KEY_ID');
  const requesterUserId = required(options.staffId, 'operator staff id', '--staff-id', 'COMPANION_STAFF_ID');
  const secret = env.COMPANION_DIYALOG_SECRET || (await keychain.getSecret('diyalog', keyId));
  if (!secret) {
    throw new AppError(
      'missing_credentials',
      `No Diyalog secret for key id ${keyId}: run "companion login diyalog" or set COMPANION_DIYALOG_SECRET.`,
    );
  }
  return { baseUrl, credentials: { keyId, secret }, requesterUserId, fetch: globalThis.fetch };
}
