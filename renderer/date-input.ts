// A date-and-time field in the app's language, not the browser's: Chromium draws an
// <input type="datetime-local"> in the browser's locale whatever the element's `lang` says
// (an English browser shows a Turkish screen "11/30/2026, 02:57 PM"). So the History,
// Recovery and Audit filters are text fields that show and read the app's own format, 24-hour in
// both languages, and hand the stores the same `YYYY-MM-DDTHH:mm` value a datetime-local
// input would (renderer/format.ts reads it).

import type { Language } from '../shared/language';
import { formatDateTime, fromLocalInput } from './format';

/**
 * What the field shows for a `YYYY-MM-DDTHH:mm[:ss]` value: "07/12/2026, 15:30" or
 * "07.12.2026 15:30", as the tables write dates (formatDateTime, with no Intl object: every
 * view is mounted at start, and the first screen must not wait for ICU). Other text as it is.
 */
export function displayLocalInput(lang: Language, value: string): string {
  const ms = fromLocalInput(value);
  if (ms === null) return value;
  const shown = formatDateTime(lang, ms);
  return new Date(ms).getSeconds() === 0 ? shown.slice(0, -':00'.length) : shown;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Typed text as a `YYYY-MM-DDTHH:mm[:ss]` value, or null when it is not a date and time. Both
 * languages write the day first (07/12/2026 or 07.12.2026, a comma or not before the time); the
 * ISO order (2026-12-07 15:30) is read too. Single-digit days, months and hours are fine.
 */
export function parseLocalText(text: string): string | null {
  const t = text.trim();
  const time = String.raw`[T\s,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$`;
  let y: string | undefined, mo: string | undefined, d: string | undefined;
  let rest: RegExpExecArray | null;
  const iso = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})` + time).exec(t);
  if (iso) {
    [, y, mo, d] = iso;
    rest = iso;
  } else {
    const dayFirst = new RegExp(String.raw`^(\d{1,2})[./-](\d{1,2})[./-](\d{4})` + time).exec(t);
    if (!dayFirst) return null;
    [, d, mo, y] = dayFirst;
    rest = dayFirst;
  }
  const [h, mi, s] = [rest[4], rest[5], rest[6]].map((x) => (x === undefined ? undefined : Number(x)));
  if (h === undefined || mi === undefined || h > 23 || mi > 59 || (s !== undefined && s > 59)) return null;
  const value = `${y}-${pad(Number(mo))}-${pad(Number(d))}T${pad(h)}:${pad(mi)}${s === undefined ? '' : `:${pad(s)}`}`;
  return fromLocalInput(value) === null ? null : value;
}
