// The stuck-session finder: which customers are still "in help" with an agent whose app
// crashed. The history says who started and never ended; only iscustomerinonlinehelp says
// who is still in help now, and with whom.
//
// The walk (the partitioned history walker) and the confirmation overlap: every page that
// arrives hands its candidates to a bounded pool of checks at once, so the checks of early
// pages run while later pages are still being fetched. One check per customer, however many
// candidate rows the customer has.

import type { HelpRecord, HelpStateAnswer, HistoryQuery } from '../../shared/diyalog';
import { AppError, isAppError } from '../../shared/errors';
import type { DroppedCounts, SessionFacts, StuckSearchProgress, StuckSearchResult, StuckSession } from '../../shared/recovery';
import { dateRangeSchema, idSchema, parseInput } from '../../shared/validation';
import type { DiyalogClient } from '../diyalog/client';
import { walkHistory } from '../diyalog/history-walker';
import { cancelledBy } from './bounded';

export interface StuckQuery {
  /**
   * epoch ms, inclusive: the window the history is searched in (by request time). Absent:
   * the last DEFAULT_WINDOW_MS up to now (only a start: up to now; only an end: the
   * DEFAULT_WINDOW_MS before it). The result says which window was searched.
   */
  startDate?: number | undefined;
  endDate?: number | undefined;
  /** absent or undefined: no filter */
  agentId?: string | undefined;
  customerId?: string | undefined;
  /** Only sessions started at least this long ago; default 15. */
  olderThanMinutes?: number | undefined;
}

export interface FindStuckOptions {
  /** History walk workers; default 4. */
  walkConcurrency?: number;
  /** iscustomerinonlinehelp calls in flight at once; default 4. */
  checkConcurrency?: number;
  signal?: AbortSignal;
  onProgress?: (progress: StuckSearchProgress) => void;
  /** "Now", for the age of a session; default Date.now. */
  now?: () => number;
}

/**
 * The window searched when none is given, in the app and by `companion stuck`/`recover`: long
 * enough that a crash left over a weekend is found. The one owner of that number.
 */
export const DEFAULT_WINDOW_MS = 72 * 60 * 60_000;
export const DEFAULT_OLDER_THAN_MINUTES = 15;
export const MAX_OLDER_THAN_MINUTES = 7 * 24 * 60;
export const MAX_CHECK_CONCURRENCY = 16;

type Check = { state: HelpStateAnswer } | { unknown: true };

/** Finds sessions started more than N minutes ago, never ended, and still in help with the same staff member. */
export async function findStuckSessions(newClient: () => DiyalogClient, query: StuckQuery, options: FindStuckOptions = {}): Promise<StuckSearchResult> {
  const now = (options.now ?? Date.now)();
  const { startDate, endDate, agentId, customerId, olderThanMinutes: olderThan } = parseStuckQuery(query, now);
  const range = { startDate, endDate };
  const window = { from: new Date(startDate).toISOString(), to: new Date(endDate).toISOString() };
  const checkConcurrency = options.checkConcurrency ?? 4;
  if (!Number.isInteger(checkConcurrency) || checkConcurrency < 1 || checkConcurrency > MAX_CHECK_CONCURRENCY) {
    throw new AppError('invalid_input', `The check concurrency must be a whole number from 1 to ${MAX_CHECK_CONCURRENCY}.`, { field: 'checkConcurrency' });
  }
  const cutoff = now - olderThan * 60_000;
  const historyQuery: HistoryQuery = { ...range, ...(agentId !== undefined && { agentId }), ...(customerId !== undefined && { customerId }) };

  // Clients of its own: the request count is this search's alone.
  const walkClient = newClient();
  const checkClient = newClient();
  const inner = new AbortController();
  const onAbort = () => inner.abort(options.signal?.reason);
  if (options.signal?.aborted) throw cancelledBy(options.signal, 'The search was cancelled.');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const seen = new Set<number>();
  const candidates: HelpRecord[] = [];
  const checks = new Map<string, Promise<Check>>();
  const pool = new Semaphore(checkConcurrency);
  let records = 0;
  let walked = 0;
  let checked = 0;
  let phase: StuckSearchProgress['phase'] = 'walk';
  const progress = () =>
    options.onProgress?.({ phase, walked, records, candidates: candidates.length, checked, requests: walkClient.requestCount + checkClient.requestCount });

  const check = (id: string): Promise<Check> =>
    pool.run(async () => {
      try {
        return { state: await checkClient.isCustomerInOnlineHelp(id, { signal: inner.signal }) };
      } catch (e) {
        if (inner.signal.aborted) throw cancelledBy(options.signal, 'The search was cancelled.');
        // A customer Diyalog does not know, or a check that failed after its retries: unknown.
        if (isAppError(e) && e.code === 'cancelled') throw e;
        return { unknown: true };
      } finally {
        checked++;
        progress();
      }
    });

  const take = (record: HelpRecord) => {
    const ts = record.helpRequestedAt;
    if (ts < range.startDate || ts > range.endDate || seen.has(record.onlineHelpId)) return;
    seen.add(record.onlineHelpId);
    records++;
    if (!isCandidate(record, cutoff)) return;
    candidates.push(record);
    if (record.agentId !== undefined && !checks.has(record.customerNo)) {
      const pending = check(record.customerNo);
      // Observed now, awaited below: a rejection while the walk runs is not unhandled.
      pending.catch(() => undefined);
      checks.set(record.customerNo, pending);
    }
  };

  try {
    await walkHistory(
      async (q, signal) => {
        const page = await walkClient.getOnlineHelpList(q, { signal });
        for (const record of page) take(record);
        return page;
      },
      historyQuery,
      {
        ...(options.walkConcurrency !== undefined && { concurrency: options.walkConcurrency }),
        signal: inner.signal,
        onProgress: (p) => {
          walked = p.slicesDone;
          progress();
        },
      },
    );
    phase = 'confirm';
    progress();
    const answers = new Map<string, Check>();
    for (const [id, pending] of checks) answers.set(id, await pending);
    const result = classify(candidates, answers, now);
    phase = 'done';
    progress();
    return { window, ...result, candidates: candidates.length, requests: walkClient.requestCount + checkClient.requestCount };
  } catch (e) {
    inner.abort(e);
    if (options.signal?.aborted) throw cancelledBy(options.signal, 'The search was cancelled.');
    throw e;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The query checked, with its defaults filled in (the window ends at `now` unless given); invalid_input otherwise. */
export function parseStuckQuery(
  query: StuckQuery,
  now: number = Date.now(),
): { startDate: number; endDate: number; olderThanMinutes: number; agentId?: string; customerId?: string } {
  const endDate = query.endDate ?? Math.max(now, query.startDate ?? now);
  const startDate = query.startDate ?? Math.max(0, endDate - DEFAULT_WINDOW_MS);
  const range = parseInput(dateRangeSchema, { startDate, endDate }, 'date range');
  const agentId = query.agentId === undefined ? undefined : parseInput(idSchema, query.agentId, 'agent id');
  const customerId = query.customerId === undefined ? undefined : parseInput(idSchema, query.customerId, 'customer id');
  const olderThanMinutes = query.olderThanMinutes ?? DEFAULT_OLDER_THAN_MINUTES;
  if (!Number.isInteger(olderThanMinutes) || olderThanMinutes < 0 || olderThanMinutes > MAX_OLDER_THAN_MINUTES) {
    throw new AppError('invalid_input', `The minimum age must be a whole number of minutes from 0 to ${MAX_OLDER_THAN_MINUTES}.`, { field: 'olderThanMinutes' });
  }
  return { ...range, olderThanMinutes, ...(agentId !== undefined && { agentId }), ...(customerId !== undefined && { customerId }) };
}

/**
 * How far back the facts of one session are looked for. One page of the customer's history,
 * newest first, holds the session they are in now, however long ago it started.
 */
const FACTS_WINDOW_MS = 90 * 24 * 60 * 60_000;

/**
 * What the history says of the session a customer is in with a staff member: the customer's
 * name, the staff member's, and since when (the newest row with that staff member, started and
 * never ended). One getonlinehelplist call. For a person confirming a force-end, not a check:
 * whether it may be sent is decided again right before sending.
 */
export async function findSessionFacts(
  client: Pick<DiyalogClient, 'getOnlineHelpList'>,
  request: { customerId: string; staffId: string },
  options: { signal?: AbortSignal; now?: () => number } = {},
): Promise<SessionFacts> {
  const customerId = parseInput(idSchema, request.customerId, 'customer id');
  const staffId = parseInput(idSchema, request.staffId, 'staff id');
  const now = (options.now ?? Date.now)();
  const page = await client.getOnlineHelpList({ startDate: Math.max(0, now - FACTS_WINDOW_MS), endDate: now, customerId }, { signal: options.signal });
  const rows = page
    .filter((r) => r.customerNo === customerId)
    .sort((a, b) => startedAt(b) - startedAt(a) || b.onlineHelpId - a.onlineHelpId);
  const session = rows.find((r) => r.agentId === staffId && r.helpState === 'onlinehelp_started' && r.helpEndedAt === undefined);
  const started = session === undefined ? null : startedAt(session);
  return {
    customerId,
    staffId,
    // A name the rows leave empty is unknown, not blank.
    customerName: session?.customerName || rows.find((r) => r.customerName !== '')?.customerName || null,
    staffName: session?.agentName || rows.find((r) => r.agentId === staffId && r.agentName)?.agentName || null,
    startedAt: started === null ? null : new Date(started).toISOString(),
    minutes: started === null ? null : Math.max(0, Math.floor((now - started) / 60_000)),
  };
}

/** Started, never ended, and started before the cutoff. */
function isCandidate(record: HelpRecord, cutoff: number): boolean {
  if (record.helpState !== 'onlinehelp_started' || record.helpEndedAt !== undefined) return false;
  return startedAt(record) <= cutoff;
}

function startedAt(record: HelpRecord): number {
  return record.helpStartedAt ?? record.helpRequestedAt;
}

function classify(candidates: HelpRecord[], answers: Map<string, Check>, now: number): { sessions: StuckSession[]; dropped: DroppedCounts } {
  const dropped: DroppedCounts = { ended: 0, otherStaff: 0, unknown: 0 };
  // Newest row first: when a customer has two rows with the same agent, the newer one is the session.
  const ordered = [...candidates].sort((a, b) => startedAt(b) - startedAt(a) || b.onlineHelpId - a.onlineHelpId);
  const taken = new Set<string>();
  const sessions: StuckSession[] = [];
  for (const record of ordered) {
    const answer = answers.get(record.customerNo);
    if (record.agentId === undefined || answer === undefined || 'unknown' in answer) {
      dropped.unknown++;
      continue;
    }
    const { state } = answer;
    if (!state.isInHelp) {
      dropped.ended++;
    } else if (state.staffId !== record.agentId) {
      dropped.otherStaff++;
    } else if (taken.has(record.customerNo)) {
      // An older row of the same customer and agent: superseded by the newer session.
      dropped.ended++;
    } else {
      taken.add(record.customerNo);
      const started = startedAt(record);
      sessions.push({
        customerId: record.customerNo,
        customerName: record.customerName,
        staffId: record.agentId,
        staffName: record.agentName ?? '',
        onlineHelpId: record.onlineHelpId,
        startedAt: new Date(started).toISOString(),
        minutes: Math.max(0, Math.floor((now - started) / 60_000)),
      });
    }
  }
  sessions.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.onlineHelpId - b.onlineHelpId));
  return { sessions, dropped };
}

/** At most `limit` tasks at once, started in the order they were asked for. */
class Semaphore {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active++;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}
