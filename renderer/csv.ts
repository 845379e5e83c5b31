// Export of what the History table shows. The same library as the CLI (csv-stringify, its
// browser build) with the same columns and escaping (shared/history-csv.ts). Loaded on the
// first export only: it is not part of the first screen.

import type { HelpRecord } from '../shared/diyalog';
import { HISTORY_CSV_OPTIONS, historyCsvRows } from '../shared/history-csv';

export async function historyCsv(records: readonly HelpRecord[]): Promise<string> {
  const { stringify } = await import('csv-stringify/browser/esm/sync');
  // A byte-order mark: spreadsheet programs then read Turkish letters as UTF-8.
  return stringify(historyCsvRows(records), { ...HISTORY_CSV_OPTIONS, bom: true });
}
