// Dates, durations and the <input type="datetime-local"> round trip, in the UI's language.

import type { Language } from '../shared/contract';

// Two-digit fields: columns of times line up, and a bank's staff read 24-hour times. Written
// out here, exactly as Intl.DateTimeFormat writes them for tr-TR and en-GB (year numeric,
// the rest 2-digit, h23): the first Intl.DateTimeFormat of a page costs 10-50 ms in Chromium
// (ICU's time zone and pattern data), and the first screen's rows had to wait for it; a
// scrolling table formats dozens of dates a frame, too.
const DATE_STYLE: Record<Language, { separator: string; beforeTime: string }> = {
  tr: { separator: '.', beforeTime: ' ' },
  en: { separator: '/', beforeTime: ', ' },
};

/** dd.MM.yyyy HH:mm:ss (tr), dd/MM/yyyy, HH:mm:ss (en), in local time. */
export function formatDateTime(lang: Language, when: number | string): string {
  const date = new Date(when);
  if (Number.isNaN(date.getTime())) return String(when);
  const { separator, beforeTime } = DATE_STYLE[lang];
  return (
    `${pad(date.getDate())}${separator}${pad(date.getMonth() + 1)}${separator}${date.getFullYear()}` +
    `${beforeTime}${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** HH:mm in local time, in either language. */
export function formatTime(_lang: Language, when: number | string): string {
  const date = new Date(when);
  if (Number.isNaN(date.getTime())) return String(when);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Whole seconds split for the `time.*` messages: the caller picks the message by `unit`. */
export function splitDuration(totalSeconds: number):
  | { unit: 'seconds'; s: number }
  | { unit: 'minutes'; m: number; s: number }
  | { unit: 'hours'; h: number; m: number } {
  const total = Math.max(0, Math.round(totalSeconds));
  if (total < 60) return { unit: 'seconds', s: total };
  if (total < 3600) return { unit: 'minutes', m: Math.floor(total / 60), s: total % 60 };
  return { unit: 'hours', h: Math.floor(total / 3600), m: Math.floor((total % 3600) / 60) };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local wall-clock `YYYY-MM-DDTHH:mm`, the value a datetime-local input holds. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * Epoch ms of a datetime-local value (local time), or null when it is not one.
 * `endOfMinute`: the input has minute precision, so an end bound covers its whole minute.
 */
export function fromLocalInput(value: string, endOfMinute = false): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi, Number.isNaN(s) ? 0 : s);
  // Date rolls 31 Feb over into March; a value that does not round-trip is not a real date.
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
  const ms = date.getTime();
  if (Number.isNaN(ms) || ms < 0) return null;
  return endOfMinute && m[6] === undefined ? ms + 59_999 : ms;
}
