// Issue 9: a corrupt settings file is moved aside and the app starts unconfigured, saying so
// in the window (on whatever screen) with the saved copy's path; never silently demo mode.
// Real Chromium through the browser host over launchCompanion, as `npm start` runs it.
// Expects `out/renderer` (the test script builds it).

import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/host/server';
import { launchCompanion, type Launched } from '../../main/services/launch';
import { Keychain } from '../../main/store/keychain';
import { hasChromium, launchChromium, noteMissingChromium, RENDERER_DIR, requireBuiltRenderer } from './browser';

noteMissingChromium('settings-reset');

describe.skipIf(!hasChromium)('a reset settings file in the window', () => {
  let dataDir: string;
  let launched: Launched;
  let host: BrowserHost;
  let browser: Browser;

  beforeAll(async () => {
    requireBuiltRenderer();
    dataDir = await mkdtemp(join(tmpdir(), 'companion-reset-'));
    await writeFile(join(dataDir, 'settings.json'), '{"diyalog": {"baseUrl": "https://dlg.bank.local", ');
    launched = await launchCompanion({
      dataDir,
      env: {},
      fetch: globalThis.fetch,
      // Nothing is configured after the reset, so nothing is read; a keychain of its own anyway.
      keychain: () => new Keychain(`agent-companion-test-${randomUUID()}`),
      version: '0.0.0-e2e',
      osLocale: 'en-US',
    });
    host = await startBrowserHost({ handlers: launched.companion.handlers, rendererDir: RENDERER_DIR });
    launched.companion.subscribe(host.emit);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await launched?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('says the settings were reset and where the saved copy is, and is not demo mode', async () => {
    const copy = (await readdir(dataDir)).find((name) => name.startsWith('settings.corrupt-'));
    expect(copy).toBeDefined();
    expect(launched.demo).toBeNull();

    const page = await browser.newPage();
    await page.goto(host.url);
    const banner = page.getByTestId('settings-reset');
    await banner.waitFor();
    expect(await banner.textContent()).toContain(join(dataDir, copy!));
    expect(await page.getByTestId('demo-badge').count()).toBe(0);
    await page.close();
  });
});
