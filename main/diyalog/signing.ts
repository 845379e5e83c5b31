// DLGA request signing (diyalog-authentication.txt, digest §1.1). Pure: no I/O, no clock.

import { createHmac } from 'node:crypto';

/** SHA256 is the current document; SHA1 is what early-2021 servers expected. */
export type SignatureAlgorithm = 'sha256' | 'sha1';

/** The one place the default lives, so an old deployment can switch it in settings. */
export const DEFAULT_SIGNATURE_ALGORITHM: SignatureAlgorithm = 'sha256';

export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['sha256', 'sha1'];

/**
 * The two canonical strings to sign (digest §1.1, §1.3). `example`: a newline between BODY
 * and PATH, as the document's worked example and prose have it. `pseudocode`: none, as its
 * pseudo-code has it. Nothing public says which one a production server checks.
 */
export type SigningForm = 'example' | 'pseudocode';

export const DEFAULT_SIGNING_FORM: SigningForm = 'example';

export const SIGNING_FORMS: readonly SigningForm[] = ['example', 'pseudocode'];

/** One way of signing: what a server is probed with and what is remembered per server. */
export interface SigningMethod {
  form: SigningForm;
  algorithm: SignatureAlgorithm;
}

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

/** METHOD\nCONTENT_TYPE\nDATE\nBODY\nPATH (`example`, the default) or METHOD\nCONTENT_TYPE\nDATE\nBODYPATH (`pseudocode`). */
export function buildStringToSign({ method, contentType, date, body, path }: StringToSignParts, form: SigningForm = DEFAULT_SIGNING_FORM): string {
  const head = `${method}\n${contentType}\n${date}\n${body}`;
  return form === 'pseudocode' ? head + path : `${head}\n${path}`;
}

/**
 * The order a client tries signing methods in after a 401 "Authorization failed": the
 * starting one, then the other form, then the other algorithm with each form.
 */
export function signingFallbacks(start: SigningMethod): SigningMethod[] {
  const otherForm = SIGNING_FORMS.filter((f) => f !== start.form);
  const otherAlgorithms = SIGNATURE_ALGORITHMS.filter((a) => a !== start.algorithm);
  return [
    start,
    ...otherForm.map((form) => ({ form, algorithm: start.algorithm })),
    ...otherAlgorithms.flatMap((algorithm) => [start.form, ...otherForm].map((form) => ({ form, algorithm }))),
  ];
}

/** base64(HMAC(utf8(secret), utf8(stringToSign))). */
export function signRequest(secret: string, stringToSign: string, algorithm: SignatureAlgorithm = DEFAULT_SIGNATURE_ALGORITHM): string {
  return createHmac(algorithm, Buffer.from(secret, 'utf8')).update(stringToSign, 'utf8').digest('base64');
}

export function authorizationHeader(keyId: string, signature: string): string {
  return `DLGA ${keyId}:${signature}`;
}
