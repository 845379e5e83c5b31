// First run in real Chromium through the browser host: no server configured and not in demo,
// the setup screen asks for both servers (testing each as typed, before anything is saved),
// and Save stores the settings and both secrets, then leads on to the app.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/host/server';
import { createCompanion, type Companion } from '../../main/services/companion';
import { MemorySecretStore } from '../../main/services/secrets';
import { startDiyalogSim, type DiyalogSim } from '../../main/sim/diyalog/server';
import { startIcwsSim, type IcwsSim } from '../../main/sim/icws/server';
import { axeFindings, collectPageErrors, hasChromium, launchChromium, noteMissingChromium, RENDERER_DIR, requireBuiltRenderer, SCREENSHOTS } from './browser';

noteMissingChromium('first-run');


// First run in order (the setup screen, then what saving it leaves): never shuffled.
describe.skipIf(!hasChromium)('first run, end to end', { shuffle: false }, () => {
  let diyalog: DiyalogSim;
  let icws: IcwsSim;
  let companion: Companion;
  let host: BrowserHost;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    requireBuiltRenderer();
    dataDir = await mkdtemp(join(tmpdir(), 'companion-first-run-'));
    diyalog = await startDiyalogSim({ historySize: 50 });
    icws = await startIcwsSim({ supervisor: false });
    companion = await createCompanion({
      dataDir,
      fetch: globalThis.fetch,
      secrets: new MemorySecretStore(),
      demo: false,
      version: '0.0.0-e2e',
      osLocale: 'en-US',
      connectionTestIntervalMs: 0,
    });
    host = await startBrowserHost({ handlers: companion.handlers, rendererDir: RENDERER_DIR });
    companion.subscribe((event, payload) => host.emit(event, payload));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    collectPageErrors(page, pageErrors);
    await page.goto(host.url);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await companion?.stop();
    await Promise.all([diyalog?.close(), icws?.close()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('the setup screen passes axe-core, in both languages, and is photographed', async () => {
    const setup = page.getByTestId('setup');
    await setup.waitFor({ timeout: 10_000 });
    await mkdir(SCREENSHOTS, { recursive: true });
    for (const lang of ['en', 'tr'] as const) {
      await companion.handlers['language.set']({ language: lang });
      await expect.poll(() => page.getAttribute('html', 'lang')).toBe(lang);
      expect(await axeFindings(page), lang).toEqual([]);
      for (const [width, height] of [
        [1280, 800],
        [720, 560],
      ] as const) {
        await page.setViewportSize({ width, height });
        await page.screenshot({ path: join(SCREENSHOTS, `setup-${width}x${height}-${lang}.png`) });
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await companion.handlers['language.set']({ language: 'en' });
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
  });

  it('tests each server with what is typed, then Save stores everything and leads on to the app', async () => {
    const setup = page.getByTestId('setup');
    await setup.waitFor({ timeout: 10_000 });
    await setup.getByLabel('Diyalog URL').fill(diyalog.url);
    await setup.getByLabel('Access key id').fill(diyalog.credentials.keyId);
    await setup.getByLabel('Access key secret').fill(diyalog.credentials.secret);
    await setup.getByLabel('Your staff number').fill(diyalog.staffId);
    await setup.locator('[data-test-target="diyalog"]').getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => setup.locator('[data-test-target="diyalog"]').textContent(), { timeout: 15_000 }).toContain('OK:');
    // A test stores nothing.
    expect((await companion.handlers['settings.get']({})).secrets).toEqual({ diyalog: false, icws: false });

    await setup.getByLabel('ICWS server URL').fill(icws.url);
    await setup.getByLabel('ICWS user').fill(icws.user.userId);
    await setup.getByLabel('ICWS password').fill(icws.user.password);
    await setup.locator('[data-test-target="icws"]').getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => setup.locator('[data-test-target="icws"]').textContent(), { timeout: 15_000 }).toContain('OK:');

    await setup.getByLabel('Supervisor').check();
    await setup.getByRole('button', { name: 'Save and start' }).click();
    await setup.waitFor({ state: 'detached', timeout: 15_000 });
    const view = await companion.handlers['settings.get']({});
    expect(view.secrets).toEqual({ diyalog: true, icws: true });
    expect(view.settings).toMatchObject({ role: 'supervisor', staffId: diyalog.staffId, diyalog: { baseUrl: diyalog.url }, icws: { baseUrl: icws.url } });
    expect(await page.locator('#tab-recovery').count()).toBe(1);
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 15_000 }).toContain('Connected to');
  });

  it('raised no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
