import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { it } from 'vitest';
import { startBrowserHost } from '../../main/host/server';
import { createCompanion } from '../../main/services/companion';
import { icwsAccount, MemorySecretStore } from '../../main/services/secrets';
import { TRANSCRIPT_HOST } from '../sim/diyalog/data';
import { startDiyalogSim } from '../sim/diyalog/server';
import { startIcwsSim } from '../sim/icws/server';

it('preview', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'prev-'));
  const diyalog = await startDiyalogSim({ historySize: 3000 });
  const icws = await startIcwsSim({ supervisor: { acceptDelayMs: 50, reply: 'Geliyorum, bir dakika.' } });
  const secrets = new MemorySecretStore();
  await secrets.setSecret('diyalog', diyalog.credentials.keyId, diyalog.credentials.secret);
  await secrets.setSecret('icws', icwsAccount(icws.user.userId, icws.url), icws.user.password);
  const companion = await createCompanion({ dataDir, fetch: globalThis.fetch, secrets, demo: true, version: '0.1.0', osLocale: process.env.LOC ?? 'en-US',
    initialSettings: { diyalog: { baseUrl: diyalog.url, keyId: diyalog.credentials.keyId, transcriptHosts: [new URL(TRANSCRIPT_HOST).hostname] }, staffId: diyalog.staffId, icws: { baseUrl: icws.url, userId: icws.user.userId } } });
  const host = await startBrowserHost({ handlers: companion.handlers, rendererDir: 'out/renderer' });
  companion.subscribe(host.emit);
  diyalog.control.startSession('2337368', '45001', 'inbound');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: (process.env.SCHEME as 'dark') ?? 'light' });
  page.on('console', (m) => console.log('CONSOLE', m.type(), m.text()));
  await page.goto(host.url);
  const shot = (n: string) => page.screenshot({ path: `/tmp/prev-${n}.png` });
  const w = page.locator('#panel-watch');
  for (const id of ['2337368', '7403713', '70022', 'nosuch']) { await w.getByLabel('Customer id').fill(id); await w.getByLabel('Customer id').press('Enter'); }
  await page.waitForTimeout(1500);
  await shot('watch');
  await page.locator('tr[data-customer="2337368"]').getByRole('button', { name: 'Force-end' }).click();
  await page.waitForTimeout(300);
  await shot('dialog');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+2');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForTimeout(150);
  await shot('history-running');
  await page.getByTestId('history-summary').waitFor();
  await shot('history');
  await page.keyboard.press('Control+5');
  await page.waitForTimeout(300);
  await page.screenshot({ path: '/tmp/prev-settings.png', fullPage: true });
  await browser.close(); await host.close(); await companion.stop(); await diyalog.close(); await icws.close();
}, 60_000);
