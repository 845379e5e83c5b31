// What an agent sees when the ICWS server refuses the login for a reason of its own (issue 16,
// §2.6), in real Chromium through the browser host against both simulators: the server's own
// words in the status bar and on the Assistance screen, a "Log in again" that works once the
// cause is fixed, and the password-expiry warning after the login, in either language.
// Expects `out/renderer` (the test script builds it).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/host/server';
import { createCompanion, type Companion } from '../../main/services/companion';
import { startDiyalogSim, type DiyalogSim } from '../../main/sim/diyalog/server';
import { startIcwsSim, type IcwsSim } from '../../main/sim/icws/server';
import { collectPageErrors, hasChromium, launchChromium, noteMissingChromium, RENDERER_DIR, requireBuiltRenderer, SCREENSHOTS, simulatorSecrets } from './browser';

noteMissingChromium('icws-login-refused');

const REFUSAL = 'No client access license is available for this user.';

let browser: Browser;
let diyalog: DiyalogSim;
let icws: IcwsSim;
let companion: Companion;
let host: BrowserHost;
let page: Page;
let dataDir: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!hasChromium) return;
  requireBuiltRenderer();
  browser = await launchChromium();
  dataDir = await mkdtemp(join(tmpdir(), 'companion-e2e-refused-'));
  diyalog = await startDiyalogSim({ historySize: 20 });
  icws = await startIcwsSim({ supervisor: false });
  // Refused before the window ever logs in.
  icws.control.setConnectRefusal({ reason: 'noLicense', status: 400 });
  companion = await createCompanion({
    dataDir,
    fetch: globalThis.fetch,
    secrets: await simulatorSecrets(diyalog, icws),
    demo: false,
    version: '0.0.0-e2e',
    osLocale: 'en-US',
    connectionTestIntervalMs: 0,
    initialSettings: {
      diyalog: { baseUrl: diyalog.url, keyId: diyalog.credentials.keyId },
      staffId: diyalog.staffId,
      icws: { baseUrl: icws.url, userId: icws.user.userId },
      role: 'agent',
    },
  });
  host = await startBrowserHost({ handlers: companion.handlers, language: () => companion.language(), rendererDir: RENDERER_DIR });
  companion.subscribe((event, payload) => host.emit(event, payload));
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  collectPageErrors(page, pageErrors);
  await page.goto(host.url);
}, 60_000);

afterAll(async () => {
  await page?.close();
  await browser?.close();
  await host?.close();
  await companion?.stop();
  await Promise.all([diyalog?.close(), icws?.close()]);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)('an ICWS login the server refuses', () => {
  it('shows the server’s words and Log in again; once fixed, logs in and warns of the password in either language', async () => {
    const connection = page.getByTestId('connection');
    await connection.filter({ hasText: REFUSAL }).waitFor({ timeout: 15_000 });
    expect(await connection.textContent()).toContain('The ICWS server refused the login');
    const bar = page.getByTestId('login-again-bar');
    await bar.waitFor({ timeout: 5_000 });

    // The Assistance screen says why, in the server's words, with the same control.
    await page.locator('#tab-assistance').click();
    const why = page.getByTestId('session-ended');
    await why.waitFor({ timeout: 10_000 });
    expect(await why.textContent()).toContain(`The ICWS server refused the login: ${REFUSAL}`);
    const loginsBefore = icws.control.requests.filter((r) => r.path === '/icws/connection').length;
    expect(loginsBefore).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'icws-login-refused-assistance-en.png') });

    icws.control.setConnectRefusal(null);
    icws.control.setPasswordExpiry(3);
    await bar.getByRole('button', { name: 'Log in again' }).click();
    await connection.filter({ hasText: 'Connected to' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('login-again-bar').count()).toBe(0);
    const expiry = page.getByTestId('password-expiry');
    await expiry.filter({ hasText: 'Your ICWS password expires in 3 days' }).waitFor({ timeout: 5_000 });

    // A language switch logs in again in Turkish: the warning follows.
    await companion.handlers['language.set']({ language: 'tr' });
    await expiry.filter({ hasText: 'ICWS parolanızın süresi 3 gün içinde doluyor' }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'icws-password-expiry-tr.png') });
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
