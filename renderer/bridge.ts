// The renderer's one way to main, picked once at start: the Electron preload's frozen
// object when it is there, else the browser host's WebSocket (preview and e2e).

import type { CallInput, CallName, CallOutput, CompanionApi, Result } from '../shared/contract';
import { connectWebSocketApi, takeLaunchToken, type WebSocketApi } from './ws-transport';

declare global {
  interface Window {
    /** Set by main/app/preload.ts through contextBridge; absent in a plain browser. */
    readonly companion?: CompanionApi;
  }
}

/** The contract plus the link to main, which only the browser host's socket can lose. */
export interface RendererApi extends CompanionApi {
  /** `false` when the link to main is lost, `true` when it is back. Returns the unsubscribe. */
  onLinkChange(listener: (up: boolean) => void): () => void;
  /**
   * After the link came back: events pushed meanwhile were lost, so a view asks again for
   * what it shows. Returns the unsubscribe.
   */
  onReconnect(listener: () => void): () => void;
}

function fromPreload(preload: CompanionApi): RendererApi {
  // Electron's IPC lives as long as the window: there is no link to lose.
  return {
    call: (name, input) => preload.call(name, input),
    on: (event, listener) => preload.on(event, listener),
    onLinkChange: () => () => {},
    onReconnect: () => () => {},
  };
}

function fromSocket(socket: WebSocketApi): RendererApi {
  return {
    call: (name, input) => socket.call(name, input),
    on: (event, listener) => socket.on(event, listener),
    onLinkChange: (listener) => socket.onLinkChange(listener),
    onReconnect: (listener) =>
      socket.onLinkChange((up) => {
        if (up) listener();
      }),
  };
}

export const api: RendererApi = window.companion ? fromPreload(window.companion) : fromSocket(connectWebSocketApi(takeLaunchToken(window)));

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
