// A whole shift in real Chromium through the browser host, against the services and both
// simulators: history at 30,000 rows, honest freshness, both services in the status bar,
// unread assistance and focus, Settings that store what is typed, themes, a 720×560 window,
// axe-core on every screen in both languages and both themes, and screenshots of every screen
// at 1280×800 and 720×560 in both languages (test-results/screenshots/, kept by CI).
// Expects `out/renderer` (the test script builds it).

import { parse } from 'csv-parse/sync';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/host/server';
import { createCompanion, type Companion } from '../../main/services/companion';
import type { Handlers } from '../../main/services/dispatch';
import { startDiyalogSim, type DiyalogSim } from '../../main/sim/diyalog/server';
import { startIcwsSim, type IcwsSim } from '../../main/sim/icws/server';
import type { HelpRecord } from '../../shared/diyalog';
import { axeFindings, collectPageErrors, hasChromium, launchChromium, noteMissingChromium, RENDERER_DIR, requireBuiltRenderer, SCREENSHOTS, simulatorSecrets } from './browser';

/** A customer filter that makes history.start answer with BULK_SIZE made-up records at once. */
const BULK_CUSTOMER = 'BULK-30000';
const BULK_SIZE = 30_000;
const IN_HELP = '2337368';
const STAFF = '45001';
const SUPERVISOR_REPLY = 'Bakıyorum, bir dakika.';

noteMissingChromium('shift');

const STATES = ['onlinehelp_ended_by_agent', 'onlinehelp_cancelled_by_customer', 'onlinehelp_ended_by_customer', 'onlinehelp_ended_customer_kill_app'];

/** Made-up records: varied enough to sort and filter, with a few names a spreadsheet would run. */
function bulkRecords(now: number): HelpRecord[] {
  return Array.from({ length: BULK_SIZE }, (_, i) => ({
    onlineHelpId: 9_000_000 + i,
    customerNo: String(50_000_000 + i),
    customerName: i % 1000 === 7 ? `=HYPERLINK("http://x.example/${i}")` : `Müşteri ${i % 997}`,
    agentId: `4${String(i % 40).padStart(4, '0')}`,
    agentName: `Temsilci ${i % 40}`,
    helpState: STATES[i % STATES.length] ?? 'onlinehelp_ended_by_agent',
    helpRequestedAt: now - i * 20_000,
    waitTime: (i * 7) % 300,
    helpTime: (i * 13) % 1800,
  }));
}

// A shift in order (search, then sort and export what was found; end a session, then audit it): never shuffled.
describe.skipIf(!hasChromium)('a whole shift, end to end', { shuffle: false }, () => {
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
    await mkdir(SCREENSHOTS, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'companion-shift-'));
    diyalog = await startDiyalogSim({ historySize: 300 });
    icws = await startIcwsSim({ supervisor: { acceptDelayMs: 300, reply: SUPERVISOR_REPLY } });
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
    // The one made-up part: a history search for BULK_CUSTOMER answers with 30,000 records at
    // once (walking that many from the simulator is the history benchmark's job, not this one's).
    let bulkWalks = 0;
    const handlers: Handlers = {
      ...companion.handlers,
      'history.start': async (input) => {
        if (input.customerId !== BULK_CUSTOMER) return companion.handlers['history.start'](input);
        const walkId = `bulk-${++bulkWalks}`;
        const items = bulkRecords(Date.now());
        setTimeout(() => host.emit('history.done', { walkId, result: { items, requests: 1, warnings: [] }, error: null }), 50);
        return { walkId };
      },
    };
    host = await startBrowserHost({ handlers, rendererDir: RENDERER_DIR });
    companion.subscribe((event, payload) => host.emit(event, payload));
    diyalog.control.startSession(IN_HELP, STAFF, 'inbound');

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', acceptDownloads: true });
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

  it('history: 30,000 rows scroll with only a window of them in the DOM and the header in place', async () => {
    await openTab('history');
    await panel('history').getByLabel('Customer id').fill(BULK_CUSTOMER);
    await panel('history').getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.getByTestId('history-summary').textContent(), { timeout: 20_000 }).toContain(`${BULK_SIZE} records`);
    // The summary's charts, drawn by Svelte from d3 scales and sized by SVG attributes (no
    // inline style): 24 hour bars on a count axis, one bar for each of the 8 busiest agents.
    const hours = page.getByTestId('hours-chart');
    expect(await hours.locator('rect.bar').count()).toBe(24);
    expect(await hours.locator('text.y-tick').count()).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('agents-chart').locator('rect.bar').count()).toBe(8);
    expect(await page.getByTestId('history-charts').textContent()).toContain('and 32 more agents');
    expect(await page.getByTestId('wait-median').textContent()).toMatch(/\d/);
    expect(await page.getByTestId('history-charts').locator('[style]').count()).toBe(0);
    const table = page.getByTestId('history-table');
    expect(await table.getAttribute('aria-rowcount')).toBe(String(BULK_SIZE + 1));
    const dataRows = table.locator('tbody tr:not(.spacer)');
    expect(await dataRows.count()).toBeLessThan(80);

    const scroller = page.getByTestId('history-scroll');
    const headerTop = async () => (await table.locator('thead th').first().boundingBox())?.y ?? -1;
    const before = await headerTop();
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => table.locator('tbody tr:not(.spacer)').last().getAttribute('aria-rowindex')).toBe(String(BULK_SIZE + 1));
    expect(await dataRows.count()).toBeLessThan(80);
    expect(await headerTop()).toBe(before);
  });

  it('history: sorts by a column (aria-sort), filters, and exports exactly what is shown with formulas escaped', async () => {
    const table = page.getByTestId('history-table');
    const customerHeader = table.locator('thead th', { hasText: 'Customer' });
    expect(await table.locator('thead th', { hasText: 'Requested at' }).getAttribute('aria-sort')).toBe('descending');
    await customerHeader.getByRole('button').click();
    expect(await customerHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(await table.locator('thead th', { hasText: 'Requested at' }).getAttribute('aria-sort')).toBe('none');

    await panel('history').getByRole('combobox', { name: /^State/ }).selectOption('onlinehelp_ended_customer_kill_app');
    await panel('history').getByLabel('Customer contains').fill('HYPERLINK');
    const shown = page.getByTestId('history-shown');
    await expect.poll(() => shown.textContent()).toMatch(/Showing \d+ of 30000 records\./);
    const count = Number(/Showing (\d+)/.exec((await shown.textContent()) ?? '')?.[1]);
    expect(count).toBeGreaterThan(0);

    const download = page.waitForEvent('download');
    await page.getByTestId('history-export').click();
    const file = await (await download).path();
    const text = await readFile(file, 'utf8');
    const rows = parse(text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(count);
    expect(rows.every((r) => r.helpState === 'onlinehelp_ended_customer_kill_app')).toBe(true);
    expect(rows.every((r) => r.customerName?.startsWith(`'=HYPERLINK(`))).toBe(true);
    await panel('history').getByRole('button', { name: 'Clear filter' }).click();
  });

  it('assistance: an unread count on the nav item and in the title, focus kept after Send, Done moves to Completed', async () => {
    await openTab('assistance');
    // The agent picks one of their interactions instead of typing its id.
    const picker = page.getByTestId('interaction-picker');
    await picker.waitFor({ timeout: 10_000 });
    await picker.locator(`input[value="${icws.interactionIds[0]}"]`).check();
    expect(await panel('assistance').getByLabel('Interaction id').inputValue()).toBe(icws.interactionIds[0]);
    await panel('assistance').getByLabel('Your question').fill('Limit onayı gerekiyor.');
    await panel('assistance').getByRole('button', { name: 'Ask a supervisor' }).click();
    // Away from the conversation when the supervisor answers: unread.
    await openTab('watch');
    await expect.poll(() => page.getByTestId('unread-count').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.title()).toMatch(/^\(\d+\) Agent Companion$/);
    await openTab('assistance');
    await expect.poll(() => page.getByTestId('unread-count').count()).toBe(0);
    expect(await page.title()).toBe('Agent Companion');

    const card = panel('assistance').locator('article.assistance').first();
    const box = card.getByLabel('Message', { exact: true });
    await box.fill('Teşekkürler.');
    await card.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => card.textContent()).toContain('Teşekkürler.');
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await box.inputValue()).toBe('');

    await card.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
    const completed = page.getByTestId('assist-completed');
    await expect.poll(() => completed.getByTestId('completed-card').count()).toBe(1);
    expect(await completed.textContent()).toContain('Teşekkürler.');
    expect(await completed.getByRole('button', { name: 'Send' }).count()).toBe(0);
  });

  it('ICWS: a session the server ended offers "Log in again" in the status bar and on Assistance; it logs in and the picker is back', async () => {
    await openTab('assistance');
    const picker = page.getByTestId('interaction-picker');
    await picker.waitFor({ timeout: 10_000 });
    expect(icws.control.endSessions({ reason: 'An administrator ended your session.', shouldReconnect: false })).toBeGreaterThan(0);

    // The app waits for the user: the status says so, and a control on the same screen does it.
    const inBar = page.getByTestId('login-again-bar');
    const onScreen = page.getByTestId('session-ended');
    await inBar.waitFor({ timeout: 10_000 });
    await onScreen.waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('connection').textContent()).toContain('An administrator ended your session.');
    expect(await onScreen.textContent()).toContain('log in again');

    await onScreen.getByRole('button', { name: 'Log in again' }).click();
    await page.getByTestId('connection').filter({ hasText: 'Connected to' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => inBar.count(), { message: 'the bar’s Log in again goes once connected' }).toBe(0);
    await expect.poll(() => onScreen.count(), { message: 'the Assistance note goes once connected' }).toBe(0);
    // Re-subscribed: the interaction picker lists the agent's interactions again.
    await picker.waitFor({ timeout: 10_000 });
    expect(await picker.locator(`input[value="${icws.interactionIds[0]}"]`).count()).toBe(1);
  });

  it('settings: a secret typed then Save is stored; a dialog gives the focus back; the theme applies at once', async () => {
    await openTab('settings');
    const field = page.locator('[data-secret="icws"]');
    await field.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => field.getByTestId('secret-state').textContent()).toBe('not stored');
    await field.getByLabel('ICWS password').fill(icws.user.password);
    await panel('settings').getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => field.getByTestId('secret-state').textContent()).toBe('stored');
    expect(await companion.handlers['settings.get']({})).toMatchObject({ secrets: { icws: true } });

    const clear = field.getByRole('button', { name: 'Clear' });
    await clear.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await clear.evaluate((el) => el === document.activeElement)).toBe(true);

    await page.getByTestId('theme-choice').getByLabel('Dark').check();
    await expect.poll(() => page.getAttribute('html', 'data-theme')).toBe('dark');
    await page.getByTestId('theme-choice').getByLabel('As the system').check();
    await expect.poll(() => page.getAttribute('html', 'data-theme')).toBeNull();

    // The alert sound is off until chosen, and saved at once.
    expect(companion.settings().alertSound).toBe(false);
    await page.getByTestId('alert-sound').check();
    await expect.poll(() => companion.settings().alertSound).toBe(true);
  });

  it('help watch: a row whose check failed is greyed at once with "not confirmed since", without force-end; the status bar says Diyalog is failing', async () => {
    await openTab('watch');
    const input = panel('watch').getByLabel('Customer id');
    await input.fill(IN_HELP);
    await input.press('Enter');
    const row = page.locator(`tr[data-customer="${IN_HELP}"]`);
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('In help');
    expect(await row.getByRole('button', { name: 'Force-end' }).count()).toBe(1);
    await expect.poll(() => page.getByTestId('diyalog-status').textContent(), { timeout: 10_000 }).toContain('reachable');

    diyalog.control.setFailureRate(1);
    try {
      // A failed check greys the row at once (main gives it no deadline), not two intervals later.
      await row.getByRole('button', { name: 'Refresh' }).click();
      await expect.poll(() => row.getAttribute('data-stale'), { timeout: 10_000, message: 'the row greys after its check failed' }).toBe('true');
      expect(await row.getByTestId('stale-note').textContent()).toMatch(/not confirmed since/);
      expect(await row.getByRole('button', { name: 'Force-end' }).count()).toBe(0);
      await expect.poll(() => page.getByTestId('diyalog-status').textContent(), { timeout: 10_000 }).toContain('failing');
    } finally {
      diyalog.control.setFailureRate(0);
    }
    await row.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => row.getAttribute('data-stale'), { timeout: 10_000, message: 'the row is fresh again after a check succeeded' }).toBe('false');
  });

  it('help watch: the force-end dialog names the customer and the staff member and says how long the session has been open', async () => {
    const row = page.locator(`tr[data-customer="${IN_HELP}"]`);
    await row.getByRole('button', { name: 'Force-end' }).click();
    const dialog = page.getByRole('dialog');
    const customerName = diyalog.control.customers().find((c) => c.customerId === IN_HELP)!.name;
    const staffName = diyalog.control.staff().find((st) => st.staffId === STAFF)!.name;
    await expect.poll(() => dialog.getByTestId('force-customer').textContent(), { timeout: 10_000 }).toContain(customerName);
    expect(await dialog.getByTestId('force-customer').textContent()).toContain(IN_HELP);
    expect(await dialog.getByTestId('force-staff').textContent()).toContain(staffName);
    expect(await dialog.getByTestId('force-open-for').textContent()).toMatch(/\d+ min \(since /);
    await page.screenshot({ path: join(SCREENSHOTS, 'force-end-dialog-1280x800-en.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('recovery: finds a crashed session, ends the selected with one confirmation listing them, and shows the outcome', async () => {
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
    expect(await row.textContent()).toContain(agent.staffId);
    // No dates given: main's default window, named with the result, and one click to look further back.
    expect(await panel('recovery').getByTestId('recovery-window').textContent()).toMatch(/Searched .+ – .+/);
    expect(await panel('recovery').getByRole('button', { name: 'Search 7 days' }).isVisible()).toBe(true);

    await row.getByRole('checkbox').check();
    await panel('recovery').getByRole('button', { name: 'End selected (1)' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByTestId('confirm-list').textContent()).toContain(customer.customerId);
    expect(await dialog.getByRole('button', { name: 'Force-end 1 session' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Reason (required)').fill('Agent application crashed; customer stuck in help');
    await dialog.getByRole('button', { name: 'Force-end 1 session' }).click();
    await expect.poll(() => row.getByTestId('row-outcome').textContent(), { timeout: 20_000 }).toContain('Ended');
    expect(diyalog.control.session(customer.customerId)).toBeNull();
    // The ended row left the selection: nothing is left to end.
    expect(await row.getByRole('checkbox').isDisabled()).toBe(true);
    expect(await panel('recovery').getByRole('button', { name: 'End selected (0)' }).isDisabled()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'recovery-after-end-1280x800-en.png') });
  });

  it('audit: the chain holds, entries filter by outcome, and the shown entries export as CSV', async () => {
    await openTab('audit');
    await expect.poll(() => page.getByTestId('audit-chain').textContent()).toMatch(/The audit chain holds: \d+ entries/);
    await panel('audit').getByRole('combobox', { name: /^Outcome/ }).selectOption('ended');
    const rows = page.getByTestId('audit-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    const download = page.waitForEvent('download');
    await page.getByTestId('audit-export').click();
    const text = await readFile(await (await download).path(), 'utf8');
    const exported = parse(text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(exported).toHaveLength(await rows.count());
    expect(exported.every((r) => r.outcome === 'ended')).toBe(true);
    await panel('audit').getByRole('button', { name: 'Clear filter' }).click();
  });

  const screens = ['watch', 'history', 'assistance', 'audit', 'settings', 'recovery', 'supervise', 'agents'] as const;

  it('axe-core finds no serious or critical violation on any screen, in both languages and both themes', async () => {
    const findings: string[] = [];
    for (const lang of ['en', 'tr'] as const) {
      await companion.handlers['language.set']({ language: lang });
      await expect.poll(() => page.getAttribute('html', 'lang')).toBe(lang);
      for (const theme of ['light', 'dark'] as const) {
        await companion.handlers['settings.update']({ theme });
        await page.locator('#tab-settings').click();
        await page.getByTestId('theme-choice').locator(`input[value="${theme}"]`).check();
        await expect.poll(() => page.getAttribute('html', 'data-theme')).toBe(theme);
        for (const screen of screens) {
          await openTab(screen);
          for (const finding of await axeFindings(page)) findings.push(`${lang}/${theme}/${screen} ${finding}`);
        }
      }
    }
    await companion.handlers['language.set']({ language: 'en' });
    await openTab('settings');
    await page.getByTestId('theme-choice').locator('input[value="system"]').check();
    expect(findings).toEqual([]);
  }, 120_000);

  it('from 720×560 up: the nav becomes a top bar, nothing scrolls the page sideways, every action is on screen', async () => {
    await page.setViewportSize({ width: 720, height: 560 });
    await expect.poll(() => page.getByRole('tablist').getAttribute('aria-orientation')).toBe('horizontal');
    for (const screen of screens) {
      await openTab(screen);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${screen} scrolls sideways`).toBeLessThanOrEqual(0);
      // Every action can be brought wholly into the window: at once, or by scrolling the
      // table's panel (tables scroll inside their panel, the page never sideways).
      const clipped = await panel(screen).evaluate((root) =>
        [...root.querySelectorAll('button')]
          .filter((b) => b.offsetParent !== null)
          .filter((b) => {
            b.scrollIntoView({ block: 'nearest', inline: 'nearest' });
            const r = b.getBoundingClientRect();
            return r.left < 0 || r.right > document.documentElement.clientWidth + 0.5 || r.width === 0;
          })
          .map((b) => b.textContent?.trim()),
      );
      expect(clipped, `${screen}: clipped actions`).toEqual([]);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('screenshots of every screen at 1280×800 and 720×560 in both languages', async () => {
    for (const lang of ['en', 'tr'] as const) {
      await companion.handlers['language.set']({ language: lang });
      await expect.poll(() => page.getAttribute('html', 'lang')).toBe(lang);
      for (const [width, height] of [
        [1280, 800],
        [720, 560],
      ] as const) {
        await page.setViewportSize({ width, height });
        for (const screen of screens) {
          await openTab(screen);
          await page.screenshot({ path: join(SCREENSHOTS, `${screen}-${width}x${height}-${lang}.png`) });
          // The summary's charts are folded until opened: a picture of them open and whole as well.
          if (screen === 'history') {
            const fold = page.locator('details.summary-fold');
            await fold.locator('summary').click();
            await page.getByTestId('history-charts').screenshot({ path: join(SCREENSHOTS, `history-charts-${width}x${height}-${lang}.png`) });
            await fold.locator('summary').click();
          }
        }
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await companion.handlers['language.set']({ language: 'en' });
  }, 60_000);

  it('raised no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
