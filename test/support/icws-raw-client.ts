// A bare ICWS session over fetch, for tests of the simulator itself: the companion's
// client (main/icws) is what the simulator checks, so it must not check itself with it.

import { createParser } from 'eventsource-parser';
import type { IcwsMessage } from '../../main/sim/icws/wire';
import { waitUntil } from './wait';

export const CONNECT_TYPE = 'urn:inin.com:connection:icAuthConnectionRequestSettings';
export const ICWS_JSON = 'application/vnd.inin.icws+JSON; charset=utf-8';

export interface RawSession {
  base: string;
  sessionId: string;
  csrfToken: string;
  /** `icws_{sessionId}=value`, ready for a Cookie header */
  cookie: string;
  answer: Record<string, unknown>;
}

export function connectBody(userId: string, password: string): string {
  return JSON.stringify({ __type: CONNECT_TYPE, applicationName: 'sim tests', userID: userId, password });
}

export function postConnect(base: string, body: string, init: { include?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const query = init.include === undefined ? '' : `?include=${init.include}`;
  return fetch(`${base}/icws/connection${query}`, {
    method: 'POST',
    headers: { 'Accept-Language': 'tr-TR', 'Content-Type': ICWS_JSON, ...init.headers },
    body,
  });
}

export async function connect(base: string, user: { userId: string; password: string }): Promise<RawSession> {
  const res = await postConnect(base, connectBody(user.userId, user.password), { include: 'features,version' });
  if (res.status !== 201) throw new Error(`connect answered ${res.status}: ${await res.text()}`);
  const answer = (await res.json()) as Record<string, unknown>;
  const cookie = res.headers.getSetCookie()[0]?.split(';')[0];
  if (!cookie) throw new Error('connect set no cookie');
  return { base, sessionId: String(answer.sessionId), csrfToken: String(answer.csrfToken), cookie, answer };
}

export interface CallOptions {
  body?: unknown;
  /** send the CSRF token (default true) */
  csrf?: boolean;
  /** send the session cookie (default true) */
  cookie?: boolean;
  accept?: string;
  signal?: AbortSignal;
}

/** A request under /icws/{sessionId}/. */
export function call(s: RawSession, method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { 'Accept-Language': 'tr-TR' };
  if (options.csrf !== false) headers['ININ-ICWS-CSRF-Token'] = s.csrfToken;
  if (options.cookie !== false) headers.Cookie = s.cookie;
  if (options.accept) headers.Accept = options.accept;
  if (options.body !== undefined) headers['Content-Type'] = ICWS_JSON;
  return fetch(`${s.base}/icws/${s.sessionId}/${path}`, {
    method,
    headers,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    signal: options.signal ?? null,
  });
}

export async function poll(s: RawSession): Promise<IcwsMessage[]> {
  const res = await call(s, 'GET', 'messaging/messages', { csrf: false });
  if (res.status !== 200) throw new Error(`poll answered ${res.status}`);
  return (await res.json()) as IcwsMessage[];
}

/** An open server-sent-event stream and everything it has delivered so far. */
export class EventStream {
  readonly messages: IcwsMessage[] = [];
  readonly comments: string[] = [];
  retry: number | null = null;
  ended = false;
  readonly #abort = new AbortController();

  static async open(s: RawSession): Promise<EventStream> {
    const stream = new EventStream();
    const res = await call(s, 'GET', 'messaging/messages', { csrf: false, accept: 'text/event-stream', signal: stream.#abort.signal });
    if (res.status !== 200 || !res.body) throw new Error(`event stream answered ${res.status}`);
    if (!res.headers.get('content-type')?.startsWith('text/event-stream')) throw new Error(`event stream is ${res.headers.get('content-type')}`);
    // Runs for the stream's life; #pump ends (never rejects) when the stream drops.
    void stream.#pump(res.body);
    return stream;
  }

  async #pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const parser = createParser({
      onEvent: (e) => this.messages.push(JSON.parse(e.data) as IcwsMessage),
      onComment: (c) => this.comments.push(c),
      onRetry: (ms) => (this.retry = ms),
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
    } catch {
      // a dropped or aborted stream ends like a closed one
    }
    this.ended = true;
  }

  /**
   * Resolves once `done()` holds; fails naming `what` after `timeoutMs`, so a broken simulator
   * fails instead of hanging. Asked every few ms, not only when the stream delivers: some
   * conditions are the simulator's state (a session streaming), which no event announces.
   */
  async until(what: string, done: () => boolean, timeoutMs = 5000): Promise<void> {
    await waitUntil(what, done, { timeout: timeoutMs, interval: 5 });
  }

  close(): void {
    this.#abort.abort();
  }
}
