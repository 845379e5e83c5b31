// ICWS answers and transport failures → AppError with a stable code. The server's
// errorId and message are kept; nothing we send (password, CSRF token, cookie) is.

import { AppError, guidance } from '../../shared/errors';
import type { ErrorCode } from '../../shared/errors';
import { isAbortError, isTimeoutError, tlsError, tlsFailureOf } from '../http';
import { AUTHENTICATION_FAILURE_ERROR_ID, INVALID_COOKIE_ERROR_ID, SWITCHOVER_ERROR_IDS, errorBodySchema } from './wire';
import type { IcwsErrorBody } from './wire';

export interface IcwsErrorContext {
  /** The connect call: 400/401 authentication failures are `auth_failed`, other refusals `connect_refused`. */
  connect?: boolean;
}

/** Reads an error answer's body; a body that is not the documented JSON still yields a message. */
export async function readErrorBody(response: Response): Promise<IcwsErrorBody> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: fall through
  }
  return {};
}

// Decided by the errorId alone: the message is worded in the connection's language (§2.6).
function looksNotFound(body: IcwsErrorBody): boolean {
  return /notfound/i.test(body.errorId ?? '');
}

/** 400s about the request's own form: the input was wrong. Any other 400 is the server refusing. */
function looksLikeBadInput(body: IcwsErrorBody): boolean {
  if (!body.errorId) return true;
  return /invalidRepresentation|missingHeader|invalidParameter|unsupportedMediaType|validation/i.test(body.errorId);
}

/** A 400 or 500 at connect with an errorId that is neither a switchover nor our own malformed request. */
function isConnectRefusal(status: number, body: IcwsErrorBody): boolean {
  if (!body.errorId || SWITCHOVER_ERROR_IDS.has(body.errorId)) return false;
  if (status === 400) return !looksLikeBadInput(body);
  return status === 500;
}

export function codeForStatus(status: number, body: IcwsErrorBody, context: IcwsErrorContext = {}): ErrorCode {
  // Whatever status it comes with (§2.4): the session is gone, log in again.
  if (body.errorId === INVALID_COOKIE_ERROR_ID) return 'session_expired';
  if (context.connect) {
    if (status === 401 || (status === 400 && body.errorId === AUTHENTICATION_FAILURE_ERROR_ID)) return 'auth_failed';
    // No licence, an expired password, a station required (§2.6): ids we cannot list in
    // advance. Trying again by ourselves changes nothing (and may lock the account); the
    // server's message says what to fix, and the user says when to try again.
    if (isConnectRefusal(status, body)) return 'connect_refused';
  }
  if (status === 400) {
    if (looksNotFound(body)) return 'not_found';
    // A refusal such as "not an ACD interaction" or a missing right: the server's message says why.
    return looksLikeBadInput(body) ? 'invalid_input' : 'operation_failed';
  }
  if (status === 401) return 'session_expired';
  if (status === 404) return 'not_found';
  if (status === 410) return 'feature_unsupported';
  if (status >= 500) return 'server_error';
  return 'operation_failed';
}

export function icwsError(status: number, body: IcwsErrorBody, what: string, context: IcwsErrorContext = {}): AppError {
  const code = codeForStatus(status, body, context);
  const message = body.message?.trim() || `ICWS ${what} failed with HTTP ${status}.`;
  return new AppError(code, message, { status, errorId: body.errorId ?? null });
}

/** A thrown fetch failure (network, a refused certificate, our timeout, the caller cancelling) as an AppError. */
export function transportError(e: unknown, what: string, callerSignal?: AbortSignal, host?: string): AppError {
  if (e instanceof AppError) return e;
  // A certificate is never bypassed, and waiting does not fix it: a code of its own, not retried.
  const tls = tlsFailureOf(e);
  if (tls) return tlsError(tls, host ?? 'the ICWS server', e);
  if (callerSignal?.aborted) return new AppError('cancelled', 'The operation was cancelled.', {}, { cause: e });
  if (isTimeoutError(e)) return new AppError('unavailable', `ICWS ${what} timed out.`, { status: null, errorId: null }, { cause: e });
  if (isAbortError(e)) return new AppError('cancelled', 'The operation was cancelled.', {}, { cause: e });
  return new AppError('unavailable', `ICWS server unreachable during ${what}.`, { status: null, errorId: null }, { cause: e });
}

export function badResponse(what: string, detail: string, status: number): AppError {
  return new AppError('bad_response', `ICWS ${what} answered something unexpected: ${detail}`, { status, errorId: null });
}

/** A 3xx (or the opaque redirect a browser-like fetch returns for `redirect: 'manual'`). */
export function isRedirect(response: Response): boolean {
  return response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400);
}

/**
 * A redirect is never followed: following one would send the login (user and password) or
 * the session's token and cookie to whatever address it names. Only the target's origin is
 * kept, never a path or query that could carry something.
 */
export function redirectError(response: Response, requestUrl: string, what: string): AppError {
  const location = response.headers.get('location');
  let target: string | null = null;
  try {
    if (location) target = new URL(location, requestUrl).origin;
  } catch {
    target = null;
  }
  const status = response.status || null;
  return new AppError(
    'unexpected_redirect',
    `ICWS ${what} answered with a redirect${status ? ` (HTTP ${status})` : ''}${target ? ` to ${target}` : ''}; it was not followed. Check the ICWS server address in Settings.`,
    { status, location: target, guidance: guidance('guidance.checkServerAddress', { service: 'ICWS' }) },
  );
}
