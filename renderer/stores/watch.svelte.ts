// The help watch: customers main checks on a timer. This store keeps the list in the
// user's order, merges pushed entries with answers, and runs add/remove/refresh/force-end.
//
// Freshness is main's rule: each entry says until when its state counts as current
// (`freshUntil`; null once a check failed). The store only compares its clock with that
// deadline: a row past it is stale (greyed, "not confirmed since …", no force-end on it).
// Whether a force-end may still be sent is main's to check too, right before it sends; the
// store shows main's answer. The dialog also shows what main's history says of the session
// (names, since when) for the person to confirm: facts to read, not a check.

import type { WatchEntry } from '../../shared/contract';
import type { ForceEndResult } from '../../shared/diyalog';
import { Disposables } from '../../shared/disposables';
import type { ErrorValue } from '../../shared/errors';
import type { SessionFacts } from '../../shared/recovery';
import { safeCall, type RendererApi } from '../bridge';
import { idProblem, type Problem } from '../validate';

export type ForceEndOutcome =
  | { kind: 'ended' | 'already_ended'; result: ForceEndResult }
  | { kind: 'error'; customerId: string; error: ErrorValue };

/**
 * How often the store looks at its clock to grey rows whose deadline passed. A display
 * refresh only: which rows are fresh is main's decision (`freshUntil`), not this number's.
 */
const CLOCK_TICK_MS = 1_000;

/** What the force-end dialog shows of the session: asked for as it opens; `unknown` when main could not say. */
export type ForceEndFacts = { status: 'loading' } | { status: 'known'; facts: SessionFacts } | { status: 'unknown' };

export interface WatchRow extends WatchEntry {
  busy: boolean;
  /** Past main's `freshUntil`, or main said the last check failed: shown greyed, never force-ended. */
  stale: boolean;
}

export interface WatchStoreOptions {
  clock?: () => number;
}

/** A row is stale once main's deadline has passed, or when main gave none after a check (it failed). */
export function isStale(entry: WatchEntry, now: number): boolean {
  if (entry.freshUntil === null) return entry.checkedAt !== null;
  return now > entry.freshUntil;
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
  /** The open dialog's facts of the session (names, since when). */
  forceEndFacts = $state<ForceEndFacts>({ status: 'loading' });
  outcome = $state<ForceEndOutcome | null>(null);
  /** The clock, advanced by a tick: main's deadlines are compared with it. */
  now = $state(0);

  readonly rows: WatchRow[] = $derived(
    this.order.map((id) => {
      const entry = this.entries[id] ?? { customerId: id, state: null, error: null, checkedAt: null, confirmedAt: null, freshUntil: null };
      return { ...entry, busy: this.busy[id] === true, stale: isStale(entry, this.now) };
    }),
  );

  readonly #api: RendererApi;
  readonly #clock: () => number;
  // Adds and removes go one at a time: each answers with the whole list, and main reads
  // the list before writing it, so two in flight could drop one or answer out of order.
  // A reload of the list joins the queue too, so an older list cannot land after a newer one.
  #queue: Promise<unknown> = Promise.resolve();
  #factsAsked = 0;

  constructor(api: RendererApi, options: WatchStoreOptions = {}) {
    this.#api = api;
    this.#clock = options.clock ?? Date.now;
    this.now = this.#clock();
  }

  start(): () => void {
    const teardown = new Disposables();
    // watch.changed pushed while the link was down is lost; so is a list changed meanwhile.
    teardown.addAll(
      this.#api.on('watch.changed', (entry) => this.#merge(entry)),
      this.#api.on('watch.listed', (list) => void this.#serial(async () => this.#applyList(list))),
      this.#api.onReconnect(() => void this.load()),
    );
    void this.load();
    const timer = setInterval(() => this.tick(), CLOCK_TICK_MS);
    teardown.add(() => clearInterval(timer));
    return () => teardown.dispose();
  }

  /** Advances the clock: rows whose deadline passed turn stale. */
  tick(): void {
    this.now = this.#clock();
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
    if (result.ok) {
      this.#applyList(result.value);
      this.callError = null;
    } else this.callError = result.error;
  }

  /** The user has read the refusal; the next call that fails says so again. */
  dismissCallError(): void {
    this.callError = null;
  }

  async refresh(customerId: string): Promise<WatchEntry | null> {
    this.busy[customerId] = true;
    const result = await safeCall(this.#api, 'watch.refresh', { customerId });
    this.busy[customerId] = false;
    if (result.ok) {
      this.#merge(result.value);
      // A refusal shown before (the server was down) is over once a call goes through.
      this.callError = null;
      return result.value;
    }
    this.callError = result.error;
    return null;
  }

  /** Opens the force-end dialog; main checks the state again right before it sends anything. */
  openForceEnd(customerId: string, staffId: string): void {
    this.outcome = null;
    this.forceEnd = { customerId, staffId };
    this.forceEndFacts = { status: 'loading' };
    void this.#loadFacts({ customerId, staffId });
  }

  closeForceEnd(): void {
    this.forceEnd = null;
  }

  /**
   * The confirmed force-end; the dialog has the reason. Main checks the help state first: a
   * session that ended or moved meanwhile comes back `already_ended` with nothing sent.
   */
  async confirmForceEnd(reason: string): Promise<void> {
    const target = this.forceEnd;
    if (!target) return;
    const result = await safeCall(this.#api, 'recovery.forceEnd', { ...target, reason: reason.trim(), confirmed: true });
    this.forceEnd = null;
    this.outcome = result.ok ? { kind: result.value.outcome, result: result.value } : { kind: 'error', customerId: target.customerId, error: result.error };
    // The row shows the new state at once rather than at the next poll.
    if (result.ok) void this.refresh(target.customerId);
  }

  dismissOutcome(): void {
    this.outcome = null;
  }

  async #loadFacts(target: { customerId: string; staffId: string }): Promise<void> {
    const asked = ++this.#factsAsked;
    const result = await safeCall(this.#api, 'watch.sessionFacts', target);
    // The dialog may have closed, or opened again (on this row or another), meanwhile.
    if (asked !== this.#factsAsked || this.forceEnd === null) return;
    this.forceEndFacts = result.ok ? { status: 'known', facts: result.value } : { status: 'unknown' };
  }

  // An answer to a call and a pushed event may cross: the entry checked last wins.
  #merge(entry: WatchEntry): void {
    const known = this.entries[entry.customerId];
    if (known?.checkedAt != null && (entry.checkedAt ?? -1) < known.checkedAt) return;
    this.entries[entry.customerId] = entry;
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
