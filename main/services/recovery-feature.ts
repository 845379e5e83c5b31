import type { ForceEndRow, StuckSearchResult } from '../../shared/recovery';
import type { Feature, FeatureDeps } from './feature';
import {
  forceEndAudited,
  forceEndMany,
  forceEndTruthfully,
  reconcileAudit,
  type BulkForceEndOptions,
  type BulkRow,
  type ForceEndOptions,
  type ReconcileResult,
} from './recovery';
import { RecoveryJobs } from './recovery-jobs';
import type { ServiceContext } from './context';
import { findStuckSessions, type FindStuckOptions, type StuckQuery } from './stuck-sessions';

export type RecoveryCalls =
  | 'recovery.forceEnd'
  | 'recovery.find'
  | 'recovery.cancel'
  | 'recovery.result'
  | 'recovery.endMany'
  | 'recovery.cancelEnd'
  | 'audit.entries'
  | 'audit.verify';

export interface RecoveryDeps extends FeatureDeps {
  /** A force-ended customer on the watch list is checked again at once. */
  refreshWatched: (customerId: string) => void;
}

/** The supervisor's recovery of crashed sessions: audited force-ends and the audit trail. */
export function createRecoveryFeature({ ctx, emit, refreshWatched }: RecoveryDeps): Feature<RecoveryCalls> & { reconciled: Promise<void> } {
  const startup = new AbortController();
  const reconciled = reconcileAtStart(ctx, startup.signal);
  // The window forwards the audit trail to the bank's collector all along (a no-op while audit.forward.url is unset).
  ctx.forwarder.start();
  const jobs = new RecoveryJobs({
    searchProgress: (searchId, progress) => emit('recovery.progress', { searchId, progress }),
    searchDone: (searchId, state) =>
      emit('recovery.done', { searchId, result: state.status === 'done' ? state.result : null, error: state.status === 'failed' ? state.error : null }),
    endRow: (jobId, row, done, total) => {
      emit('recovery.outcome', { jobId, row, done, total });
      refreshWatched(row.customerId);
    },
    endChecking: (jobId, row, done, total) => emit('recovery.outcome', { jobId, row, done, total }),
    endDone: (jobId, state) =>
      emit('recovery.ended', { jobId, results: state.status === 'done' ? state.result.results : null, error: state.status === 'failed' ? state.error : null }),
  });
  // One search at a time, as with history: a new one cancels the one still running.
  let runningSearch: string | null = null;
  return {
    handlers: {
      'recovery.forceEnd': async ({ customerId, staffId, reason }) => {
        const client = await ctx.clients.diyalog();
        const actor = actorOf(ctx);
        // Checked again just before sending: a session that ended meanwhile is said so, and nothing is sent.
        const result = await forceEndAudited(client, ctx.audit, { actor, customerId, staffId, reason }, { precheck: true });
        refreshWatched(customerId);
        return result;
      },
      'recovery.find': async (query) => {
        const newClient = await ctx.clients.diyalogFactory();
        if (runningSearch !== null && jobs.search(runningSearch).status === 'running') jobs.cancelSearch(runningSearch);
        runningSearch = jobs.startSearch(newClient, query);
        return { searchId: runningSearch };
      },
      'recovery.cancel': async ({ searchId }) => {
        jobs.cancelSearch(searchId);
        return { ok: true };
      },
      'recovery.result': async ({ searchId }) => jobs.search(searchId),
      'recovery.endMany': async ({ sessions, reason, concurrency }) => {
        const client = await ctx.clients.diyalog();
        const actor = actorOf(ctx);
        return { jobId: jobs.startEnd(client, ctx.audit, { actor, reason, sessions }, concurrency !== undefined ? { concurrency } : {}) };
      },
      'recovery.cancelEnd': async ({ jobId }) => {
        jobs.cancelEnd(jobId);
        return { ok: true };
      },
      'audit.entries': () => ctx.audit.entries(),
      'audit.verify': async () => {
        const verdict = await ctx.audit.verify();
        return verdict.ok ? { ok: true, entries: verdict.entries } : { ok: false, entries: verdict.entries, brokenAt: verdict.brokenAt, reason: verdict.reason };
      },
    },
    /** Settles when the reconcile at start is over (done, skipped or given up). */
    reconciled,
    stop: async () => {
      startup.abort();
      jobs.stop();
      await ctx.forwarder.stop();
      await reconciled;
    },
  };
}

/** Who a force-end is recorded as: the configured staff member (set whenever Diyalog is usable). */
function actorOf(ctx: ServiceContext): string {
  return ctx.config.get().staffId ?? 'unknown';
}

/**
 * Settles force-ends a crash left unknown (an intent without outcome), once, as the app
 * starts. Best effort: with Diyalog not configured or not reachable they wait for the next
 * start or `companion audit reconcile`; nothing is asked when nothing is unknown.
 */
async function reconcileAtStart(ctx: ServiceContext, signal: AbortSignal): Promise<void> {
  try {
    await reconcileUnsettled(ctx, signal);
  } catch {
    // Left unknown, and shown so in the audit.
  }
}

// ---- the same work for one command (the CLI) ----------------------------------------------

/** Settles every force-end whose outcome is unknown; null when there is none (nothing is asked). */
export async function reconcileUnsettled(ctx: ServiceContext, signal?: AbortSignal): Promise<ReconcileResult | null> {
  if ((await ctx.audit.unsettled()).length === 0) return null;
  return reconcileAll(ctx, signal);
}

/** Settles every force-end whose outcome is unknown (`companion audit reconcile`). */
export async function reconcileAll(ctx: ServiceContext, signal?: AbortSignal): Promise<ReconcileResult> {
  return reconcileAudit(await ctx.clients.diyalog(), ctx.audit, signal ? { signal } : {});
}

/** Sessions stuck in help with an agent whose app crashed (a search of its own). */
export async function findStuck(ctx: ServiceContext, query: StuckQuery, options: FindStuckOptions = {}): Promise<StuckSearchResult> {
  return findStuckSessions(await ctx.clients.diyalogFactory(), query, options);
}

/** One audited force-end whose outcome says what is true (the CLI's `force-end`). */
export async function forceEndOne(
  ctx: ServiceContext,
  request: { customerId: string; staffId: string; reason: string },
  options: ForceEndOptions = {},
): Promise<ForceEndRow> {
  const client = await ctx.clients.diyalog();
  return forceEndTruthfully(client, ctx.audit, { actor: actorOf(ctx), ...request }, options);
}

/** Audited force-ends of several sessions, bounded (the CLI's `recover`). */
export async function forceEndSeveral(
  ctx: ServiceContext,
  request: { reason: string; sessions: { customerId: string; staffId: string }[] },
  options: BulkForceEndOptions = {},
): Promise<{ results: BulkRow[] }> {
  const client = await ctx.clients.diyalog();
  return forceEndMany(client, ctx.audit, { actor: actorOf(ctx), ...request }, options);
}
