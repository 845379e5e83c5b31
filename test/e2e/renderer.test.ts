// The built renderer in real Chromium, through the browser host, against the services and
// both simulators, all in this process. Expects `out/renderer` (the test script builds it).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/host/server';
import { createCompanion, type Companion } from '../../main/services/companion';
import { dispatch } from '../../main/services/dispatch';
import type { CallInput, CallName, CallOutput } from '../../shared/contract';
import { TRANSCRIPT_HOST } from '../../main/sim/diyalog/data';
import { startDiyalogSim, type DiyalogSim } from '../../main/sim/diyalog/server';
import { startIcwsSim, type IcwsSim } from '../../main/sim/icws/server';
import { collectPageErrors, hasChromium, launchChromium, noteMissingChromium, RENDERER_DIR, requireBuiltRenderer, simulatorSecrets } from './browser';

const SCREENSHOT = '/tmp/companion-e2e.png';
const CUSTOMER = '2337368'; // Ayşe Yılmaz, idle in the seeded data
const STAFF = '45001';
const SUPERVISOR_REPLY = 'Geliyorum, bir dakika.';
const OTHER_CUSTOMER = '7403713'; // Mehmet Öztürk, idle in the seeded data
const OTHER_STAFF = '45187';

noteMissingChromium('renderer');

// One story in order (add a customer, watch it, end its session...): never shuffled.
describe.skipIf(!hasChromium)('the renderer, end to end', { shuffle: false }, () => {
  let diyalog: DiyalogSim;
  let icws: IcwsSim;
  let companion: Companion;
  let host: BrowserHost;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const pageErrors: string[] = [];
  // Frames main sent the page: the only place a history walk's id shows.
  const received: string[] = [];
  let unsubscribe = () => {};

  beforeAll(async () => {
    requireBuiltRenderer();
    dataDir = await mkdtemp(join(tmpdir(), 'companion-e2e-'));
    diyalog = await startDiyalogSim({ historySize: 800 });
    icws = await startIcwsSim({ supervisor: { acceptDelayMs: 50, reply: SUPERVISOR_REPLY } });
    const secrets = await simulatorSecrets(diyalog, icws);
    companion = await createCompanion({
      dataDir,
      fetch: globalThis.fetch,
      secrets,
      demo: true,
      version: '0.0.0-e2e',
      osLocale: 'en-US',
      initialSettings: {
        diyalog: { baseUrl: diyalog.url, keyId: diyalog.credentials.keyId, transcriptHosts: [new URL(TRANSCRIPT_HOST).hostname] },
        staffId: diyalog.staffId,
        icws: { baseUrl: icws.url, userId: icws.user.userId },
        // Force-end is offered to supervisors only.
        role: 'supervisor',
      },
    });
    host = await startBrowserHost({ handlers: companion.handlers, rendererDir: RENDERER_DIR });
    unsubscribe = companion.subscribe(host.emit);

    diyalog.control.startSession(CUSTOMER, STAFF, 'inbound');

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    collectPageErrors(page, pageErrors);
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => received.push(String(payload))));
    // The page's clock is Playwright's: time flows as usual until a test moves it, so a
    // freshness deadline or a reconnect wait is reached by moving it, not by waiting it out.
    await page.clock.install();
    await page.goto(host.url);
  });

  /** A call straight to main's handlers, as the page would make it, with no page to see what it pushes. */
  async function ask<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
    const result = await dispatch(companion.handlers, name, input);
    if (!result.ok) throw new Error(`${name} failed: ${result.error.code} ${result.error.message}`);
    return result.value as CallOutput<N>;
  }

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await companion?.stop();
    await Promise.all([diyalog?.close(), icws?.close()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('shows the app frame with the DEMO badge and the ICWS connection', async () => {
    await expect.poll(() => page.getByTestId('demo-badge').textContent()).toBe('DEMO — simulators');
    await expect.poll(() => page.getByTestId('connection').textContent(), { timeout: 10_000 }).toContain('Connected to');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
  });

  it('validates the customer id inline, then watches a customer who is in help', async () => {
    const input = page.locator('#panel-watch').getByLabel('Customer id');
    await input.press('Enter');
    expect(await page.locator('#watch-input-error').textContent()).toBe('Enter an id.');

    await input.fill(CUSTOMER);
    await input.press('Enter');
    const row = page.locator(`tr[data-customer="${CUSTOMER}"]`);
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('In help');
    expect(await row.textContent()).toContain(STAFF);
    expect(await row.textContent()).toContain('Inbound');
    expect(await input.inputValue()).toBe('');
  });

  it('greys a row once the page clock passes the deadline main gave it, without force-end; fresh again when the clocks agree', async () => {
    const row = page.locator(`tr[data-customer="${CUSTOMER}"]`);
    expect(await row.getAttribute('data-stale')).toBe('false');
    // An hour on the page's clock and none on main's: whatever deadline main gave (two of its
    // poll intervals after the last check that answered) is long past.
    await page.clock.fastForward('01:00:00');
    await expect.poll(() => row.getAttribute('data-stale'), { timeout: 5_000, message: 'the row greys once its deadline passed' }).toBe('true');
    expect(await row.getByTestId('stale-note').textContent()).toMatch(/not confirmed since \S/);
    expect(await row.getByRole('button', { name: 'Force-end' }).count()).toBe(0);
    // Back to the real time: the deadline of main's last check is ahead again.
    await page.clock.setSystemTime(Date.now());
    await expect.poll(() => row.getAttribute('data-stale'), { timeout: 5_000, message: 'the row is fresh again' }).toBe('false');
    expect(await row.getByRole('button', { name: 'Force-end' }).count()).toBe(1);
  });

  it('asks before a force-end: Escape sends nothing, confirming ends the session', async () => {
    const row = page.locator(`tr[data-customer="${CUSTOMER}"]`);
    const dialog = page.getByRole('dialog');
    const finishCalls = () => diyalog.control.requests.filter((r) => r.path.endsWith('/finishonlinehelp')).length;

    await row.getByRole('button', { name: 'Force-end' }).click();
    await dialog.waitFor();
    // Who, by id and by the name main's history gives (looked up as the dialog opens).
    await expect.poll(() => dialog.getByTestId('force-customer').textContent(), { message: 'the customer named in the dialog' }).toMatch(new RegExp(`^\\s*${CUSTOMER}\\s+Ayşe Yılmaz\\s*$`));
    expect(await dialog.getByTestId('force-staff').textContent()).toMatch(new RegExp(`^\\s*${STAFF}\\s+Burak Kaya\\s*$`));
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Cancel');
    expect(await dialog.getByRole('button', { name: 'Force-end session' }).isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(finishCalls()).toBe(0);
    expect(diyalog.control.session(CUSTOMER)).not.toBeNull();

    await row.getByRole('button', { name: 'Force-end' }).click();
    await dialog.getByLabel('Reason (required)').fill('Agent application crashed during the session');
    await dialog.getByRole('button', { name: 'Force-end session' }).click();
    await expect.poll(() => page.getByTestId('force-outcome').textContent(), { timeout: 10_000 }).toContain('Session ended');
    expect(finishCalls()).toBe(1);
    expect(diyalog.control.session(CUSTOMER)).toBeNull();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('Not in help');
  });

  it('lists the force-end in the audit tab', async () => {
    await page.keyboard.press('Control+4');
    const table = page.getByTestId('audit-table');
    await expect.poll(() => table.textContent(), { timeout: 10_000 }).toContain('Agent application crashed during the session');
    const text = await table.textContent();
    expect(text).toContain(CUSTOMER);
    expect(text).toContain(STAFF);
    expect(text).toContain('Ended');
  });

  it('switches to Turkish', async () => {
    await page.getByRole('button', { name: 'TR', exact: true }).click();
    await expect.poll(() => page.getByRole('tab', { name: 'Ayarlar' }).count()).toBe(1);
    expect(await page.getByRole('tab', { name: 'Yardım izleme' }).count()).toBe(1);
    expect(await page.getByTestId('demo-badge').textContent()).toBe('DEMO — simülatörler');
    expect(await page.getAttribute('html', 'lang')).toBe('tr');
    await expect.poll(() => companion.settings().language).toBe('tr');
  });

  it('runs a history search to the end with progress and rows', async () => {
    // From the audit tab, two steps up the tab list with the arrow keys.
    await page.getByRole('tab', { selected: true }).focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await page.getByRole('tab', { name: 'Geçmiş' }).getAttribute('aria-selected')).toBe('true');

    await page.getByRole('button', { name: 'Ara', exact: true }).click();
    const summary = page.getByTestId('history-summary');
    await summary.waitFor({ timeout: 20_000 });
    expect(await summary.textContent()).toMatch(/\d+ istekle \d+ kayıt bulundu/);
    expect(await page.getByTestId('history-progress').getAttribute('data-running')).toBe('false');
    const rows = page.getByTestId('history-table').locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    // Newest first: the session force-ended a moment ago leads.
    expect(await rows.first().textContent()).toContain(CUSTOMER);

    // The browser host cannot open windows: the page opens the link main vetted.
    await page.context().route(`${TRANSCRIPT_HOST}/**`, (route) => route.fulfill({ contentType: 'text/plain', body: 'transcript' }));
    const popup = page.context().waitForEvent('page');
    await rows.first().getByRole('button', { name: /^Yazışma\b/ }).click();
    const transcript = await popup;
    await transcript.waitForLoadState();
    expect(transcript.url().startsWith(`${TRANSCRIPT_HOST}/`)).toBe(true);
    await transcript.close();
  });

  it('asks a supervisor and shows the scripted reply', async () => {
    await page.keyboard.press('Control+3');
    const interactionId = icws.interactionIds[0] ?? '';
    await page.getByLabel('Görüşme numarası').fill(interactionId);
    const question = 'Müşteri kart limitini sorguluyor, onay gerekiyor.';
    await page.getByLabel('Sorunuz').fill(question);
    expect(await page.locator('#assist-counter').textContent()).toBe(`${question.length} / 2000`);
    await page.getByRole('button', { name: 'Yöneticiye sor' }).click();

    const card = page.locator('article.assistance').first();
    await expect.poll(() => card.textContent(), { timeout: 10_000 }).toContain(SUPERVISOR_REPLY);
    expect(await card.textContent()).toContain('Selin Kaya');
    expect(await card.getAttribute('data-state')).toBe('accepted');

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('says it is reconnecting while the host is away, then shows what changed meanwhile', async () => {
    // A slow Diyalog keeps the walk running until the host is gone; it finishes while it is.
    diyalog.control.setLatency(1000);
    await page.keyboard.press('Control+2');
    received.length = 0;
    await page.getByRole('button', { name: 'Ara', exact: true }).click();
    await expect.poll(() => walkIdIn(received)).not.toBeNull();
    const walkId = walkIdIn(received) ?? '';
    expect(await page.getByTestId('history-progress').getAttribute('data-running')).toBe('true');

    const { origin, token } = host;
    await host.close();
    unsubscribe();
    expect((await ask('history.result', { walkId })).status).toBe('running');
    diyalog.control.setLatency(0);
    const reconnecting = page.getByTestId('reconnecting');
    await expect.poll(() => reconnecting.textContent()).toContain('Yeniden bağlanıyor…');
    expect(await reconnecting.getAttribute('title')).toContain('bağlantı koptu');

    // Everything below is pushed to no one: only asking again can show it.
    await ask('language.set', { language: 'en' });
    await ask('watch.add', { customerId: OTHER_CUSTOMER });
    diyalog.control.startSession(OTHER_CUSTOMER, OTHER_STAFF, 'outbound');
    expect((await ask('watch.refresh', { customerId: OTHER_CUSTOMER })).state?.isInHelp).toBe(true);
    const assistanceIds = async () => (await ask('assistance.list', {})).map((r) => r.assistanceId);
    const [assistanceId = ''] = await assistanceIds();
    await ask('assistance.complete', { assistanceId });
    // ICWS drops a completed request from the list once its message arrives.
    await expect.poll(assistanceIds).not.toContain(assistanceId);
    await expect.poll(async () => (await ask('history.result', { walkId })).status, { timeout: 10_000 }).toBe('done');
    expect(await reconnecting.count()).toBe(1);

    host = await startBrowserHost({ handlers: companion.handlers, rendererDir: RENDERER_DIR, port: Number(new URL(origin).port), token });
    unsubscribe = companion.subscribe(host.emit);

    // The page retries on a growing wait (at most 15 s): its clock moves past the longest
    // instead of the test waiting it out, then goes back to the real time.
    await page.clock.fastForward('00:16');
    await expect.poll(() => reconnecting.count(), { timeout: 5_000, message: 'the page reconnected' }).toBe(0);
    await page.clock.setSystemTime(Date.now());
    await expect.poll(() => page.getByRole('tab', { name: 'Settings' }).count()).toBe(1);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    const summary = page.getByTestId('history-summary');
    await expect.poll(() => summary.textContent()).toMatch(/^\s*\d+ records found with \d+ requests\.\s*$/);
    expect(await page.getByTestId('history-progress').getAttribute('data-running')).toBe('false');
    const row = page.locator(`tr[data-customer="${OTHER_CUSTOMER}"]`);
    await expect.poll(() => row.textContent()).toContain('In help');
    expect(await row.textContent()).toContain(OTHER_STAFF);
    await expect.poll(() => page.locator(`article.assistance[data-assistance="${assistanceId}"]`).count()).toBe(0);
    expect(await page.locator('#panel-assistance').textContent()).toContain('No assistance request yet.');

    // The refused reconnects while the host was away are Chromium's to log, not the page's errors.
    const refused = /^WebSocket connection to '[^']+' failed: .*ERR_CONNECTION_REFUSED$/;
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !refused.test(e)));
  });

  it('asks before clearing a stored secret, and Cancel keeps it', async () => {
    await page.keyboard.press('Control+5');
    const field = page.locator('[data-secret="diyalog"]');
    await expect.poll(() => field.getByTestId('secret-state').textContent()).toBe('stored');
    await field.getByRole('button', { name: 'Clear' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await companion.handlers['settings.get']({})).toMatchObject({ secrets: { diyalog: true } });
    expect(await field.getByTestId('secret-state').textContent()).toBe('stored');
  });

  it('raised no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});

/** The id in the last answer that carries a history walk id, or null. */
function walkIdIn(frames: readonly string[]): string | null {
  for (const frame of [...frames].reverse()) {
    const message = JSON.parse(frame) as { result?: { ok?: boolean; value?: { walkId?: unknown } } };
    const walkId = message.result?.ok ? message.result.value?.walkId : undefined;
    if (typeof walkId === 'string') return walkId;
  }
  return null;
}
