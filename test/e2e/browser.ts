// What every end-to-end suite (and the renderer benchmark) needs to put the built renderer in
// front of real Chromium: where Chromium and the build are, one way to launch it that this
// closed network allows, the page's own errors, axe-core, and the simulators' secrets.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { diyalogAccount, icwsAccount, MemorySecretStore } from '../../main/services/secrets';
import type { DiyalogSim } from '../../main/sim/diyalog/server';
import type { IcwsSim } from '../../main/sim/icws/server';

/** Debian's Chromium: Playwright's own download is not reachable here. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const RENDERER_DIR = join(import.meta.dirname, '../../out/renderer');
/** Kept by CI as artifacts; looked at before a change lands. */
export const SCREENSHOTS = join(import.meta.dirname, '../../test-results/screenshots');
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Says why a suite is skipped where Chromium is not installed, instead of passing silently. */
export function noteMissingChromium(suite: string): void {
  if (!hasChromium) console.warn(`${suite} e2e skipped: ${CHROMIUM} is missing (install Chromium to run it).`);
}

/** The suites serve the built renderer: a missing build is a setup error, said plainly. */
export function requireBuiltRenderer(): void {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error(`${RENDERER_DIR} has no index.html: build the renderer first (node build/build.mjs).`);
}

/**
 * Headless Chromium with no background traffic: this machine's network is closed, and
 * Chromium's own connections (updates, sync, QUIC probes) would be refused many at a time.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Collects what the page throws or logs as an error; a suite ends by expecting none. */
export function collectPageErrors(page: Page, into: string[] = []): string[] {
  page.on('pageerror', (e) => into.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') into.push(m.text());
  });
  return into;
}

/** Puts axe-core in the page (once), for a suite that runs one rule of its own. */
export async function loadAxe(page: Page): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(await readFile(AXE_SOURCE, 'utf8'));
}

/** Serious and critical axe-core findings on what the page shows now, as "rule: targets" lines. */
export async function axeFindings(page: Page): Promise<string[]> {
  await loadAxe(page);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, options: unknown): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 3).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`.trim()),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.targets.join(' ')}`);
}

/** A memory keychain holding the simulators' credentials, where the companion looks for them. */
export async function simulatorSecrets(diyalog: DiyalogSim, icws: IcwsSim): Promise<MemorySecretStore> {
  const secrets = new MemorySecretStore();
  await secrets.setSecret('diyalog', diyalogAccount(diyalog.credentials.keyId, diyalog.url), diyalog.credentials.secret);
  await secrets.setSecret('icws', icwsAccount(icws.user.userId, icws.url), icws.user.password);
  return secrets;
}
