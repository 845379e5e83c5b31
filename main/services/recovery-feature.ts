import type { Feature, FeatureDeps } from './feature';
import { forceEndAudited, reconcileAudit } from './recovery';
import type { ServiceContext } from './context';

export type RecoveryCalls = 'recovery.forceEnd' | 'audit.entries';

export interface RecoveryDeps extends FeatureDeps {
  /** A force-ended customer on the watch list is checked again at once. */
  refreshWatched: (customerId: string) => void;
}

/** The supervisor's recovery of crashed sessions: audited force-ends and the audit trail. */
export function createRecoveryFeature({ ctx, refreshWatched }: RecoveryDeps): Feature<RecoveryCalls> & { reconciled: Promise<void> } {
  const startup = new AbortController();
  const reconciled = reconcileAtStart(ctx, startup.signal);
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
      'audit.entries': () => ctx.audit.entries(),
    },
    /** Settles when the reconcile at start is over (done, skipped or given up). */
    reconciled,
    stop: async () => {
      startup.abort();
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
