// The help watch: customers main checks on a timer. This store keeps the list in the
// user's order, merges pushed entries with answers, and runs add/remove/refresh/force-end.
//
// Freshness: main pushes an entry only when its state changes, so a steady "in help" is
// not re-sent after each check. The store lists again every few seconds while the page is
// seen, remembers for each customer the last check that succeeded, and calls a row stale
// when nothing confirmed it for two poll intervals: greyed, "not confirmed since …", and
// no force-end on it.

import type { WatchEntry } from '../../shared/contract';
import type { ForceEndResult } from '../../shared/diyalog';
import type { ErrorValue } from '../../shared/errors';
import { safeCall, type RendererApi } from '../bridge';
import { idProblem, type Problem } from '../validate';

export type ForceEndOutcome =
  | { kind: 'ended' | 'already_ended'; result: ForceEndResult }
  | { kind: 'error'; customerId: string; error: ErrorValue };

/** main's poll interval while the window is seen (main/services/help-watcher.ts). */
export const WATCH_POLL_MS = 5_000;
/** A row no check confirmed for this long is stale. */
export const STALE_AFTER_MS = 2 * WATCH_POLL_MS;
/** How often the list is asked again while the page is seen: well inside STALE_AFTER_MS. */
export const RELIST_MS = 2_500;

export interface WatchRow extends WatchEntry {
  busy: boolean;
  /** epoch ms of the last check that succeeded (an answer, not an error); null if none yet. */
  confirmedAt: number | null;
  /** No successful check for STALE_AFTER_MS (or never, after a check failed). */
  stale: boolean;
}

/** Why a force-end was not sent: the session ended (or moved) since the row was shown. */
export type ForceEndSkipped = { customerId: string; staffId: string; state: WatchEntry['state'] };

export interface WatchStoreOptions {
  clock?: () => number;
  /** Whether the page is seen: re-listing pauses while it is not. */
  visible?: () => boolean;
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
  /** The force-end dialog is re-checking the state before it opens or sends. */
  checking = $state(false);
  outcome = $state<ForceEndOutcome | null>(null);
  /** A force-end not sent because the session had ended or moved meanwhile. */
  skipped = $state<ForceEndSkipped | null>(null);
  /** epoch ms of the last check that succeeded, per customer. */
  confirmed = $state<Record<string, number>>({});
  /** The clock, advanced by the re-list timer: staleness is judged against it. */
  now = $state(0);

  readonly rows: WatchRow[] = $derived(
    this.order.map((id) => {
      const entry = this.entries[id] ?? { customerId: id, state: null, error: null, checkedAt: null };
      const confirmedAt = this.confirmed[id] ?? null;
      const stale = confirmedAt === null ? entry.error !== null : this.now - confirmedAt > STALE_AFTER_MS;
      return { ...entry, busy: this.busy[id] === true, confirmedAt, stale };
    }),
  );

  readonly #api: RendererApi;
  readonly #clock: () => number;
  readonly #visible: () => boolean;
  // Adds and removes go one at a time: each answers with the whole list, and main reads
  // the list before writing it, so two in flight could drop one or answer out of order.
  // A reload of the list joins the queue too, so an older list cannot land after a newer one.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(api: RendererApi, options: WatchStoreOptions = {}) {
    this.#api = api;
    this.#clock = options.clock ?? Date.now;
    this.#visible = options.visible ?? (() => true);
    this.now = this.#clock();
  }

  start(): () => void {
    // watch.changed pushed while the link was down is lost; so is a list changed meanwhile.
    const offs = [this.#api.on('watch.changed', (entry) => this.#merge(entry)), this.#api.onReconnect(() => void this.load())];
    void this.load();
    const timer = setInterval(() => void this.tick(), RELIST_MS);
    return () => {
      clearInterval(timer);
      offs.forEach((off) => off());
    };
  }

  /** Advances the clock and, while the page is seen and something is watched, lists again. */
  async tick(): Promise<void> {
    this.now = this.#clock();
    if (this.order.length > 0 && this.#visible()) await this.load();
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

  /**
   * Opens the force-end dialog after checking the state again: a session that ended (or
   * moved to another staff member) meanwhile is said so, and no dialog opens.
   */
  async openForceEnd(customerId: string, staffId: string): Promise<boolean> {
    this.skipped = null;
    this.outcome = null;
    this.checking = true;
    const still = await this.#stillInHelp(customerId, staffId);
    this.checking = false;
    if (!still) return false;
    this.forceEnd = { customerId, staffId };
    return true;
  }

  closeForceEnd(): void {
    this.forceEnd = null;
  }

  /** The confirmed force-end; the dialog has the reason. Checked once more right before sending. */
  async confirmForceEnd(reason: string): Promise<void> {
    const target = this.forceEnd;
    if (!target) return;
    if (!(await this.#stillInHelp(target.customerId, target.staffId))) {
      this.forceEnd = null;
      return;
    }
    const result = await safeCall(this.#api, 'recovery.forceEnd', { ...target, reason: reason.trim(), confirmed: true });
    this.forceEnd = null;
    this.outcome = result.ok ? { kind: result.value.outcome, result: result.value } : { kind: 'error', customerId: target.customerId, error: result.error };
    // The row shows the new state at once rather than at the next poll.
    if (result.ok) void this.refresh(target.customerId);
  }

  dismissOutcome(): void {
    this.outcome = null;
    this.skipped = null;
  }

  /**
   * Whether a fresh check still shows the customer in help with that staff member. A check
   * that fails is not a "no": the person decides, with the error shown.
   */
  async #stillInHelp(customerId: string, staffId: string): Promise<boolean> {
    const entry = await this.refresh(customerId);
    if (!entry || entry.error !== null || entry.state === null) return true;
    if (entry.state.isInHelp && entry.state.staffId === staffId) return true;
    this.skipped = { customerId, staffId, state: entry.state };
    return false;
  }

  // An answer to a call and a pushed event may cross: the entry checked last wins.
  #merge(entry: WatchEntry): void {
    const known = this.entries[entry.customerId];
    if (known?.checkedAt != null && (entry.checkedAt ?? -1) < known.checkedAt) return;
    this.entries[entry.customerId] = entry;
    if (entry.error === null && entry.state !== null && entry.checkedAt !== null) {
      this.confirmed[entry.customerId] = Math.max(this.confirmed[entry.customerId] ?? 0, entry.checkedAt);
    }
    this.now = Math.max(this.now, this.#clock());
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
