// The Electron shell, driven by Playwright's _electron. Runs when the Electron binary is
// installed; where it cannot be downloaded (CI here) the suite is skipped and says why.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from 'playwright';
import { describe, expect, it } from 'vitest';
import { findElectronBinary } from '../../main/cli/electron-binary';

const binary = findElectronBinary();
if ('missing' in binary) {
  console.log(`Skipping the Electron smoke test: ${binary.missing}.`);
}

describe.skipIf('missing' in binary)('Electron shell (smoke)', () => {
  it('opens one hardened window in demo mode and answers through the preload', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'companion-electron-'));
    const app = await electron.launch({
      ...('path' in binary && { executablePath: binary.path }),
      args: ['out/app/main.js', '--no-sandbox'],
      env: { ...process.env, COMPANION_DATA_DIR: dataDir },
    });
    try {
      const page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
      expect(app.windows()).toHaveLength(1);
      const probe = await page.evaluate(async () => {
        const api = (window as unknown as { companion?: { call: (n: string, i: unknown) => Promise<{ ok: boolean; value?: { demo?: boolean } }> } }).companion;
        const status = api ? await api.call('status.get', {}) : null;
        return {
          hasApi: api !== undefined,
          frozen: api !== undefined && Object.isFrozen(api),
          noRequire: typeof (window as unknown as { require?: unknown }).require === 'undefined',
          noProcess: typeof (window as unknown as { process?: unknown }).process === 'undefined',
          demo: status?.ok === true && status.value?.demo === true,
          origin: location.origin,
        };
      });
      expect(probe).toEqual({ hasApi: true, frozen: true, noRequire: true, noProcess: true, demo: true, origin: 'app://companion' });
      // Navigation away and new windows are refused.
      await page.evaluate(() => {
        window.open('https://example.com');
        location.href = 'https://example.com';
      });
      // A round trip through main after the attempts: main handles a page's events in order,
      // so by the time this answers, will-navigate and the window-open handler have decided.
      const stillHere = await page.evaluate(async () => {
        const api = (window as unknown as { companion: { call: (n: string, i: unknown) => Promise<{ ok: boolean }> } }).companion;
        return (await api.call('status.get', {})).ok;
      });
      expect(stillHere).toBe(true);
      expect(app.windows()).toHaveLength(1);
      expect(new URL(page.url()).origin).toBe('app://companion');
    } finally {
      await app.close();
    }
  });
});
