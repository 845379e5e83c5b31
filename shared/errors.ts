// Errors are values at every boundary: a stable `code` the UI translates and a
// human `message` for logs and the CLI. A message never carries a secret.

export const ERROR_CODES = [
  // input and usage
  'invalid_input',
  'confirmation_required',
  // credentials and authentication
  'missing_credentials',
  'keychain_unavailable',
  'auth_header_rejected',
  'auth_failed',
  'clock_skew',
  'session_expired',
  // the server ended the session and asked us not to log in again by ourselves
  'session_ended',
  // the server refused the login for a reason of its own (no licence, password expired, station
  // required): its message says why; nothing logs in again until the user asks
  'connect_refused',
  // the server refused or the thing is not there
  'customer_not_found',
  'staff_not_found',
  'no_conversation',
  'customer_not_waiting',
  'waiting_other_interaction',
  'already_ended',
  'not_found',
  'operation_failed',
  'feature_unsupported',
  // ICWS supervisor desk (§2.5): a 403 on the supervisor-assistance subscription (not a
  // workgroup supervisor, or no licence); on an agent's user queue (no queue-monitoring
  // right); on an agent's status (no right to see that user's status)
  'not_supervisor',
  'no_queue_right',
  'no_status_right',
  'cancelled',
  // the server or the network failed
  'server_error',
  'unavailable',
  'bad_response',
  // a server answered with a redirect, which is never followed (credentials stay with the configured server)
  'unexpected_redirect',
  // a server's certificate was refused (never bypassed): not signed by a trusted CA, expired,
  // or issued for another name; the message names the host and the reason
  'tls_untrusted',
  'tls_expired',
  'tls_name_mismatch',
  // the administrator's CA file (tls.caFile) cannot be read or holds no certificate
  'tls_ca_file',
  // local
  'settings_corrupt',
  // the administrator's policy file cannot be read or fails the schema: nothing runs (fail closed)
  'policy_invalid',
  // a setting the administrator's policy sets cannot be changed by the user
  'locked_by_policy',
  // the force-end's intent could not be written to the audit log (disk full, read-only,
  // no permission): nothing was sent
  'audit_unwritable',
  // the data folder or the audit log is a symbolic link: refused, so the trail cannot be
  // redirected to a file someone else controls
  'data_dir_unsafe',
  // too many calls at once on one connection: the caller waits and asks again
  'busy',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * What the user can do about an error, as a message key and its parameters: main decides
 * what to advise, the renderer (and the CLI) word it in the user's language. Keys live in
 * the i18n catalogues under `guidance.`; `message` stays the English text for logs.
 */
export interface Guidance {
  key: `guidance.${string}`;
  params?: Readonly<Record<string, string | number>> | undefined;
}

export interface ErrorValue {
  code: ErrorCode;
  message: string;
  guidance?: Guidance | undefined;
}

export function guidance(key: Guidance['key'], params?: Guidance['params']): Guidance {
  return params ? { key, params } : { key };
}

function isGuidance(value: unknown): value is Guidance {
  return typeof value === 'object' && value !== null && typeof (value as Guidance).key === 'string' && (value as Guidance).key.startsWith('guidance.');
}

/** The one error class thrown inside main; serialised to {code, message} at a boundary. */
export class AppError extends Error {
  readonly code: ErrorCode;
  /** Extra non-secret facts (HTTP status, server error id) for logs and tests. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toValue(): ErrorValue {
    const advice = this.details.guidance;
    return isGuidance(advice) ? { code: this.code, message: this.message, guidance: advice } : { code: this.code, message: this.message };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Anything thrown becomes an ErrorValue; unknown throwables are `internal`. */
export function toErrorValue(e: unknown): ErrorValue {
  if (isAppError(e)) return e.toValue();
  if (e instanceof Error && e.name === 'AbortError') return { code: 'cancelled', message: 'The operation was cancelled.' };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
