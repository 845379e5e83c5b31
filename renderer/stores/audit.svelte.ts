// The force-end audit trail, loaded when its tab is shown: whether the hash chain holds
// (audit.verify), each entry's settled outcome, filters, and a CSV of what is shown.

import type { AuditEntryView, CallOutput } from '../../shared/contract';
import type { ErrorValue } from '../../shared/errors';
import type { RecoveryOutcome } from '../../shared/recovery';
import { safeCall, type RendererApi } from '../bridge';
import { auditCsv } from '../csv';
import { fromLocalInput, toLocalInput } from '../format';

export interface AuditFilter {
  /** '' for every outcome. */
  outcome: RecoveryOutcome | '';
  /** Part of the staff id, or of the customer id; '' for all. */
  staff: string;
  customer: string;
  /** datetime-local values; '' for no bound. */
  from: string;
  to: string;
}

export const emptyAuditFilter = (): AuditFilter => ({ outcome: '', staff: '', customer: '', from: '', to: '' });

/** Entries matching every part of the filter. */
export function filterAudit(entries: readonly AuditEntryView[], f: AuditFilter): AuditEntryView[] {
  const from = f.from ? fromLocalInput(f.from) : null;
  const to = f.to ? fromLocalInput(f.to, true) : null;
  const staff = f.staff.trim().toLowerCase();
  const customer = f.customer.trim().toLowerCase();
  return entries.filter((e) => {
    const at = Date.parse(e.at);
    return (
      (!f.outcome || e.outcome === f.outcome) &&
      (!staff || e.staffId.toLowerCase().includes(staff)) &&
      (!customer || e.customerId.toLowerCase().includes(customer)) &&
      (from === null || at >= from) &&
      (to === null || at <= to)
    );
  });
}

export interface AuditStoreOptions {
  clock?: () => number;
  download?: (fileName: string, text: string) => void;
}

export class AuditStore {
  entries = $state.raw<AuditEntryView[] | null>(null);
  error = $state<ErrorValue | null>(null);
  verification = $state<CallOutput<'audit.verify'> | null>(null);
  verifyError = $state<ErrorValue | null>(null);
  filter = $state<AuditFilter>(emptyAuditFilter());
  exportError = $state<ErrorValue | null>(null);

  /** Newest first, filtered. */
  readonly rows: AuditEntryView[] = $derived(this.entries ? filterAudit([...this.entries].sort((a, b) => b.at.localeCompare(a.at)), this.filter) : []);
  readonly filtering: boolean = $derived(Object.values(this.filter).some((v) => v.trim() !== ''));

  readonly #api: RendererApi;
  readonly #clock: () => number;
  readonly #download: (fileName: string, text: string) => void;

  constructor(api: RendererApi, options: AuditStoreOptions = {}) {
    this.#api = api;
    this.#clock = options.clock ?? Date.now;
    this.#download = options.download ?? (() => {});
  }

  /** The entries and, beside them, whether the chain holds. */
  async load(): Promise<void> {
    const [result, verdict] = await Promise.all([safeCall(this.#api, 'audit.entries', {}), safeCall(this.#api, 'audit.verify', {})]);
    if (result.ok) {
      this.entries = result.value;
      this.error = null;
    } else this.error = result.error;
    if (verdict.ok) {
      this.verification = verdict.value;
      this.verifyError = null;
    } else this.verifyError = verdict.error;
  }

  clearFilter(): void {
    this.filter = emptyAuditFilter();
  }

  /** A file that could not be written is the user's to put away; the next export tries again. */
  dismissExportError(): void {
    this.exportError = null;
  }

  async exportCsv(): Promise<void> {
    if (this.rows.length === 0) return;
    this.exportError = null;
    try {
      const stamp = toLocalInput(this.#clock()).replace(/[-:]/g, '').replace('T', '-');
      this.#download(`audit-${stamp}.csv`, auditCsv(this.rows));
    } catch (e) {
      this.exportError = { code: 'internal', message: e instanceof Error ? e.message : String(e) };
    }
  }
}
