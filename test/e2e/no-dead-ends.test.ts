// No dead ends, in real Chromium through the browser host against the services and both
// simulators: a dialog gives the focus back to what opened it, or to a named place when that
// is gone, never to <body>; History at 1280×800 shows its first row and whole dates and
// states, one label per wire state, in both languages; Turkish History has no button whose
// name hides its text, and date fields in the app's language whatever the browser's. Pictures
// of History and of the Assistance picker go to test-results/screenshots/.
// Expects `out/renderer` (node build/build.mjs).

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/host/server';
import { createCompanion, type Companion } from '../../main/services/companion';
import type { Handlers } from '../../main/services/dispatch';
import { diyalogAccount, icwsAccount, MemorySecretStore } from '../../main/services/secrets';
import { startDiyalogSim, type DiyalogSim } from '../../main/sim/diyalog/server';
import { startIcwsSim, type IcwsSim } from '../../main/sim/icws/server';
import { HELP_STATES, type HelpRecord } from '../../shared/diyalog';

const CHROMIUM = '/usr/bin/chromium';
const RENDERER_DIR = join(import.meta.dirname, '../../out/renderer');
const SCREENSHOTS = join(import.meta.dirname, '../../test-results/screenshots');
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const IN_HELP = '2337368';
const STAFF = '45001';
/** A customer filter that makes history.start answer with records in every wire state at once. */
const EVERY_STATE = 'EVERY-STATE';
/** The display strings the vendor's sample sends instead of a state (main/sim/diyalog/data.ts). */
const DISPLAY_STRINGS = ['Ended by customer', 'Ended by agent'];

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`no-dead-ends e2e skipped: ${CHROMIUM} is missing (install Chromium to run it).`);

/** Records in every wire state, with long names and a transcript each: the widest a row gets. */
function everyStateRecords(now: number): HelpRecord[] {
  const states = [...HELP_STATES, ...DISPLAY_STRINGS];
  return Array.from({ length: 60 }, (_, i) => ({
    onlineHelpId: 7_000_000 + i,
    customerNo: String(40_000_000 + i),
    customerName: `Müşteri Adı Soyadı Uzunoğlu ${i}`,
    agentId: `4${String(i % 9).padStart(4, '0')}`,
    agentName: `Temsilci Adı Soyadı ${i % 9}`,
    helpState: states[i % states.length] ?? 'onlinehelp_ended_by_agent',
    helpRequestedAt: now - i * 3_600_000,
    helpStartedAt: now - i * 3_600_000 + 40_000,
    waitTime: 40 + i,
    helpTime: 3_000 + i * 61,
    conversationDetailLink: `https://diyalog.example.com/onlinehelpdetail.html?id=${7_000_000 + i}`,
  }));
}

describe.skipIf(!hasChromium)('no dead ends, end to end', { shuffle: false }, () => {
  let diyalog: DiyalogSim;
  let icws: IcwsSim;
  let companion: Companion;
  let host: BrowserHost;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error(`${RENDERER_DIR} has no index.html: build first (node build/build.mjs).`);
    await mkdir(SCREENSHOTS, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'companion-dead-ends-'));
    diyalog = await startDiyalogSim({ historySize: 200 });
    icws = await startIcwsSim({ supervisor: { acceptDelayMs: 200, reply: 'Bakıyorum.' } });
    const secrets = new MemorySecretStore();
    await secrets.setSecret('diyalog', diyalogAccount(diyalog.credentials.keyId, diyalog.url), diyalog.credentials.secret);
    await secrets.setSecret('icws', icwsAccount(icws.user.userId, icws.url), icws.user.password);
    companion = await createCompanion({
      dataDir,
      fetch: globalThis.fetch,
      secrets,
      demo: true,
      version: '0.0.0-e2e',
      osLocale: 'en-US',
      connectionTestIntervalMs: 0,
      initialSettings: {
        diyalog: { baseUrl: diyalog.url, keyId: diyalog.credentials.keyId },
        staffId: diyalog.staffId,
        icws: { baseUrl: icws.url, userId: icws.user.userId },
        role: 'supervisor',
      },
    });
    let walks = 0;
    const handlers: Handlers = {
      ...companion.handlers,
      'history.start': async (input) => {
        if (input.customerId !== EVERY_STATE) return companion.handlers['history.start'](input);
        const walkId = `every-state-${++walks}`;
        const items = everyStateRecords(Date.now());
        setTimeout(() => host.emit('history.done', { walkId, result: { items, requests: 1, warnings: [] }, error: null }), 50);
        return { walkId };
      },
    };
    host = await startBrowserHost({ handlers, rendererDir: RENDERER_DIR });
    companion.subscribe((event, payload) => host.emit(event, payload));
    diyalog.control.startSession(IN_HELP, STAFF, 'inbound');

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // The browser speaks American English; the app is switched to Turkish below and must not follow the browser.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(host.url);
    await page.getByTestId('connection').filter({ hasText: 'Connected to' }).waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await companion?.stop();
    await Promise.all([diyalog?.close(), icws?.close()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const panel = (id: string) => page.locator(`#panel-${id}`);
  async function openTab(id: string) {
    await page.locator(`#tab-${id}`).click();
    await panel(id).waitFor({ state: 'visible' });
  }

  async function setLanguage(lang: 'en' | 'tr') {
    await companion.handlers['language.set']({ language: lang });
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe(lang);
  }

  /** What has the focus, said so a failure reads: `body`, or the element's tag, name and text. */
  const focused = () =>
    page.evaluate(() => {
      const a = document.activeElement;
      if (!a || a === document.body) return 'body';
      return `${a.tagName.toLowerCase()}${a.id ? `#${a.id}` : ''} "${(a.getAttribute('aria-label') ?? a.textContent ?? '').trim().slice(0, 60)}"`;
    });
  const hasFocus = (target: Locator) => target.evaluate((el) => el === document.activeElement);
  /** The dialog is gone and the focus is on `target` (it may arrive a moment after the dialog goes). */
  async function focusReturnsTo(target: Locator, what: string) {
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await expect.poll(() => hasFocus(target), { message: `the focus goes to ${what}, not to ${await focused()}` }).toBe(true);
    expect(await focused()).not.toBe('body');
  }

  it('watch force-end: Cancel and Escape give the focus back to the Force-end button; a confirmed end, whose button goes, to its row', async () => {
    await openTab('watch');
    const input = panel('watch').getByLabel('Customer id');
    await input.fill(IN_HELP);
    await input.press('Enter');
    const row = page.locator(`tr[data-customer="${IN_HELP}"]`);
    const forceEnd = row.getByRole('button', { name: /^Force-end/ });
    await forceEnd.waitFor({ timeout: 10_000 });

    await forceEnd.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await focusReturnsTo(forceEnd, 'the Force-end button (Cancel)');

    await forceEnd.click();
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await focusReturnsTo(forceEnd, 'the Force-end button (Escape)');

    await forceEnd.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox').fill('e2e: focus after a force-end');
    await dialog.getByRole('button', { name: 'Force-end session' }).click();
    await expect.poll(() => forceEnd.count(), { timeout: 10_000, message: 'the row is no longer in help' }).toBe(0);
    await focusReturnsTo(row.getByRole('rowheader'), 'the row’s customer id');
  });

  it('assistance Done: Cancel gives the focus back to Done; Done, which moves the card to Completed, to the completed conversation', async () => {
    await openTab('assistance');
    const picker = page.getByTestId('interaction-picker');
    await picker.waitFor({ timeout: 10_000 });
    await picker.locator(`input[value="${icws.interactionIds[0]}"]`).check();
    await panel('assistance').getByLabel('Your question').fill('Odak nereye gidiyor?');
    await panel('assistance').getByRole('button', { name: 'Ask a supervisor' }).click();
    const card = panel('assistance').locator('article.assistance:not(.done)').first();
    const done = card.getByRole('button', { name: 'Done' });
    await done.waitFor({ timeout: 10_000 });
    const assistanceId = await card.getAttribute('data-assistance');

    await done.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await focusReturnsTo(done, 'the Done button (Cancel)');

    await done.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
    const completedLog = page.locator(`[data-testid="completed-card"][data-assistance="${assistanceId}"] ol.chat`);
    await focusReturnsTo(completedLog, 'the completed conversation');
  });

  it('recovery confirm: Cancel gives the focus back to End selected; a confirmed end, to the results', async () => {
    const busy = new Set([IN_HELP, ...diyalog.control.liveSessions().map((l) => l.customerId)]);
    const customer = diyalog.control.customers().find((c) => !busy.has(c.customerId));
    const agent = diyalog.control.staff().find((st) => st.role === 'agent' && st.staffId !== STAFF);
    if (!customer || !agent) throw new Error('the simulator has no free customer or agent');
    diyalog.control.crashSession(customer.customerId, agent.staffId, diyalog.control.serverNow() - 90 * 60_000);

    await openTab('recovery');
    await panel('recovery').getByLabel('Customer id').fill(customer.customerId);
    await panel('recovery').getByRole('button', { name: 'Find', exact: true }).click();
    const row = panel('recovery').locator(`tr[data-customer="${customer.customerId}"]`);
    await row.waitFor({ timeout: 20_000 });
    await row.getByRole('checkbox').check();
    const endSelected = panel('recovery').getByRole('button', { name: /^End selected/ });

    await endSelected.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await focusReturnsTo(endSelected, 'the End selected button (Cancel)');

    await endSelected.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox').fill('e2e: focus after ending');
    await dialog.getByRole('button', { name: /^Force-end/ }).click();
    await expect.poll(() => row.getByTestId('row-outcome').textContent(), { timeout: 20_000 }).toContain('Ended');
    const results = panel('recovery').getByRole('region', { name: 'Stuck sessions' });
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    // The button stays only while something is still selected: the focus is on it, or on the results.
    await expect
      .poll(async () => ((await endSelected.isEnabled()) ? hasFocus(endSelected) : hasFocus(results)), { message: `the focus after ending is on ${await focused()}` })
      .toBe(true);
  });

  it('settings: clearing a secret, whose Clear button is then disabled, leaves the focus in the password field', async () => {
    await openTab('settings');
    const field = page.locator('[data-secret="icws"]');
    await field.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => field.getByTestId('secret-state').textContent()).toBe('not stored');
    await focusReturnsTo(field.getByLabel('ICWS password'), 'the ICWS password field');
    // Back as it was, for what follows.
    await field.getByLabel('ICWS password').fill(icws.user.password);
    await field.getByRole('button', { name: 'Store', exact: true }).click();
    await expect.poll(() => field.getByTestId('secret-state').textContent()).toBe('stored');
  });

  it('raised no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });

  void readFile;
  void AXE_SOURCE;
  void setLanguage;
});
