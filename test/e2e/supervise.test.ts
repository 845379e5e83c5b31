// The supervisor desk end to end, in real Chromium through two browser hosts against one ICWS
// simulator: an agent asks for help in their own companion and window; the supervisor's window
// alerts (the unread count on Supervise and in the title), the supervisor opens the request,
// accepts it and answers, and the agent's window shows the answer. A second supervisor of the
// same workgroup (another session, through its own companion) accepting a request takes it out
// of the first one's unanswered list with "Accepted by <name>". The Agents board shows a live
// status, a user whose status the server refuses (403) and an unknown user on their own rows;
// from an agent, their interactions (a queue the supervisor may not monitor said plainly) and
// History searched for them. A user who supervises no workgroup meets the 403 once, in plain
// words, with Try again. axe-core on each of these, screenshots at 720 px in both languages.
// Expects `out/renderer` (node build/build.mjs).

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/host/server';
import { createCompanion, type Companion } from '../../main/services/companion';
import { diyalogAccount, icwsAccount, MemorySecretStore } from '../../main/services/secrets';
import { startDiyalogSim, type DiyalogSim } from '../../main/sim/diyalog/server';
import { DEMO_ICWS_AGENTS, DEMO_ICWS_SUPERVISOR, DEMO_ICWS_SUPERVISOR_2, DEMO_ICWS_USER, startIcwsSim, type IcwsSim } from '../../main/sim/icws/server';
import type { SimUser } from '../../main/sim/icws/state';
import { axeFindings, collectPageErrors, hasChromium, launchChromium, noteMissingChromium, RENDERER_DIR, requireBuiltRenderer, SCREENSHOTS } from './browser';
import { ASKS, inspectScreen } from './screen-invariants';

noteMissingChromium('supervise');

const AGENT = DEMO_ICWS_USER;
const SUPERVISOR = DEMO_ICWS_SUPERVISOR;
const OTHER_SUPERVISOR = DEMO_ICWS_SUPERVISOR_2;
/** Supervises no workgroup: the server refuses the desk (403). */
const NOT_A_SUPERVISOR = DEMO_ICWS_AGENTS[0]!;
/** On the board, but the server will not show their status to anyone else (403 on that row). */
const HIDDEN_AGENT = DEMO_ICWS_AGENTS[1]!;
const UNKNOWN_AGENT = 'no.such.agent';
const QUESTION = 'Müşteri 50.000 TL limit artışı istiyor, onaylıyor musunuz?';
const ANSWER = 'Onaylıyorum, işlemi yapabilirsiniz.';

interface Desk {
  companion: Companion;
  host: BrowserHost | null;
  page: Page | null;
  dataDir: string;
}

describe.skipIf(!hasChromium)('the supervisor desk, end to end', { shuffle: false }, () => {
  let diyalog: DiyalogSim;
  let icws: IcwsSim;
  let browser: Browser;
  const desks: Desk[] = [];
  const pageErrors: string[] = [];
  let agent: Desk;
  let supervisor: Desk;

  async function open(user: Readonly<SimUser>, role: 'agent' | 'supervisor', options: { page?: boolean; agents?: string[] } = {}): Promise<Desk> {
    const dataDir = await mkdtemp(join(tmpdir(), `companion-supervise-${user.userId}-`));
    const secrets = new MemorySecretStore();
    await secrets.setSecret('diyalog', diyalogAccount(diyalog.credentials.keyId, diyalog.url), diyalog.credentials.secret);
    await secrets.setSecret('icws', icwsAccount(user.userId, icws.url), user.password);
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
        icws: { baseUrl: icws.url, userId: user.userId },
        role,
        ...(options.agents ? { supervisor: { agents: options.agents } } : {}),
      },
    });
    const desk: Desk = { companion, host: null, page: null, dataDir };
    desks.push(desk);
    if (options.page === false) return desk;
    desk.host = await startBrowserHost({ handlers: companion.handlers, language: () => companion.language(), rendererDir: RENDERER_DIR });
    const host = desk.host;
    companion.subscribe((event, payload) => host.emit(event, payload));
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    desk.page = await context.newPage();
    collectPageErrors(desk.page, pageErrors);
    await desk.page.goto(host.url);
    await desk.page.getByTestId('connection').filter({ hasText: 'Connected to' }).waitFor({ timeout: 15_000 });
    return desk;
  }

  const pageOf = (desk: Desk): Page => {
    if (!desk.page) throw new Error('this desk has no window');
    return desk.page;
  };

  async function openTab(page: Page, id: string): Promise<void> {
    await page.locator(`#tab-${id}`).click();
    await page.locator(`#panel-${id}`).waitFor({ state: 'visible', timeout: 10_000 });
  }

  /** What a person would find wrong on this screen: the invariants of every screen and axe's serious findings. */
  async function findings(page: Page, where: string): Promise<string[]> {
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const seen = [...(await page.evaluate(inspectScreen, ASKS)), ...(await axeFindings(page)).map((f) => `axe ${f}`)];
    return seen.map((f) => `${where}: ${f}`);
  }

  /** Screenshots at 720 px in both languages (and the invariants there), then back to English at 1280. */
  async function pictures(desk: Desk, name: string): Promise<string[]> {
    const page = pageOf(desk);
    const seen: string[] = [];
    for (const lang of ['en', 'tr'] as const) {
      await desk.companion.handlers['language.set']({ language: lang });
      await expect.poll(() => page.getAttribute('html', 'lang')).toBe(lang);
      await page.setViewportSize({ width: 720, height: 560 });
      seen.push(...(await findings(page, `${name} ${lang}/720`)));
      await page.screenshot({ path: join(SCREENSHOTS, `supervise-${name}-720x560-${lang}.png`), fullPage: true });
    }
    await desk.companion.handlers['language.set']({ language: 'en' });
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    await page.setViewportSize({ width: 1280, height: 800 });
    return seen;
  }

  beforeAll(async () => {
    requireBuiltRenderer();
    await mkdir(SCREENSHOTS, { recursive: true });
    diyalog = await startDiyalogSim({ historySize: 50 });
    // No scripted supervisor: the supervisors here are the companions.
    icws = await startIcwsSim({ supervisor: false });
    icws.control.setUserStatus(HIDDEN_AGENT.userId, { hidden: true });
    icws.control.setUserStatus(AGENT.userId, { statusId: 'Available', loggedIn: true, onPhone: false });
    browser = await launchChromium();
    agent = await open(AGENT, 'agent');
    supervisor = await open(SUPERVISOR, 'supervisor', { agents: [AGENT.userId, HIDDEN_AGENT.userId, UNKNOWN_AGENT] });
  }, 60_000);

  afterAll(async () => {
    for (const desk of desks.reverse()) {
      await desk.page?.context().close();
      await desk.host?.close();
      await desk.companion.stop();
      await rm(desk.dataDir, { recursive: true, force: true });
    }
    await browser?.close();
    await Promise.all([diyalog?.close(), icws?.close()]);
  });

  it('an agent asks in their window; the supervisor is alerted, accepts and answers; the agent’s window shows the answer', async () => {
    const agentPage = pageOf(agent);
    const page = pageOf(supervisor);
    // The supervisor works elsewhere when the request comes.
    await openTab(page, 'watch');
    await openTab(page, 'supervise');
    await page.getByTestId('supervise-unanswered').or(page.getByText('No request is waiting for an answer.')).first().waitFor({ timeout: 15_000 });
    await openTab(page, 'watch');

    await openTab(agentPage, 'assistance');
    const picker = agentPage.getByTestId('interaction-picker');
    await picker.waitFor({ timeout: 10_000 });
    await picker.locator(`input[value="${icws.interactionIds[0]}"]`).check();
    await agentPage.locator('#panel-assistance').getByLabel('Your question').fill(QUESTION);
    await agentPage.locator('#panel-assistance').getByRole('button', { name: 'Ask a supervisor' }).click();

    // The alert: a count on the nav item and in the title, while the supervisor is on another screen.
    await expect.poll(() => page.getByTestId('supervise-unread-count').textContent(), { timeout: 15_000 }).toContain('1');
    expect(await page.title()).toBe('(1) Agent Companion');

    await openTab(page, 'supervise');
    // Looking at the desk reads it.
    await expect.poll(() => page.getByTestId('supervise-unread-count').count()).toBe(0);
    expect(await page.title()).toBe('Agent Companion');
    const row = page.getByTestId('supervise-unanswered').locator('button.request-row').filter({ hasText: QUESTION });
    await row.waitFor();
    expect(await row.textContent()).toContain('Deniz Yılmaz');
    expect(await row.textContent()).toMatch(/waiting (under a minute|\d+ min)/);

    // Opened by keyboard: Enter on the row, and the focus is on the request's heading.
    await row.focus();
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('supervise-detail');
    await detail.waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('desk-detail-title');
    expect(await detail.textContent()).toContain(QUESTION);
    expect(await detail.textContent()).toContain(icws.interactionIds[0]!);

    // Accept: it leaves the unanswered list, says who took it, and the focus goes to the answer box.
    await detail.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => detail.getByTestId('supervise-state').textContent(), { timeout: 10_000 }).toBe('Accepted by you');
    await expect.poll(() => page.getByTestId('supervise-unanswered').count()).toBe(0);
    expect(await page.getByTestId('supervise-accepted').textContent()).toContain('Accepted by you');
    const box = detail.getByLabel('Your answer');
    // (The change may be pushed before the accept's own answer comes back: the focus moves on that answer.)
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);

    // The agent's window sees that a supervisor took it.
    const card = agentPage.locator('#panel-assistance article.assistance').first();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 10_000 }).toBe('accepted');

    // Answer with Enter, as in a chat; the box is emptied and keeps the focus.
    await box.fill(ANSWER);
    await page.keyboard.press('Enter');
    await expect.poll(() => detail.locator('ol.chat').textContent(), { timeout: 10_000 }).toContain(ANSWER);
    expect(await box.inputValue()).toBe('');
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);

    // The agent's window shows the answer, from the supervisor by name.
    await expect.poll(() => card.locator('ol.chat').textContent(), { timeout: 10_000 }).toContain(ANSWER);
    expect(await card.locator('ol.chat li.bubble').filter({ hasText: ANSWER }).locator('.who').textContent()).toBe(SUPERVISOR.displayName);

    // The agent writes back: the supervisor's window shows it in the conversation.
    await card.getByLabel('Message', { exact: true }).fill('Teşekkürler.');
    await card.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => detail.locator('ol.chat').textContent(), { timeout: 10_000 }).toContain('Teşekkürler.');

    expect(await pictures(supervisor, 'answered')).toEqual([]);

    // The agent presses Done: the supervisor's window moves it to Completed, read-only, the conversation kept.
    await card.getByRole('button', { name: 'Done' }).click();
    await agentPage.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
    const completed = page.getByTestId('supervise-completed').locator('button.request-row').filter({ hasText: QUESTION });
    await completed.waitFor({ timeout: 10_000 });
    await detail.getByTestId('supervise-closed').waitFor({ timeout: 10_000 });
    expect(await detail.getByLabel('Your answer').count()).toBe(0);
    expect(await detail.locator('ol.chat').textContent()).toContain(ANSWER);
    expect(await page.getByTestId('supervise-accepted').count()).toBe(0);
  }, 60_000);

  it('another supervisor of the workgroup accepts a request: it leaves this one’s unanswered list as "Accepted by <name>"', async () => {
    const page = pageOf(supervisor);
    const other = await open(OTHER_SUPERVISOR, 'supervisor', { page: false });
    // The other supervisor's desk is open (subscribed) before the request comes.
    await expect.poll(async () => (await other.companion.handlers['supervise.list']({})).state, { timeout: 15_000 }).toBe('live');

    const { assistanceId } = icws.control.raiseRequest(AGENT.userId, 'Kart iadesi için onay lazım.');
    await openTab(page, 'supervise');
    const row = page.getByTestId('supervise-unanswered').locator(`button[data-assistance="${assistanceId}"]`);
    await row.waitFor({ timeout: 15_000 });

    await expect.poll(async () => (await other.companion.handlers['supervise.list']({})).requests.some((r) => r.assistanceId === assistanceId), { timeout: 10_000 }).toBe(true);
    await other.companion.handlers['supervise.accept']({ assistanceId });

    const accepted = page.getByTestId('supervise-accepted').locator(`button[data-assistance="${assistanceId}"]`);
    await accepted.waitFor({ timeout: 10_000 });
    expect(await row.count()).toBe(0);
    await expect.poll(() => accepted.textContent(), { timeout: 10_000 }).toContain(`Accepted by ${OTHER_SUPERVISOR.displayName}`);
    await accepted.click();
    const detail = page.getByTestId('supervise-detail');
    // Taken by someone else: said so, and nothing here to accept or answer it with.
    expect(await detail.getByTestId('supervise-taken').textContent()).toContain(OTHER_SUPERVISOR.displayName);
    expect(await detail.getByRole('button', { name: 'Accept' }).count()).toBe(0);
    expect(await detail.getByLabel('Your answer').count()).toBe(0);
    // Escape closes the conversation and gives the focus back to its row.
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
    expect(await accepted.evaluate((el) => el === document.activeElement)).toBe(true);
  }, 60_000);

  it('Ignore asks first; an ignored request stays acceptable under "Ignored by you" and still open for the others', async () => {
    const page = pageOf(supervisor);
    const { assistanceId } = icws.control.raiseRequest(AGENT.userId, 'Adres değişikliği için yardım.');
    await openTab(page, 'supervise');
    const row = page.getByTestId('supervise-unanswered').locator(`button[data-assistance="${assistanceId}"]`);
    await row.click({ timeout: 15_000 });
    const detail = page.getByTestId('supervise-detail');
    const ignore = detail.getByRole('button', { name: 'Ignore' });

    // Cancel: nothing sent, the focus back on Ignore.
    await ignore.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await ignore.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await row.count()).toBe(1);

    await ignore.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Ignore' }).click();
    const ignored = page.getByTestId('supervise-ignored').locator(`button[data-assistance="${assistanceId}"]`);
    await ignored.waitFor({ timeout: 10_000 });
    expect(await row.count()).toBe(0);
    // Its Ignore went with it: the focus is on the request's heading, never on <body>.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('desk-detail-title');
    expect(await detail.getByRole('button', { name: 'Accept' }).count()).toBe(1);
  }, 60_000);

  it('the Agents board: a live status, a refused and an unknown user on their rows; an agent’s interactions, a queue not to be monitored, and their History', async () => {
    const page = pageOf(supervisor);
    await openTab(page, 'agents');
    const table = page.getByTestId('agents-table');
    await table.waitFor({ timeout: 15_000 });
    const rowOf = (id: string) => table.locator(`tr[data-agent="${id}"]`);
    await expect.poll(() => rowOf(AGENT.userId).textContent(), { timeout: 10_000 }).toContain('Available');
    await expect.poll(() => rowOf(HIDDEN_AGENT.userId).getByTestId('agent-row-error').textContent(), { timeout: 10_000 }).toContain('No right to see this agent’s status');
    await expect.poll(() => rowOf(UNKNOWN_AGENT).getByTestId('agent-row-error').textContent(), { timeout: 10_000 }).toContain('No such ICWS user');
    // The settings' order until the user sorts.
    expect(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-agent')))).toEqual([AGENT.userId, HIDDEN_AGENT.userId, UNKNOWN_AGENT]);

    // Live: the agent takes a call.
    icws.control.setUserStatus(AGENT.userId, { statusId: 'On a call', onPhone: true });
    await expect.poll(() => rowOf(AGENT.userId).textContent(), { timeout: 10_000 }).toContain('On a call');

    // Sorted by status, then filtered.
    await table.getByRole('button', { name: /^Status/ }).click();
    expect(await table.locator('th[aria-sort="ascending"]').textContent()).toContain('Status');
    await page.getByTestId('agents-filter').fill('on a call');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await page.getByTestId('agents-filter').fill('');

    // An agent of a workgroup this supervisor supervises: their interactions now.
    await rowOf(AGENT.userId).getByRole('button', { name: /^Open/ }).click();
    const panel = page.getByTestId('agent-panel');
    await panel.getByTestId('agent-interactions').waitFor({ timeout: 10_000 });
    expect(await panel.getByTestId('agent-interactions').textContent()).toContain(icws.interactionIds[0]!);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('agent-panel-title');
    expect(await pictures(supervisor, 'agents')).toEqual([]);

    // The hidden agent is in no workgroup of this supervisor: no right to monitor their queue, said plainly.
    await rowOf(HIDDEN_AGENT.userId).getByRole('button', { name: /^Open/ }).click();
    await expect.poll(() => panel.getAttribute('data-agent')).toBe(HIDDEN_AGENT.userId);
    await expect.poll(() => panel.getByTestId('agent-no-queue-right').textContent(), { timeout: 10_000 }).toContain('You may not monitor the queue');
    expect(await findings(page, 'agents no-queue-right')).toEqual([]);

    // Their help history: History, searched for that agent.
    await rowOf(AGENT.userId).getByRole('button', { name: /^Open/ }).click();
    await expect.poll(() => panel.getAttribute('data-agent')).toBe(AGENT.userId);
    await panel.getByRole('button', { name: 'Help history' }).click();
    await page.locator('#panel-history').waitFor({ state: 'visible' });
    expect(await page.locator('#tab-history').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#panel-history').getByLabel('Agent id').inputValue()).toBe(AGENT.userId);
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[role="tabpanel"]')?.id)).toBe('panel-history');

    // Their stuck sessions: Recovery, searched for that agent.
    await openTab(page, 'agents');
    await panel.getByRole('button', { name: 'Find stuck sessions of this agent' }).click();
    await page.locator('#panel-recovery').waitFor({ state: 'visible' });
    expect(await page.locator('#panel-recovery').getByLabel(/^Agent id/).inputValue()).toBe(AGENT.userId);
    await page.getByTestId('recovery-summary').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[role="tabpanel"]')?.id)).toBe('panel-recovery');
  }, 90_000);

  it('a user who supervises no workgroup: the 403 said once in plain words, with Try again that asks once', async () => {
    const refused = await open(NOT_A_SUPERVISOR, 'supervisor', { agents: [] });
    const page = pageOf(refused);
    const deskPuts = (status?: number) => icws.control.requests.filter((r) => r.method === 'PUT' && /\/supervisor-assistance$/.test(r.path) && (status === undefined || r.status === status)).length;
    await openTab(page, 'supervise');
    const note = page.getByTestId('supervise-refused');
    await note.waitFor({ timeout: 15_000 });
    expect(await note.textContent()).toContain('not a supervisor of any workgroup');
    expect(await note.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    expect(await page.getByTestId('supervise-detail').count()).toBe(0);
    expect(deskPuts(403)).toBeGreaterThan(0);

    // An empty board says where to add agents, with the control that does it.
    await openTab(page, 'agents');
    await page.getByTestId('agents-none').waitFor({ timeout: 10_000 });
    await page.getByTestId('agents-none').getByRole('button', { name: 'Settings' }).click();
    await page.locator('#panel-settings').waitFor({ state: 'visible' });
    await page.getByTestId('supervisor-agents').waitFor();

    await openTab(page, 'supervise');
    expect(await pictures(refused, 'refused')).toEqual([]);
    // Said once: one note, however often the window was redrawn (two languages, two sizes).
    expect(await page.getByTestId('supervise-refused').count()).toBe(1);
    const asked = deskPuts();

    // Made a supervisor meanwhile: Try again, once, and the desk is there.
    icws.control.setSupervisor(NOT_A_SUPERVISOR.userId, true);
    await note.getByRole('button', { name: 'Try again' }).click();
    await note.waitFor({ state: 'detached', timeout: 15_000 });
    await page.getByText('No request is waiting for an answer.').or(page.getByTestId('supervise-unanswered')).first().waitFor({ timeout: 10_000 });
    // Try again asked once.
    expect(deskPuts()).toBe(asked + 1);
  }, 60_000);

  it('raised no error in any window', () => {
    expect(pageErrors).toEqual([]);
  });
});
