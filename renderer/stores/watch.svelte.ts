// The help watch: customers main checks on a timer. This store keeps the list in the
// user's order, merges pushed entries with answers, and runs add/remove/refresh/force-end.

import type { WatchEntry } from '../../shared/contract';
import type { ForceEndResult } from '../../shared/diyalog';
import type { ErrorValue } from '../../shared/errors';
import { safeCall, type RendererApi } from '../bridge';
import { idProblem, type Problem } from '../validate';

export type ForceEndOutcome =
  | { kind: 'ended' | 'already_ended'; result: ForceEndResult }
  | { kind: 'error'; customerId: string; error: ErrorValue };

export interface WatchRow extends WatchEntry {
  busy: boolean;
}

export class WatchStore {
  order = $state<string[]>([]);
  entries = $state<Record<string, WatchEntry>>({});
  busy = $state<Record<string, boolean>>({});
  input = $state('');
  problem = $state<Problem | null>(null);
  callError = $state<ErrorValue | null>(null);
  loadError = $state<ErrorValue | null>(null);
  /** The row whose force-end dialog is open. */
  forceEnd = $state<{ customerId: string; staffId: string } | null>(null);
  outcome = $state<ForceEndOutcome | null>(null);

  readonly rows: WatchRow[] = $derived(
    this.order.map((id) => ({
      ...(this.entries[id] ?? { customerId: id, state: null, error: null, checkedAt: null }),
      busy: this.busy[id] === true,
    })),
  );

  readonly #api: RendererApi;
  // Adds and removes go one at a time: each answers with the whole list, and main reads
  // the list before writing it, so two in flight could drop one or answer out of order.
  // A reload of the list joins the queue too, so an older list cannot land after a newer one.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(api: RendererApi) {
    this.#api = api;
  }

  start(): () => void {
    // watch.changed pushed while the link was down is lost; so is a list changed meanwhile.
    const offs = [this.#api.on('watch.changed', (entry) => this.#merge(entry)), this.#api.onReconnect(() => void this.load())];
    void this.load();
    return () => offs.forEach((off) => off());
  }

  async load(): Promise<void> {
    const result = await this.#serial(() => safeCall(this.#api, 'watch.list', {}));
    if (result.ok) {
      this.#applyList(result.value);
      this.loadError = null;
    } else this.loadError = result.error;
  }

  setInput(value: string): void {
    this.input = value;
    this.problem = null;
  }

  async add(): Promise<void> {
    this.problem = idProblem(this.input);
    if (this.problem) return;
    const submitted = this.input;
    const result = await this.#serial(() => safeCall(this.#api, 'watch.add', { customerId: submitted.trim() }));
    if (result.ok) {
      this.#applyList(result.value);
      // The user may have typed the next id while this one was on its way.
      if (this.input === submitted) this.input = '';
      this.callError = null;
    } else this.callError = result.error;
  }

  async remove(customerId: string): Promise<void> {
    const result = await this.#serial(() => safeCall(this.#api, 'watch.remove', { customerId }));
    if (result.ok) this.#applyList(result.value);
    else this.callError = result.error;
  }

  async refresh(customerId: string): Promise<WatchEntry | null> {
    this.busy[customerId] = true;
    const result = await safeCall(this.#api, 'watch.refresh', { customerId });
    this.busy[customerId] = false;
    if (result.ok) {
      this.#merge(result.value);
      return result.value;
    }
    this.callError = result.error;
    return null;
  }

  openForceEnd(customerId: string, staffId: string): void {
    this.forceEnd = { customerId, staffId };
  }

  closeForceEnd(): void {
    this.forceEnd = null;
  }

  /** The confirmed force-end; the dialog has the reason. */
  async confirmForceEnd(reason: string): Promise<void> {
    const target = this.forceEnd;
    if (!target) return;
    const result = await safeCall(this.#api, 'recovery.forceEnd', { ...target, reason: reason.trim(), confirmed: true });
    this.forceEnd = null;
    this.outcome = result.ok ? { kind: result.value.outcome, result: result.value } : { kind: 'error', customerId: target.customerId, error: result.error };
  }

  dismissOutcome(): void {
    this.outcome = null;
  }

  // An answer to a call and a pushed event may cross: the entry checked last wins.
  #merge(entry: WatchEntry): void {
    const known = this.entries[entry.customerId];
    if (known?.checkedAt != null && (entry.checkedAt ?? -1) < known.checkedAt) return;
    this.entries[entry.customerId] = entry;
  }

  #applyList(list: WatchEntry[]): void {
    for (const entry of list) this.#merge(entry);
    this.order = list.map((e) => e.customerId);
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
