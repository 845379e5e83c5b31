// Keeps at most one session with the server. A login is single flight: every caller that
// needs a session (or saw the same one expire) waits for the same one. It tries the server
// in use, then the alternates, then the configured one (switchover), and goes round again
// after a growing wait while they are all unavailable; bad credentials, a redirect, a
// refusal for a reason of the server's own (no licence, an expired password: connect_refused,
// whose message is the server's) or a session the server ended stop it at once. After the first session, every new one runs
// `renewed` (the subscriptions are re-created) before anyone uses it.

import { AppError } from '../../shared/errors';
import { backoffDelay, sleep } from '../http';
import type { ConnectionStatus, UpState } from './connection-state';
import { transportError } from './errors';
import type { IcwsTarget, ServerList } from './servers';
import type { Connection } from './session-http';

export interface ConnectorOptions {
  servers: ServerList;
  status: ConnectionStatus;
  /** backoff between rounds over all servers; maxAttempts rounds before a login gives up */
  backoff: { baseMs: number; capMs: number; maxAttempts: number };
  random: () => number;
  /** Logs in to one server (not cancellable: only its own timeout ends it). */
  login: (target: IcwsTarget) => Promise<Connection>;
  /** Ends a session nobody will use; best effort, never throws. */
  discard: (conn: Connection) => Promise<void>;
  /** What the status says once logged in to `target`. */
  up: (target: IcwsTarget) => UpState;
  /** Throws while no session may be made (logged out, or ended by the server). */
  assertUsable: () => void;
  /** Runs on every session after the first, before anyone uses it; a throw drops that session. */
  renewed: (conn: Connection) => Promise<void>;
}

export class Connector {
  readonly #options: ConnectorOptions;
  #conn: Connection | null = null;
  #establishing: Promise<Connection> | null = null;
  #hadSession = false;
  #lifetime = new AbortController();

  constructor(options: ConnectorOptions) {
    this.#options = options;
  }

  /** The live session, or null. */
  get current(): Connection | null {
    return this.#conn;
  }

  /** The live session, or the login under way (or a new one). */
  async connection(signal?: AbortSignal): Promise<Connection> {
    if (this.#conn) return this.#conn;
    this.#options.assertUsable();
    return raceSignal(this.#startEstablishing(), signal);
  }

  /** One re-login shared by every caller that saw the same session expire. */
  async renew(stale: Connection | null, signal?: AbortSignal): Promise<Connection> {
    if (this.#conn && this.#conn !== stale) return this.#conn;
    this.#options.assertUsable();
    this.#conn = null;
    return raceSignal(this.#startEstablishing(), signal);
  }

  /** The server dropped the session: the next call logs in again. */
  drop(): void {
    this.#conn = null;
  }

  /** The server ended the session: a login already under way must not bring it back behind its back. */
  abandon(reason: AppError): void {
    this.#lifetime.abort(reason);
    this.#lifetime = new AbortController();
    this.#establishing = null;
  }

  /**
   * Logged out: a login under way finishes (bounded by its timeout) and ends the session it
   * made. Returns the live session, for the caller to log out of; the next one is a first again.
   */
  async close(reason: AppError): Promise<Connection | null> {
    const pending = this.#establishing;
    this.#lifetime.abort(reason);
    this.#lifetime = new AbortController();
    await pending?.catch(() => undefined);
    const conn = this.#conn;
    this.#conn = null;
    this.#establishing = null;
    this.#hadSession = false;
    return conn;
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
            await this.#options.renewed(conn);
          } catch (e) {
            // Half re-subscribed is worse than not connected: the next call starts over.
            if (this.#conn === conn) this.#conn = null;
            throw e;
          }
        }
        return conn;
      })
      .finally(() => {
        if (this.#establishing === attempt) this.#establishing = null;
      });
    this.#establishing = attempt;
    return attempt;
  }

  async #establish(signal: AbortSignal): Promise<Connection> {
    const { servers, status, backoff } = this.#options;
    this.#conn = null;
    for (let round = 0; ; round++) {
      const tried = new Set<string>();
      let last: AppError | null = null;
      for (let target = servers.candidates()[0]; target; target = servers.candidates().find((t) => !tried.has(t.base))) {
        tried.add(target.base);
        status.set(tried.size === 1 ? { state: 'connecting' } : { state: 'switching', host: target.label });
        try {
          const conn = await this.#options.login(target);
          if (signal.aborted) {
            // Logged out (or ended by the server) while this login was on its way: the server made a session; end it.
            await this.#options.discard(conn);
            signal.throwIfAborted();
          }
          this.#conn = conn;
          servers.use(target);
          status.set(this.#options.up(target));
          return conn;
        } catch (e) {
          const error = transportError(e, 'connect', signal, target.label);
          if (signal.aborted) throw error;
          if (!isRetryable(error)) {
            status.down(error);
            throw error;
          }
          last = error;
        }
      }
      const reason = last ?? new AppError('unavailable', 'No ICWS server to connect to.');
      status.down(reason);
      if (round + 1 >= backoff.maxAttempts) throw reason;
      await sleep(backoffDelay(round, backoff.baseMs, backoff.capMs, this.#options.random), signal).catch((e: unknown) => {
        throw transportError(e, 'connect', signal);
      });
    }
  }
}

function isRetryable(error: AppError): boolean {
  return error.code === 'unavailable' || error.code === 'server_error';
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
