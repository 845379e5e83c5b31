// Leaving demo mode in real Chromium through the browser host, as the README tells a newcomer:
// the app starts in demo (no server anywhere), Settings offers "Set up real servers", the
// setup screen takes the bank's servers (here: simulators standing in for them) with their
// secrets, and Save stores them for real and starts again on them. The window reloads on
// the user's servers, without DEMO, and a second start over the same data dir is not demo.
// Run under `sh test/with-keyring.sh` (the secrets go to the real keychain).

import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/host/server';
import { launchCompanion, type Launched } from '../../main/services/launch';
import { diyalogAccount, icwsAccount } from '../../main/services/secrets';
import { startDiyalogSim, type DiyalogSim } from '../../main/sim/diyalog/server';
import { startIcwsSim, type IcwsSim } from '../../main/sim/icws/server';
import { Keychain } from '../../main/store/keychain';
import { collectPageErrors, hasChromium, launchChromium, noteMissingChromium, RENDERER_DIR, requireBuiltRenderer, SCREENSHOTS } from './browser';

noteMissingChromium('leave-demo');

describe.skipIf(!hasChromium)('leaving demo mode, end to end', { shuffle: false }, () => {
  // The bank's servers: simulators of their own, apart from the demo's.
  let diyalog: DiyalogSim;
  let icws: IcwsSim;
  let launched: Launched;
  let host: BrowserHost;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const keychain = new Keychain(`agent-companion-test-${randomUUID()}`);
  const pageErrors: string[] = [];

  beforeAll(async () => {
    requireBuiltRenderer();
    await mkdir(SCREENSHOTS, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'companion-leave-demo-'));
    diyalog = await startDiyalogSim({ historySize: 50 });
    icws = await startIcwsSim({ supervisor: false });
    launched = await launchCompanion({ dataDir, env: {}, fetch: globalThis.fetch, keychain: () => keychain, version: '0.0.0-e2e', osLocale: 'en-US' });
    host = await startBrowserHost({ handlers: launched.companion.handlers, language: () => launched.companion.language(), rendererDir: RENDERER_DIR });
    launched.companion.subscribe((event, payload) => host.emit(event, payload));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    collectPageErrors(page, pageErrors);
    await page.goto(host.url);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await launched?.stop();
    await Promise.all([diyalog?.close(), icws?.close()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('Settings → Set up real servers → Save: the app runs on them, without DEMO, and the next start is not demo', async () => {
    await page.getByTestId('demo-badge').waitFor({ timeout: 15_000 });
    await page.locator('#tab-settings').click();
    const note = page.getByTestId('demo-settings');
    await note.waitFor({ timeout: 10_000 });
    await note.getByRole('button', { name: 'Set up real servers' }).click();

    const setup = page.getByTestId('setup');
    await setup.waitFor({ timeout: 10_000 });
    // The heading takes the focus: the screen replaced what was shown.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('setup-title');
    // A blank form, not the simulators' addresses of the demo.
    expect(await setup.getByLabel('Diyalog URL').inputValue()).toBe('');
    await page.screenshot({ path: join(SCREENSHOTS, 'leave-demo-setup-1280x800-en.png'), fullPage: true });

    await setup.getByLabel('Diyalog URL').fill(diyalog.url);
    await setup.getByLabel('Access key id').fill(diyalog.credentials.keyId);
    await setup.getByLabel('Access key secret').fill(diyalog.credentials.secret);
    await setup.getByLabel('Your staff number').fill(diyalog.staffId);
    await setup.getByLabel('ICWS server URL').fill(icws.url);
    await setup.getByLabel('ICWS user').fill(icws.user.userId);
    await setup.getByLabel('ICWS password').fill(icws.user.password);
    await setup.getByRole('button', { name: 'Save and use these servers' }).click();

    // The page loads afresh on the new services: no DEMO, connected to the user's ICWS.
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 20_000, message: 'connected to the user’s ICWS' }).toContain(`Connected to ${new URL(icws.url).host}`);
    expect(await page.getByTestId('demo-badge').count()).toBe(0);
    expect(await page.getByTestId('setup').count()).toBe(0);
    expect(launched.demo).toBeNull();
    expect(await keychain.getSecret('diyalog', diyalogAccount(diyalog.credentials.keyId, diyalog.url))).toBe(diyalog.credentials.secret);
    expect(await keychain.getSecret('icws', icwsAccount(icws.user.userId, icws.url))).toBe(icws.user.password);

    const again = await launchCompanion({ dataDir, env: {}, fetch: globalThis.fetch, keychain: () => keychain, version: '0.0.0-e2e', osLocale: 'en-US' });
    try {
      expect(again.demo).toBeNull();
    } finally {
      await again.stop();
    }
  });

  it('raised no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
