// Issue 9: in real Chromium, the browser host's launch token leaves the address bar once the
// built renderer has read it, and a reload of the cleaned address still connects.
// Expects `out/renderer` (the test script builds it).

import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/host/server';
import type { Handlers } from '../../main/services/dispatch';
import { AppError } from '../../shared/errors';
import { hasChromium, launchChromium, noteMissingChromium, RENDERER_DIR, requireBuiltRenderer } from './browser';

noteMissingChromium('launch-token');


describe.skipIf(!hasChromium)('the launch token in a real browser', () => {
  let host: BrowserHost;
  let browser: Browser;
  // Each call that reaches main proves a socket opened with the token.
  let onCall: () => void = () => {};
  const calls: string[] = [];

  beforeAll(async () => {
    requireBuiltRenderer();
    const handlers = new Proxy({} as Handlers, {
      get: (_target, name) => async () => {
        calls.push(String(name));
        onCall();
        throw new AppError('unavailable', 'not part of this test');
      },
    });
    host = await startBrowserHost({ handlers, rendererDir: RENDERER_DIR });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  const nextCall = () =>
    new Promise<void>((resolve, reject) => {
      onCall = () => resolve();
      setTimeout(() => reject(new Error('no call reached main')), 10_000).unref();
    });

  it('is gone from the address bar after load, and a reload still connects', async () => {
    const page = await browser.newPage();
    const connected = nextCall();
    await page.goto(host.url);
    await connected;
    expect(host.url).toContain('token=');
    expect(page.url()).toBe(`${host.origin}/`);
    expect(await page.evaluate(() => location.href)).not.toContain(host.token);

    calls.length = 0;
    const again = nextCall();
    await page.reload();
    await again;
    expect(calls.length).toBeGreaterThan(0);
    expect(page.url()).toBe(`${host.origin}/`);
    await page.close();
  });
});
