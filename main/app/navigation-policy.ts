// What a page of ours may do beyond showing itself: nothing. Its own renderer is a single page
// that never navigates, opens no window, frames nothing and asks for no permission (main shows
// the notifications itself, alerts.ts), so each of those is refused outright rather than
// allowed by a list that could grow a hole. Electron's types only: installed on fakes in Node.

import type { Session, WebContents } from 'electron';
import { isAppUrl } from './channels';
import { shouldBlockInput } from './menu';

export interface ShellFacts {
  /** app.isPackaged: an installed build, as opposed to `npm start` from the sources. */
  packaged: boolean;
  platform: NodeJS.Platform;
}

/**
 * Permissions a page is given. Empty on purpose: notifications are main's (alerts.ts), the
 * clipboard works through the Edit menu's roles, and nothing else is used. A permission added
 * here is granted to our own page only (isPermissionGranted).
 */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set<string>();

/** Whether `permission` is granted to a page at `requestingUrl` (a URL or an origin). */
export function isPermissionGranted(permission: string, requestingUrl: string, granted: ReadonlySet<string> = GRANTED_PERMISSIONS): boolean {
  return granted.has(permission) && isAppUrl(requestingUrl);
}

type Hardenable = Pick<WebContents, 'on' | 'setWindowOpenHandler' | 'closeDevTools'>;

/**
 * Every web contents the app creates (the window, and anything a page might try to make):
 * no navigation of the top frame or a subframe, no redirect, no <webview>, no new window; in a
 * packaged build no reload or DevTools keys and no DevTools at all (menu.ts says why).
 */
export function hardenWebContents(contents: Hardenable, facts: ShellFacts): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  // Also fires for subframes, which will-navigate does not cover.
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // The menu carries no Reload or DevTools in a packaged build; the keys are swallowed too, so
  // a confirmation cannot be reloaded away or skipped from a console.
  contents.on('before-input-event', (event, input) => {
    if (shouldBlockInput(input, facts)) event.preventDefault();
  });
  if (facts.packaged) contents.on('devtools-opened', () => contents.closeDevTools());
}

type Permissions = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>;

/** The session's answer to every permission request and check: isPermissionGranted's. */
export function hardenSession(session: Permissions): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => callback(isPermissionGranted(permission, details.requestingUrl)));
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionGranted(permission, requestingOrigin));
  // USB, HID and serial devices: none is ever ours to use.
  session.setDevicePermissionHandler(() => false);
}
