import { randomUUID } from 'node:crypto';
import type { HistoryProgress, HistoryQuery, HistoryResult } from '../../shared/diyalog';
import { AppError, toErrorValue, type ErrorValue } from '../../shared/errors';
import type { DiyalogClient } from '../diyalog/client';
import type { EventSink } from './dispatch';
import { partialHistoryOf, walkHelpHistory } from './history';

type Walk =
  | { status: 'running'; progress: HistoryProgress; controller: AbortController }
  | { status: 'done'; result: HistoryResult }
  | { status: 'failed'; error: ErrorValue; partial: HistoryResult | null };

const KEEP_FINISHED = 5;
/** Progress events at most this often: a fast walk must not flood the renderer. */
const PROGRESS_EVERY_MS = 100;

/** History walks the UI started: progress pushed as events, cancellable, the last few results kept. */
export class HistoryWalks {
  readonly #walks = new Map<string, Walk>();
  readonly #emit: EventSink;

  constructor(emit: EventSink) {
    this.#emit = emit;
  }

  /**
   * One walk at a time: a new search cancels the one still running, so a user (or a page
   * clicking Search in a loop) cannot stack walks that together flood the Diyalog server.
   */
  start(newClient: () => DiyalogClient, query: HistoryQuery, concurrency?: number): string {
    for (const walk of this.#walks.values()) {
      if (walk.status === 'running') walk.controller.abort(new AppError('cancelled', 'A new history search replaced this one.'));
    }
    const walkId = randomUUID();
    const controller = new AbortController();
    const walk: Walk = { status: 'running', progress: { slicesDone: 0, slicesTotal: 0, records: 0, requests: 0 }, controller };
    this.#walks.set(walkId, walk);
    let lastSent = 0;
    walkHelpHistory(newClient, query, {
      ...(concurrency !== undefined && { concurrency }),
      signal: controller.signal,
      onProgress: (progress) => {
        walk.progress = progress;
        const now = Date.now();
        if (now - lastSent >= PROGRESS_EVERY_MS) {
          lastSent = now;
          this.#emit('history.progress', { walkId, progress });
        }
      },
    }).then(
      (result) => this.#finish(walkId, { status: 'done', result }),
      (e: unknown) => this.#finish(walkId, { status: 'failed', error: toErrorValue(e), partial: partialHistoryOf(e) ?? null }),
    );
    return walkId;
  }

  cancel(walkId: string): void {
    const walk = this.#get(walkId);
    if (walk.status === 'running') walk.controller.abort(new AppError('cancelled', 'The history search was cancelled.'));
  }

  result(
    walkId: string,
  ): { status: 'running'; progress: HistoryProgress } | { status: 'done'; result: HistoryResult } | { status: 'failed'; error: ErrorValue; result: HistoryResult | null } {
    const walk = this.#get(walkId);
    if (walk.status === 'running') return { status: 'running', progress: walk.progress };
    if (walk.status === 'failed') return { status: 'failed', error: walk.error, result: walk.partial };
    return walk;
  }

  stop(): void {
    for (const id of this.#walks.keys()) {
      const walk = this.#walks.get(id);
      if (walk?.status === 'running') walk.controller.abort(new AppError('cancelled', 'The app is closing.'));
    }
  }

  #get(walkId: string): Walk {
    const walk = this.#walks.get(walkId);
    if (!walk) throw new AppError('not_found', 'No such history search (it may have been cleared).');
    return walk;
  }

  #finish(walkId: string, walk: Walk): void {
    this.#walks.set(walkId, walk);
    // A failed or cancelled walk sends what it found with its error: the window shows it as partial.
    this.#emit('history.done', {
      walkId,
      result: walk.status === 'done' ? walk.result : walk.status === 'failed' ? walk.partial : null,
      error: walk.status === 'failed' ? walk.error : null,
    });
    const finished = [...this.#walks].filter(([, w]) => w.status !== 'running');
    for (const [id] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.#walks.delete(id);
  }
}
