// The renderer in real Chromium through the browser host: time to the first interactive
// screen, JS heap and frame times while scrolling 30,000 history rows (a mouse wheel, a
// flick, a sweep, beside idle frames of the same page), and the bundle size gzipped. Builds
// the renderer first (npm run bench builds only the Node side).
//
// BENCH_TRACE=<dir> also records a Chromium trace of a cold load and of each scroll into
// <dir> (open them in DevTools' Performance panel) and adds where the page's main thread
// spent its CPU: script, style, layout, paint, GC.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright';
import { build } from 'vite';
import { startBrowserHost } from '../../main/host/server';
import { createCompanion } from '../../main/services/companion';
import type { Handlers } from '../../main/services/dispatch';
import { diyalogAccount, icwsAccount, MemorySecretStore } from '../../main/services/secrets';
import { startDiyalogSim } from '../../main/sim/diyalog/server';
import { startIcwsSim } from '../../main/sim/icws/server';
import type { HelpRecord } from '../../shared/diyalog';
import type { BenchRow } from './table';
import { KINDS, summarizeLoad, summarizeTrace } from './trace-summary';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(import.meta.dirname, '../..');
const RENDERER_DIR = join(ROOT, 'out/renderer');
const ROWS = 30_000;
const LOADS = 11;
const SCROLL_MS = 4_000;
// A mouse wheel spun briskly: one notch (100 px) every 40 ms, for 3 s.
const WHEEL_PX = 100;
const WHEEL_EVERY_MS = 40;
const WHEEL_EVENTS = 75;
const TRACE_DIR = process.env.BENCH_TRACE;
// What DevTools' Performance panel records, and no more: more categories cost the page more.
const TRACE_CATEGORIES = [
  '-*',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'v8.execute',
  'toplevel',
  'blink.user_timing',
  'loading',
];

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (n: number) => `${n.toFixed(1)} ms`;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

function records(now: number): HelpRecord[] {
  return Array.from({ length: ROWS }, (_, i) => ({
    onlineHelpId: i + 1,
    customerNo: String(10_000_000 + i),
    customerName: `Müşteri ${i % 997}`,
    agentId: `4${String(i % 40).padStart(4, '0')}`,
    agentName: `Temsilci ${i % 40}`,
    helpState: i % 5 === 0 ? 'onlinehelp_cancelled_by_customer' : 'onlinehelp_ended_by_agent',
    helpRequestedAt: now - i * 20_000,
    waitTime: (i * 7) % 300,
    helpTime: (i * 13) % 1800,
    conversationDetailLink: `https://transcripts.example/${i}`,
  }));
}

async function bundleSizes(): Promise<BenchRow[]> {
  const assets = join(RENDERER_DIR, 'assets');
  const files = (await readdir(assets)).filter((f) => /\.(js|css)$/.test(f));
  const html = await readFile(join(RENDERER_DIR, 'index.html'), 'utf8');
  let first = 0;
  let all = 0;
  for (const file of files) {
    const size = gzipSync(await readFile(join(assets, file)), { level: 9 }).length;
    all += size;
    // What the first screen loads: the files index.html names (lazy chunks such as the CSV export come later).
    if (html.includes(file)) first += size;
  }
  return [
    { bench: 'renderer bundle, first screen (gzip)', value: kb(first), detail: 'JS and CSS index.html loads; target < 150 KB' },
    { bench: 'renderer bundle, all chunks (gzip)', value: kb(all), detail: `${files.length} files, lazy chunks included` },
  ];
}

// Notes, before any script of the page runs, the frame in which the watch table first has a
// row. Playwright's wait polls at 0, 20, 50, 100, 100, 500 ms after the load event, so what
// it saw was up to half a second late and scattered.
const FIRST_ROW_PROBE = `(() => {
  const observer = new MutationObserver(() => {
    if (!document.querySelector('[data-testid="watch-table"] tbody tr')) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      window.__benchFirstRow = performance.now();
      performance.mark('first-row');
    });
  });
  observer.observe(document, { childList: true, subtree: true });
})()`;

/**
 * A new page from scratch: milliseconds from navigation start to the frame that first shows a
 * row of the watch table (`row`), and to when Playwright's own wait for it returned (`polled`).
 */
async function coldLoad(browser: Browser, url: string): Promise<{ row: number; polled: number }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.addInitScript(FIRST_ROW_PROBE);
    await page.goto(url);
    await page.locator('[data-testid="watch-table"] tbody tr').first().waitFor();
    const polled = await page.evaluate(() => performance.now());
    await page.waitForFunction(() => (window as { __benchFirstRow?: number }).__benchFirstRow !== undefined);
    return { row: (await page.evaluate('window.__benchFirstRow')) as number, polled };
  } finally {
    await page.close();
  }
}

// Page code as source text: tsx would wrap a named function in a helper the page does not have.
const START_FRAMES = `(() => {
  const deltas = [];
  let last = performance.now();
  window.__benchFrames = { deltas, running: true };
  const step = () => {
    const now = performance.now();
    deltas.push(now - last);
    last = now;
    if (window.__benchFrames.running) requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
})()`;
const STOP_FRAMES = `(() => { window.__benchFrames.running = false; return window.__benchFrames.deltas.slice(1); })()`;

/** The time between animation frames while `during` runs. */
async function frames(page: Page, during: () => Promise<void>): Promise<number[]> {
  await page.evaluate(START_FRAMES);
  await during();
  return (await page.evaluate(STOP_FRAMES)) as number[];
}

/** Frame times while the table scrolls, one step per frame: `pxPerSecond` null sweeps the whole length in SCROLL_MS. */
async function scroll(page: Page, pxPerSecond: number | null): Promise<number[]> {
  return (await page.evaluate(`new Promise((resolve) => {
    const el = document.querySelector('[data-testid="history-scroll"]');
    el.scrollTop = 0;
    const deltas = [];
    const start = performance.now();
    let last = start;
    const step = () => {
      const now = performance.now();
      deltas.push(now - last);
      last = now;
      const t = (now - start) / ${SCROLL_MS};
      const max = el.scrollHeight - el.clientHeight;
      el.scrollTop = ${pxPerSecond === null ? 'Math.min(1, t) * max' : `Math.min(max, ((now - start) / 1000) * ${pxPerSecond})`};
      if (t < 1) requestAnimationFrame(step);
      else resolve(deltas.slice(1));
    };
    requestAnimationFrame(step);
  })`)) as number[];
}

/** Frame times while a mouse wheel over the table turns WHEEL_EVENTS notches, as the input pipeline delivers them. */
async function wheelScroll(page: Page): Promise<number[]> {
  const scroller = page.getByTestId('history-scroll');
  await scroller.evaluate((el) => (el.scrollTop = 0));
  await scroller.scrollIntoViewIfNeeded();
  const box = await scroller.boundingBox();
  if (!box) throw new Error('the history table is not on screen');
  await page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height, 800 - box.y) / 2);
  const deltas = await frames(page, async () => {
    const start = Date.now();
    for (let i = 0; i < WHEEL_EVENTS; i++) {
      const wait = start + i * WHEEL_EVERY_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await page.mouse.wheel(0, WHEEL_PX);
    }
    // The last notches' smooth scrolling.
    await page.waitForTimeout(250);
  });
  const moved = await scroller.evaluate((el) => el.scrollTop);
  // Short of it: the wheel missed the table. Far past it: the table scrolled on by itself.
  if (Math.abs(moved - WHEEL_EVENTS * WHEEL_PX) > (WHEEL_EVENTS * WHEEL_PX) / 2) throw new Error(`the wheel scrolled the table ${moved} px, not ${WHEEL_EVENTS * WHEEL_PX}`);
  return deltas;
}

export async function benchRenderer(): Promise<BenchRow[]> {
  if (!existsSync(CHROMIUM)) return [{ bench: 'renderer', value: 'skipped', detail: `${CHROMIUM} is missing` }];
  await build({ root: join(ROOT, 'renderer'), configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  const rows = await bundleSizes();

  const dataDir = await mkdtemp(join(tmpdir(), 'companion-bench-renderer-'));
  const diyalog = await startDiyalogSim({ historySize: 200 });
  const icws = await startIcwsSim({ supervisor: false });
  const secrets = new MemorySecretStore();
  await secrets.setSecret('diyalog', diyalogAccount(diyalog.credentials.keyId, diyalog.url), diyalog.credentials.secret);
  await secrets.setSecret('icws', icwsAccount(icws.user.userId, icws.url), icws.user.password);
  const companion = await createCompanion({
    dataDir,
    fetch: globalThis.fetch,
    secrets,
    demo: true,
    version: 'bench',
    osLocale: 'en-US',
    initialSettings: {
      diyalog: { baseUrl: diyalog.url, keyId: diyalog.credentials.keyId },
      staffId: diyalog.staffId,
      icws: { baseUrl: icws.url, userId: icws.user.userId },
      watchList: ['2337368', '7403713'],
    },
  });
  // The 30,000 rows arrive at once: the walk itself is the history benchmark's.
  const handlers: Handlers = {
    ...companion.handlers,
    'history.start': async () => {
      setTimeout(() => host.emit('history.done', { walkId: 'bench', result: { items: records(Date.now()), requests: 1, warnings: [] }, error: null }), 0);
      return { walkId: 'bench' };
    },
  };
  const host = await startBrowserHost({ handlers, rendererDir: RENDERER_DIR });
  companion.subscribe((event, payload) => host.emit(event, payload));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'],
  });
  try {
    // First interactive screen: from navigation start until the help watch shows its rows
    // (the app mounted, the transport opened, the stores asked main and rendered the answer).
    const loads: { row: number; polled: number }[] = [];
    for (let i = 0; i < LOADS; i++) loads.push(await coldLoad(browser, host.url));
    const interactive = loads.map((l) => l.row);
    const polled = loads.map((l) => l.polled);
    rows.push({
      bench: 'first interactive screen',
      value: ms(quantile(interactive, 0.5)),
      detail: `median of ${LOADS} cold loads (min ${ms(Math.min(...interactive))}, max ${ms(Math.max(...interactive))}): navigation start to the frame that first shows a row of the watch table (Playwright's polling wait saw it at ${ms(quantile(polled, 0.5))}); target < 300 ms`,
    });

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(host.url);
    await page.locator('#tab-history').click();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
    };
    const before = await heap();
    await page.locator('#panel-history').getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByTestId('history-table').waitFor();
    const loaded = await heap();

    const idle = await frames(page, async () => void (await page.waitForTimeout(2_000)));
    const wheel = await wheelScroll(page);
    const flick = await scroll(page, 3000);
    const sweep = await scroll(page, null);
    const idleAfter = await frames(page, async () => void (await page.waitForTimeout(2_000)));
    const scrolled = await heap();
    const domRows = await page.getByTestId('history-table').locator('tbody tr').count();
    const idleAll = [...idle, ...idleAfter];
    const idleP95 = quantile(idleAll, 0.95);
    const framesRow = (bench: string, deltas: number[], what: string): BenchRow => ({
      bench,
      value: `${ms(quantile(deltas, 0.5))} / ${ms(quantile(deltas, 0.95))}`,
      detail: `median / p95 over ${deltas.length} frames (${what}); p95 ${(quantile(deltas, 0.95) / idleP95).toFixed(2)}× idle's; target p95 < 16.7 ms`,
    });
    rows.push(
      {
        bench: 'idle frames, same page (baseline)',
        value: `${ms(quantile(idleAll, 0.5))} / ${ms(idleP95)}`,
        detail: `median / p95 over ${idleAll.length} frames with nothing to do, 2 s before and 2 s after the scrolls: the floor of this Chromium (headless, no GPU) on this machine`,
      },
      framesRow(
        `frame time, mouse wheel over ${ROWS.toLocaleString('en')} rows`,
        wheel,
        `${WHEEL_EVENTS} wheel events of ${WHEEL_PX} px, one every ${WHEEL_EVERY_MS} ms`,
      ),
      framesRow(`frame time scrolling ${ROWS.toLocaleString('en')} rows, 3000 px/s`, flick, 'a fast flick: scrollTop set every frame'),
      framesRow(`frame time sweeping all ${ROWS.toLocaleString('en')} rows in ${SCROLL_MS / 1000} s`, sweep, 'every frame a new window of rows'),
      {
        bench: `JS heap with ${ROWS.toLocaleString('en')} rows`,
        value: `${(Math.max(loaded, scrolled) / 2 ** 20).toFixed(1)} MB`,
        detail: `after GC: ${(before / 2 ** 20).toFixed(1)} MB before the search, ${(loaded / 2 ** 20).toFixed(1)} loaded, ${(scrolled / 2 ** 20).toFixed(1)} after scrolling; ${domRows} rows in the DOM; target < 60 MB`,
      },
    );

    if (TRACE_DIR) {
      // Traced runs come after the measured ones: tracing slows what it watches.
      await mkdir(TRACE_DIR, { recursive: true });
      const traced = async (name: string, tracePage: Page, run: () => Promise<number>): Promise<void> => {
        await browser.startTracing(tracePage, { categories: TRACE_CATEGORIES });
        const count = await run();
        const json = (await browser.stopTracing()).toString('utf8');
        await writeFile(join(TRACE_DIR, `${name}.json`), json);
        const s = summarizeTrace(json);
        const per = (v: number) => (count > 0 ? v / count : v);
        rows.push({
          bench: `trace: ${name}, main thread CPU${count > 0 ? ' per frame' : ''}`,
          value: ms(per(s.mainTotal)),
          detail: `${KINDS.map((k) => `${k} ${per(s.main[k]).toFixed(1)}`).join(', ')}; top: ${s.top
            .slice(0, 5)
            .map(([n, v]) => `${n} ${per(v).toFixed(1)}`)
            .join(', ')}; other threads: ${s.threads
            .slice(0, 4)
            .map(([n, v]) => `${n} ${per(v).toFixed(1)}`)
            .join(', ')}`,
        });
      };
      {
        const loadPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await loadPage.addInitScript(FIRST_ROW_PROBE);
        await browser.startTracing(loadPage, { categories: TRACE_CATEGORIES });
        await loadPage.goto(host.url);
        await loadPage.waitForFunction(() => (window as { __benchFirstRow?: number }).__benchFirstRow !== undefined);
        const json = (await browser.stopTracing()).toString('utf8');
        await loadPage.close();
        await writeFile(join(TRACE_DIR, 'cold load.json'), json);
        const load = summarizeLoad(json, 'first-row');
        if (load) {
          rows.push({
            bench: 'trace: cold load to the first watch row',
            value: ms(load.milestones.at(-1)?.[1] ?? NaN),
            detail: `${load.milestones.map(([n, t]) => `${n} ${t.toFixed(0)}`).join(', ')}; main thread CPU ${ms(load.mainTotal)} (${KINDS.map((k) => `${k} ${load.main[k].toFixed(1)}`).join(', ')}); other threads: ${load.threads
              .slice(0, 4)
              .map(([n, v]) => `${n} ${v.toFixed(1)}`)
              .join(', ')}`,
          });
        }
      }
      await traced('mouse wheel', page, async () => (await wheelScroll(page)).length);
      await traced('flick', page, async () => (await scroll(page, 3000)).length);
      await traced('idle', page, async () => (await frames(page, async () => void (await page.waitForTimeout(2_000)))).length);
    }
  } finally {
    await browser.close();
    await host.close();
    await companion.stop();
    await Promise.all([diyalog.close(), icws.close()]);
    await rm(dataDir, { recursive: true, force: true });
  }
  return rows;
}
