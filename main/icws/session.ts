// One ICWS session: log in (with switchover to the alternate hosts), carry the session id,
// CSRF token and cookie on every call, log in again on 401 and re-create the subscriptions,
// log out. Speaks the protocol only; what to subscribe to is the callers' business.

import type { z } from 'zod';
import type { ConnectionState } from '../../shared/assistance';
import { AppError, isAppError } from '../../shared/errors';
import { backoffDelay, sleep, systemClock, withTimeout } from '../http';
import type { Clock, FetchLike } from '../http';
import { CookieJar } from './cookies';
import { badResponse, icwsError, readErrorBody, transportError } from './errors';
import { Listeners } from './listeners';
import type { Unsubscribe } from './listeners';
import { CONNECTION_REQUEST_TYPE, JSON_CONTENT_TYPE, connectAnswerSchema, featuresAnswerSchema, featuresOf, toFeatures } from './wire';
import type { Features } from './wire';

export interface IcwsCredentials {
  userId: string;
  password: string;
}

export interface IcwsSessionOptions {
  /** e.g. `https://ic1.bank.local:8019`; a path is kept as a prefix before `/icws` */
  baseUrl: string;
  credentials: IcwsCredentials;
  applicationName?: string;
  /** Accept-Language, required by ICWS; default `en-US` */
  language?: string;
  fetch: FetchLike;
  clock?: Clock;
  random?: () => number;
  /** per request; default 10 s */
  timeoutMs?: number;
  /** backoff between rounds over all hosts; maxAttempts rounds before connect gives up (default: never) */
  reconnect?: { baseMs: number; capMs: number; maxAttempts?: number };
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
}

export interface RequestWithSchema<T> extends RequestOptions {
  schema: z.ZodType<T>;
}

interface Connection {
  origin: string;
  sessionId: string;
  csrfToken: string;
  /** when this session was established (clock ms) */
  since: number;
}

const DEFAULT_APPLICATION_NAME = 'Agent Companion';
const API_ACCEPT = 'application/vnd.inin.icws+JSON, application/json';

/**
 * An alternateHostList entry as an origin: the entry may be a bare host, `host:port` or a
 * full URL; what it does not name (scheme, port) comes from the server that listed it.
 */
export function alternateOrigin(reportedBy: string, entry: string): string | null {
  const trimmed = entry.trim();
  if (!trimmed) return null;
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return new URL(trimmed).origin;
    const base = new URL(reportedBy);
    const namesPort = /^(\[[^\]]+\]|[^:/[\]]+):\d+$/.test(trimmed);
    const url = new URL(`${base.protocol}//${trimmed}`);
    if (!namesPort) url.port = base.port;
    return url.origin;
  } catch {
    return null;
  }
}

export class IcwsSession {
  readonly #fetch: FetchLike;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #timeoutMs: number;
  readonly #backoff: { baseMs: number; capMs: number; maxAttempts: number };
  readonly #credentials: IcwsCredentials;
  readonly #applicationName: string;
  readonly #language: string;
  readonly #primary: string;
  readonly #prefix: string;

  readonly #jar = new CookieJar();
  readonly #subscriptions = new Map<string, unknown>();
  readonly #stateListeners = new Listeners<ConnectionState>();
  readonly #renewListeners = new Listeners<void>();

  #conn: Connection | null = null;
  #establishing: Promise<Connection> | null = null;
  #current: string;
  #alternates: string[] = [];
  #features: Features = new Map();
  #state: ConnectionState = { state: 'down', reason: 'Not connected.', code: 'unavailable' };
  #loggedOut = false;
  #hadSession = false;
  #lifetime = new AbortController();

  constructor(options: IcwsSessionOptions) {
    const base = new URL(options.baseUrl);
    this.#primary = base.origin;
    this.#prefix = base.pathname.replace(/\/+$/, '');
    this.#current = this.#primary;
    this.#fetch = options.fetch;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#backoff = {
      baseMs: options.reconnect?.baseMs ?? 1_000,
      capMs: options.reconnect?.capMs ?? 60_000,
      maxAttempts: options.reconnect?.maxAttempts ?? Infinity,
    };
    this.#credentials = { ...options.credentials };
    this.#applicationName = options.applicationName ?? DEFAULT_APPLICATION_NAME;
    this.#language = options.language ?? 'en-US';
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** featureId → version, from the last login; empty before the first. */
  get features(): Features {
    return this.#features;
  }

  get sessionId(): string | null {
    return this.#conn?.sessionId ?? null;
  }

  get connected(): boolean {
    return this.#conn !== null;
  }

  /** Clock time the current session was established, or null. */
  get connectedSince(): number | null {
    return this.#conn?.since ?? null;
  }

  /** Paths of the subscriptions re-created after a re-login. */
  get subscriptions(): string[] {
    return [...this.#subscriptions.keys()];
  }

  onStateChange(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.#stateListeners.add(listener);
  }

  /** After a new session replaced an expired or lost one (subscriptions already re-created). */
  onRenewed(listener: () => void): Unsubscribe {
    return this.#renewListeners.add(listener);
  }

  hasFeature(featureId: string, minVersion: number): boolean {
    return (this.#features.get(featureId) ?? 0) >= minVersion;
  }

  requireFeature(featureId: string, minVersion: number, what: string): void {
    if (this.hasFeature(featureId, minVersion)) return;
    const have = this.#features.get(featureId);
    throw new AppError(
      'feature_unsupported',
      `The ICWS server does not support ${what} (needs ${featureId} version ${minVersion}, server has ${have ?? 'none'}).`,
      { featureId, required: minVersion, available: have ?? null },
    );
  }

  /**
   * Logs in unless already logged in. Keeps trying through the alternate hosts and with
   * backoff while the servers are unavailable; gives up at once on bad credentials.
   * After logout() the session is finished: make a new one.
   */
  async connect(signal?: AbortSignal): Promise<void> {
    await this.#connection(signal);
  }

  /** Drops the current session and logs in again (used when the message channel says it is gone). */
  async renew(signal?: AbortSignal): Promise<void> {
    await this.#renew(this.#conn, signal);
  }

  request(method: HttpMethod, path: string, options?: RequestOptions): Promise<void>;
  request<T>(method: HttpMethod, path: string, options: RequestWithSchema<T>): Promise<T>;
  /** `path` is relative to `/icws/{sessionId}/`. A 401 is answered by one re-login and one retry. */
  async request<T>(method: HttpMethod, path: string, options: RequestOptions & { schema?: z.ZodType<T> } = {}): Promise<T | void> {
    const what = `${method} ${path}`;
    let conn = await this.#connection(options.signal);
    let response = await this.#send(conn, method, path, options);
    if (response.status === 401) {
      await response.body?.cancel().catch(() => {});
      conn = await this.#renew(conn, options.signal);
      response = await this.#send(conn, method, path, options);
    }
    return this.#answer(response, what, options.schema);
  }

  /** PUT a subscription and remember it, so a re-login re-creates it. */
  async subscribe(path: string, body?: unknown, signal?: AbortSignal): Promise<void> {
    this.#subscriptions.set(path, body);
    try {
      await this.request('PUT', path, { body, signal });
    } catch (e) {
      this.#subscriptions.delete(path);
      throw e;
    }
  }

  async unsubscribe(path: string, signal?: AbortSignal): Promise<void> {
    if (!this.#subscriptions.delete(path)) return;
    if (!this.#conn) return;
    await this.request('DELETE', path, { signal });
  }

  /**
   * Opens the server-sent-event stream of `messaging/messages` with only the cookie, as
   * ICWS wants. The timeout covers the answer's headers, not the endless body.
   */
  async openEventStream(signal?: AbortSignal): Promise<Response> {
    const what = 'GET messaging/messages (event stream)';
    let conn = await this.#connection(signal);
    let response = await this.#openStream(conn, what, signal);
    if (response.status === 401) {
      await response.body?.cancel().catch(() => {});
      conn = await this.#renew(conn, signal);
      response = await this.#openStream(conn, what, signal);
    }
    if (!response.ok) throw icwsError(response.status, await readErrorBody(response), what);
    return response;
  }

  /** Best effort: a session that is already gone is logged out as far as we care. */
  async logout(): Promise<void> {
    this.#loggedOut = true;
    const pending = this.#establishing;
    this.#lifetime.abort(new AppError('cancelled', 'The ICWS session was logged out.'));
    this.#lifetime = new AbortController();
    // A login under way finishes (bounded by its timeout) and ends the session it made.
    await pending?.catch(() => undefined);
    const conn = this.#conn;
    this.#conn = null;
    this.#establishing = null;
    if (conn) await this.#discard(conn);
    this.#jar.clear();
    this.#subscriptions.clear();
    this.#hadSession = false;
    this.#setState({ state: 'down', reason: 'Logged out.', code: 'cancelled' });
  }

  async #connection(signal?: AbortSignal): Promise<Connection> {
    if (this.#conn) return this.#conn;
    if (this.#loggedOut) throw new AppError('cancelled', 'The ICWS session was logged out.');
    return raceSignal(this.#startEstablishing(), signal);
  }

  /** One re-login shared by every caller that saw the same session expire. */
  async #renew(stale: Connection | null, signal?: AbortSignal): Promise<Connection> {
    if (this.#conn && this.#conn !== stale) return this.#conn;
    if (this.#loggedOut) throw new AppError('cancelled', 'The ICWS session was logged out.');
    this.#conn = null;
    return raceSignal(this.#startEstablishing(), signal);
  }

  /**
   * Single flight. After the first session, every new one (expiry, lost server, a failed
   * earlier attempt) re-creates the subscriptions before anyone uses it.
   */
  #startEstablishing(): Promise<Connection> {
    if (this.#establishing) return this.#establishing;
    const renewing = this.#hadSession;
    const attempt: Promise<Connection> = this.#establish(this.#lifetime.signal)
      .then(async (conn) => {
        this.#hadSession = true;
        if (renewing) {
          try {
            await this.#resubscribe(conn);
          } catch (e) {
            // Half re-subscribed is worse than not connected: the next call starts over.
            if (this.#conn === conn) this.#conn = null;
            throw e;
          }
          this.#renewListeners.emit();
        }
        return conn;
      })
      .finally(() => {
        if (this.#establishing === attempt) this.#establishing = null;
      });
    this.#establishing = attempt;
    return attempt;
  }

  async #resubscribe(conn: Connection): Promise<void> {
    for (const [path, body] of [...this.#subscriptions]) {
      try {
        const response = await this.#send(conn, 'PUT', path, { body });
        await this.#answer(response, `PUT ${path}`, undefined);
      } catch (e) {
        // A request that ended while we were away is no longer there to watch.
        if (isAppError(e) && (e.code === 'not_found' || e.code === 'invalid_input')) this.#subscriptions.delete(path);
        else throw e;
      }
    }
  }

  #candidates(): string[] {
    return [...new Set([this.#current, ...this.#alternates, this.#primary])];
  }

  async #establish(signal: AbortSignal): Promise<Connection> {
    this.#conn = null;
    for (let round = 0; ; round++) {
      const tried = new Set<string>();
      let last: AppError | null = null;
      for (let origin = this.#candidates()[0]; origin; origin = this.#candidates().find((h) => !tried.has(h))) {
        tried.add(origin);
        this.#setState(tried.size === 1 ? { state: 'connecting' } : { state: 'switching', host: new URL(origin).host });
        try {
          const conn = await this.#login(origin);
          if (signal.aborted) {
            // Logged out while this login was on its way: the server made a session; end it.
            await this.#discard(conn);
            signal.throwIfAborted();
          }
          this.#conn = conn;
          this.#current = origin;
          this.#setState({ state: 'up', host: new URL(origin).host, sse: this.hasFeature('messaging', 2) });
          return conn;
        } catch (e) {
          const error = transportError(e, 'connect', signal);
          if (!isRetryable(error)) {
            this.#setDown(error);
            throw error;
          }
          last = error;
        }
      }
      const reason = last ?? new AppError('unavailable', 'No ICWS server to connect to.');
      this.#setDown(reason);
      if (round + 1 >= this.#backoff.maxAttempts) throw reason;
      await sleep(backoffDelay(round, this.#backoff.baseMs, this.#backoff.capMs, this.#random), signal).catch((e: unknown) => {
        throw transportError(e, 'connect', signal);
      });
    }
  }

  /**
   * Not cancellable by logout on purpose (only its own timeout ends it): an aborted login
   * may still create a session on the server, and we could not log that one out.
   */
  async #login(origin: string): Promise<Connection> {
    const what = 'connect';
    this.#jar.clear();
    const response = await this.#fetch(`${origin}${this.#prefix}/icws/connection?include=features,version`, {
      method: 'POST',
      headers: { 'Accept-Language': this.#language, 'Content-Type': JSON_CONTENT_TYPE, Accept: API_ACCEPT },
      body: JSON.stringify({
        __type: CONNECTION_REQUEST_TYPE,
        applicationName: this.#applicationName,
        userID: this.#credentials.userId,
        password: this.#credentials.password,
      }),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    if (!response.ok) {
      const body = await readErrorBody(response);
      if (body.alternateHostList) this.#learnAlternates(origin, body.alternateHostList);
      throw icwsError(response.status, body, what, { connect: true });
    }
    const answer = await parseJson(response, what, connectAnswerSchema);
    this.#jar.update(response.headers);
    if (this.#jar.size === 0) throw badResponse(what, 'no icws_ session cookie', response.status);
    if (answer.alternateHostList) this.#learnAlternates(origin, answer.alternateHostList);
    this.#features = featuresOf(answer) ?? (await this.#fetchFeatures(origin));
    return {
      origin,
      sessionId: response.headers.get('ININ-ICWS-Session-ID') ?? answer.sessionId,
      csrfToken: response.headers.get('ININ-ICWS-CSRF-Token') ?? answer.csrfToken,
      since: this.#clock(),
    };
  }

  async #fetchFeatures(origin: string): Promise<Features> {
    const what = 'GET connection/features';
    const response = await this.#fetch(`${origin}${this.#prefix}/icws/connection/features`, {
      headers: { 'Accept-Language': this.#language, Accept: API_ACCEPT },
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    if (!response.ok) throw icwsError(response.status, await readErrorBody(response), what);
    return toFeatures((await parseJson(response, what, featuresAnswerSchema)).featureInfoList);
  }

  async #discard(conn: Connection): Promise<void> {
    try {
      const response = await this.#send(conn, 'DELETE', 'connection', {});
      await response.body?.cancel().catch(() => {});
    } catch {
      // unreachable server: its session times out on its own
    }
  }

  #learnAlternates(reportedBy: string, entries: string[]): void {
    this.#alternates = entries.map((e) => alternateOrigin(reportedBy, e)).filter((o): o is string => o !== null);
  }

  #url(conn: Connection, path: string): string {
    return `${conn.origin}${this.#prefix}/icws/${encodeURIComponent(conn.sessionId)}/${path.replace(/^\/+/, '')}`;
  }

  async #send(conn: Connection, method: HttpMethod, path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = {
      'Accept-Language': this.#language,
      Accept: API_ACCEPT,
      'ININ-ICWS-CSRF-Token': conn.csrfToken,
      Cookie: this.#jar.header(),
    };
    if (options.body !== undefined) headers['Content-Type'] = JSON_CONTENT_TYPE;
    try {
      const response = await this.#fetch(this.#url(conn, path), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: withTimeout(this.#timeoutMs, options.signal),
      });
      this.#jar.update(response.headers);
      this.#reachable(conn);
      return response;
    } catch (e) {
      throw this.#unreachable(conn, transportError(e, `${method} ${path}`, options.signal));
    }
  }

  async #openStream(conn: Connection, what: string, signal?: AbortSignal): Promise<Response> {
    const headersTimeout = new AbortController();
    const timer = setTimeout(() => headersTimeout.abort(new DOMException('timed out', 'TimeoutError')), this.#timeoutMs);
    try {
      const response = await this.#fetch(this.#url(conn, 'messaging/messages'), {
        headers: { Accept: 'text/event-stream', Cookie: this.#jar.header() },
        signal: signal ? AbortSignal.any([signal, headersTimeout.signal]) : headersTimeout.signal,
      });
      this.#jar.update(response.headers);
      this.#reachable(conn);
      return response;
    } catch (e) {
      throw this.#unreachable(conn, transportError(e, what, signal));
    } finally {
      clearTimeout(timer);
    }
  }

  async #answer<T>(response: Response, what: string, schema: z.ZodType<T> | undefined): Promise<T | void> {
    if (!response.ok) throw icwsError(response.status, await readErrorBody(response), what);
    if (!schema) {
      await response.body?.cancel().catch(() => {});
      return;
    }
    return parseJson(response, what, schema);
  }

  // A live session whose server stops answering shows as down until it answers again.
  #unreachable(conn: Connection, error: AppError): AppError {
    if (error.code === 'unavailable' && this.#conn === conn && this.#state.state === 'up') this.#setDown(error);
    return error;
  }

  #reachable(conn: Connection): void {
    if (this.#conn === conn && this.#state.state === 'down') {
      this.#setState({ state: 'up', host: new URL(conn.origin).host, sse: this.hasFeature('messaging', 2) });
    }
  }

  #setDown(error: AppError): void {
    this.#setState({ state: 'down', reason: error.message, code: error.code });
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#stateListeners.emit(state);
  }
}

function isRetryable(error: AppError): boolean {
  return error.code === 'unavailable' || error.code === 'server_error';
}

async function parseJson<T>(response: Response, what: string, schema: z.ZodType<T>): Promise<T> {
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

/** Waits for a shared promise, but lets this caller stop waiting on its own signal. */
function raceSignal<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AppError('cancelled', 'The operation was cancelled.'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AppError('cancelled', 'The operation was cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
