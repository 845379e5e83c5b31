// Export of what the History table shows. The same library as the CLI (csv-stringify, its
// browser build) with the same columns and escaping (shared/history-csv.ts). Loaded on the
// first export only: it is not part of the first screen.

import type { AuditEntryView } from '../shared/contract';
import type { HelpRecord } from '../shared/diyalog';
import { HISTORY_CSV_OPTIONS, historyCsvRows } from '../shared/history-csv';

export async function historyCsv(records: readonly HelpRecord[]): Promise<string> {
  const { stringify } = await import('csv-stringify/browser/esm/sync');
  // A byte-order mark: spreadsheet programs then read Turkish letters as UTF-8.
  return stringify(historyCsvRows(records), { ...HISTORY_CSV_OPTIONS, bom: true });
}

/** The audit entries shown, with the settled outcome and what the call itself returned. */
export const AUDIT_CSV_COLUMNS = ['at', 'actor', 'customerId', 'staffId', 'reason', 'outcome', 'settledBy', 'outcomeAt', 'code', 'message', 'answerOutcome'] as const;

export async function auditCsv(entries: readonly AuditEntryView[]): Promise<string> {
  const { stringify } = await import('csv-stringify/browser/esm/sync');
  const rows = entries.map((e) => [e.at, e.actor, e.customerId, e.staffId, e.reason, e.outcome, e.settledBy ?? '', e.outcomeAt ?? '', e.code ?? '', e.message ?? '', e.answer?.outcome ?? '']);
  return stringify(rows, { header: true, columns: [...AUDIT_CSV_COLUMNS], escape_formulas: true, bom: true });
}
