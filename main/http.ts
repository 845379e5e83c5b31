// Transport plumbing shared by the Diyalog and ICWS clients: the injected fetch,
// the clock, timeouts and jittered backoff.

import { AppError, guidance, type Guidance } from '../shared/errors';

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

/** Why a server's certificate was refused; the codes are stable error codes (shared/errors.ts). */
export type TlsFailure = 'tls_untrusted' | 'tls_expired' | 'tls_name_mismatch';

// OpenSSL's and Node's verification codes, as undici (Node's fetch) and tls.connect report them
// in an error's `cause`. Chromium's (Electron's net.fetch) arrive as net::ERR_CERT_* in the message.
const TLS_FAILURES: Readonly<Record<string, TlsFailure>> = {
  CERT_HAS_EXPIRED: 'tls_expired',
  CERT_NOT_YET_VALID: 'tls_expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls_name_mismatch',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls_untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'tls_untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls_untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls_untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls_untrusted',
  CERT_UNTRUSTED: 'tls_untrusted',
  CERT_SIGNATURE_FAILURE: 'tls_untrusted',
  CERT_REVOKED: 'tls_untrusted',
  INVALID_CA: 'tls_untrusted',
};
const CHROMIUM_TLS_FAILURES: readonly (readonly [RegExp, TlsFailure])[] = [
  [/ERR_CERT_DATE_INVALID/, 'tls_expired'],
  [/ERR_CERT_COMMON_NAME_INVALID/, 'tls_name_mismatch'],
  [/ERR_CERT_(AUTHORITY_INVALID|INVALID|REVOKED)/, 'tls_untrusted'],
];

/** What a refused certificate means, from a failed fetch or connection; null when it is not one. */
export function tlsFailureOf(e: unknown): { code: TlsFailure; reason: string } | null {
  // undici nests the socket's error one or two causes deep.
  for (let error = e, depth = 0; error instanceof Error && depth < 4; error = error.cause, depth++) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && Object.hasOwn(TLS_FAILURES, code)) return { code: TLS_FAILURES[code]!, reason: code };
    for (const [pattern, failure] of CHROMIUM_TLS_FAILURES) {
      const match = pattern.exec(error.message);
      if (match) return { code: failure, reason: match[0] };
    }
  }
  return null;
}

const TLS_FAILURE_WORDS: Readonly<Record<TlsFailure, string>> = {
  tls_untrusted: 'is not signed by a trusted certificate authority',
  tls_expired: 'has expired or is not yet valid',
  tls_name_mismatch: 'was issued for another name',
};

const TLS_GUIDANCE: Readonly<Record<TlsFailure, Guidance['key']>> = {
  tls_untrusted: 'guidance.tlsUntrusted',
  tls_expired: 'guidance.tlsExpired',
  tls_name_mismatch: 'guidance.tlsNameMismatch',
};

/** A refused certificate as the error every client reports: its code, the host and the reason in the message, and what to do. */
export function tlsError(failure: { code: TlsFailure; reason: string }, host: string, cause?: unknown): AppError {
  return new AppError(
    failure.code,
    `The certificate of ${host} ${TLS_FAILURE_WORDS[failure.code]} (${failure.reason}); the connection was refused.`,
    { host, reason: failure.reason, guidance: guidance(TLS_GUIDANCE[failure.code], { host }) },
    { cause },
  );
}
