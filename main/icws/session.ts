// One ICWS session: log in (with switchover to the alternate servers), carry the session id,
// CSRF token and cookie on every call, log in again on 401 (or a bad-cookie answer) and
// re-create the subscriptions, stop when the server ends the session, log out. Speaks the
// protocol only; what to subscribe to is the callers' business.
//
// This class composes the parts, each in its own file: servers.ts (which server, and the
// alternates), login.ts (the connect exchange and the features), connector.ts (one login
// at a time, switchover and backoff), session-http.ts (the authenticated request path, and
// the re-login on 401), connection-state.ts (what the status says), session-end.ts (a
// session the server ended), subscriptions.ts (what is re-created after a re-login).

import type { z } from 'zod';
import type { ConnectionState } from '../../shared/assistance';
import { AppError } from '../../shared/errors';
import { assertUrlAllowed } from '../../shared/urls';
import { systemClock } from '../http';
import type { Clock, FetchLike } from '../http';
import { ConnectionStatus } from './connection-state';
import type { UpState } from './connection-state';
import { Connector } from './connector';
import { Listeners } from './listeners';
import type { Unsubscribe } from './listeners';
import { hasFeature, logIn, requireFeature } from './login';
import type { IcwsCredentials } from './login';
import { ServerList } from './servers';
import type { IcwsTarget } from './servers';
import { SessionHttp } from './session-http';
import type { HttpMethod, RequestOptions, RequestWithSchema } from './session-http';
import { SessionEnd } from './session-end';
import { Subscriptions } from './subscriptions';
import type { ConnectionStateChange, Features } from './wire';

export type { IcwsCredentials } from './login';
export type { IcwsTarget } from './servers';
export type { HttpMethod, RequestOptions, RequestWithSchema } from './session-http';

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

const DEFAULT_APPLICATION_NAME = 'Agent Companion';
/**
 * A password that expires within this many days is worth a warning at every login (status bar,
 * a command's stderr): a week leaves an agent several shifts to change it before the login
 * is refused (§2.6).
 */
export const PASSWORD_EXPIRY_WARNING_DAYS = 7;

export class IcwsSession {
  readonly #status = new ConnectionStatus();
  readonly #end = new SessionEnd();
  readonly #renewListeners = new Listeners<void>();
  readonly #warningListeners = new Listeners<AppError>();
  readonly #subscriptions = new Subscriptions();
  readonly #servers: ServerList;
  readonly #http: SessionHttp;
  readonly #connector: Connector;

  #features: Features = new Map();
  #loggedOut = false;
  /** from the last connect answer; null when the server did not count */
  #daysUntilPasswordExpiration: number | null = null;
  /** the message pump polls because a proxy holds the event stream back */
  #proxyBuffering = false;

  constructor(options: IcwsSessionOptions) {
    // The password goes in the login body: never in plain http across a network unless the user chose to.
    assertUrlAllowed(options.baseUrl, options.allowInsecureHttp ?? false, 'ICWS');
    this.#servers = new ServerList(options.baseUrl, (warning) => this.#warningListeners.emit(warning));
    this.#http = new SessionHttp({
      fetch: options.fetch,
      language: options.language ?? 'en-US',
      timeoutMs: options.timeoutMs ?? 10_000,
      reachable: (conn) => {
        if (this.#connector.current === conn) this.#status.reachable(this.#up(conn.target));
      },
      unreachable: (conn, error) => {
        if (this.#connector.current === conn) this.#status.unreachable(error);
      },
      connection: (signal) => this.#connector.connection(signal),
      renew: (stale, signal) => this.#connector.renew(stale, signal),
    });
    const login = {
      credentials: { ...options.credentials },
      applicationName: options.applicationName ?? DEFAULT_APPLICATION_NAME,
      clock: options.clock ?? systemClock,
      learnAlternates: this.#servers.learn.bind(this.#servers),
    };
    this.#connector = new Connector({
      servers: this.#servers,
      status: this.#status,
      backoff: {
        baseMs: options.reconnect?.baseMs ?? 1_000,
        capMs: options.reconnect?.capMs ?? 60_000,
        maxAttempts: options.reconnect?.maxAttempts ?? Infinity,
      },
      random: options.random ?? Math.random,
      login: async (target) => {
        const { connection, features, daysUntilPasswordExpiration } = await logIn(this.#http, target, login);
        this.#features = features;
        this.#daysUntilPasswordExpiration = daysUntilPasswordExpiration;
        return connection;
      },
      discard: (conn) => this.#http.discard(conn),
      up: (target) => this.#up(target),
      assertUsable: () => this.#assertUsable(),
      renewed: async (conn) => {
        await this.#subscriptions.recreate((path, body) => this.#http.put(conn, path, body));
        this.#renewListeners.emit();
      },
    });
  }

  get state(): ConnectionState {
    return this.#status.state;
  }

  /** featureId → version, from the last login; empty before the first. */
  get features(): Features {
    return this.#features;
  }

  get sessionId(): string | null {
    return this.#connector.current?.sessionId ?? null;
  }

  get connected(): boolean {
    return this.#connector.current !== null;
  }

  /** Clock time the current session was established, or null. */
  get connectedSince(): number | null {
    return this.#connector.current?.since ?? null;
  }

  /** Paths of the subscriptions re-created after a re-login. */
  get subscriptions(): string[] {
    return this.#subscriptions.paths;
  }

  /** The server in use (or tried last), and the alternates learnt from the servers. */
  get servers(): { current: IcwsTarget; alternates: IcwsTarget[] } {
    return { current: this.#servers.current, alternates: this.#servers.alternates };
  }

  /** Days before the password expires, from the last login's answer, when it is PASSWORD_EXPIRY_WARNING_DAYS or fewer; else null. */
  get passwordExpiresInDays(): number | null {
    const days = this.#daysUntilPasswordExpiration;
    return days !== null && days <= PASSWORD_EXPIRY_WARNING_DAYS ? days : null;
  }

  /**
   * The message pump fell back to polling because a proxy held the event stream back (true),
   * or went back to the stream (false): the status says how messages arrive.
   */
  setProxyBuffering(on: boolean): void {
    if (this.#proxyBuffering === on) return;
    this.#proxyBuffering = on;
    const conn = this.#connector.current;
    if (conn && this.#status.state.state === 'up') this.#status.set(this.#up(conn.target));
  }

  /** Set (code `session_ended`, the server's reason as message) while the server has ended the session; null otherwise. */
  get ended(): AppError | null {
    return this.#end.error;
  }

  onStateChange(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.#status.onChange(listener);
  }

  /** After a new session replaced an expired or lost one (subscriptions already re-created). */
  onRenewed(listener: () => void): Unsubscribe {
    return this.#renewListeners.add(listener);
  }

  /** The server ended the session and asked not to log in again by ourselves: only resume() logs in again. */
  onEnded(listener: (error: AppError) => void): Unsubscribe {
    return this.#end.onEnded(listener);
  }

  /** resume() was called after the server ended the session. */
  onResumed(listener: () => void): Unsubscribe {
    return this.#end.onResumed(listener);
  }

  /** Things the session skipped, for the log: an alternate host that is not a bare host name. */
  onWarning(listener: (warning: AppError) => void): Unsubscribe {
    return this.#warningListeners.add(listener);
  }

  hasFeature(featureId: string, minVersion: number): boolean {
    return hasFeature(this.#features, featureId, minVersion);
  }

  /** feature_unsupported unless the server has `featureId` at `minVersion` or later; `what` names it for the user. */
  requireFeature(featureId: string, minVersion: number, what: string): void {
    requireFeature(this.#features, featureId, minVersion, what);
  }

  /**
   * Logs in unless already logged in. Keeps trying through the alternate servers and with
   * backoff while the servers are unavailable; gives up at once on bad credentials, a
   * redirect, or a session the server ended (see resume()).
   * After logout() the session is finished: make a new one.
   */
  async connect(signal?: AbortSignal): Promise<void> {
    await this.#connector.connection(signal);
  }

  /**
   * Logs in again after the server ended the session (connectionStateChangeMessage with
   * `shouldReconnect: false`): the user asked for it. Subscriptions are re-created.
   */
  async resume(signal?: AbortSignal): Promise<void> {
    this.#end.clear();
    await this.#connector.connection(signal);
  }

  /** Resolves at once unless the server ended the session; then when resume() is called (or the signal aborts). */
  untilResumed(signal?: AbortSignal): Promise<void> {
    return this.#end.untilCleared(signal);
  }

  /** Drops the current session and logs in again (used when the message channel says it is gone). */
  async renew(signal?: AbortSignal): Promise<void> {
    await this.#connector.renew(this.#connector.current, signal);
  }

  /**
   * The server's `connectionStateChangeMessage` (the message pump passes it on). Down: the
   * session is gone at once, with the server's reason; with `shouldReconnect: false` nothing
   * logs in again until resume(), otherwise the next call logs in again.
   */
  applyConnectionStateChange(change: ConnectionStateChange): void {
    if (change.next !== 'down' || this.#loggedOut) return;
    this.#connector.drop();
    this.#http.jar.clear();
    if (change.shouldReconnect === false) {
      const reason = change.reason || 'The ICWS server ended the session.';
      const ended = new AppError('session_ended', reason, { serverReason: change.reason || null });
      this.#end.end(ended);
      this.#connector.abandon(ended);
      this.#status.set({ state: 'down', reason, code: 'session_ended' });
      this.#end.announce(ended);
      return;
    }
    this.#status.set({ state: 'down', reason: change.reason || 'The ICWS server closed the session.', code: 'session_expired' });
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
    return this.#http.request(method, path, options);
  }

  /**
   * PUTs every remembered subscription again on the live session: the server answers each
   * with a full message (`isDelta: false`), which replaces whatever was lost on the way (a
   * proxy that swallowed what a stream carried).
   */
  async resubscribe(signal?: AbortSignal): Promise<void> {
    await this.#subscriptions.recreate((path, body) => this.request('PUT', path, { body, signal }));
  }

  /** PUT a subscription and remember it, so a re-login re-creates it. */
  async subscribe(path: string, body?: unknown, signal?: AbortSignal): Promise<void> {
    this.#subscriptions.remember(path, body);
    try {
      await this.request('PUT', path, { body, signal });
    } catch (e) {
      this.#subscriptions.forget(path);
      throw e;
    }
  }

  async unsubscribe(path: string, signal?: AbortSignal): Promise<void> {
    if (!this.#subscriptions.forget(path)) return;
    if (!this.#connector.current) return;
    await this.request('DELETE', path, { signal });
  }

  /**
   * Opens the server-sent-event stream of `messaging/messages` with only the cookie, as
   * ICWS wants. The timeout covers the answer's headers, not the endless body.
   */
  openEventStream(signal?: AbortSignal): Promise<Response> {
    return this.#http.openEventStream(signal);
  }

  /** Best effort: a session that is already gone is logged out as far as we care. */
  async logout(): Promise<void> {
    this.#loggedOut = true;
    const conn = await this.#connector.close(new AppError('cancelled', 'The ICWS session was logged out.'));
    if (conn) await this.#http.discard(conn);
    this.#http.jar.clear();
    this.#subscriptions.clear();
    this.#end.clear();
    this.#status.set({ state: 'down', reason: 'Logged out.', code: 'cancelled' });
  }

  #up(target: IcwsTarget): UpState {
    const days = this.passwordExpiresInDays;
    return {
      state: 'up',
      host: target.label,
      sse: this.hasFeature('messaging', 2) && !this.#proxyBuffering,
      ...(this.#proxyBuffering && { proxyBuffering: true }),
      ...(days !== null && { passwordExpiresInDays: days }),
    };
  }

  #assertUsable(): void {
    if (this.#loggedOut) throw new AppError('cancelled', 'The ICWS session was logged out.', { sent: false });
    const ended = this.#end.error;
    if (ended) throw new AppError('session_ended', ended.message, { ...ended.details, sent: false });
  }
}
