// The renderer's one way to main, picked once at start: the Electron preload's frozen
// object when it is there, else the browser host's WebSocket (preview and e2e).

import type { CallInput, CallName, CallOutput, CompanionApi, Result } from '../shared/contract';
import { connectWebSocketApi } from './ws-transport';

declare global {
  interface Window {
    /** Set by main/app/preload.ts through contextBridge; absent in a plain browser. */
    readonly companion?: CompanionApi;
  }
}

export const api: CompanionApi = window.companion ?? connectWebSocketApi(window.location.href);

/**
 * `api.call` that never rejects: a transport failure (a bug, or a preload that threw)
 * becomes an `internal` error value, so every caller handles one shape only.
 */
export async function call<N extends CallName>(name: N, input: CallInput<N>): Promise<Result<CallOutput<N>>> {
  try {
    return await api.call(name, input);
  } catch (e) {
    return { ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
  }
}
