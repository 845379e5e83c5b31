// The force-end audit trail, loaded when its tab is shown.

import type { AuditEntryView } from '../../shared/contract';
import type { ErrorValue } from '../../shared/errors';
import { safeCall, type RendererApi } from '../bridge';

export class AuditStore {
  entries = $state<AuditEntryView[] | null>(null);
  error = $state<ErrorValue | null>(null);

  /** Newest first. */
  readonly rows: AuditEntryView[] = $derived(this.entries ? [...this.entries].sort((a, b) => b.at.localeCompare(a.at)) : []);

  readonly #api: RendererApi;

  constructor(api: RendererApi) {
    this.#api = api;
  }

  async load(): Promise<void> {
    const result = await safeCall(this.#api, 'audit.entries', {});
    if (result.ok) {
      this.entries = result.value;
      this.error = null;
    } else this.error = result.error;
  }
}
