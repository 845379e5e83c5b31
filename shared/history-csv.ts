// History as CSV: the columns and the escaping rule both the CLI (`companion history --csv`)
// and the app's Export use, so a file from either opens the same way. Formulas are escaped
// (a cell starting with = + - @ or a tab/CR gets a leading '): a customer name such as
// `=HYPERLINK(...)` must never run in the spreadsheet a supervisor opens it in.
// Give the records and options to csv-stringify's `stringify` (the Node build in the CLI,
// its browser build in the renderer).

import type { HelpRecord } from './diyalog';

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

/** csv-stringify options: a header row, and formulas escaped. */
export const HISTORY_CSV_OPTIONS = { header: true, columns: [...HISTORY_CSV_COLUMNS], escape_formulas: true } as const;

/** One array of cells per record, in the columns' order; a missing field is an empty cell. */
export function historyCsvRows(records: readonly HelpRecord[]): (string | number)[][] {
  return records.map((r) => HISTORY_CSV_COLUMNS.map((c) => r[c] ?? ''));
}
