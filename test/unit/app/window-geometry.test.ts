// Where the window opens and what of it is remembered, decided without Electron.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  boundsToRestore,
  createGeometrySaver,
  DEFAULT_SIZE,
  followGeometry,
  geometryOf,
  geometryToSave,
  MIN_SIZE,
  type GeometryWindow,
  type Rect,
  type SavedWindow,
} from '../../../main/app/window-geometry';

const display = (x: number, y: number, width: number, height: number) => ({ workArea: { x, y, width, height } });
const laptop = display(0, 0, 1920, 1040);
// A second monitor left of the primary one: negative positions are real.
const left = display(-2560, 0, 2560, 1400);
const small = display(0, 0, 640, 400);

describe('boundsToRestore', () => {
  it('never saved: the default size, centred (no position) on the primary display', () => {
    expect(boundsToRestore(undefined, [laptop], laptop)).toEqual({ ...DEFAULT_SIZE, maximized: false });
  });

  it('keeps a saved window that a display still shows', () => {
    const saved = { width: 1000, height: 700, x: 100, y: 50, maximized: false };
    expect(boundsToRestore(saved, [laptop, left], laptop)).toEqual(saved);
    const onTheLeft = { width: 1500, height: 900, x: -2000, y: 100, maximized: true };
    expect(boundsToRestore(onTheLeft, [laptop, left], laptop)).toEqual(onTheLeft);
  });

  it('a window saved on a monitor that is gone opens on the primary display', () => {
    const saved = { width: 1500, height: 900, x: -2000, y: 100, maximized: true };
    expect(boundsToRestore(saved, [laptop], laptop)).toEqual({ width: 1500, height: 900, maximized: true });
  });

  it('moves a window that hangs off the edge back inside the display that shows most of it', () => {
    expect(boundsToRestore({ width: 1200, height: 800, x: 1800, y: 900 }, [laptop], laptop)).toEqual({ width: 1200, height: 800, x: 720, y: 240, maximized: false });
    expect(boundsToRestore({ width: 1200, height: 800, x: -100, y: -50 }, [laptop], laptop)).toEqual({ width: 1200, height: 800, x: 0, y: 0, maximized: false });
    // Straddling two displays: the one showing more of it wins.
    const straddling = boundsToRestore({ width: 1000, height: 600, x: -300, y: 100 }, [laptop, left], laptop);
    expect(straddling).toEqual({ width: 1000, height: 600, x: 0, y: 100, maximized: false });
  });

  it('shrinks a window larger than its display, but not below the minimum unless the display is smaller still', () => {
    expect(boundsToRestore({ width: 5000, height: 3000, x: 0, y: 0 }, [laptop], laptop)).toEqual({ width: 1920, height: 1040, x: 0, y: 0, maximized: false });
    expect(boundsToRestore({ width: 100, height: 100 }, [laptop], laptop)).toEqual({ ...MIN_SIZE, maximized: false });
    expect(boundsToRestore({ width: 1200, height: 800 }, [small], small)).toEqual({ width: 640, height: 400, maximized: false });
  });

  it('a saved size without a position, or with half of one, opens centred', () => {
    expect(boundsToRestore({ width: 900, height: 600, x: 10 }, [laptop], laptop)).toEqual({ width: 900, height: 600, maximized: false });
  });

  it('no display reported at all: the primary one', () => {
    expect(boundsToRestore({ width: 900, height: 600, x: 10, y: 10 }, [], laptop)).toEqual({ width: 900, height: 600, maximized: false });
  });

  it('garbage in a hand-edited file falls back to the defaults', () => {
    const saved = { width: Number.NaN, height: Number.POSITIVE_INFINITY, x: Number.NaN, y: 0 } as unknown as SavedWindow;
    expect(boundsToRestore(saved, [laptop], laptop)).toEqual({ ...DEFAULT_SIZE, maximized: false });
  });
});

describe('geometryToSave', () => {
  const normalBounds = { x: -1280, y: 24, width: 1100.4, height: 760.6 };

  it('keeps the normal bounds in whole pixels and whether the window is maximized', () => {
    expect(geometryToSave({ normalBounds, maximized: true, minimized: false, fullScreen: false })).toEqual({ x: -1280, y: 24, width: 1100, height: 761, maximized: true });
  });

  it('saves nothing while minimized or full screen (the platform reports other bounds then)', () => {
    expect(geometryToSave({ normalBounds: { x: -32000, y: -32000, width: 160, height: 28 }, maximized: false, minimized: true, fullScreen: false })).toBeNull();
    expect(geometryToSave({ normalBounds, maximized: false, minimized: false, fullScreen: true })).toBeNull();
    expect(geometryToSave({ normalBounds: { ...normalBounds, x: Number.NaN }, maximized: false, minimized: false, fullScreen: false })).toBeNull();
  });

  it('stays within what the settings schema accepts', () => {
    expect(geometryToSave({ normalBounds: { x: -200_000, y: 200_000, width: 0, height: 300_000 }, maximized: false, minimized: false, fullScreen: false })).toEqual({
      x: -100_000,
      y: 100_000,
      width: 1,
      height: 100_000,
      maximized: false,
    });
  });
});

describe('createGeometrySaver', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const g = (x: number): SavedWindow => ({ width: 1000, height: 700, x, y: 0, maximized: false });

  it('writes once a burst of moves settles, and not the same geometry twice', async () => {
    let now: SavedWindow | null = g(1);
    const write = vi.fn(() => Promise.resolve());
    const saver = createGeometrySaver({ read: () => now, write, onError: vi.fn(), delayMs: 500 });
    saver.changed();
    await vi.advanceTimersByTimeAsync(300);
    now = g(2);
    saver.changed();
    await vi.advanceTimersByTimeAsync(499);
    expect(write).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(write).toHaveBeenCalledTimes(1);
    expect(write).toHaveBeenLastCalledWith(g(2));
    saver.changed();
    await vi.advanceTimersByTimeAsync(500);
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('does not write back what the settings already hold, nor anything while there is nothing to read', async () => {
    let now: SavedWindow | null = g(5);
    const write = vi.fn(() => Promise.resolve());
    const saver = createGeometrySaver({ saved: g(5), read: () => now, write, onError: vi.fn() });
    await saver.flush();
    now = null;
    await saver.flush();
    expect(write).not.toHaveBeenCalled();
  });

  it('flush writes at once, waits for every write, and one at a time', async () => {
    const order: string[] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    let now = g(1);
    const write = vi.fn(async (geometry: SavedWindow) => {
      order.push(`start ${geometry.x}`);
      if (geometry.x === 1) await first;
      order.push(`end ${geometry.x}`);
    });
    const saver = createGeometrySaver({ read: () => now, write, onError: vi.fn() });
    saver.changed();
    const one = saver.flush();
    now = g(2);
    const two = saver.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['start 1']);
    release();
    await Promise.all([one, two]);
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
    // The timer set before the flush was cleared: nothing more is written.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(write).toHaveBeenCalledTimes(2);
  });

  it('reports a failed write and keeps going', async () => {
    let now = g(1);
    const onError = vi.fn();
    const write = vi.fn().mockRejectedValueOnce(new Error('busy')).mockResolvedValue(undefined);
    const saver = createGeometrySaver({ read: () => now, write, onError });
    await saver.flush();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'busy' }));
    now = g(2);
    await saver.flush();
    expect(write).toHaveBeenCalledTimes(2);
  });

  it('after dispose nothing new is scheduled, and flush only waits for what was under way', async () => {
    const write = vi.fn(() => Promise.resolve());
    const saver = createGeometrySaver({ read: () => g(1), write, onError: vi.fn() });
    saver.changed();
    saver.dispose();
    saver.changed();
    await vi.advanceTimersByTimeAsync(1_000);
    await saver.flush();
    expect(write).not.toHaveBeenCalled();
  });
});

/** A BrowserWindow as far as the geometry reads it. */
class FakeWindow extends EventEmitter {
  destroyed = false;
  bounds: Rect = { x: 10, y: 20, width: 1000, height: 700 };
  maximized = false;
  minimized = false;
  fullScreen = false;
  isDestroyed = () => this.destroyed;
  getNormalBounds = () => this.bounds;
  isMaximized = () => this.maximized;
  isMinimized = () => this.minimized;
  isFullScreen = () => this.fullScreen;
}

describe('followGeometry', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves after a move or resize settles, on (un)maximize, and once more as the window closes', async () => {
    const window = new FakeWindow();
    const write = vi.fn(() => Promise.resolve());
    followGeometry(window as unknown as GeometryWindow, { write, onError: vi.fn(), delayMs: 100 });

    window.emit('move');
    window.emit('resize');
    await vi.advanceTimersByTimeAsync(100);
    expect(write).toHaveBeenCalledTimes(1);
    expect(write).toHaveBeenLastCalledWith({ x: 10, y: 20, width: 1000, height: 700, maximized: false });

    window.maximized = true;
    window.emit('maximize');
    await vi.advanceTimersByTimeAsync(100);
    expect(write).toHaveBeenLastCalledWith({ x: 10, y: 20, width: 1000, height: 700, maximized: true });

    // The last move, still waiting when the window closes, is written by the close itself.
    window.maximized = false;
    window.bounds = { x: 50, y: 60, width: 900, height: 600 };
    window.emit('unmaximize');
    window.emit('close');
    await vi.advanceTimersByTimeAsync(0);
    expect(write).toHaveBeenLastCalledWith({ x: 50, y: 60, width: 900, height: 600, maximized: false });
    window.destroyed = true;
    window.emit('closed');
    window.emit('move');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(write).toHaveBeenCalledTimes(3);
  });

  it('reads nothing from a destroyed window', () => {
    const window = new FakeWindow();
    expect(geometryOf(window)).toEqual({ x: 10, y: 20, width: 1000, height: 700, maximized: false });
    window.destroyed = true;
    expect(geometryOf(window)).toBeNull();
  });
});
