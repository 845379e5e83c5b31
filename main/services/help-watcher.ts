import type { WatchEntry } from '../../shared/contract';
import type { HelpStateAnswer } from '../../shared/diyalog';
import { toErrorValue } from '../../shared/errors';
import { backoffDelay } from '../http';

export type HelpCheck = (customerId: string, signal: AbortSignal) => Promise<HelpStateAnswer>;

export interface HelpWatcherOptions {
  check: HelpCheck;
  /**
   * Called after every check that gave an answer or an error: the state may be the same, but
   * its freshness moved (`confirmedAt`, `freshUntil`), and the window greys a row by it.
   */
  onChange: (entry: WatchEntry) => void;
  visibleIntervalMs?: number;
  hiddenIntervalMs?: number;
  /** ± share of the interval, so a room of desktops does not poll in step. */
  jitter?: number;
  maxBackoffMs?: number;
  clock?: () => number;
  random?: () => number;
}

interface Watched {
  entry: WatchEntry;
  timer: ReturnType<typeof setTimeout> | null;
  inFlight: Promise<WatchEntry> | null;
  failures: number;
  controller: AbortController;
}

/** A state no check confirmed for this many poll intervals is stale: one late answer is not enough to grey a row. */
export const FRESH_FOR_INTERVALS = 2;

/**
 * Polls iscustomerinonlinehelp for each watched customer: one request in flight per customer
 * at most, every 5 s while the window is visible and 30 s while hidden, with jitter, backing
 * off on errors. Each check's entry carries its freshness: main owns that rule, so the window
 * never needs to know the poll interval.
 */
export class HelpWatcher {
  readonly #options: Required<Omit<HelpWatcherOptions, 'check' | 'onChange'>> & Pick<HelpWatcherOptions, 'check' | 'onChange'>;
  readonly #watched = new Map<string, Watched>();
  #visible = true;
  #stopped = false;

  constructor(options: HelpWatcherOptions) {
    this.#options = {
      visibleIntervalMs: 5_000,
      hiddenIntervalMs: 30_000,
      jitter: 0.2,
      maxBackoffMs: 120_000,
      clock: Date.now,
      random: Math.random,
      ...options,
    };
  }

  list(): WatchEntry[] {
    return [...this.#watched.values()].map((w) => w.entry);
  }

  add(customerId: string): void {
    if (this.#stopped || this.#watched.has(customerId)) return;
    this.#watched.set(customerId, {
      entry: { customerId, state: null, error: null, checkedAt: null, confirmedAt: null, freshUntil: null },
      timer: null,
      inFlight: null,
      failures: 0,
      controller: new AbortController(),
    });
    // A failed check lands in the entry; only a throwing onChange could reject, and the next
    // check retries it, as the timer's own refresh does.
    void this.refresh(customerId).catch(() => undefined);
  }

  remove(customerId: string): void {
    const w = this.#watched.get(customerId);
    if (!w) return;
    if (w.timer) clearTimeout(w.timer);
    w.controller.abort();
    this.#watched.delete(customerId);
  }

  /** Checks now; joins the check already under way rather than sending a second one. */
  refresh(customerId: string): Promise<WatchEntry> {
    const w = this.#watched.get(customerId);
    if (!w) return Promise.reject(new Error(`${customerId} is not watched`));
    if (w.inFlight) return w.inFlight;
    if (w.timer) {
      clearTimeout(w.timer);
      w.timer = null;
    }
    w.inFlight = this.#check(w).finally(() => {
      w.inFlight = null;
      this.#schedule(w);
    });
    return w.inFlight;
  }

  /** Slower polling while nobody looks; on becoming visible, stale entries are checked at once. */
  setVisible(visible: boolean): void {
    if (visible === this.#visible) return;
    this.#visible = visible;
    for (const w of this.#watched.values()) {
      if (w.inFlight) continue;
      if (visible && (w.entry.checkedAt === null || this.#options.clock() - w.entry.checkedAt >= this.#options.visibleIntervalMs)) {
        void this.refresh(w.entry.customerId).catch(() => undefined);
      } else {
        this.#schedule(w);
      }
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const id of [...this.#watched.keys()]) this.remove(id);
  }

  async #check(w: Watched): Promise<WatchEntry> {
    const before = w.entry;
    let next: WatchEntry;
    try {
      const state = await this.#options.check(before.customerId, w.controller.signal);
      w.failures = 0;
      const now = this.#options.clock();
      next = { customerId: before.customerId, state, error: null, checkedAt: now, confirmedAt: now, freshUntil: now + FRESH_FOR_INTERVALS * this.#interval() };
    } catch (e) {
      if (w.controller.signal.aborted) return before;
      w.failures += 1;
      // Keep the last known state beside the error: "in help with 45001, as of 10:02" is still
      // useful. But it is stale from this moment: nothing is force-ended on a failed check.
      next = { ...before, error: toErrorValue(e), checkedAt: this.#options.clock(), freshUntil: null };
    }
    // Removed (and maybe added again) while this check ran: the answer belongs to nobody now.
    if (!this.#isCurrent(w)) return next;
    w.entry = next;
    this.#options.onChange(next);
    return next;
  }

  /** The poll interval now: fast while the window is seen. */
  #interval(): number {
    return this.#visible ? this.#options.visibleIntervalMs : this.#options.hiddenIntervalMs;
  }

  #isCurrent(w: Watched): boolean {
    return this.#watched.get(w.entry.customerId) === w;
  }

  #schedule(w: Watched): void {
    if (this.#stopped || !this.#isCurrent(w)) return;
    if (w.timer) clearTimeout(w.timer);
    const { jitter, maxBackoffMs, random } = this.#options;
    const interval = this.#interval();
    const delay =
      w.failures > 0
        ? backoffDelay(w.failures, interval, Math.max(interval, maxBackoffMs), random)
        : Math.round(interval * (1 - jitter + 2 * jitter * random()));
    w.timer = setTimeout(() => {
      w.timer = null;
      void this.refresh(w.entry.customerId).catch(() => undefined);
    }, delay);
    w.timer.unref?.();
  }
}
