import { homedir } from 'node:os';
import { join } from 'node:path';

/** The product name Electron uses for app.getPath('userData'), so the CLI and the app share one data dir. */
export const PRODUCT_NAME = 'Agent Companion';

/** The OS app-data folder for the companion's settings and audit log. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', PRODUCT_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), PRODUCT_NAME);
}
