import type { HistoryQuery, HistoryResult } from '../../shared/diyalog';
import type { WalkOptions } from '../diyalog/history-walker';
import type { ServiceContext } from './context';
import type { Feature, FeatureDeps } from './feature';
import { walkHelpHistory } from './history';
import { HistoryWalks } from './history-walks';

export type HistoryCalls = 'history.start' | 'history.cancel' | 'history.result';

/** History searches the UI starts: progress as `history.progress`, the end as `history.done`. */
export function createHistoryFeature({ ctx, emit }: FeatureDeps): Feature<HistoryCalls> {
  const walks = new HistoryWalks(emit);
  return {
    handlers: {
      'history.start': async ({ concurrency, ...query }) => ({ walkId: walks.start(await ctx.clients.diyalogFactory(), query, ctx.config.historyConcurrency(concurrency)) }),
      'history.cancel': async ({ walkId }) => {
        walks.cancel(walkId);
        return { ok: true };
      },
      'history.result': async ({ walkId }) => walks.result(walkId),
    },
    stop: () => walks.stop(),
  };
}

/** Every help record in a date range, de-duplicated (the CLI's `history`; the window's runs as a walk above). */
export async function searchHistory(ctx: ServiceContext, query: HistoryQuery, options: WalkOptions = {}): Promise<HistoryResult> {
  return walkHelpHistory(await ctx.clients.diyalogFactory(), query, { ...options, concurrency: ctx.config.historyConcurrency(options.concurrency) });
}
