// One ICWS session: log in (with switchover to the alternate servers), carry the session id,
// CSRF token and cookie on every call, log in again on 401 (or a bad-cookie answer) and
// re-create the subscriptions, stop when the server ends the session, log out. Speaks the
// protocol only; what to subscribe to is the callers' business.
//
// Credentials go only to the configured server: no redirect is ever followed, and an
// alternate server is a bare host name used with the configured scheme and port (or, behind
// a reverse proxy, the last path segment of the configured URL).

import { assertUrlAllowed } from '../../shared/urls';
import type { z } from 'zod';
import type { ConnectionState } from '../../shared/assistance';
import { AppError, isAppError } from '../../shared/errors';
import { backoffDelay, sleep, systemClock, withTimeout } from '../http';
import type { Clock, FetchLike } from '../http';
import { CookieJar } from './cookies';
import { badResponse, icwsError, isRedirect, readErrorBody, redirectError, transportError } from './errors';
import { Listeners } from './listeners';
import type { Unsubscribe } from './listeners';
import { CONNECTION_REQUEST_TYPE, INVALID_COOKIE_ERROR_ID, JSON_CONTENT_TYPE, connectAnswerSchema, featuresAnswerSchema, featuresOf, toFeatures } from './wire';
import type { ConnectionStateChange, Features, IcwsErrorBody } from './wire';

export interface IcwsCredentials {
  userId: string;
  password: string;
}

export interface IcwsSessionOptions {
  /**
   * e.g. `https://ic1.bank.local:8019`; a path is kept as a prefix before `/icws`. The
   * reverse-proxy form `https://web.bank.local/api/icserver1` switches over by its last
   * path segment (§2.4).
   */
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
  /** backoff between rounds over all servers; maxAttempts rounds before connect gives up (default: never) */
  reconnect?: { baseMs: number; capMs: number; maxAttempts?: number };
  /** Plain http to a host other than this computer is refused unless this is true (settings: allowInsecureHttp). */
  allowInsecureHttp?: boolean;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal | undefined;
}

export interface RequestWithSchema<T> extends RequestOptions {
  schema: z.ZodType<T>;
}

/** One server the session may log in to: the base URL before `/icws`. */
export interface IcwsTarget {
  /** scheme, host, port and path prefix, no trailing slash */
  base: string;
  /** what the status shows: `host:port`, or `proxy host/api/server` behind a reverse proxy */
  label: string;
  /** the server's name: the host name, or the last path segment behind a reverse proxy */
  server: string;
}

interface Connection {
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

const DEFAULT_APPLICATION_NAME = 'Agent Companion';
const API_ACCEPT = 'application/vnd.inin.icws+JSON, application/json';
const PROXY_PATH = /^(.*\/api)\/([^/]+)$/i;

// A host name (DNS labels; NetBIOS names may carry `_`), an IPv4 address, or a bracketed IPv6 address.
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/i;

/** The server to log in to from the configured base URL. */
export function configuredTarget(baseUrl: string): IcwsTarget {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  const proxy = PROXY_PATH.exec(path);
  if (proxy) {
    const server = safeDecode(proxy[2]!);
    return { base: `${url.origin}${path}`, label: `${url.host}${path}`, server };
  }
  return { base: `${url.origin}${path}`, label: url.host, server: url.hostname.replace(/^\[|\]$/g, '') };
}

/**
 * Why an alternateHostList entry is not a bare host name, or null when it is. Anything
 * more (a scheme, port, user info or path) could send the login elsewhere: refused.
 */
export function alternateHostProblem(entry: string): string | null {
  const host = entry.trim();
  if (host === '') return 'empty';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return 'names a scheme';
  if (host.includes('@')) return 'names user info';
  if (/[/?#\\]/.test(host)) return 'names a path';
  if (IPV6_LITERAL.test(host)) return null;
  if (host.includes(':')) return 'names a port';
  if (!HOST_NAME.test(host)) return 'is not a host name';
  return null;
}

/**
 * Where an alternate server is reached: the configured scheme and port with the host
 * replaced, or behind a reverse proxy (`<proxy>/api/<server>`) the same proxy with the
 * last path segment replaced. Never another scheme, so https never becomes http.
 */
export function alternateTarget(configured: string, entry: string): IcwsTarget {
  const problem = alternateHostProblem(entry);
  if (problem) throw new AppError('bad_response', `The alternate ICWS host "${printable(entry)}" ${problem}: skipped.`);
  const host = entry.trim().replace(/\.$/, '');
  const url = new URL(configured);
  const path = url.pathname.replace(/\/+$/, '');
  const proxy = PROXY_PATH.exec(path);
  if (proxy) {
    const prefix = `${proxy[1]}/${encodeURIComponent(host)}`;
    return { base: `${url.origin}${prefix}`, label: `${url.host}${prefix}`, server: host };
  }
  url.hostname = host;
  // The URL parser may refuse (or rewrite) what the pattern let through: it must still be that host.
  if (url.hostname.toLowerCase() !== host.toLowerCase()) {
    throw new AppError('bad_response', `The alternate ICWS host "${printable(entry)}" is not a host name: skipped.`);
  }
  return { base: `${url.origin}${path}`, label: url.host, server: host.replace(/^\[|\]$/g, '') };
}

/** A server listing its own name (a real server lists its short name) is not a second server. */
export function namesItself(entry: string, conn: { target: IcwsTarget; icServer: string | null }): boolean {
  const name = entry.trim().replace(/\.$/, '').toLowerCase();
  const own = [conn.target.server, conn.icServer ?? ''].map((n) => n.toLowerCase()).filter(Boolean);
  const shortNames = own.filter((n) => !/^[\d.]+$/.test(n) && !n.includes(':')).map((n) => n.split('.')[0]!);
  return own.includes(name) || shortNames.includes(name);
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
  readonly #baseUrl: string;
  readonly #primary: IcwsTarget;

  readonly #jar = new CookieJar();
  readonly #subscriptions = new Map<string, unknown>();
  readonly #stateListeners = new Listeners<ConnectionState>();
  readonly #renewListeners = new Listeners<void>();
  readonly #endedListeners = new Listeners<AppError>();
  readonly #resumedListeners = new Listeners<void>();
  readonly #warningListeners = new Listeners<AppError>();

  #conn: Connection | null = null;
  #establishing: Promise<Connection> | null = null;
  #current: IcwsTarget;
  #alternates: IcwsTarget[] = [];
  #features: Features = new Map();
  #state: ConnectionState = { state: 'down', reason: 'Not connected.', code: 'unavailable' };
  #loggedOut = false;
  #ended: AppError | null = null;
  #hadSession = false;
  #lifetime = new AbortController();

  constructor(options: IcwsSessionOptions) {
    // The password goes in the login body: never in plain http across a network unless the user chose to.
    assertUrlAllowed(options.baseUrl, options.allowInsecureHttp ?? false, 'ICWS');
    this.#baseUrl = options.baseUrl;
    this.#primary = configuredTarget(options.baseUrl);
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

  /** The server in use (or tried last), and the alternates learnt from the servers. */
  get servers(): { current: IcwsTarget; alternates: IcwsTarget[] } {
    return { current: this.#current, alternates: [...this.#alternates] };
  }

  /** Set (code `session_ended`, the server's reason as message) while the server has ended the session; null otherwise. */
  get ended(): AppError | null {
    return this.#ended;
  }

  onStateChange(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.#stateListeners.add(listener);
  }

  /** After a new session replaced an expired or lost one (subscriptions already re-created). */
  onRenewed(listener: () => void): Unsubscribe {
    return this.#renewListeners.add(listener);
  }

  /** The server ended the session and asked not to log in again by ourselves: only resume() logs in again. */
  onEnded(listener: (error: AppError) => void): Unsubscribe {
    return this.#endedListeners.add(listener);
  }

  /** resume() was called after the server ended the session. */
  onResumed(listener: () => void): Unsubscribe {
    return this.#resumedListeners.add(listener);
  }

  /** Things the session skipped, for the log: an alternate host that is not a bare host name. */
  onWarning(listener: (warning: AppError) => void): Unsubscribe {
    return this.#warningListeners.add(listener);
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
   * Logs in unless already logged in. Keeps trying through the alternate servers and with
   * backoff while the servers are unavailable; gives up at once on bad credentials, a
   * redirect, or a session the server ended (see resume()).
   * After logout() the session is finished: make a new one.
   */
  async connect(signal?: AbortSignal): Promise<void> {
    await this.#connection(signal);
  }

  /**
   * Logs in again after the server ended the session (connectionStateChangeMessage with
   * `shouldReconnect: false`): the user asked for it. Subscriptions are re-created.
   */
  async resume(signal?: AbortSignal): Promise<void> {
    if (this.#ended) {
      this.#ended = null;
      this.#resumedListeners.emit();
    }
    await this.#connection(signal);
  }

  /** Resolves at once unless the server ended the session; then when resume() is called (or the signal aborts). */
  untilResumed(signal?: AbortSignal): Promise<void> {
    if (!this.#ended) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        off();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const off = this.#resumedListeners.add(done);
      if (signal?.aborted) return done();
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Drops the current session and logs in again (used when the message channel says it is gone). */
  async renew(signal?: AbortSignal): Promise<void> {
    await this.#renew(this.#conn, signal);
  }

  /**
   * The server's `connectionStateChangeMessage` (the message pump passes it on). Down: the
   * session is gone at once, with the server's reason; with `shouldReconnect: false` nothing
   * logs in again until resume(), otherwise the next call logs in again.
   */
  applyConnectionStateChange(change: ConnectionStateChange): void {
    if (change.next !== 'down' || this.#loggedOut) return;
    this.#conn = null;
    this.#jar.clear();
    if (change.shouldReconnect === false) {
      const reason = change.reason || 'The ICWS server ended the session.';
      const ended = new AppError('session_ended', reason, { serverReason: change.reason || null });
      this.#ended = ended;
      // A login already under way must not bring the session back behind the server's back.
      this.#lifetime.abort(ended);
      this.#lifetime = new AbortController();
      this.#establishing = null;
      this.#setState({ state: 'down', reason, code: 'session_ended' });
      this.#endedListeners.emit(ended);
      return;
    }
    this.#setState({ state: 'down', reason: change.reason || 'The ICWS server closed the session.', code: 'session_expired' });
  }

  request(method: HttpMethod, path: string, options?: RequestOptions): Promise<void>;
  request<T>(method: HttpMethod, path: string, options: RequestWithSchema<T>): Promise<T>;
  /**
   * `path` is relative to `/icws/{sessionId}/`. A 401 (or a bad-cookie answer, whatever its
   * status) is answered by one re-login and one retry. A caller that gives up before the
   * request went out (its signal aborts while waiting for a login) never has it sent later:
   * the error's details say `sent: false`.
   */
  async request<T>(method: HttpMethod, path: string, options: RequestOptions & { schema?: z.ZodType<T> } = {}): Promise<T | void> {
    const what = `${method} ${path}`;
    let conn = await this.#connection(options.signal);
    let response = await this.#send(conn, method, path, options);
    let answer = await this.#check(response);
    if (answer.gone) {
      conn = await this.#renew(conn, options.signal);
      response = await this.#send(conn, method, path, options);
      answer = await this.#check(response);
    }
    return this.#answer(response, answer, what, options.schema);
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
    let answer = await this.#check(response);
    if (answer.gone) {
      conn = await this.#renew(conn, signal);
      response = await this.#openStream(conn, what, signal);
      answer = await this.#check(response);
    }
    if (!response.ok) throw icwsError(response.status, answer.errorBody ?? {}, what);
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
    if (this.#ended) {
      this.#ended = null;
      this.#resumedListeners.emit();
    }
    this.#setState({ state: 'down', reason: 'Logged out.', code: 'cancelled' });
  }

  async #connection(signal?: AbortSignal): Promise<Connection> {
    if (this.#conn) return this.#conn;
    this.#assertUsable();
    return raceSignal(this.#startEstablishing(), signal);
  }

  #assertUsable(): void {
    if (this.#loggedOut) throw new AppError('cancelled', 'The ICWS session was logged out.', { sent: false });
    if (this.#ended) throw new AppError('session_ended', this.#ended.message, { ...this.#ended.details, sent: false });
  }

  /** One re-login shared by every caller that saw the same session expire. */
  async #renew(stale: Connection | null, signal?: AbortSignal): Promise<Connection> {
    if (this.#conn && this.#conn !== stale) return this.#conn;
    this.#assertUsable();
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
    const lifetime = this.#lifetime.signal;
    const attempt: Promise<Connection> = this.#establish(lifetime)
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
        await this.#answer(response, await this.#check(response), `PUT ${path}`, undefined);
      } catch (e) {
        // A request that ended while we were away is no longer there to watch.
        if (isAppError(e) && (e.code === 'not_found' || e.code === 'invalid_input')) this.#subscriptions.delete(path);
        else throw e;
      }
    }
  }

  #candidates(): IcwsTarget[] {
    const seen = new Set<string>();
    return [this.#current, ...this.#alternates, this.#primary].filter((t) => !seen.has(t.base) && seen.add(t.base));
  }

  async #establish(signal: AbortSignal): Promise<Connection> {
    this.#conn = null;
    for (let round = 0; ; round++) {
      const tried = new Set<string>();
      let last: AppError | null = null;
      for (let target = this.#candidates()[0]; target; target = this.#candidates().find((t) => !tried.has(t.base))) {
        tried.add(target.base);
        this.#setState(tried.size === 1 ? { state: 'connecting' } : { state: 'switching', host: target.label });
        try {
          const conn = await this.#login(target);
          if (signal.aborted) {
            // Logged out (or ended by the server) while this login was on its way: the server made a session; end it.
            await this.#discard(conn);
            signal.throwIfAborted();
          }
          this.#conn = conn;
          this.#current = target;
          this.#setState({ state: 'up', host: target.label, sse: this.hasFeature('messaging', 2) });
          return conn;
        } catch (e) {
          const error = transportError(e, 'connect', signal);
          if (signal.aborted) throw error;
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
  async #login(target: IcwsTarget): Promise<Connection> {
    const what = 'connect';
    this.#jar.clear();
    const response = await this.#fetchOnce(`${target.base}/icws/connection?include=features,version`, what, {
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
      if (body.alternateHostList) this.#learnAlternates({ target, icServer: null }, body.alternateHostList);
      throw icwsError(response.status, body, what, { connect: true });
    }
    const answer = await parseJson(response, what, connectAnswerSchema);
    this.#jar.update(response.headers);
    if (this.#jar.size === 0) throw badResponse(what, 'no icws_ session cookie', response.status);
    const icServer = answer.icServer ?? null;
    if (answer.alternateHostList) this.#learnAlternates({ target, icServer }, answer.alternateHostList);
    this.#features = featuresOf(answer) ?? (await this.#fetchFeatures(target));
    return {
      target,
      sessionId: response.headers.get('ININ-ICWS-Session-ID') ?? answer.sessionId,
      csrfToken: response.headers.get('ININ-ICWS-CSRF-Token') ?? answer.csrfToken,
      icServer,
      since: this.#clock(),
    };
  }

  async #fetchFeatures(target: IcwsTarget): Promise<Features> {
    const what = 'GET connection/features';
    const response = await this.#fetchOnce(`${target.base}/icws/connection/features`, what, {
      headers: { 'Accept-Language': this.#language, Accept: API_ACCEPT },
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    if (!response.ok) throw icwsError(response.status, await readErrorBody(response), what);
    return toFeatures((await parseJson(response, what, featuresAnswerSchema)).featureInfoList);
  }

  /** Every ICWS request goes through here: a redirect is an error, never followed. */
  async #fetchOnce(url: string, what: string, init: RequestInit): Promise<Response> {
    const response = await this.#fetch(url, { ...init, redirect: 'manual' });
    if (isRedirect(response)) {
      await response.body?.cancel().catch(() => {});
      throw redirectError(response, url, what);
    }
    return response;
  }

  async #discard(conn: Connection): Promise<void> {
    try {
      const response = await this.#send(conn, 'DELETE', 'connection', {});
      await response.body?.cancel().catch(() => {});
    } catch {
      // unreachable server: its session times out on its own
    }
  }

  #learnAlternates(reportedBy: { target: IcwsTarget; icServer: string | null }, entries: string[]): void {
    const alternates: IcwsTarget[] = [];
    for (const entry of entries) {
      if (namesItself(entry, reportedBy)) continue;
      try {
        alternates.push(alternateTarget(this.#baseUrl, entry));
      } catch (e) {
        if (isAppError(e)) this.#warningListeners.emit(e);
      }
    }
    this.#alternates = alternates;
  }

  #url(conn: Connection, path: string): string {
    return `${conn.target.base}/icws/${encodeURIComponent(conn.sessionId)}/${path.replace(/^\/+/, '')}`;
  }

  async #send(conn: Connection, method: HttpMethod, path: string, options: RequestOptions): Promise<Response> {
    const what = `${method} ${path}`;
    // Given up on while a login was on its way: it must not go out now.
    if (options.signal?.aborted) throw new AppError('cancelled', 'The operation was cancelled.', { sent: false });
    const headers: Record<string, string> = {
      'Accept-Language': this.#language,
      Accept: API_ACCEPT,
      'ININ-ICWS-CSRF-Token': conn.csrfToken,
      Cookie: this.#jar.header(),
    };
    if (options.body !== undefined) headers['Content-Type'] = JSON_CONTENT_TYPE;
    try {
      const response = await this.#fetchOnce(this.#url(conn, path), what, {
        method,
        headers,
        ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
        signal: withTimeout(this.#timeoutMs, options.signal),
      });
      this.#jar.update(response.headers);
      this.#reachable(conn);
      return response;
    } catch (e) {
      const error = transportError(e, what, options.signal);
      throw this.#unreachable(conn, error.code === 'cancelled' ? new AppError('cancelled', error.message, { sent: true }, { cause: e }) : error);
    }
  }

  async #openStream(conn: Connection, what: string, signal?: AbortSignal): Promise<Response> {
    const headersTimeout = new AbortController();
    const timer = setTimeout(() => headersTimeout.abort(new DOMException('timed out', 'TimeoutError')), this.#timeoutMs);
    try {
      const response = await this.#fetchOnce(this.#url(conn, 'messaging/messages'), what, {
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

  /**
   * Whether the answer says the session is gone (401, or the bad-cookie error whatever its
   * status); any other error body is read here once and handed on.
   */
  async #check(response: Response): Promise<Checked> {
    if (response.ok) return { gone: false, errorBody: null };
    const errorBody = await readErrorBody(response);
    return { gone: response.status === 401 || errorBody.errorId === INVALID_COOKIE_ERROR_ID, errorBody };
  }

  async #answer<T>(response: Response, checked: Checked, what: string, schema: z.ZodType<T> | undefined): Promise<T | void> {
    // Still gone right after a new login: reported as the server put it (session_expired).
    if (!response.ok) throw icwsError(response.status, checked.errorBody ?? {}, what);
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
      this.#setState({ state: 'up', host: conn.target.label, sse: this.hasFeature('messaging', 2) });
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

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A server-sent value in a message: no control or format characters, bounded. */
function printable(value: string): string {
  return JSON.stringify(value.slice(0, 80)).slice(1, -1);
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

/** Waits for a shared promise, but lets this caller stop waiting on its own signal (nothing was sent for it yet). */
function raceSignal<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  const cancelled = () => new AppError('cancelled', 'The operation was cancelled.', { sent: false });
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
