// No dead ends, in real Chromium through the browser host against the services and both
// simulators: a dialog gives the focus back to what opened it, or to a named place when that
// is gone, never to <body>; History at 1280×800 shows its first row and whole dates and
// states, one label per wire state, in both languages; Turkish History has no button whose
// name hides its text, and date fields in the app's language whatever the browser's. Pictures
// of History and of the Assistance picker go to test-results/screenshots/.
// Expects `out/renderer` (node build/build.mjs).

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/host/server';
import { createCompanion, type Companion } from '../../main/services/companion';
import type { Handlers } from '../../main/services/dispatch';
import { startDiyalogSim, type DiyalogSim } from '../../main/sim/diyalog/server';
import { startIcwsSim, type IcwsSim } from '../../main/sim/icws/server';
import { HELP_STATES, type HelpRecord } from '../../shared/diyalog';
import { collectPageErrors, hasChromium, launchChromium, loadAxe, noteMissingChromium, RENDERER_DIR, requireBuiltRenderer, SCREENSHOTS, simulatorSecrets } from './browser';

const IN_HELP = '2337368';
const STAFF = '45001';
/** A customer filter that makes history.start answer with records in every wire state at once. */
const EVERY_STATE = 'EVERY-STATE';
/** The display strings the vendor's sample sends instead of a state (main/sim/diyalog/data.ts). */
const DISPLAY_STRINGS = ['Ended by customer', 'Ended by agent'];

noteMissingChromium('no-dead-ends');

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
    // Up to "59 min 59 s" and past an hour: the widest a time gets.
    helpTime: i === 1 ? 3_599 : 3_000 + i * 61,
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
  /** The last history search the page started, as main received it. */
  let lastSearch: { startDate: number; endDate: number } | null = null;

  beforeAll(async () => {
    requireBuiltRenderer();
    await mkdir(SCREENSHOTS, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'companion-dead-ends-'));
    diyalog = await startDiyalogSim({ historySize: 200 });
    icws = await startIcwsSim({ supervisor: { acceptDelayMs: 200, reply: 'Bakıyorum.' } });
    const secrets = await simulatorSecrets(diyalog, icws);
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
        lastSearch = { startDate: input.startDate, endDate: input.endDate };
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

    browser = await launchChromium();
    // The browser speaks American English; the app is switched to Turkish below and must not follow the browser.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    page = await context.newPage();
    collectPageErrors(page, pageErrors);
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

  /** Searches History for the records in every wire state (the handler above answers it). */
  async function searchEveryState() {
    await openTab('history');
    await panel('history').locator('input[name="customer"]').fill(EVERY_STATE);
    await panel('history').locator('form button[type="submit"]').click();
    await page.getByTestId('history-table').locator('tbody tr[data-help]').first().waitFor({ timeout: 10_000 });
  }

  for (const lang of ['en', 'tr'] as const) {
    it(`history at 1280×800 (${lang}): the first row on the first screen, dates and states whole, one label per wire state`, async () => {
      await page.setViewportSize({ width: 1280, height: 800 });
      await setLanguage(lang);
      await searchEveryState();
      await page.screenshot({ path: join(SCREENSHOTS, `dead-ends-history-1280x800-${lang}.png`) });

      const firstRow = page.getByTestId('history-table').locator('tbody tr[data-help]').first();
      const box = await firstRow.boundingBox();
      expect(box, 'the first row is laid out').not.toBeNull();
      expect((box?.y ?? Infinity) + (box?.height ?? 0), 'the first row ends within the window').toBeLessThanOrEqual(800);

      // Every row in the DOM: the date (1st), state (4th), wait and help time (5th, 6th) cells show all of their text.
      const clipped = await page.getByTestId('history-table').evaluate((table) =>
        [...table.querySelectorAll('tbody tr[data-help]')].flatMap((tr) =>
          [0, 3, 4, 5]
            .map((i) => tr.children[i])
            .filter((td): td is HTMLElement => td instanceof HTMLElement && td.scrollWidth > td.clientWidth)
            .map((td) => td.textContent?.trim()),
        ),
      );
      expect(clipped, 'date, state and time cells cut off').toEqual([]);

      // One label per state in the filter: the documented states and the display strings alike.
      const labels = await panel('history').getByRole('combobox', { name: lang === 'en' ? /^State/ : /^Durum/ }).locator('option').allTextContents();
      const states = labels.slice(1).map((l) => l.trim());
      expect(states).toHaveLength(HELP_STATES.length + DISPLAY_STRINGS.length);
      expect(new Set(states).size, `state labels: ${states.join(' | ')}`).toBe(states.length);
    });
  }

  it('Turkish History in an American browser: every button’s name holds its text, and dates are written and read the Turkish way, 24-hour', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await setLanguage('tr');
    await searchEveryState();
    await loadAxe(page);
    const mismatches = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: unknown, options: unknown): Promise<{ violations: { nodes: { target: unknown[] }[] }[] }> } }).axe;
      const result = await axe.run(document.querySelector('#panel-history'), { runOnly: { type: 'rule', values: ['label-content-name-mismatch'] } });
      return result.violations.flatMap((v) => v.nodes.map((n) => JSON.stringify(n.target)));
    });
    expect(mismatches, 'label-content-name-mismatch').toEqual([]);
    const transcript = page.getByTestId('history-table').locator('tbody tr[data-help="7000000"] button');
    expect(await transcript.evaluate((b) => b.textContent?.replace(/\s+/g, ' ').trim())).toBe('Yazışma: 7000000 numaralı yardım');

    const from = panel('history').locator('input[name="from"]');
    const to = panel('history').locator('input[name="to"]');
    expect(await from.inputValue()).toMatch(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/);
    expect(await to.inputValue()).toMatch(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/);
    await from.fill('01.12.2026 14:30');
    await to.fill('2.12.2026 9:05');
    await to.blur();
    expect(await to.inputValue(), 'tidied on leaving the field').toBe('02.12.2026 09:05');
    await panel('history').locator('form button[type="submit"]').click();
    await expect.poll(() => lastSearch?.startDate).toBe(new Date(2026, 11, 1, 14, 30).getTime());
    expect(lastSearch?.endDate).toBe(new Date(2026, 11, 2, 9, 5, 59, 999).getTime());
    // A date that is not one is refused on the field, in Turkish.
    await from.fill('31.02.2026 10:00');
    await panel('history').locator('form button[type="submit"]').click();
    expect(await from.getAttribute('aria-invalid')).toBe('true');
    await panel('history').getByRole('button', { name: 'Şu ana kadarki son 7 güne dön' }).click();

    // The same value in English reads the English way.
    await setLanguage('en');
    expect(await from.inputValue()).toMatch(/^\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}$/);
  });

  it('pictures: History at 1280×800 and its table scrolled, in both languages; the Assistance picker in Turkish', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    for (const lang of ['en', 'tr'] as const) {
      await setLanguage(lang);
      await searchEveryState();
      await page.screenshot({ path: join(SCREENSHOTS, `dead-ends-history-1280x800-${lang}.png`) });
      const scroller = page.getByTestId('history-scroll');
      await scroller.evaluate((el) => (el.scrollTop = 4 * 48));
      await scroller.screenshot({ path: join(SCREENSHOTS, `dead-ends-history-table-${lang}.png`) });
    }
    await setLanguage('tr');
    await openTab('assistance');
    const picker = page.getByTestId('interaction-picker');
    await picker.waitFor({ timeout: 10_000 });
    expect(await picker.textContent()).toContain('Çağrı');
    await picker.screenshot({ path: join(SCREENSHOTS, 'dead-ends-assistance-picker-tr.png') });
    await setLanguage('en');
  });

  it('a section whose code cannot be fetched says so with a Reload button, never a blank panel; the reload brings it', async () => {
    // A page of its own, with nothing cached: the Audit section's code is refused once.
    const context = await browser.newContext({ viewport: { width: 720, height: 800 }, locale: 'en-US' });
    try {
      const other = await context.newPage();
      await other.route(/AuditView[^/]*\.js$/, (route) => route.abort());
      await other.goto(host.url);
      await other.locator('#tab-audit').click();
      const note = other.locator('#panel-audit').getByTestId('view-not-loaded');
      await note.waitFor({ timeout: 10_000 });
      expect(await note.textContent()).toContain('This section could not be loaded.');
      await other.screenshot({ path: join(SCREENSHOTS, 'dead-ends-section-not-loaded-720-en.png') });
      await other.unroute(/AuditView[^/]*\.js$/);
      await note.getByRole('button', { name: 'Reload the window' }).click();
      await other.locator('#tab-audit').click();
      await other.locator('#panel-audit h1').waitFor({ timeout: 10_000 });
      expect(await other.locator('#panel-audit').getByTestId('view-not-loaded').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('raised no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
