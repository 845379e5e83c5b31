// Nothing a page does can take the window elsewhere, open another, frame a <webview>, or get a
// permission; a packaged build has no DevTools (navigation-policy.ts).
import { EventEmitter } from 'node:events';
import type { Session, WebContents } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { GRANTED_PERMISSIONS, hardenSession, hardenWebContents, isPermissionGranted } from '../../../main/app/navigation-policy';

class FakeContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: string }) | undefined;
  closeDevTools = vi.fn();
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.openHandler = handler;
  }
}

/** Emits `event` as Electron would and says whether a listener prevented it. */
function prevented(contents: FakeContents, event: string, ...args: unknown[]): boolean {
  const e = { preventDefault: vi.fn() };
  contents.emit(event, e, ...args);
  return e.preventDefault.mock.calls.length > 0;
}

const harden = (packaged: boolean, platform: NodeJS.Platform = 'linux') => {
  const contents = new FakeContents();
  hardenWebContents(contents as unknown as WebContents, { packaged, platform });
  return contents;
};

const keyDown = (key: string, code: string, mods: Partial<Record<'control' | 'meta' | 'shift' | 'alt', boolean>> = {}) => ({
  type: 'keyDown',
  key,
  code,
  control: false,
  meta: false,
  shift: false,
  alt: false,
  ...mods,
});

describe('hardenWebContents', () => {
  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview'])('%s is refused, to anywhere', (event) => {
    const contents = harden(false);
    for (const url of ['https://example.com/', 'app://companion/index.html', 'file:///etc/passwd', 'javascript:alert(1)']) {
      expect(prevented(contents, event, url), `${event} ${url}`).toBe(true);
    }
  });

  it('denies every new window', () => {
    const contents = harden(false);
    for (const url of ['https://example.com/', 'app://companion/index.html', 'about:blank']) {
      expect(contents.openHandler?.({ url })).toEqual({ action: 'deny' });
    }
  });

  it('packaged: reload and DevTools keys are swallowed and DevTools closes if it opens anyway', () => {
    const contents = harden(true, 'win32');
    expect(prevented(contents, 'before-input-event', keyDown('F5', 'F5'))).toBe(true);
    expect(prevented(contents, 'before-input-event', keyDown('I', 'KeyI', { control: true, shift: true }))).toBe(true);
    expect(prevented(contents, 'before-input-event', keyDown('c', 'KeyC', { control: true }))).toBe(false);
    contents.emit('devtools-opened');
    expect(contents.closeDevTools).toHaveBeenCalledTimes(1);
  });

  it('in development: the keys pass and DevTools stays open', () => {
    const contents = harden(false);
    expect(prevented(contents, 'before-input-event', keyDown('F12', 'F12'))).toBe(false);
    expect(contents.listenerCount('devtools-opened')).toBe(0);
  });
});

describe('permissions', () => {
  const ALL = ['notifications', 'media', 'geolocation', 'clipboard-read', 'clipboard-sanitized-write', 'display-capture', 'fullscreen', 'openExternal', 'hid', 'serial', 'usb', 'midi', 'unknown'];

  it('grants nothing, even to our own page: main shows the notifications itself', () => {
    expect(GRANTED_PERMISSIONS.size).toBe(0);
    for (const permission of ALL) expect(isPermissionGranted(permission, 'app://companion/index.html'), permission).toBe(false);
  });

  it('a permission on the list is granted to our own page only', () => {
    const granted = new Set(['notifications']);
    expect(isPermissionGranted('notifications', 'app://companion/index.html', granted)).toBe(true);
    expect(isPermissionGranted('notifications', 'app://companion', granted)).toBe(true);
    expect(isPermissionGranted('media', 'app://companion/index.html', granted)).toBe(false);
    for (const url of ['https://example.com/', 'file:///index.html', 'app://evil/', '', 'null']) {
      expect(isPermissionGranted('notifications', url, granted), url).toBe(false);
    }
  });

  it('the session refuses every request, check and device', () => {
    const handlers: Record<string, (...args: never[]) => unknown> = {};
    const session = {
      setPermissionRequestHandler: (h: (...args: never[]) => unknown) => (handlers.request = h),
      setPermissionCheckHandler: (h: (...args: never[]) => unknown) => (handlers.check = h),
      setDevicePermissionHandler: (h: (...args: never[]) => unknown) => (handlers.device = h),
    };
    hardenSession(session as unknown as Session);
    const request = handlers.request as unknown as (c: unknown, p: string, cb: (granted: boolean) => void, d: { requestingUrl: string }) => void;
    const check = handlers.check as unknown as (c: unknown, p: string, origin: string) => boolean;
    const device = handlers.device as unknown as () => boolean;
    for (const permission of ALL) {
      const callback = vi.fn();
      request(null, permission, callback, { requestingUrl: 'app://companion/index.html' });
      expect(callback).toHaveBeenCalledWith(false);
      expect(check(null, permission, 'app://companion')).toBe(false);
    }
    expect(device()).toBe(false);
  });
});
