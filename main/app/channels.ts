/** IPC channel names: one per contract call (`companion:call:<name>`) and one for events. */
export const CALL_CHANNEL_PREFIX = 'companion:call:';
export const EVENT_CHANNEL = 'companion:event';

/** The renderer's origin: served from a custom scheme, never file://. */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://companion`;
