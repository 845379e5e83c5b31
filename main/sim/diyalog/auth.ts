// Server-side DLGA verification, written from the vendor document and independent of
// the client's signing code so that one cannot hide the other's mistake.

import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureAlgorithm = 'sha256' | 'sha1';

/** `example`: a newline between BODY and PATH (worked example, prose); `pseudocode`: none. */
export type SigningForm = 'example' | 'pseudocode';

export interface DlgaCredentials {
  keyId: string;
  secret: string;
}

export interface DlgaRequest {
  method: string;
  /** The resource as requested (base path included, no query string). */
  path: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

export interface DlgaPolicy {
  credentials: DlgaCredentials;
  algorithm: SignatureAlgorithm;
  /** The one canonical form this server checks. */
  form: SigningForm;
  serverNow: number;
  /** Answer 403 even to a fresh, well-signed request (a skew the client cannot correct). */
  rejectSkewAlways: boolean;
}

export type DlgaVerdict = { ok: true; requester: string } | { ok: false; status: 400 | 401 | 403; message: string };

export const AUTH_MESSAGES = {
  missingHeaders: 'Required headers not found',
  badFormat: 'Authorization failed due to data format not valid',
  badDate: 'Authorization failed due to date not valid',
  failed: 'Authorization failed',
  skew: 'Request time may not be correct.',
} as const;

export const MAX_SKEW_MS = 15 * 60_000;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// The zone is optional: "if missing, GMT is assumed" (the document); `Z` in the Java
// pattern also reads an RFC 822 offset such as +0300.
const RFC_1123 = /^([A-Z][a-z]{2}), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?: (GMT|UTC|[+-]\d{4}))?$/;
const AUTHORIZATION = /^DLGA ([^\s:]+):(\S+)$/;

/**
 * `EEE, dd MMM yyyy HH:mm:ss Z` in English: the zone GMT, UTC, an offset such as +0300,
 * or none (GMT assumed), as the document allows. Out-of-range fields, a weekday that does
 * not match the (local) date and localised names are rejected.
 */
export function parseDlgDate(value: string): number | null {
  const m = RFC_1123.exec(value);
  if (!m) return null;
  const [, dayName, dd, monName, yyyy, hh, mi, ss, zone] = m;
  const month = MONTHS.indexOf(monName ?? '');
  const day = Number(dd);
  const year = Number(yyyy);
  const [hour, minute, second] = [Number(hh), Number(mi), Number(ss)];
  if (month < 0 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const local = Date.UTC(year, month, day, hour, minute, second);
  const d = new Date(local);
  if (d.getUTCDate() !== day || d.getUTCMonth() !== month || DAYS[d.getUTCDay()] !== dayName) return null;
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'GMT' && zone !== 'UTC') {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(3, 5));
    if (zh > 18 || zm > 59) return null;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (zh * 60 + zm);
  }
  return local - offsetMinutes * 60_000;
}

export function dlgaSignature(
  secret: string,
  algorithm: SignatureAlgorithm,
  method: string,
  contentType: string,
  date: string,
  body: Buffer,
  path: string,
  form: SigningForm = 'example',
): string {
  return createHmac(algorithm, Buffer.from(secret, 'utf8'))
    .update(`${method}\n${contentType}\n${date}\n`, 'utf8')
    .update(body)
    .update(form === 'example' ? `\n${path}` : path, 'utf8')
    .digest('base64');
}

function header(headers: DlgaRequest['headers'], name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v.join(', ') : (v ?? '')).trim();
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The vendor's error table, checked in the order the table lists it. */
export function verifyDlga(req: DlgaRequest, policy: DlgaPolicy): DlgaVerdict {
  const date = header(req.headers, 'x-dlg-date');
  const requester = header(req.headers, 'x-dlg-requester-userid');
  const authorization = header(req.headers, 'x-dlg-authorization');
  if (!date || !requester || !authorization) return { ok: false, status: 400, message: AUTH_MESSAGES.missingHeaders };

  const auth = AUTHORIZATION.exec(authorization);
  if (!auth) return { ok: false, status: 400, message: AUTH_MESSAGES.badFormat };

  const sentAt = parseDlgDate(date);
  if (sentAt === null) return { ok: false, status: 400, message: AUTH_MESSAGES.badDate };

  const [, keyId = '', signature = ''] = auth;
  // Content-Type is signed as received; Node has already dropped surrounding whitespace, as any HTTP parser would.
  const contentType = header(req.headers, 'content-type');
  const expected = dlgaSignature(policy.credentials.secret, policy.algorithm, req.method, contentType, date, req.body, req.path, policy.form);
  // Both comparisons always run, so the answer time does not reveal which one failed.
  const keyOk = sameText(keyId, policy.credentials.keyId);
  const signatureOk = sameText(signature, expected);
  if (!keyOk || !signatureOk) return { ok: false, status: 401, message: AUTH_MESSAGES.failed };

  if (policy.rejectSkewAlways || Math.abs(sentAt - policy.serverNow) > MAX_SKEW_MS) {
    return { ok: false, status: 403, message: AUTH_MESSAGES.skew };
  }
  return { ok: true, requester };
}
