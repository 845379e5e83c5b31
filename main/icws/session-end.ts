// The server may end a session and ask us not to log in again by ourselves
// (connectionStateChangeMessage with `shouldReconnect: false`): until the user resumes (or
// logs out), nothing logs in again, and whoever would (the message pump) waits here.

import { Disposables } from '../../shared/disposables';
import type { AppError } from '../../shared/errors';
import { Listeners } from './listeners';
import type { Unsubscribe } from './listeners';

export class SessionEnd {
  readonly #endedListeners = new Listeners<AppError>();
  readonly #resumedListeners = new Listeners<void>();
  #error: AppError | null = null;

  /** Set (code `session_ended`, the server's reason as message) while the server has ended the session; null otherwise. */
  get error(): AppError | null {
    return this.#error;
  }

  onEnded(listener: (error: AppError) => void): Unsubscribe {
    return this.#endedListeners.add(listener);
  }

  onResumed(listener: () => void): Unsubscribe {
    return this.#resumedListeners.add(listener);
  }

  /** The server ended the session with `error`: from now on nothing may log in by itself. */
  end(error: AppError): void {
    this.#error = error;
  }

  /** Tells the listeners, once the rest of the session (its state) has caught up with `end()`. */
  announce(error: AppError): void {
    this.#endedListeners.emit(error);
  }

  /** Resumed or logged out: no longer ended; waiters go on. */
  clear(): void {
    if (!this.#error) return;
    this.#error = null;
    this.#resumedListeners.emit();
  }

  /** Resolves at once unless the server ended the session; then when it is cleared (or the signal aborts). */
  untilCleared(signal?: AbortSignal): Promise<void> {
    if (!this.#error) return Promise.resolve();
    return new Promise((resolve) => {
      const waiting = new Disposables();
      const done = () => {
        waiting.dispose();
        resolve();
      };
      waiting.add(this.#resumedListeners.add(done));
      if (signal?.aborted) return done();
      signal?.addEventListener('abort', done, { once: true });
      waiting.add(() => signal?.removeEventListener('abort', done));
    });
  }
}
