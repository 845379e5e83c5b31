// A minimal typed listener set (the ICWS classes each emit one or two kinds of event), and the
// gate their `whenSynced` waits on.

import { AppError } from '../../shared/errors';

export type Unsubscribe = () => void;

export class Listeners<T> {
  readonly #listeners = new Set<(value: T) => void>();

  add(listener: (value: T) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A throwing listener must not stop the others nor the emitter's own work. */
  emit(value: T, onError?: (e: unknown) => void): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(value);
      } catch (e) {
        onError?.(e);
      }
    }
  }
}

/**
 * Callers waiting until the owner's condition holds (the first full list came), each free to
 * give up on its own signal: `wait` resolves at once when it already holds, else at the first
 * `check` that finds it so. The list clients each keep one for their `whenSynced`.
 */
export class SyncGate {
  readonly #holds: () => boolean;
  readonly #waiting = new Set<() => void>();

  constructor(holds: () => boolean) {
    this.#holds = holds;
  }

  wait(signal?: AbortSignal): Promise<void> {
    if (this.#holds()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const release = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.#waiting.delete(release);
        reject(signal?.reason ?? new AppError('cancelled', 'Cancelled.'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.add(release);
    });
  }

  /** Releases every waiter when the condition holds now; the owner calls it after each change. */
  check(): void {
    if (this.#waiting.size === 0 || !this.#holds()) return;
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const release of waiting) release();
  }
}
