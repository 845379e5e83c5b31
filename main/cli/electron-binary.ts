import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Where the Electron binary is, or why there is none. Reads the electron package's
 * path.txt itself: requiring 'electron' from Node starts a download when the binary is
 * missing, which on a closed network only fails slowly.
 */
export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): { path: string } | { missing: string } {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { missing: 'the electron package is not installed' };
  }
  const pathFile = join(packageDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH || join(packageDir, 'dist');
  if (!executable && !env.ELECTRON_OVERRIDE_DIST_PATH) {
    return { missing: 'the Electron binary was not downloaded (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1?)' };
  }
  const binary = join(distDir, executable ?? 'electron');
  return existsSync(binary) ? { path: binary } : { missing: `no Electron binary at ${binary}` };
}
