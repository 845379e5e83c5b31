// History as CSV: the columns and the escaping rule both the CLI (`companion history --csv`)
// and the app's Export use, so a file from either opens the same way. Formulas are escaped
// (a cell starting with = + - @ or a tab/CR gets a leading '): a customer name such as
// `=HYPERLINK(...)` must never run in the spreadsheet a supervisor opens it in (shared/csv.ts).

import { toCsv, type CsvOptions } from './csv';
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

/** A header row, then one row per record in the columns' order; a missing field is an empty cell. */
export function historyCsv(records: readonly HelpRecord[], options?: CsvOptions): string {
  return toCsv(HISTORY_CSV_COLUMNS, records.map((r) => HISTORY_CSV_COLUMNS.map((c) => r[c])), options);
}
