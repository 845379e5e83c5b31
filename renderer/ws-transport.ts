// The renderer's side of the browser host (main/host/server.ts): the same CompanionApi the
// Electron preload exposes, spoken over one WebSocket that comes back by itself.

import type { CallInput, CallName, CallOutput, CompanionApi, EventName, EventPayload, Result } from '../shared/contract';
// From the names alone: the contract's schemas (zod and a hundred of them) need not load before the socket opens.
import { isEventName } from '../shared/contract-names';
import type { ErrorValue } from '../shared/errors';
import { backoffDelay } from '../shared/backoff';

const RECONNECT_BASE_MS = 500;
const RECONNECT_CAP_MS = 15_000;

/** The launch token from the page's query string (`?token=...`), or null when there is none. */
export function tokenFromLocation(search: string): string | null {
  const token = new URLSearchParams(search).get('token');
  return token ? token : null;
}

/** What takeLaunchToken needs of the page (a fake one in tests). */
export interface TokenPage {
  location: Pick<Location, 'href'>;
  history: Pick<History, 'state' | 'replaceState'>;
  sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
}

const TOKEN_STORAGE_KEY = 'companion.launchToken';

/**
 * Takes the launch token out of the address bar as soon as the page has read it, so it is
 * not left in the browser history, a bookmark, a screenshot or a shared screen. This tab
 * keeps it in sessionStorage (this tab only, gone with it) so a reload still connects.
 * Returns the page's address with the token, for connectWebSocketApi.
 */
export function takeLaunchToken(page: TokenPage): string {
  const url = new URL(page.location.href);
  const given = tokenFromLocation(url.search);
  if (given !== null) {
    try {
      page.sessionStorage.setItem(TOKEN_STORAGE_KEY, given);
    } catch {
      // Storage switched off: the page works until a reload, which then asks for the address again.
    }
    url.searchParams.delete('token');
    page.history.replaceState(page.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    url.searchParams.set('token', given);
    return url.href;
  }
  let kept: string | null = null;
  try {
    kept = page.sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    // as above
  }
  if (kept) url.searchParams.set('token', kept);
  return url.href;
}

/**
 * The browser host's CompanionApi, plus what only a socket has: it can drop. Events main
 * pushes while it is down are not replayed, so the page must ask again for what it shows.
 */
export interface WebSocketApi extends CompanionApi {
  /**
   * `false` when the socket is lost (or the first one cannot open), `true` when one opens
   * after that; only changes are reported. Returns the unsubscribe.
   */
  onLinkChange(listener: (up: boolean) => void): () => void;
  /** Closes the socket for good: no reconnect, pending calls fail. For tests and page unload. */
  close(): void;
}

export interface WebSocketApiOptions {
  /** Backoff between reconnect attempts (full jitter); tests shorten it. */
  reconnectBaseMs?: number;
  reconnectCapMs?: number;
}

interface Pending {
  frame: string;
  sent: boolean;
  resolve: (result: Result<unknown>) => void;
}

/**
 * `url` is the page's own address (location.href): the socket goes to `/ws` on the same
 * host, with the token the page was opened with.
 */
export function connectWebSocketApi(url: string, options: WebSocketApiOptions = {}): WebSocketApi {
  const baseMs = options.reconnectBaseMs ?? RECONNECT_BASE_MS;
  const capMs = options.reconnectCapMs ?? RECONNECT_CAP_MS;
  const page = new URL(url);
  const token = tokenFromLocation(page.search);
  const socketUrl = `${page.protocol === 'https:' ? 'wss:' : 'ws:'}//${page.host}/ws?token=${encodeURIComponent(token ?? '')}`;

  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let attempt = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  const linkListeners = new Set<(up: boolean) => void>();
  // null until the first socket opens or fails: the first open is no news to the page.
  let linkUp: boolean | null = null;
  let closed = false;

  const setLink = (up: boolean) => {
    const changed = linkUp === null ? !up : linkUp !== up;
    linkUp = up;
    if (!changed) return;
    for (const listener of [...linkListeners]) {
      try {
        listener(up);
      } catch (e) {
        console.error('companion: a link listener failed', e);
      }
    }
  };

  const fail = (error: ErrorValue) => {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.resolve({ ok: false, error });
    }
  };

  const flush = () => {
    if (socket?.readyState !== WebSocket.OPEN) return;
    for (const p of pending.values()) {
      if (p.sent) continue;
      socket.send(p.frame);
      p.sent = true;
    }
  };

  const onMessage = (text: string) => {
    let message: { id?: unknown; result?: Result<unknown>; event?: unknown; payload?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      console.error('companion: the host sent a frame that is not JSON');
      return;
    }
    if (isEventName(message.event)) {
      for (const listener of listeners.get(message.event) ?? []) {
        try {
          listener(message.payload);
        } catch (e) {
          console.error(`companion: a ${message.event} listener failed`, e);
        }
      }
      return;
    }
    if (typeof message.id === 'number' && message.result) {
      const p = pending.get(message.id);
      pending.delete(message.id);
      p?.resolve(message.result);
      return;
    }
    // An answer without our id means the host could not read one of our frames: a bug here.
    console.error('companion: the host rejected a frame', message.result);
  };

  const connect = () => {
    reconnectTimer = null;
    const ws = new WebSocket(socketUrl);
    socket = ws;
    ws.addEventListener('open', () => {
      attempt = 0;
      flush();
      setLink(true);
    });
    ws.addEventListener('message', (e: MessageEvent) => {
      if (typeof e.data === 'string') onMessage(e.data);
    });
    // A failed connect or a drop is followed by 'close', which is where it is handled.
    ws.addEventListener('error', () => {});
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      socket = null;
      // Whether a sent call ran is unknown now; the caller decides whether to ask again.
      fail({ code: 'unavailable', message: 'The connection to the companion was lost.' });
      setLink(false);
      scheduleReconnect();
    });
  };

  const scheduleReconnect = () => {
    if (closed) return;
    // Jittered: a reloaded host is not hammered by every tab at once.
    const delay = backoffDelay(attempt, baseMs, capMs);
    attempt += 1;
    reconnectTimer = setTimeout(connect, delay);
  };

  if (token) connect();

  return {
    call<N extends CallName>(name: N, input: CallInput<N>): Promise<Result<CallOutput<N>>> {
      if (closed) return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'The connection to the companion was closed.' } });
      if (!token) {
        return Promise.resolve({
          ok: false,
          error: { code: 'unavailable', message: 'This page was opened without its access token: open the address the companion printed.' },
        });
      }
      const id = nextId++;
      return new Promise<Result<unknown>>((resolve) => {
        pending.set(id, { frame: JSON.stringify({ id, call: name, input }), sent: false, resolve });
        flush();
        // A call made while waiting to reconnect should not wait out the whole backoff.
        if (!socket && reconnectTimer !== null) {
          clearTimeout(reconnectTimer);
          connect();
        }
      }) as Promise<Result<CallOutput<N>>>;
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const untyped = listener as (payload: unknown) => void;
      set.add(untyped);
      return () => set.delete(untyped);
    },
    onLinkChange(listener: (up: boolean) => void): () => void {
      linkListeners.add(listener);
      return () => linkListeners.delete(listener);
    },
    close() {
      closed = true;
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      const ws = socket;
      socket = null;
      ws?.close();
      fail({ code: 'unavailable', message: 'The connection to the companion was closed.' });
    },
  };
}
