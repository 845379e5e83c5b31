import type { WatchEntry } from '../../shared/contract';
import type { HelpStateAnswer } from '../../shared/diyalog';
import type { ServiceContext } from './context';
import { Disposables } from '../../shared/disposables';
import { AppError } from '../../shared/errors';
import type { Feature, FeatureDeps } from './feature';
import { HelpWatcher } from './help-watcher';
import { findSessionFacts } from './stuck-sessions';

export type WatchCalls = 'watch.list' | 'watch.add' | 'watch.remove' | 'watch.refresh' | 'watch.sessionFacts' | 'ui.visibility';

export interface WatchFeature extends Feature<WatchCalls> {
  watcher: HelpWatcher;
}

/** The help watch: the customers on the watch list, polled, with changes pushed as `watch.changed`. */
export function createWatchFeature({ ctx, emit }: FeatureDeps): WatchFeature {
  const { config } = ctx;
  const watcher = new HelpWatcher({
    check: (customerId, signal) => helpStateOf(ctx, customerId, signal),
    onChange: (entry) => emit('watch.changed', entry),
  });
  for (const id of config.get().watchList) watcher.add(id);

  // The watch list is a setting: whoever changes it (this feature, Settings, another
  // process' write picked up at load), the watcher follows.
  const teardown = new Disposables();
  teardown.add(config.onChange((before, after) => {
    if (JSON.stringify(before.watchList) === JSON.stringify(after.watchList)) return;
    const watched = new Set(after.watchList);
    for (const id of before.watchList) if (!watched.has(id)) watcher.remove(id);
    for (const id of after.watchList) watcher.add(id);
    // Every window shows the list as it is now, whoever changed it (another window, a command).
    emit('watch.listed', watchList());
  }));

  function watchList(): WatchEntry[] {
    const entries = new Map(watcher.list().map((e) => [e.customerId, e]));
    return config.get().watchList.flatMap((id) => entries.get(id) ?? []);
  }

  return {
    watcher,
    handlers: {
      'watch.list': async () => watchList(),
      'watch.add': async ({ customerId }) => {
        await config.update((current) => ({
          watchList: current.watchList.includes(customerId) ? current.watchList : [...current.watchList, customerId],
        }));
        return watchList();
      },
      'watch.remove': async ({ customerId }) => {
        await config.update((current) => ({ watchList: current.watchList.filter((id) => id !== customerId) }));
        return watchList();
      },
      'watch.refresh': async ({ customerId }) => {
        if (!config.get().watchList.includes(customerId)) throw new AppError('not_found', `Customer ${customerId} is not on the watch list.`);
        return watcher.refresh(customerId);
      },
      // What the person confirming a force-end is shown; whether it may be sent is checked again by recovery.forceEnd.
      'watch.sessionFacts': async ({ customerId, staffId }) => findSessionFacts(await ctx.clients.diyalog(), { customerId, staffId }),
      'ui.visibility': async ({ visible }) => {
        watcher.setVisible(visible);
        return { ok: true };
      },
    },
    stop: () => {
      teardown.dispose();
      watcher.stop();
    },
  };
}

/** Is the customer in a live-help session now, and with whom (iscustomerinonlinehelp)? */
export async function helpStateOf(ctx: ServiceContext, customerId: string, signal?: AbortSignal): Promise<HelpStateAnswer> {
  return (await ctx.clients.diyalog()).isCustomerInOnlineHelp(customerId, signal ? { signal } : {});
}
