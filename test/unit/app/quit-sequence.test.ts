// Quitting stops the companion once (ICWS logout, pollers, queued settings writes) and waits
// for it, but never long: a server that does not answer cannot keep the app open.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQuitSequence } from '../../../main/app/quit-sequence';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const quitEvent = () => ({ preventDefault: vi.fn() });

describe('createQuitSequence', () => {
  it('holds the first quit, stops the companion once, then quits for real', async () => {
    let finish!: () => void;
    const stop = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const quit = vi.fn();
    const sequence = createQuitSequence({ stop, quit });

    const first = quitEvent();
    sequence.beforeQuit(first);
    expect(first.preventDefault).toHaveBeenCalled();
    // Quit pressed again while stopping: still held, and no second stop.
    const again = quitEvent();
    sequence.beforeQuit(again);
    expect(again.preventDefault).toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(0);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(quit).not.toHaveBeenCalled();

    finish();
    await sequence.stopped;
    expect(quit).toHaveBeenCalledTimes(1);
    // The quit that follows goes through.
    const last = quitEvent();
    sequence.beforeQuit(last);
    expect(last.preventDefault).not.toHaveBeenCalled();
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('closing the last window quits (which then stops the companion)', () => {
    const quit = vi.fn();
    createQuitSequence({ stop: () => Promise.resolve(), quit }).windowAllClosed();
    expect(quit).toHaveBeenCalledTimes(1);
  });

  it('a stop that hangs is given up after the limit', async () => {
    const quit = vi.fn();
    const sequence = createQuitSequence({ stop: () => new Promise<void>(() => undefined), quit, limitMs: 3_000 });
    sequence.beforeQuit(quitEvent());
    await vi.advanceTimersByTimeAsync(2_999);
    expect(quit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(quit).toHaveBeenCalledTimes(1);
  });

  it('a stop that fails, even at once, is reported and the app still quits', async () => {
    for (const stop of [() => Promise.reject(new Error('logout failed')), () => { throw new Error('logout failed'); }]) {
      const quit = vi.fn();
      const onError = vi.fn();
      const sequence = createQuitSequence({ stop, quit, onError });
      sequence.beforeQuit(quitEvent());
      await sequence.stopped;
      expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'logout failed' }));
      expect(quit).toHaveBeenCalledTimes(1);
    }
  });

  it('leaves no timer behind once the stop has ended', async () => {
    const sequence = createQuitSequence({ stop: () => Promise.resolve(), quit: vi.fn() });
    sequence.beforeQuit(quitEvent());
    await sequence.stopped;
    expect(vi.getTimerCount()).toBe(0);
  });
});
