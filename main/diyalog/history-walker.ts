// Walks getonlinehelplist over a whole date range. The server answers at most 20 records
// per call (25 on servers older than 2021-03-12), newest first; older ones need another
// call ending where the page ended.
//
// Each range is walked from its top down: ask for [lo, bound], keep the records, move bound
// to the oldest date on a full page (that date again, since a page may cut a group of
// records sharing it), stop on a short page. A full page all at bound can never be paged
// through: warn and step to bound - 1. Neither bound of the server is trusted to be
// inclusive: startDate is sent one ms low and endDate learned (see EndDateMode); records
// outside the range asked for are dropped, their owner fetches them.
//
// Concurrency: the query starts as `concurrency` equal time slices; a worker out of work
// takes over the older half of the range expected to hold most records still to fetch.
// Results equal the sequential walk's because both collect the same set: every record of
// the query except at overflowing timestamps, and there whatever the server returns for a
// window holding the whole group (no window ever splits a timestamp between ranges).

import { AppError, isAppError } from '../../shared/errors';
import type { HelpRecord, HistoryProgress, HistoryQuery, HistoryWarning } from '../../shared/diyalog';
import { dateRangeSchema, HISTORY_CONCURRENCY_DEFAULT, MAX_DATE_MS, parseInput } from '../../shared/validation';

/** One getonlinehelplist call. */
export type FetchHistoryPage = (query: HistoryQuery, signal?: AbortSignal) => Promise<HelpRecord[]>;

export interface WalkOptions {
  /** Workers calling in parallel; default 4; 1 walks sequentially. */
  concurrency?: number;
  /** Aborting rejects the walk with AppError('cancelled') and makes no further calls. */
  signal?: AbortSignal;
  /**
   * Called after every page. slicesDone/slicesTotal is the share of the date range already
   * covered, in thousandths (slicesTotal is always 1000): the ranges are split while they are
   * walked, so a count of slices would have a moving total.
   */
  onProgress?: (p: HistoryProgress) => void;
  /**
   * The server's cap per call, or less; default 20, the smallest of the vendor's versions.
   * A shorter page means the range is exhausted; a longer one raises it (a server answering
   * 25 is walked with 25 from then on). Never above the server's cap: a full page would then
   * look like the last one and records would be missed.
   */
  pageSize?: number;
}

export interface WalkResult {
  /** Unique by onlineHelpId, newest first by helpRequestedAt, ties by onlineHelpId descending. */
  items: HelpRecord[];
  /** Pages fetched. */
  pages: number;
  /** Newest first, one per timestamp. */
  warnings: HistoryWarning[];
}

const PROGRESS_SCALE = 1000;
/** Taking over a range costs at least one extra call: only a range with this many pages' worth left is split. */
const STEAL_MIN_PAGES = 1;

/**
 * Whether the server's endDate is inclusive. The simulator's is; the vendor document does not
 * say. Unknown until an answer proves it: a record at exactly endDate proves inclusive, a
 * record known to exist at endDate that did not come back proves exclusive.
 */
type EndDateMode = 'unknown' | 'inclusive' | 'exclusive';

/**
 * A part of the query range owned by one worker, walked downwards.
 *
 * Invariant: every record with lo <= ts <= hi and ts > bound has been collected, except at
 * timestamps named by a timestamp_overflow warning; what is left to walk is exactly
 * [lo, bound]. The left-to-walk parts of all open ranges are disjoint and, together with
 * what has been collected, cover [startDate, endDate]. A page only ever moves bound down;
 * a takeover moves lo up past a part that becomes a new range of its own, so no timestamp
 * is ever owned twice or dropped.
 */
interface Range {
  /** Lowest timestamp owned, inclusive; raised when another worker takes the older part. */
  lo: number;
  /** Highest timestamp owned, inclusive. */
  readonly hi: number;
  bound: number;
  /** A record at exactly `bound` exists (it ended the previous page). */
  boundSeen: boolean;
  /** Records per ms over the last page that moved bound; 0 until one has. */
  density: number;
  done: boolean;
}

const partials = new WeakMap<object, WalkResult>();

/** The records a failed or cancelled walk had found, given the error it rejected with. */
export function partialWalkOf(error: unknown): WalkResult | undefined {
  return error !== null && typeof error === 'object' ? partials.get(error) : undefined;
}

export async function walkHistory(fetchPage: FetchHistoryPage, query: HistoryQuery, options: WalkOptions = {}): Promise<WalkResult> {
  return new HistoryWalk(fetchPage, query, options).run();
}

function positiveInteger(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new AppError('invalid_input', `${what} must be a whole number of at least 1.`);
  return value;
}

function newestFirst(a: HelpRecord, b: HelpRecord): number {
  return b.helpRequestedAt - a.helpRequestedAt || b.onlineHelpId - a.onlineHelpId;
}

class HistoryWalk {
  private readonly concurrency: number;
  /** Raised to the longest page seen: the server's real cap is at least that. */
  private pageSize: number;
  private readonly filters: Pick<HistoryQuery, 'customerId' | 'agentId'>;
  private readonly ranges: Range[] = [];
  private readonly items = new Map<number, HelpRecord>();
  private readonly warnings = new Map<number, HistoryWarning>();
  private readonly inner = new AbortController();
  private mode: EndDateMode = 'unknown';
  private pages = 0;
  private stopped = false;
  private waiters: Array<() => void> = [];
  private settle: { resolve: (r: WalkResult) => void; reject: (e: unknown) => void } | undefined;

  constructor(
    private readonly fetchPage: FetchHistoryPage,
    private readonly query: HistoryQuery,
    private readonly options: WalkOptions,
  ) {
    parseInput(dateRangeSchema, { startDate: query.startDate, endDate: query.endDate }, 'date range');
    this.concurrency = positiveInteger(options.concurrency, HISTORY_CONCURRENCY_DEFAULT, 'Concurrency');
    this.pageSize = positiveInteger(options.pageSize, 20, 'Page size');
    this.filters = {
      ...(query.customerId !== undefined && { customerId: query.customerId }),
      ...(query.agentId !== undefined && { agentId: query.agentId }),
    };
  }

  run(): Promise<WalkResult> {
    return new Promise<WalkResult>((resolve, reject) => {
      this.settle = { resolve, reject };
      const signal = this.options.signal;
      const onAbort = () => this.fail(cancelled(signal));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.inner.signal.addEventListener('abort', () => signal?.removeEventListener('abort', onAbort), { once: true });

      // Equal time slices to start with; work stealing evens out what equal slices do not.
      const { startDate, endDate } = this.query;
      const slices = Math.min(this.concurrency, endDate - startDate + 1);
      const width = (endDate - startDate + 1) / slices;
      for (let i = 0; i < slices; i++) {
        const hi = i === 0 ? endDate : endDate - Math.round(i * width);
        const lo = i === slices - 1 ? startDate : endDate - Math.round((i + 1) * width) + 1;
        this.ranges.push({ lo, hi, bound: hi, boundSeen: false, density: 0, done: false });
      }
      for (let i = 0; i < this.concurrency; i++) this.worker(this.ranges[i]).catch((e: unknown) => this.fail(e));
    });
  }

  private async worker(first: Range | undefined): Promise<void> {
    let range = first;
    while (!this.stopped) {
      range ??= this.takeOver();
      if (range) {
        await this.walkRange(range);
        range = undefined;
      } else if (this.ranges.some((r) => !r.done)) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      } else {
        return;
      }
    }
  }

  private async walkRange(r: Range): Promise<void> {
    while (!r.done && !this.stopped) {
      const bound = r.bound;
      const offset = this.endOffset(r);
      const knownAtEndDate = offset === 0 && r.boundSeen;
      // startDate one below lo: an exclusive startDate would otherwise hide records at lo.
      const request: HistoryQuery = { ...this.filters, startDate: Math.max(0, r.lo - 1), endDate: bound + offset };
      let page: HelpRecord[];
      try {
        page = await this.fetchPage(request, this.inner.signal);
      } catch (e) {
        this.fail(e);
        return;
      }
      if (this.stopped) return;
      this.pages++;
      if (page.length > this.pageSize) this.pageSize = page.length;
      this.learnEndDateMode(page, request.endDate, knownAtEndDate);
      for (const record of page) {
        const ts = record.helpRequestedAt;
        // Records outside the range belong to a neighbour, which fetches them itself.
        if (ts < r.lo || ts > r.hi || this.items.has(record.onlineHelpId)) continue;
        this.items.set(record.onlineHelpId, record);
      }
      this.advance(r, page, bound, offset);
      this.afterPage();
    }
  }

  /** endDate = bound + offset asks for a window reaching down to lo that includes bound. */
  private endOffset(r: Range): 0 | 1 {
    // Past Date's last millisecond there is no date to ask for (and no record to find).
    if (r.bound >= MAX_DATE_MS) return 0;
    if (this.mode === 'inclusive') return 0;
    if (this.mode === 'exclusive') return 1;
    // The vendor's way (endDate = the oldest record's date) only while a record known to be
    // at bound can reveal an exclusive server; with nothing known there, ask one ms past it.
    return r.boundSeen ? 0 : 1;
  }

  private learnEndDateMode(page: HelpRecord[], endDate: number, recordKnownAtEndDate: boolean): void {
    if (this.mode !== 'unknown') return;
    if (page.some((x) => x.helpRequestedAt === endDate)) this.mode = 'inclusive';
    else if (recordKnownAtEndDate) this.mode = 'exclusive';
  }

  private advance(r: Range, page: HelpRecord[], bound: number, offset: 0 | 1): void {
    // The window stopped below bound: ask again for the same bound with the corrected endDate.
    if (offset === 0 && this.mode === 'exclusive') return;
    if (page.length < this.pageSize) return this.finish(r);
    const oldest = Math.min(...page.map((x) => x.helpRequestedAt));
    if (oldest < bound) {
      // Everything in (oldest, bound] came back; records at oldest may have been cut off,
      // so the next window includes oldest again (the duplicates are dropped).
      r.density = page.length / (bound - oldest + 1);
      r.bound = oldest;
      r.boundSeen = true;
    } else if (page.every((x) => x.helpRequestedAt === bound)) {
      // A full page at one timestamp: asking again brings the same page forever.
      this.warnOverflow(bound);
      r.bound = bound - 1;
      r.boundSeen = false;
    } else if (offset === 1 && this.mode === 'inclusive') {
      // The page went to records at bound + 1 (another range's or already collected); ask for bound itself.
      return;
    } else {
      throw new AppError('bad_response', 'The help history answer holds records outside the dates asked for.', {
        startDate: this.query.startDate,
        endDate: this.query.endDate,
      });
    }
    if (r.bound < r.lo) this.finish(r);
  }

  private warnOverflow(ts: number): void {
    if (this.warnings.has(ts)) return;
    this.warnings.set(ts, {
      code: 'timestamp_overflow',
      timestamp: ts,
      message:
        `At least ${this.pageSize} help records share the time ${new Date(ts).toISOString()}; ` +
        `the server returns only ${this.pageSize} per call, so some records at that moment may be missing.`,
    });
  }

  private finish(r: Range): void {
    r.done = true;
    r.bound = r.lo - 1;
  }

  /**
   * Splits the open range expected to hold the most records still to fetch: the caller takes
   * [lo, mid], the owner keeps [mid + 1, bound] and walks on undisturbed. Only a range whose
   * last page was full (so more is known to follow) is split, judged by the density of that
   * page, which tracks a busy hour better than the range's average. A page in flight for the
   * owner may still bring records below mid + 1; they are left to the new range.
   */
  private takeOver(): Range | undefined {
    let victim: Range | undefined;
    let most = STEAL_MIN_PAGES * this.pageSize;
    for (const r of this.ranges) {
      const span = r.bound - r.lo + 1;
      const remaining = span * r.density;
      if (!r.done && span >= 2 && remaining >= most) {
        victim = r;
        most = remaining;
      }
    }
    if (!victim) return undefined;
    const mid = Math.floor((victim.lo + victim.bound) / 2);
    const taken: Range = { lo: victim.lo, hi: mid, bound: mid, boundSeen: false, density: 0, done: false };
    victim.lo = mid + 1;
    this.ranges.push(taken);
    return taken;
  }

  private afterPage(): void {
    const done = this.ranges.every((r) => r.done);
    this.options.onProgress?.(this.progress());
    if (done) this.complete();
    this.wake();
  }

  private progress(): HistoryProgress {
    const total = this.query.endDate - this.query.startDate + 1;
    const left = this.ranges.reduce((sum, r) => (r.done ? sum : sum + (r.bound - r.lo + 1)), 0);
    return {
      slicesDone: Math.floor(PROGRESS_SCALE - (left * PROGRESS_SCALE) / total),
      slicesTotal: PROGRESS_SCALE,
      records: this.items.size,
      requests: this.pages,
    };
  }

  private collected(): WalkResult {
    const items = [...this.items.values()].sort(newestFirst);
    const warnings = [...this.warnings.values()].sort((a, b) => b.timestamp - a.timestamp);
    return { items, pages: this.pages, warnings };
  }

  private complete(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.settle?.resolve(this.collected());
    this.inner.abort();
  }

  /** The first error (or the caller's cancel) ends the walk; the others' calls are aborted. */
  private fail(e: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.inner.abort();
    // What was found before the failure stays with the error: a cancel after an hour's
    // walk must not throw away the hour.
    if (e !== null && typeof e === 'object') partials.set(e, this.collected());
    this.settle?.reject(e);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

function cancelled(signal: AbortSignal | undefined): AppError {
  const reason: unknown = signal?.reason;
  if (isAppError(reason) && reason.code === 'cancelled') return reason;
  return new AppError('cancelled', 'The history search was cancelled.');
}
