import type { DiyalogHealth as DiyalogHealthView } from '../../shared/contract';
import { toErrorValue, type ErrorCode } from '../../shared/errors';
import type { DiyalogClient } from '../diyalog/client';

/**
 * Errors that say the server cannot be used right now. Anything else (no such customer,
 * no conversation, bad input) came back from a server that answered properly; a cancel is
 * neither.
 */
const SERVICE_FAILURES: ReadonlySet<ErrorCode> = new Set([
  'unavailable',
  'server_error',
  'bad_response',
  'auth_failed',
  'auth_header_rejected',
  'clock_skew',
  'unexpected_redirect',
  'missing_credentials',
  'keychain_unavailable',
]);

/**
 * How the Diyalog server has been answering this app's calls: the status bar shows it,
 * so a failing server is never a green "Connected". Changes of state (not every
 * successful poll) are reported to the listener.
 */
export class DiyalogHealthTracker {
  #view: DiyalogHealthView = { state: 'unknown', lastSuccessAt: null, clockOffsetSeconds: 0, error: null };
  readonly #listeners = new Set<(view: DiyalogHealthView) => void>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  get view(): DiyalogHealthView {
    return structuredClone(this.#view);
  }

  onChange(listener: (view: DiyalogHealthView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Back to unknown: the settings now name another server or key. */
  reset(): void {
    this.#view = { state: 'unknown', lastSuccessAt: null, clockOffsetSeconds: 0, error: null };
  }

  #onChange(view: DiyalogHealthView): void {
    for (const listener of this.#listeners) listener(view);
  }

  succeeded(clockOffsetMs: number): void {
    const before = this.#view;
    this.#view = { state: 'ok', lastSuccessAt: this.#now(), clockOffsetSeconds: Math.round(clockOffsetMs / 1000), error: null };
    if (before.state !== 'ok' || before.clockOffsetSeconds !== this.#view.clockOffsetSeconds) this.#onChange(this.view);
  }

  failed(e: unknown): void {
    const error = toErrorValue(e);
    if (!SERVICE_FAILURES.has(error.code)) return;
    const before = this.#view;
    this.#view = { ...before, state: 'failing', error };
    if (before.state !== 'failing' || before.error?.code !== error.code) this.#onChange(this.view);
  }

  /** The same client, with every call's outcome reported here. */
  observe(client: DiyalogClient): DiyalogClient {
    return new Proxy(client, {
      get: (target, property) => {
        // Read on the client itself: its getters use private fields, which a proxy does not have.
        const value: unknown = Reflect.get(target, property);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (answer: unknown) => {
              this.succeeded(target.clockOffsetMs);
              return answer;
            },
            (e: unknown) => {
              const { code } = toErrorValue(e);
              // A refusal that proves the server answered (an unknown customer) is a success for
              // health; a call we cancelled (a stopped history walk) says nothing either way.
              if (SERVICE_FAILURES.has(code)) this.failed(e);
              else if (code !== 'cancelled') this.succeeded(target.clockOffsetMs);
              throw e;
            },
          );
        };
      },
    });
  }
}
