import type { ErrorCode } from '../../shared/errors';

/** The `companion` command's exit codes, as documented in the README. */
export const EXIT = {
  ok: 0,
  refused: 1,
  usage: 2,
  credentials: 3,
  unreachable: 4,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    // Besides bad input: the administrator's CA file or policy that cannot be used (a file to
    // fix, like a bad value), and a setting the policy locks.
    case 'invalid_input':
    case 'confirmation_required':
    case 'tls_ca_file':
    case 'policy_invalid':
    case 'locked_by_policy':
      return EXIT.usage;
    case 'missing_credentials':
    case 'keychain_unavailable':
    case 'auth_header_rejected':
    case 'auth_failed':
    case 'clock_skew':
    case 'session_expired':
      return EXIT.credentials;
    // session_ended: the server ended the session (an administrator, or a login elsewhere); a watch stops here.
    // tls_*: the server was reached but its certificate refused, so no connection was made.
    case 'unavailable':
    case 'server_error':
    case 'bad_response':
    case 'unexpected_redirect':
    case 'session_ended':
    case 'tls_untrusted':
    case 'tls_expired':
    case 'tls_name_mismatch':
      return EXIT.unreachable;
    default:
      return EXIT.refused;
  }
}
