// The subscriptions a session holds on the server, remembered so that a new session (after
// expiry, a lost server or a resume) re-creates them before anyone uses it. What to
// subscribe to is the callers' business.

import { isAppError } from '../../shared/errors';

export class Subscriptions {
  /** path → the body it was PUT with */
  readonly #bodies = new Map<string, unknown>();

  get paths(): string[] {
    return [...this.#bodies.keys()];
  }

  remember(path: string, body: unknown): void {
    this.#bodies.set(path, body);
  }

  /** Whether it was remembered. */
  forget(path: string): boolean {
    return this.#bodies.delete(path);
  }

  clear(): void {
    this.#bodies.clear();
  }

  /**
   * PUTs each again, in the order they were made. One that the server no longer knows (a
   * request that ended while we were away) is forgotten; any other failure stops here.
   */
  async recreate(put: (path: string, body: unknown) => Promise<void>): Promise<void> {
    for (const [path, body] of [...this.#bodies]) {
      try {
        await put(path, body);
      } catch (e) {
        // A request that ended while we were away is no longer there to watch.
        if (isAppError(e) && (e.code === 'not_found' || e.code === 'invalid_input')) this.#bodies.delete(path);
        else throw e;
      }
    }
  }
}
