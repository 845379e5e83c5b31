// Recovery work the UI starts and watches: stuck-session searches and bulk force-ends, each
// with an id, progress, a cancel and a result kept for a while (as history-walks.ts does for
// history searches). The contract's events are the caller's to send: this module reports
// through the `sink` it is given, so it stays free of event names.

import { randomUUID } from 'node:crypto';
import { AppError, toErrorValue, type ErrorValue } from '../../shared/errors';
import type { StuckSearchProgress, StuckSearchResult } from '../../shared/recovery';
import type { DiyalogClient } from '../diyalog/client';
import type { AuditLog } from '../store/audit';
import { forceEndMany, parseBulkRequest, type BulkForceEndRequest, type BulkRow, type RecoveryClient } from './recovery';
import { findStuckSessions, parseStuckQuery, type StuckQuery } from './stuck-sessions';

export type JobState<P, R> =
  | { status: 'running'; progress: P }
  | { status: 'done'; result: R }
  | { status: 'failed'; error: ErrorValue };

export interface EndManyProgress {
  done: number;
  total: number;
  /** Rows finished so far, in the order they finished. */
  rows: BulkRow[];
}

export interface RecoveryJobsSink {
  searchProgress?(searchId: string, progress: StuckSearchProgress): void;
  searchDone?(searchId: string, state: Exclude<JobState<StuckSearchProgress, StuckSearchResult>, { status: 'running' }>): void;
  /** After each row of a bulk end: a live per-row outcome. */
  endRow?(jobId: string, row: BulkRow, done: number, total: number): void;
  /** A row whose answer was unclear, while main checks its help state (`checking: true`); its endRow follows. */
  endChecking?(jobId: string, row: BulkRow, done: number, total: number): void;
  endDone?(jobId: string, state: Exclude<JobState<EndManyProgress, { results: BulkRow[] }>, { status: 'running' }>): void;
}

const KEEP_FINISHED = 5;
/** Progress at most this often: a fast search must not flood the renderer. */
const PROGRESS_EVERY_MS = 100;

interface Job<P, R> {
  state: JobState<P, R>;
  controller: AbortController;
}

export class RecoveryJobs {
  readonly #searches = new Map<string, Job<StuckSearchProgress, StuckSearchResult>>();
  readonly #ends = new Map<string, Job<EndManyProgress, { results: BulkRow[] }>>();
  readonly #sink: RecoveryJobsSink;

  constructor(sink: RecoveryJobsSink = {}) {
    this.#sink = sink;
  }

  /** Starts a search; its id at once (input checked first: a bad query throws invalid_input). */
  startSearch(newClient: () => DiyalogClient, query: StuckQuery): string {
    parseStuckQuery(query);
    const searchId = randomUUID();
    const controller = new AbortController();
    const job: Job<StuckSearchProgress, StuckSearchResult> = {
      state: { status: 'running', progress: { phase: 'walk', walked: 0, records: 0, candidates: 0, checked: 0, requests: 0 } },
      controller,
    };
    let lastSent = 0;
    const running = findStuckSessions(newClient, query, {
      signal: controller.signal,
      onProgress: (progress) => {
        job.state = { status: 'running', progress };
        const now = Date.now();
        if (now - lastSent >= PROGRESS_EVERY_MS || progress.phase === 'done') {
          lastSent = now;
          this.#sink.searchProgress?.(searchId, progress);
        }
      },
    });
    this.#searches.set(searchId, job);
    running.then(
      (result) => this.#finish(this.#searches, searchId, { status: 'done', result }, (s) => this.#sink.searchDone?.(searchId, s)),
      (e: unknown) => this.#finish(this.#searches, searchId, { status: 'failed', error: toErrorValue(e) }, (s) => this.#sink.searchDone?.(searchId, s)),
    );
    return searchId;
  }

  /**
   * Starts a bulk force-end; its id at once. Bad input (no reason, a customer twice, a bad
   * concurrency) throws invalid_input before anything is sent or audited.
   */
  startEnd(client: RecoveryClient, audit: AuditLog, request: BulkForceEndRequest, options: { concurrency?: number } = {}): string {
    parseBulkRequest(request, options.concurrency);
    const jobId = randomUUID();
    const controller = new AbortController();
    const job: Job<EndManyProgress, { results: BulkRow[] }> = {
      state: { status: 'running', progress: { done: 0, total: request.sessions.length, rows: [] } },
      controller,
    };
    const rows: BulkRow[] = [];
    const running = forceEndMany(client, audit, request, {
      ...options,
      signal: controller.signal,
      onRow: (row, done, total) => {
        rows.push(row);
        job.state = { status: 'running', progress: { done, total, rows: [...rows] } };
        this.#sink.endRow?.(jobId, row, done, total);
      },
      onChecking: (row, done, total) => this.#sink.endChecking?.(jobId, row, done, total),
    });
    this.#ends.set(jobId, job);
    running.then(
      (result) => this.#finish(this.#ends, jobId, { status: 'done', result }, (s) => this.#sink.endDone?.(jobId, s)),
      (e: unknown) => this.#finish(this.#ends, jobId, { status: 'failed', error: toErrorValue(e) }, (s) => this.#sink.endDone?.(jobId, s)),
    );
    return jobId;
  }

  cancelSearch(searchId: string): void {
    const job = this.#get(this.#searches, searchId, 'search');
    if (job.state.status === 'running') job.controller.abort(new AppError('cancelled', 'The search for stuck sessions was cancelled.'));
  }

  /** Stops sending further rows; rows in flight are settled and reported, the rest reported unsent. */
  cancelEnd(jobId: string): void {
    const job = this.#get(this.#ends, jobId, 'bulk force-end');
    if (job.state.status === 'running') job.controller.abort(new AppError('cancelled', 'The bulk force-end was cancelled.'));
  }

  search(searchId: string): JobState<StuckSearchProgress, StuckSearchResult> {
    return this.#get(this.#searches, searchId, 'search').state;
  }

  end(jobId: string): JobState<EndManyProgress, { results: BulkRow[] }> {
    return this.#get(this.#ends, jobId, 'bulk force-end').state;
  }

  /** The app is closing: searches stop; bulk ends stop sending (what is in flight is settled and audited). */
  stop(): void {
    for (const jobs of [this.#searches, this.#ends] as Map<string, Job<unknown, unknown>>[]) {
      for (const job of jobs.values()) if (job.state.status === 'running') job.controller.abort(new AppError('cancelled', 'The app is closing.'));
    }
  }

  #get<P, R>(jobs: Map<string, Job<P, R>>, id: string, what: string): Job<P, R> {
    const job = jobs.get(id);
    if (!job) throw new AppError('not_found', `No such ${what} (it may have been cleared).`);
    return job;
  }

  #finish<P, R, S extends Exclude<JobState<P, R>, { status: 'running' }>>(jobs: Map<string, Job<P, R>>, id: string, state: S, report: (s: S) => void): void {
    const job = jobs.get(id);
    if (job) job.state = state;
    report(state);
    const finished = [...jobs].filter(([, j]) => j.state.status !== 'running');
    for (const [old] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) jobs.delete(old);
  }
}
