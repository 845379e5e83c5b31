// DLGA request signing (diyalog-authentication.txt, digest §1.1). Pure: no I/O, no clock.

import { createHmac } from 'node:crypto';

/** SHA256 is the current document; SHA1 is what early-2021 servers expected. */
export type SignatureAlgorithm = 'sha256' | 'sha1';

/** The one place the default lives, so an old deployment can switch it in settings. */
export const DEFAULT_SIGNATURE_ALGORITHM: SignatureAlgorithm = 'sha256';

export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['sha256', 'sha1'];

// Fixed English names: the server parses with an English pattern, and a Turkish
// locale's "Sal"/"Mar" would be rejected as "date not valid".
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** RFC 1123 in GMT, e.g. `Tue, 09 Mar 2021 13:28:32 GMT`. */
export function formatDlgDate(epochMs: number): string {
  const d = new Date(epochMs);
  if (!Number.isFinite(d.getTime())) throw new RangeError('formatDlgDate: not a valid instant');
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError('formatDlgDate: year out of range');
  return (
    `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${String(year).padStart(4, '0')} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} GMT`
  );
}

export interface StringToSignParts {
  method: string;
  contentType: string;
  date: string;
  body: string;
  path: string;
}

/**
 * METHOD\nCONTENT_TYPE\nDATE\nBODY\nPATH. The vendor pseudo-code omits the newline
 * before PATH, but its worked example and prose have it; the project signs with it.
 */
export function buildStringToSign({ method, contentType, date, body, path }: StringToSignParts): string {
  return `${method}\n${contentType}\n${date}\n${body}\n${path}`;
}

/** base64(HMAC(utf8(secret), utf8(stringToSign))). */
export function signRequest(secret: string, stringToSign: string, algorithm: SignatureAlgorithm = DEFAULT_SIGNATURE_ALGORITHM): string {
  return createHmac(algorithm, Buffer.from(secret, 'utf8')).update(stringToSign, 'utf8').digest('base64');
}

export function authorizationHeader(keyId: string, signature: string): string {
  return `DLGA ${keyId}:${signature}`;
}
