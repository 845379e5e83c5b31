import type { Feature, FeatureDeps } from './feature';
import { forceEndAudited, reconcileAudit } from './recovery';
import { RecoveryJobs } from './recovery-jobs';
import type { ServiceContext } from './context';

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
  const jobs = new RecoveryJobs({
    searchProgress: (searchId, progress) => emit('recovery.progress', { searchId, progress }),
    searchDone: (searchId, state) =>
      emit('recovery.done', { searchId, result: state.status === 'done' ? state.result : null, error: state.status === 'failed' ? state.error : null }),
    endRow: (jobId, row, done, total) => {
      emit('recovery.outcome', { jobId, row, done, total });
      refreshWatched(row.customerId);
    },
    endDone: (jobId, state) =>
      emit('recovery.ended', { jobId, results: state.status === 'done' ? state.result.results : null, error: state.status === 'failed' ? state.error : null }),
  });
  // One search at a time, as with history: a new one cancels the one still running.
  let runningSearch: string | null = null;
  return {
    handlers: {
      'recovery.forceEnd': async ({ customerId, staffId, reason }) => {
        const client = await ctx.diyalog();
        const actor = ctx.config.get().staffId ?? 'unknown';
        // Checked again just before sending: a session that ended meanwhile is said so, and nothing is sent.
        const result = await forceEndAudited(client, ctx.audit, { actor, customerId, staffId, reason }, { precheck: true });
        refreshWatched(customerId);
        return result;
      },
      'recovery.find': async (query) => {
        const clientOptions = await ctx.diyalogOptions();
        if (runningSearch !== null && jobs.search(runningSearch).status === 'running') jobs.cancelSearch(runningSearch);
        runningSearch = jobs.startSearch(clientOptions, query);
        return { searchId: runningSearch };
      },
      'recovery.cancel': async ({ searchId }) => {
        jobs.cancelSearch(searchId);
        return { ok: true };
      },
      'recovery.result': async ({ searchId }) => jobs.search(searchId),
      'recovery.endMany': async ({ sessions, reason, concurrency }) => {
        const client = await ctx.diyalog();
        const actor = ctx.config.get().staffId ?? 'unknown';
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
      await reconciled;
    },
  };
}

/**
 * Settles force-ends a crash left unknown (an intent without outcome), once, as the app
 * starts. Best effort: with Diyalog not configured or not reachable they wait for the next
 * start or `companion audit reconcile`; nothing is asked when nothing is unknown.
 */
async function reconcileAtStart(ctx: ServiceContext, signal: AbortSignal): Promise<void> {
  try {
    if ((await ctx.audit.unsettled()).length === 0) return;
    await reconcileAudit(await ctx.diyalog(), ctx.audit, { signal });
  } catch {
    // Left unknown, and shown so in the audit.
  }
}
