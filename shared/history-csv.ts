// History as CSV: the columns and the escaping rule both the CLI (`companion history --csv`)
// and the app's Export use, so a file from either opens the same way. Formulas are escaped
// (a cell starting with = + - @ or a tab/CR gets a leading '): a customer name such as
// `=HYPERLINK(...)` must never run in the spreadsheet a supervisor opens it in (shared/csv.ts).

import { toCsv, type CsvOptions } from './csv';
import type { HelpRecord } from './diyalog';

/** The columns that hold a time: written as ISO 8601 with the UTC offset, never as epoch milliseconds. */
const TIME_COLUMNS: ReadonlySet<string> = new Set(['helpRequestedAt', 'helpStartedAt', 'helpEndedAt']);

export interface HistoryCsvOptions extends CsvOptions {
  /** Minutes east of UTC at a time (default: this computer's zone, so a file reads in the user's own clock). */
  readonly offsetMinutes?: (epochMs: number) => number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A time as ISO 8601 in local time with its offset (`2026-12-07T09:15:04+03:00`, milliseconds
 * only when there are some): a spreadsheet reads it as a date, a person as their own clock,
 * and a script gets the instant back exactly.
 */
export function isoWithOffset(epochMs: number, offsetMinutes: number): string {
  const local = new Date(epochMs + offsetMinutes * 60_000);
  const ms = local.getUTCMilliseconds();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${ms === 0 ? '' : `.${pad(ms, 3)}`}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

const localOffset = (epochMs: number) => -new Date(epochMs).getTimezoneOffset();

export const HISTORY_CSV_COLUMNS = [
  'onlineHelpId',
  'customerNo',
  'customerName',
  'agentId',
  'agentName',
  'helpState',
  'helpRequestedAt',
  'helpStartedAt',
  'helpEndedAt',
  'waitTime',
  'helpTime',
  'conversationDetailLink',
] as const satisfies readonly (keyof HelpRecord)[];

/** A header row, then one row per record in the columns' order; a missing field is an empty cell. */
export function historyCsv(records: readonly HelpRecord[], options: HistoryCsvOptions = {}): string {
  const offset = options.offsetMinutes ?? localOffset;
  const cell = (r: HelpRecord, c: (typeof HISTORY_CSV_COLUMNS)[number]) => {
    const value = r[c];
    return TIME_COLUMNS.has(c) && typeof value === 'number' ? isoWithOffset(value, offset(value)) : value;
  };
  return toCsv(HISTORY_CSV_COLUMNS, records.map((r) => HISTORY_CSV_COLUMNS.map((c) => cell(r, c))), options);
}
