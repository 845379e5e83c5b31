// Where main keeps the window's geometry: the `window` field of the settings file in the data
// dir, written by main alone (the contract's settings.update is not the way: the renderer has
// no say in where its window sits). Through the settings store, so the write is atomic, under
// the data dir's lock, and merged with whatever another process changed meanwhile.
//
// Always the data dir the app was started with, in demo mode too (whose services use a
// subfolder of their own): the window is where the user left it, demo or not.

import { SettingsStore } from '../store/settings';
import type { SavedWindow } from './window-geometry';

export interface WindowGeometryStore {
  /** The saved geometry, if any. Never throws: a settings file that cannot be read means "none". */
  load(): Promise<SavedWindow | undefined>;
  save(geometry: SavedWindow): Promise<void>;
}

export function windowGeometryStore(dataDir: string): WindowGeometryStore {
  const store = new SettingsStore(dataDir);
  // The store writes only after a load. One that failed (say, the lock stayed busy) is tried
  // again by the next save, whose own failure the caller reports.
  let loading: Promise<SavedWindow | undefined> | undefined;
  const load = () => (loading ??= store.load().then((result) => result.settings.window));
  return {
    load: () => load().catch(() => {
      loading = undefined;
      return undefined;
    }),
    async save(geometry) {
      try {
        await load();
      } catch (e) {
        loading = undefined;
        throw e;
      }
      await store.update({ window: geometry });
    },
  };
}
