// What a supervisor sees while the audit trail cannot reach the bank's collector (issue 17),
// in real Chromium through the browser host: the status bar says how many entries wait and
// why; once the collector (a real rsyslogd on loopback) is up, they go and the notice leaves.
// Expects `out/renderer` (the test script builds it). Skipped, saying why, without Chromium
// or rsyslogd.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/host/server';
import { createCompanion, type Companion } from '../../main/services/companion';
import { startDiyalogSim, type DiyalogSim } from '../../main/sim/diyalog/server';
import { startIcwsSim, type IcwsSim } from '../../main/sim/icws/server';
import { AuditLog } from '../../main/store/audit';
import { freePort, rsyslogCollector, rsyslogMissing, type Collector } from '../support/rsyslog';
import { collectPageErrors, hasChromium, launchChromium, noteMissingChromium, RENDERER_DIR, requireBuiltRenderer, SCREENSHOTS, simulatorSecrets } from './browser';

noteMissingChromium('audit-forward');
const missing = rsyslogMissing();
if (missing) console.warn(`audit-forward e2e skipped: ${missing}`);
const runs = hasChromium && missing === null;

let browser: Browser;
let diyalog: DiyalogSim;
let icws: IcwsSim;
let companion: Companion;
let host: BrowserHost;
let page: Page;
let dataDir: string;
let collectorDir: string;
let collector: Collector;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!runs) return;
  requireBuiltRenderer();
  browser = await launchChromium();
  dataDir = await mkdtemp(join(tmpdir(), 'companion-e2e-forward-'));
  collectorDir = await mkdtemp(join(tmpdir(), 'companion-e2e-collector-'));
  const port = await freePort();
  collector = rsyslogCollector(collectorDir, port, null);
  // Two force-ends recorded while the window was closed (a `companion force-end`, say).
  const audit = new AuditLog(dataDir);
  for (const customerId of ['2337368', '2337369']) {
    const id = await audit.recordIntent({ actor: '45186', customerId, staffId: '45187', reason: 'Agent app crashed' });
    await audit.recordOutcome(id, { outcome: 'ended', message: 'Finished.' });
  }
  diyalog = await startDiyalogSim({ historySize: 20 });
  icws = await startIcwsSim({ supervisor: false });
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
      role: 'supervisor',
      audit: { forward: { url: `syslog+tcp://127.0.0.1:${port}` } },
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
  await collector?.stop();
  await Promise.all([diyalog?.close(), icws?.close()]);
  for (const dir of [dataDir, collectorDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!runs)('the audit trail waiting for the collector', () => {
  it('the status bar says how many entries wait and why, and stops saying it once they have gone', async () => {
    const notice = page.getByTestId('audit-forward');
    await notice.filter({ hasText: '4 entries wait for the collector' }).waitFor({ timeout: 15_000 });
    expect(await notice.getAttribute('title')).toMatch(/could not be reached/);
    // The reason in the user's words; the English detail (the collector's address) on hover.
    expect(await notice.textContent()).toContain('The service is not reachable');
    await page.screenshot({ path: join(SCREENSHOTS, 'audit-forward-waiting-en.png') });

    await collector.start();
    // The forwarder retries with backoff (1 s doubling): the notice leaves once the entries are at the collector.
    await notice.waitFor({ state: 'detached', timeout: 20_000 });
    expect((await collector.received()).split('\n').filter((l) => l !== '')).toHaveLength(4);
    expect(pageErrors).toEqual([]);
  });
});
