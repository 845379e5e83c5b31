// Only our own page, in its top frame, may call main (DESIGN.md, "The one contract").
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, isAppUrl } from '../../../main/app/channels';
import { isTrustedSender } from '../../../main/app/ipc-sender';

const top = (url: string) => ({ url, parent: null });

describe('isTrustedSender', () => {
  it('accepts our page in its top frame, whatever file of it and whatever query or fragment', () => {
    for (const url of [`${APP_ORIGIN}/index.html`, `${APP_ORIGIN}/`, `${APP_ORIGIN}/index.html?x=1#/history`]) {
      expect(isTrustedSender(top(url)), url).toBe(true);
    }
  });

  it("refuses a subframe, even one of ours", () => {
    expect(isTrustedSender({ url: `${APP_ORIGIN}/index.html`, parent: top(`${APP_ORIGIN}/index.html`) })).toBe(false);
  });

  it('refuses a frame that is gone or has no address', () => {
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
    expect(isTrustedSender(top(''))).toBe(false);
    expect(isTrustedSender(top('about:blank'))).toBe(false);
  });

  it.each([
    'file:///opt/agent-companion/resources/app.asar/out/renderer/index.html',
    'https://companion/index.html',
    'http://127.0.0.1:5173/index.html',
    'app://evil/index.html',
    'app://companion.evil.example/index.html',
    'app://companion:8080/index.html',
    'app://user:pass@companion/index.html',
    'app://user@companion/index.html',
    'apps://companion/index.html',
    'data:text/html,<script>companion.call()</script>',
    'javascript:alert(1)',
    'not a url',
  ])('refuses a page at %s', (url) => {
    expect(isTrustedSender(top(url))).toBe(false);
  });

  it('compares the parts, not URL.origin, which Node calls "null" for app://', () => {
    expect(new URL(`${APP_ORIGIN}/index.html`).origin).toBe('null');
    expect(isAppUrl(`${APP_ORIGIN}/index.html`)).toBe(true);
    // An origin as Chromium writes it in a permission check.
    expect(isAppUrl(APP_ORIGIN)).toBe(true);
  });
});
