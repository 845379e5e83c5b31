/** IPC channel names: one per contract call (`companion:call:<name>`) and one for events. */
export const CALL_CHANNEL_PREFIX = 'companion:call:';
export const EVENT_CHANNEL = 'companion:event';

/** The renderer's origin: served from a custom scheme, never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'companion';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * An address of our own page (app://companion/…, or its origin), with no credentials or port.
 * Compared part by part, not by `URL.origin`: Node's URL (the one main runs) calls the origin
 * of a scheme it does not know "null", so `origin === APP_ORIGIN` would refuse our own page.
 */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}
