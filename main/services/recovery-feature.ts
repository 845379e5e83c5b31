import type { Feature, FeatureDeps } from './feature';
import { forceEndAudited } from './recovery';

export type RecoveryCalls = 'recovery.forceEnd' | 'audit.entries';

export interface RecoveryDeps extends FeatureDeps {
  /** A force-ended customer on the watch list is checked again at once. */
  refreshWatched: (customerId: string) => void;
}

/** The supervisor's recovery of crashed sessions: audited force-ends and the audit trail. */
export function createRecoveryFeature({ ctx, refreshWatched }: RecoveryDeps): Feature<RecoveryCalls> {
  return {
    handlers: {
      'recovery.forceEnd': async ({ customerId, staffId, reason }) => {
        const client = await ctx.diyalog();
        const actor = ctx.config.get().staffId ?? 'unknown';
        const result = await forceEndAudited(client, ctx.audit, { actor, customerId, staffId, reason });
        refreshWatched(customerId);
        return result;
      },
      'audit.entries': () => ctx.audit.entries(),
    },
  };
}
