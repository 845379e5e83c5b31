// Which frames may call main over IPC. Decided here without Electron, so the check is
// tested in Node; ipc.ts only applies it to every call.

import { isAppUrl } from './channels';

/** What Electron says of the frame that sent a message (WebFrameMain), as far as the check reads it. */
export interface SenderFrame {
  url: string;
  /** null for a top frame. */
  parent: unknown;
}

/**
 * Only our own page, in its top frame, may call main: not a subframe (none is ever loaded, and
 * the CSP refuses framing), not a page that got loaded some other way (file://, https://), and
 * not a frame that is already gone (Electron gives null then).
 */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  return frame != null && frame.parent === null && isAppUrl(frame.url);
}
