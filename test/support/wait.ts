// Every wait in the tests is bounded and says what it waited for: a test that hangs until
// vitest's own 30 s timeout tells nobody anything, one that fails "timed out after 10000 ms
// waiting for the event stream" says where to look. The suites' hand-rolled loops (some
// with no deadline at all) all come here.

import { vi } from 'vitest';

export interface WaitOptions {
  /** How long to wait in all, in ms (10 s unless told). */
  timeout?: number;
  /** How often to ask, in ms (10 ms unless told). */
  interval?: number;
}

/** What a probe answers while the thing waited for has not happened yet. */
type NotYet = undefined | null | false;

const late = (what: string, timeout: number) => new Error(`timed out after ${timeout} ms waiting for ${what}`);

/**
 * Asks `probe` every `interval` ms until it answers something other than undefined, null or
 * false, and resolves with that; fails after `timeout` ms naming `what`. A probe that throws
 * is asked again (a call refused while a server restarts); the last error is kept as the cause.
 */
export async function waitUntil<T>(what: string, probe: () => T | NotYet | Promise<T | NotYet>, { timeout = 10_000, interval = 10 }: WaitOptions = {}): Promise<T> {
  let lastError: unknown;
  try {
    return await vi.waitFor(
      async () => {
        let value: T | NotYet;
        try {
          value = await probe();
          lastError = undefined;
        } catch (error) {
          lastError = error;
          throw error;
        }
        if (value === undefined || value === null || value === false) throw late(what, timeout);
        return value;
      },
      { timeout, interval },
    );
  } catch {
    throw lastError === undefined ? late(what, timeout) : Object.assign(late(what, timeout), { cause: lastError });
  }
}

/** `promise`, or a failure naming `what` if it has not settled within `timeout` ms (10 s unless told). */
export function within<T>(what: string, promise: PromiseLike<T>, timeout = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late(what, timeout)), timeout);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
