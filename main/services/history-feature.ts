import type { Feature, FeatureDeps } from './feature';
import { HistoryWalks } from './history-walks';

export type HistoryCalls = 'history.start' | 'history.cancel' | 'history.result';

/** History searches the UI starts: progress as `history.progress`, the end as `history.done`. */
export function createHistoryFeature({ ctx, emit }: FeatureDeps): Feature<HistoryCalls> {
  const walks = new HistoryWalks(emit);
  return {
    handlers: {
      'history.start': async ({ concurrency, ...query }) => ({ walkId: walks.start(await ctx.diyalogOptions(), query, concurrency) }),
      'history.cancel': async ({ walkId }) => {
        walks.cancel(walkId);
        return { ok: true };
      },
      'history.result': async ({ walkId }) => walks.result(walkId),
    },
    stop: () => walks.stop(),
  };
}
