// The renderer's one way to main. Nothing is opened on import: main.ts calls startBridge()
// once, which picks the Electron preload's frozen object when it is there, else the
// browser host's WebSocket (preview and e2e). Stores receive the RendererApi it returns,
// so their tests hand them a fake one instead.

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
   * After the link came back: events pushed meanwhile were lost, so a store asks again for
   * what it shows. Returns the unsubscribe.
   */
  onReconnect(listener: () => void): () => void;
}

export function fromPreload(preload: CompanionApi): RendererApi {
  // Electron's IPC lives as long as the window: there is no link to lose.
  return {
    call: (name, input) => preload.call(name, input),
    on: (event, listener) => preload.on(event, listener),
    onLinkChange: () => () => {},
    onReconnect: () => () => {},
  };
}

export function fromSocket(socket: WebSocketApi): RendererApi {
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

/** Picks the transport for this page; the browser host's socket opens here, not on import. */
export function startBridge(page: Pick<Window, 'companion' | 'location' | 'history' | 'sessionStorage'> = window): RendererApi {
  return page.companion ? fromPreload(page.companion) : fromSocket(connectWebSocketApi(takeLaunchToken(page)));
}

/**
 * `api.call` that never rejects: a transport failure (a bug, or a preload that threw)
 * becomes an `internal` error value, so every caller handles one shape only.
 */
export async function safeCall<N extends CallName>(api: CompanionApi, name: N, input: CallInput<N>): Promise<Result<CallOutput<N>>> {
  try {
    return await api.call(name, input);
  } catch (e) {
    return { ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
  }
}
