// Where the window opens and what of it is remembered. Plain functions (no Electron at run
// time), so the decisions are tested in Node; main.ts reads the displays and the window and
// carries them out. Main alone saves the geometry (window-geometry-store.ts): the renderer
// never sends it.

import type { BrowserWindow } from 'electron';
import type { Settings } from '../../shared/settings';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the check reads of an Electron Display: the part of the screen not under a taskbar or dock. */
export interface DisplayArea {
  workArea: Rect;
}

/** What the settings file keeps of the window. */
export type SavedWindow = NonNullable<Settings['window']>;

/** The bounds to open the window with. No position: Electron centres it on the primary display. */
export interface RestoredBounds {
  width: number;
  height: number;
  x?: number;
  y?: number;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1200, height: 800 } as const;
/** The window's minimum size; a display smaller than this gets the whole display instead. */
export const MIN_SIZE = { width: 720, height: 480 } as const;
/** The settings schema's bounds (shared/settings.ts): a value outside them would be refused. */
const SIZE_MAX = 100_000;
const POSITION_MAX = 100_000;

const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), high);
const usable = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * The bounds to open with: the saved size and position while some display still shows the
 * window, moved and shrunk to fit the work area of the display that shows most of it. A window
 * saved on a monitor that is gone, or never saved, opens centred on the primary display, no
 * larger than it. `maximized` is kept: the bounds are then what un-maximizing returns to.
 */
export function boundsToRestore(saved: SavedWindow | undefined, displays: readonly DisplayArea[], primary: DisplayArea): RestoredBounds {
  const maximized = saved?.maximized === true;
  const width = usable(saved?.width) ? saved.width : DEFAULT_SIZE.width;
  const height = usable(saved?.height) ? saved.height : DEFAULT_SIZE.height;
  const fit = (area: Rect) => ({
    width: Math.round(clamp(width, Math.min(MIN_SIZE.width, area.width), area.width)),
    height: Math.round(clamp(height, Math.min(MIN_SIZE.height, area.height), area.height)),
  });

  if (usable(saved?.x) && usable(saved?.y)) {
    const rect = { x: saved.x, y: saved.y, width, height };
    let best: { area: Rect; shown: number } | null = null;
    for (const { workArea } of displays) {
      const shown = overlap(rect, workArea);
      if (shown > 0 && (best === null || shown > best.shown)) best = { area: workArea, shown };
    }
    if (best !== null) {
      const area = best.area;
      const size = fit(area);
      return {
        ...size,
        x: Math.round(clamp(saved.x, area.x, area.x + area.width - size.width)),
        y: Math.round(clamp(saved.y, area.y, area.y + area.height - size.height)),
        maximized,
      };
    }
  }
  return { ...fit(primary.workArea), maximized };
}

/** What main reads of the window to save it (BrowserWindow's getters, called by main.ts). */
export interface WindowState {
  /** getNormalBounds(): the bounds to return to when not maximized. */
  normalBounds: Rect;
  maximized: boolean;
  minimized: boolean;
  fullScreen: boolean;
}

/**
 * What to save of the window, or null while it is minimized or full screen: then the bounds
 * the platform reports are not the ones to reopen with (Windows moves a minimized window to
 * -32000), and the last saved ones stay. Whole pixels within the settings schema's bounds.
 */
export function geometryToSave(state: WindowState): SavedWindow | null {
  if (state.minimized || state.fullScreen) return null;
  const { x, y, width, height } = state.normalBounds;
  if (![x, y, width, height].every(Number.isFinite)) return null;
  return {
    width: clamp(Math.round(width), 1, SIZE_MAX),
    height: clamp(Math.round(height), 1, SIZE_MAX),
    x: clamp(Math.round(x), -POSITION_MAX, POSITION_MAX),
    y: clamp(Math.round(y), -POSITION_MAX, POSITION_MAX),
    maximized: state.maximized,
  };
}

export interface GeometrySaverOptions {
  /** The geometry to save now, or null when there is nothing to save (the window is gone, minimized…). */
  read(): SavedWindow | null;
  write(geometry: SavedWindow): Promise<void>;
  /** A write that failed: reported, never thrown (the window keeps working). */
  onError(error: unknown): void;
  /** Moves and resizes come in bursts: one write after this long without another. */
  delayMs?: number;
  /** What the settings already hold: not written again. */
  saved?: SavedWindow | undefined;
}

export interface GeometrySaver {
  /** The window moved or was resized: save once it settles. */
  changed(): void;
  /** Saves now (the window is closing, the app is quitting) and resolves when every write has ended. */
  flush(): Promise<void>;
  /** The window is gone: no more saves are scheduled. */
  dispose(): void;
}

const same = (a: SavedWindow, b: SavedWindow | null) =>
  b !== null && a.width === b.width && a.height === b.height && a.x === b.x && a.y === b.y && a.maximized === b.maximized;

/** Saves the window's geometry after it settles, one write at a time, and never the same twice. */
export function createGeometrySaver(options: GeometrySaverOptions): GeometrySaver {
  const delayMs = options.delayMs ?? 500;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last: SavedWindow | null = options.saved ?? null;
  let writes: Promise<void> = Promise.resolve();
  let disposed = false;

  const save = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const geometry = options.read();
    if (geometry !== null && !same(geometry, last)) {
      last = geometry;
      writes = writes.then(() => options.write(geometry)).catch((e: unknown) => options.onError(e));
    }
    return writes;
  };

  return {
    changed() {
      if (disposed) return;
      clearTimeout(timer);
      timer = setTimeout(() => void save(), delayMs);
    },
    flush: () => (disposed ? writes : save()),
    dispose() {
      disposed = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** The window as the saver reads it: BrowserWindow's getters. */
export type GeometryWindow = Pick<BrowserWindow, 'isDestroyed' | 'getNormalBounds' | 'isMaximized' | 'isMinimized' | 'isFullScreen' | 'on'>;

/** What to save of a live window now (geometryToSave), or null once it is destroyed. */
export function geometryOf(window: Omit<GeometryWindow, 'on'>): SavedWindow | null {
  if (window.isDestroyed()) return null;
  return geometryToSave({ normalBounds: window.getNormalBounds(), maximized: window.isMaximized(), minimized: window.isMinimized(), fullScreen: window.isFullScreen() });
}

/**
 * Saves the window's geometry as it changes, and once more as it closes (the last move may
 * still be waiting); `flush` is for the quit, which waits for the write.
 */
export function followGeometry(window: GeometryWindow, options: Omit<GeometrySaverOptions, 'read'>): GeometrySaver {
  const saver = createGeometrySaver({ ...options, read: () => geometryOf(window) });
  window.on('resize', saver.changed);
  window.on('move', saver.changed);
  window.on('maximize', saver.changed);
  window.on('unmaximize', saver.changed);
  window.on('close', () => void saver.flush());
  window.on('closed', saver.dispose);
  return saver;
}
