// Every screen and state a person can reach, checked for what makes a dead end, in real
// Chromium through the browser host against both simulators: both roles, both languages,
// light and dark, 1280×800 and 720×560, with data, empty, loading, each service down, and
// ICWS ended by the server. On each, screen-invariants.ts finds text or controls with no size
// or cut off, controls on top of each other, and a message asking the user to act with no
// control that does it; axe-core runs on the states the shift suite does not reach; and
// after every dialog closes the focus is on the control that opened it, never on <body>.
// Expects `out/renderer` (the test script builds it).

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/host/server';
import { createCompanion, type Companion } from '../../main/services/companion';
import { startDiyalogSim, type DiyalogSim } from '../../main/sim/diyalog/server';
import { startIcwsSim, type IcwsSim } from '../../main/sim/icws/server';
import { axeFindings, collectPageErrors, hasChromium, launchChromium, noteMissingChromium, RENDERER_DIR, requireBuiltRenderer, SCREENSHOTS, simulatorSecrets } from './browser';
import { ASKS, inspectScreen } from './screen-invariants';

noteMissingChromium('invariants');

const IN_HELP = '2337368';
const STAFF = '45001';
const SIZES = [
  [1280, 800],
  [720, 560],
] as const;
type Tab = 'watch' | 'history' | 'assistance' | 'audit' | 'settings' | 'recovery' | 'supervise' | 'agents';
const AGENT_TABS: readonly Tab[] = ['watch', 'history', 'assistance', 'audit', 'settings'];
const SUPERVISOR_TABS: readonly Tab[] = [...AGENT_TABS, 'recovery', 'supervise', 'agents'];
/** The simulator's agents of the workgroup the supervisor world's user supervises (main/sim/icws/server.ts DEMO_WORKGROUPS). */
const DESK_AGENT = 'demo.agent2';
const HIDDEN_AGENT = 'demo.agent3';
/** The supervisor world's board: a live row, a refused row (403) and an unknown user. */
const BOARD = [DESK_AGENT, HIDDEN_AGENT, 'no.such.agent'];

interface World {
  diyalog: DiyalogSim;
  icws: IcwsSim;
  companion: Companion;
  host: BrowserHost;
  page: Page;
  dataDir: string;
  pageErrors: string[];
}

let browser: Browser;

async function openWorld(role: 'agent' | 'supervisor'): Promise<World> {
  // What started is stopped again if a later step fails: a failed start leaves nothing running.
  const started: (() => Promise<unknown>)[] = [];
  try {
    const dataDir = await mkdtemp(join(tmpdir(), `companion-invariants-${role}-`));
    started.push(() => rm(dataDir, { recursive: true, force: true }));
    const diyalog = await startDiyalogSim({ historySize: 200 });
    started.push(() => diyalog.close());
    const icws = await startIcwsSim({ supervisor: { acceptDelayMs: 100, reply: 'Bakıyorum.' } });
    started.push(() => icws.close());
    const secrets = await simulatorSecrets(diyalog, icws);
    const companion = await createCompanion({
      dataDir,
      fetch: globalThis.fetch,
      secrets,
      demo: false,
      version: '0.0.0-e2e',
      osLocale: 'en-US',
      connectionTestIntervalMs: 0,
      initialSettings: {
        diyalog: { baseUrl: diyalog.url, keyId: diyalog.credentials.keyId },
        staffId: diyalog.staffId,
        icws: { baseUrl: icws.url, userId: icws.user.userId },
        role,
      },
    });
    started.push(() => companion.stop());
    const host = await startBrowserHost({ handlers: companion.handlers, language: () => companion.language(), rendererDir: RENDERER_DIR });
    started.push(() => host.close());
    companion.subscribe((event, payload) => host.emit(event, payload));
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    started.push(() => page.close());
    const pageErrors = collectPageErrors(page);
    await page.goto(host.url);
    await page.getByTestId('connection').filter({ hasText: 'Connected to' }).waitFor({ timeout: 15_000 });
    return { diyalog, icws, companion, host, page, dataDir, pageErrors };
  } catch (e) {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    throw e;
  }
}

async function closeWorld(w: World | undefined): Promise<void> {
  if (!w) return;
  await w.page.close();
  await w.host.close();
  await w.companion.stop();
  await Promise.all([w.diyalog.close(), w.icws.close()]);
  await rm(w.dataDir, { recursive: true, force: true });
}

async function openTab(page: Page, id: Tab): Promise<void> {
  await page.locator(`#tab-${id}`).click();
  try {
    await page.locator(`#panel-${id}`).waitFor({ state: 'visible', timeout: 10_000 });
  } catch (e) {
    await page.screenshot({ path: join(SCREENSHOTS, `invariants-failed-${id}.png`) });
    throw e;
  }
}

async function setLanguage(w: World, lang: 'en' | 'tr'): Promise<void> {
  await w.companion.handlers['language.set']({ language: lang });
  await expect.poll(() => w.page.getAttribute('html', 'lang')).toBe(lang);
}

async function setTheme(w: World, theme: 'light' | 'dark'): Promise<void> {
  await w.companion.handlers['settings.update']({ theme });
  // The page follows the saved theme on its next settings load: set it where the user does.
  await openTab(w.page, 'settings');
  await w.page.getByTestId('theme-choice').locator(`input[value="${theme}"]`).check();
  await expect.poll(() => w.page.getAttribute('html', 'data-theme')).toBe(theme);
}

/** The invariants on the screen as it is now, each finding prefixed with where it was seen. */
async function inspect(page: Page, where: string): Promise<string[]> {
  // Let a layout that follows a state change settle before measuring it.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return (await page.evaluate(inspectScreen, ASKS)).map((f) => `${where}: ${f}`);
}

async function axe(page: Page, where: string): Promise<string[]> {
  return (await axeFindings(page)).map((f) => `${where}: axe ${f}`);
}

/** Walks `tabs` at each size in each language and theme given; axe where `axeOn` says. */
async function walk(
  w: World,
  state: string,
  tabs: readonly Tab[],
  options: { langs?: readonly ('en' | 'tr')[]; themes?: readonly ('light' | 'dark')[]; sizes?: readonly (readonly [number, number])[]; axeOn?: (size: readonly [number, number], theme: string) => boolean } = {},
): Promise<string[]> {
  const findings: string[] = [];
  for (const lang of options.langs ?? ['en', 'tr']) {
    await setLanguage(w, lang);
    for (const theme of options.themes ?? ['light']) {
      if (options.themes) await setTheme(w, theme as 'light' | 'dark');
      for (const size of options.sizes ?? SIZES) {
        await w.page.setViewportSize({ width: size[0], height: size[1] });
        for (const tab of tabs) {
          await openTab(w.page, tab);
          const where = `${state} ${lang}/${theme}/${size[0]}×${size[1]}/${tab}`;
          findings.push(...(await inspect(w.page, where)));
          if (options.axeOn?.(size, theme)) findings.push(...(await axe(w.page, where)));
        }
      }
    }
  }
  await w.page.setViewportSize({ width: 1280, height: 800 });
  await setLanguage(w, 'en');
  return findings;
}

/** Opens a dialog with `open`, closes it with `close`, and says where the focus went. */
async function focusAfterDialog(page: Page, opener: ReturnType<Page['locator']>, close: 'Escape' | RegExp): Promise<string> {
  await opener.click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor({ timeout: 10_000 });
  if (close === 'Escape') await page.keyboard.press('Escape');
  else await dialog.getByRole('button', { name: close }).click();
  await dialog.waitFor({ state: 'detached', timeout: 10_000 });
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40)}"`;
  });
}

describe.skipIf(!hasChromium)('no dead ends: every screen and state has a way out', { shuffle: false }, () => {
  let supervisor: World | undefined;
  let agent: World | undefined;
  /** A world beforeAll opened (it throws when either could not be). */
  const the = (w: World | undefined): World => {
    if (!w) throw new Error('the world was not opened (see beforeAll)');
    return w;
  };

  beforeAll(async () => {
    requireBuiltRenderer();
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
    const opened = await Promise.allSettled([openWorld('supervisor'), openWorld('agent')]);
    if (opened[0].status === 'fulfilled') supervisor = opened[0].value;
    if (opened[1].status === 'fulfilled') agent = opened[1].value;
    const failed = opened.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([closeWorld(supervisor), closeWorld(agent)]);
    await browser?.close();
  });

  it('empty (an agent with nothing watched, searched or asked): every screen in both languages and sizes, axe included', async () => {
    const findings = await walk(the(agent), 'empty', AGENT_TABS, { axeOn: (size) => size[0] === 720 });
    expect(findings).toEqual([]);
  }, 120_000);

  it('with data (a supervisor mid-shift): every screen in both languages, both themes and both sizes', async () => {
    const w = the(supervisor);
    const now = w.diyalog.control.serverNow();
    w.diyalog.control.startSession(IN_HELP, STAFF, 'inbound');
    await w.companion.handlers['watch.add']({ customerId: IN_HELP });
    const crashed = w.diyalog.control.customers().find((c) => c.customerId !== IN_HELP && !w.diyalog.control.liveSessions().some((l) => l.customerId === c.customerId));
    const agentStaff = w.diyalog.control.staff().find((s) => s.role === 'agent' && s.staffId !== STAFF);
    if (!crashed || !agentStaff) throw new Error('the simulator has no free customer or agent');
    w.diyalog.control.crashSession(crashed.customerId, agentStaff.staffId, now - 90 * 60_000);
    await w.companion.handlers['assistance.create']({ interactionId: w.icws.interactionIds[0]!, text: 'Limit onayı gerekiyor.' });

    await openTab(w.page, 'history');
    await w.page.locator('#panel-history').getByRole('button', { name: 'Search', exact: true }).click();
    await w.page.getByTestId('history-summary').waitFor({ timeout: 20_000 });
    await openTab(w.page, 'recovery');
    await w.page.locator('#panel-recovery').getByRole('button', { name: 'Find', exact: true }).click();
    await w.page.getByTestId('recovery-summary').waitFor({ timeout: 20_000 });
    await openTab(w.page, 'assistance');
    await w.page.locator('#panel-assistance article.assistance').first().waitFor({ timeout: 10_000 });
    // The supervisor desk: a request from an agent of the supervised workgroup, opened; the
    // board with a live row, a refused row (403) and an unknown user, one agent opened.
    await w.companion.handlers['settings.update']({ supervisor: { agents: BOARD } });
    w.icws.control.setUserStatus(HIDDEN_AGENT, { hidden: true });
    const { assistanceId } = w.icws.control.raiseRequest(DESK_AGENT, 'Müşteri kart limitinin artırılmasını istiyor, onay gerekiyor.', 'Mobil Bankacılık');
    await openTab(w.page, 'supervise');
    await w.page.locator(`#panel-supervise button.request-row[data-assistance="${assistanceId}"]`).click({ timeout: 15_000 });
    await w.page.getByTestId('supervise-detail').waitFor({ timeout: 10_000 });
    await openTab(w.page, 'agents');
    await w.page.locator(`#panel-agents tr[data-agent="${HIDDEN_AGENT}"]`).getByTestId('agent-row-error').waitFor({ timeout: 15_000 });
    await w.page.locator(`#panel-agents button[data-agent="${DESK_AGENT}"]`).click();
    await w.page.getByTestId('agent-interactions').or(w.page.getByTestId('agent-no-interactions')).or(w.page.getByTestId('agent-no-queue-right')).first().waitFor({ timeout: 10_000 });
    await openTab(w.page, 'watch');
    await expect.poll(() => w.page.locator(`tr[data-customer="${IN_HELP}"]`).textContent(), { timeout: 10_000 }).toContain('In help');

    const findings = await walk(w, 'data', SUPERVISOR_TABS, { themes: ['light', 'dark'] });
    for (const [width, height] of SIZES) {
      await w.page.setViewportSize({ width, height });
      await openTab(w.page, 'recovery');
      await w.page.screenshot({ path: join(SCREENSHOTS, `invariants-recovery-${width}x${height}-en.png`) });
    }
    await w.page.setViewportSize({ width: 1280, height: 800 });
    expect(findings).toEqual([]);
  }, 180_000);

  it('loading: a history search and a recovery search under way', async () => {
    const w = the(supervisor);
    w.diyalog.control.setLatency(1_500);
    try {
      await openTab(w.page, 'history');
      await w.page.locator('#panel-history').getByRole('button', { name: 'Search', exact: true }).click();
      await expect.poll(() => w.page.getByTestId('history-progress').getAttribute('data-running'), { timeout: 10_000 }).toBe('true');
      const findings = [...(await inspect(w.page, 'loading history')), ...(await axe(w.page, 'loading history'))];
      await openTab(w.page, 'recovery');
      await w.page.locator('#panel-recovery').getByRole('button', { name: 'Find', exact: true }).click();
      await expect.poll(() => w.page.getByTestId('recovery-progress').getAttribute('data-running'), { timeout: 10_000 }).toBe('true');
      findings.push(...(await inspect(w.page, 'loading recovery')), ...(await axe(w.page, 'loading recovery')));
      expect(findings).toEqual([]);
    } finally {
      w.diyalog.control.setLatency(0);
    }
    await expect.poll(() => w.page.getByTestId('recovery-progress').getAttribute('data-running'), { timeout: 30_000 }).not.toBe('true');
  }, 60_000);

  it('Diyalog down: every screen says so where it matters, and asks nothing it offers no control for', async () => {
    const w = the(supervisor);
    w.diyalog.control.setFailureRate(1);
    try {
      await openTab(w.page, 'watch');
      await w.page.locator(`tr[data-customer="${IN_HELP}"]`).getByRole('button', { name: 'Refresh' }).click();
      await expect.poll(() => w.page.getByTestId('diyalog-status').textContent(), { timeout: 15_000 }).toContain('failing');
      // A search while the server fails: what the screen says during the retries is checked too.
      await openTab(w.page, 'history');
      await w.page.locator('#panel-history').getByRole('button', { name: 'Search', exact: true }).click();
      const findings = await walk(w, 'diyalog-down', SUPERVISOR_TABS, { sizes: [[1280, 800]], axeOn: () => true });
      expect(findings).toEqual([]);
    } finally {
      w.diyalog.control.setFailureRate(0);
    }
  }, 120_000);

  it('ICWS down: the status and the Assistance screen say so, nothing asks without a control', async () => {
    const w = the(agent);
    w.icws.control.setAvailable(false);
    try {
      await expect.poll(() => w.page.getByTestId('connection').textContent(), { timeout: 20_000 }).not.toContain('Connected to');
      const findings = await walk(w, 'icws-down', ['assistance', 'watch'], { sizes: SIZES, axeOn: (size) => size[0] === 1280 });
      expect(findings).toEqual([]);
    } finally {
      w.icws.control.setAvailable(true);
    }
    await w.page.getByTestId('connection').filter({ hasText: 'Connected to' }).waitFor({ timeout: 60_000 });
  }, 120_000);

  it('ICWS down for a supervisor: Supervise and Agents say so, nothing asks without a control', async () => {
    const w = the(supervisor);
    // The board has rows to go stale (as 'with data' leaves it, so this test also stands alone).
    await w.companion.handlers['settings.update']({ supervisor: { agents: BOARD } });
    await openTab(w.page, 'agents');
    await w.page.locator(`#panel-agents tr[data-agent="${DESK_AGENT}"]`).waitFor({ timeout: 15_000 });
    w.icws.control.setAvailable(false);
    try {
      await expect.poll(() => w.page.getByTestId('connection').textContent(), { timeout: 20_000 }).not.toContain('Connected to');
      await openTab(w.page, 'supervise');
      await w.page.getByTestId('supervise-icws-down').waitFor({ timeout: 10_000 });
      await openTab(w.page, 'agents');
      await w.page.getByTestId('agents-icws-down').waitFor({ timeout: 10_000 });
      const findings = await walk(w, 'icws-down', ['supervise', 'agents'], { sizes: SIZES, axeOn: (size) => size[0] === 720 });
      await w.page.setViewportSize({ width: 720, height: 560 });
      for (const tab of ['supervise', 'agents'] as const) {
        await openTab(w.page, tab);
        await w.page.screenshot({ path: join(SCREENSHOTS, `invariants-${tab}-icws-down-720x560-en.png`) });
      }
      await w.page.setViewportSize({ width: 1280, height: 800 });
      expect(findings).toEqual([]);
    } finally {
      w.icws.control.setAvailable(true);
    }
    await w.page.getByTestId('connection').filter({ hasText: 'Connected to' }).waitFor({ timeout: 60_000 });
  }, 120_000);

  it('ICWS ended by the server: "log in again" is asked with its control on every screen, and it works', async () => {
    const w = the(agent);
    expect(w.icws.control.endSessions({ reason: 'An administrator ended your session.', shouldReconnect: false })).toBeGreaterThan(0);
    await w.page.getByTestId('login-again-bar').waitFor({ timeout: 15_000 });
    const findings = await walk(w, 'icws-ended', AGENT_TABS, { axeOn: (size) => size[0] === 1280 });
    expect(findings).toEqual([]);
    await w.page.getByTestId('login-again-bar').getByRole('button', { name: 'Log in again' }).click();
    await w.page.getByTestId('connection').filter({ hasText: 'Connected to' }).waitFor({ timeout: 15_000 });
  }, 120_000);

  it('after every dialog closes, by its button or by Escape, the focus is back on the control that opened it', async () => {
    const w = the(supervisor);
    const page = w.page;
    const seen: Record<string, string> = {};

    await openTab(page, 'watch');
    const forceEnd = page.locator(`tr[data-customer="${IN_HELP}"]`).getByRole('button', { name: 'Force-end' });
    await forceEnd.waitFor({ timeout: 15_000 });
    seen['watch force-end, Cancel'] = await focusAfterDialog(page, forceEnd, /^Cancel$/);
    seen['watch force-end, Escape'] = await focusAfterDialog(page, forceEnd, 'Escape');

    await openTab(page, 'assistance');
    const done = page.locator('#panel-assistance article.assistance').first().getByRole('button', { name: 'Done' });
    await done.waitFor({ timeout: 10_000 });
    seen['assistance done, Cancel'] = await focusAfterDialog(page, done, /^Cancel$/);

    await openTab(page, 'supervise');
    const ignore = page.getByTestId('supervise-detail').getByRole('button', { name: 'Ignore' });
    await ignore.waitFor({ timeout: 10_000 });
    seen['supervise ignore, Cancel'] = await focusAfterDialog(page, ignore, /^Cancel$/);
    seen['supervise ignore, Escape'] = await focusAfterDialog(page, ignore, 'Escape');

    await openTab(page, 'recovery');
    const selectAll = page.locator('#panel-recovery input[type="checkbox"]').first();
    await selectAll.check();
    const endSelected = page.locator('#panel-recovery').getByRole('button', { name: /^End selected/ });
    seen['recovery confirm, Cancel'] = await focusAfterDialog(page, endSelected, /^Cancel$/);
    seen['recovery confirm, Escape'] = await focusAfterDialog(page, endSelected, 'Escape');

    const opener: Record<string, RegExp> = {
      'watch force-end, Cancel': /^button "Force-end/,
      'watch force-end, Escape': /^button "Force-end/,
      'assistance done, Cancel': /^button "Done/,
      'supervise ignore, Cancel': /^button "Ignore/,
      'supervise ignore, Escape': /^button "Ignore/,
      'recovery confirm, Cancel': /^button "End selected/,
      'recovery confirm, Escape': /^button "End selected/,
    };
    for (const [dialog, focused] of Object.entries(seen)) expect(focused, dialog).toMatch(opener[dialog]!);
  }, 60_000);

  it('raised no error in either page', () => {
    expect([...the(supervisor).pageErrors, ...the(agent).pageErrors]).toEqual([]);
  });
});
