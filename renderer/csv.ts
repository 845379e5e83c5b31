// Export of what the History and Audit tables show: the same writer as the CLI
// (shared/csv.ts), the same columns and escaping for history (shared/history-csv.ts), and a
// byte-order mark first, so spreadsheet programs read Turkish letters as UTF-8.

import type { AuditEntryView } from '../shared/contract';
import { toCsv } from '../shared/csv';
import type { HelpRecord } from '../shared/diyalog';
import { historyCsv as historyCsvText } from '../shared/history-csv';

export function historyCsv(records: readonly HelpRecord[]): string {
  return historyCsvText(records, { bom: true });
}

/** The audit entries shown, with the settled outcome and what the call itself returned. */
export const AUDIT_CSV_COLUMNS = ['at', 'actor', 'customerId', 'staffId', 'reason', 'outcome', 'settledBy', 'outcomeAt', 'code', 'message', 'answerOutcome'] as const;

export function auditCsv(entries: readonly AuditEntryView[]): string {
  const rows = entries.map((e) => [e.at, e.actor, e.customerId, e.staffId, e.reason, e.outcome, e.settledBy, e.outcomeAt, e.code, e.message, e.answer?.outcome]);
  return toCsv(AUDIT_CSV_COLUMNS, rows, { bom: true });
}
