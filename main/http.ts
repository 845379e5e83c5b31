// Transport plumbing shared by the Diyalog and ICWS clients: the injected fetch,
// the clock, timeouts and jittered backoff.

export { backoffDelay } from '../shared/backoff';

/** A fetch-compatible function: Electron passes `net.fetch`, Node the global `fetch`. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Wall clock in epoch ms; injected so tests can move time and skew it. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** Resolves after `ms`, or rejects with an AbortError when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** A signal that aborts on the caller's signal or after `timeoutMs`, whichever comes first. */
export function withTimeout(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** True when the error came from our own timeout (not the caller cancelling). */
export function isTimeoutError(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'TimeoutError';
}

export function isAbortError(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}
