// The authenticated request path: the session id in the path, the CSRF token and the
// cookie in the headers (Node's fetch keeps no cookies), a deadline on every request, no
// redirect ever followed (credentials go only to the configured server), and an answer
// checked once for "the session is gone" (401, or the bad-cookie error whatever its
// status), which is answered by one re-login (shared with every caller that saw the same
// session go) and one retry.

import type { z } from 'zod';
import { AppError } from '../../shared/errors';
import { withTimeout } from '../http';
import type { FetchLike } from '../http';
import { CookieJar } from './cookies';
import { badResponse, icwsError, isRedirect, readErrorBody, redirectError, transportError } from './errors';
import type { IcwsTarget } from './servers';
import { INVALID_COOKIE_ERROR_ID, JSON_CONTENT_TYPE } from './wire';
import type { IcwsErrorBody } from './wire';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal | undefined;
}

export interface RequestWithSchema<T> extends RequestOptions {
  schema: z.ZodType<T>;
}

/** One logged-in session on one server: what every request of it carries. */
export interface Connection {
  target: IcwsTarget;
  sessionId: string;
  csrfToken: string;
  /** the server's name for itself, from the connect answer */
  icServer: string | null;
  /** when this session was established (clock ms) */
  since: number;
}

/** An answer looked at once: whether it says the session is gone, and the error body it carried. */
interface Checked {
  gone: boolean;
  errorBody: IcwsErrorBody | null;
}

export const API_ACCEPT = 'application/vnd.inin.icws+JSON, application/json';

export interface SessionHttpOptions {
  fetch: FetchLike;
  /** Accept-Language, required by ICWS */
  language: string;
  /** per request */
  timeoutMs: number;
  /** A request on `conn` got an answer (whatever it said). */
  reachable: (conn: Connection) => void;
  /** A request on `conn` got no answer. */
  unreachable: (conn: Connection, error: AppError) => void;
  /** The live session, or one logged in for this call. */
  connection: (signal?: AbortSignal) => Promise<Connection>;
  /** A new session instead of `stale` (one login for every caller that saw it go). */
  renew: (stale: Connection, signal?: AbortSignal) => Promise<Connection>;
}

export class SessionHttp {
  /** The `icws_*` cookies of the current session; a login starts it over. */
  readonly jar = new CookieJar();
  readonly #options: SessionHttpOptions;

  constructor(options: SessionHttpOptions) {
    this.#options = options;
  }

  get language(): string {
    return this.#options.language;
  }

  get timeoutMs(): number {
    return this.#options.timeoutMs;
  }

  /**
   * `path` is relative to `/icws/{sessionId}/`. A caller that gives up before the request
   * went out (its signal aborts while waiting for a login) never has it sent later: the
   * error's details say `sent: false`.
   */
  async request<T>(method: HttpMethod, path: string, options: RequestOptions & { schema?: z.ZodType<T> }): Promise<T | void> {
    const { response, checked } = await this.#withRelogin(options.signal, (conn) => this.#send(conn, method, path, options));
    return this.#answer(response, checked, `${method} ${path}`, options.schema);
  }

  /**
   * Opens the server-sent-event stream of `messaging/messages` with only the cookie, as
   * ICWS wants. The timeout covers the answer's headers, not the endless body.
   */
  async openEventStream(signal?: AbortSignal): Promise<Response> {
    const what = 'GET messaging/messages (event stream)';
    const { response, checked } = await this.#withRelogin(signal, (conn) => this.#openStream(conn, what, signal));
    if (!response.ok) throw icwsError(response.status, checked.errorBody ?? {}, what);
    return response;
  }

  /** A PUT on this very session, no re-login: re-creating a subscription on a new session before anyone uses it. */
  async put(conn: Connection, path: string, body: unknown): Promise<void> {
    const response = await this.#send(conn, 'PUT', path, { body });
    await this.#answer(response, await this.#check(response), `PUT ${path}`, undefined);
  }

  /** Logs `conn` out; best effort, never throws. */
  async discard(conn: Connection): Promise<void> {
    try {
      const response = await this.#send(conn, 'DELETE', 'connection', {});
      await response.body?.cancel().catch(() => {});
    } catch {
      // unreachable server: its session times out on its own
    }
  }

  /** Sends on the live session; when the answer says it is gone, once more on a new one. */
  async #withRelogin(signal: AbortSignal | undefined, send: (conn: Connection) => Promise<Response>): Promise<{ response: Response; checked: Checked }> {
    let conn = await this.#options.connection(signal);
    let response = await send(conn);
    let checked = await this.#check(response);
    if (checked.gone) {
      conn = await this.#options.renew(conn, signal);
      response = await send(conn);
      checked = await this.#check(response);
    }
    return { response, checked };
  }

  /** Every ICWS request goes through here: a redirect is an error, never followed. */
  async fetchOnce(url: string, what: string, init: RequestInit): Promise<Response> {
    const response = await this.#options.fetch(url, { ...init, redirect: 'manual' });
    if (isRedirect(response)) {
      await response.body?.cancel().catch(() => {});
      throw redirectError(response, url, what);
    }
    return response;
  }

  /** One request on `conn`, `path` relative to `/icws/{sessionId}/`. */
  async #send(conn: Connection, method: HttpMethod, path: string, options: RequestOptions): Promise<Response> {
    const what = `${method} ${path}`;
    // Given up on while a login was on its way: it must not go out now.
    if (options.signal?.aborted) throw new AppError('cancelled', 'The operation was cancelled.', { sent: false });
    const headers: Record<string, string> = {
      'Accept-Language': this.#options.language,
      Accept: API_ACCEPT,
      'ININ-ICWS-CSRF-Token': conn.csrfToken,
      Cookie: this.jar.header(),
    };
    if (options.body !== undefined) headers['Content-Type'] = JSON_CONTENT_TYPE;
    try {
      const response = await this.fetchOnce(url(conn, path), what, {
        method,
        headers,
        ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
        signal: withTimeout(this.#options.timeoutMs, options.signal),
      });
      this.jar.update(response.headers);
      this.#options.reachable(conn);
      return response;
    } catch (e) {
      const error = transportError(e, what, options.signal, conn.target.label);
      throw this.#unreachable(conn, error.code === 'cancelled' ? new AppError('cancelled', error.message, { sent: true }, { cause: e }) : error);
    }
  }

  async #openStream(conn: Connection, what: string, signal?: AbortSignal): Promise<Response> {
    const headersTimeout = new AbortController();
    const timer = setTimeout(() => headersTimeout.abort(new DOMException('timed out', 'TimeoutError')), this.#options.timeoutMs);
    try {
      const response = await this.fetchOnce(url(conn, 'messaging/messages'), what, {
        headers: { Accept: 'text/event-stream', Cookie: this.jar.header() },
        signal: signal ? AbortSignal.any([signal, headersTimeout.signal]) : headersTimeout.signal,
      });
      this.jar.update(response.headers);
      this.#options.reachable(conn);
      return response;
    } catch (e) {
      throw this.#unreachable(conn, transportError(e, what, signal, conn.target.label));
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Whether the answer says the session is gone (401, or the bad-cookie error whatever its
   * status); any other error body is read here once and handed on.
   */
  async #check(response: Response): Promise<Checked> {
    if (response.ok) return { gone: false, errorBody: null };
    const errorBody = await readErrorBody(response);
    return { gone: response.status === 401 || errorBody.errorId === INVALID_COOKIE_ERROR_ID, errorBody };
  }

  /** The answer's body parsed with `schema` (or dropped without one); an error answer throws. */
  async #answer<T>(response: Response, checked: Checked, what: string, schema: z.ZodType<T> | undefined): Promise<T | void> {
    // Still gone right after a new login: reported as the server put it (session_expired).
    if (!response.ok) throw icwsError(response.status, checked.errorBody ?? {}, what);
    if (!schema) {
      await response.body?.cancel().catch(() => {});
      return;
    }
    return parseJson(response, what, schema);
  }

  #unreachable(conn: Connection, error: AppError): AppError {
    this.#options.unreachable(conn, error);
    return error;
  }
}

function url(conn: Connection, path: string): string {
  return `${conn.target.base}/icws/${encodeURIComponent(conn.sessionId)}/${path.replace(/^\/+/, '')}`;
}

export async function parseJson<T>(response: Response, what: string, schema: z.ZodType<T>): Promise<T> {
  let text: string;
  try {
    text = await response.text();
  } catch (e) {
    throw transportError(e, what);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badResponse(what, 'not JSON', response.status);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badResponse(what, `${issue?.path.map(String).join('.') || 'body'}: ${issue?.message ?? 'invalid'}`, response.status);
  }
  return parsed.data;
}
