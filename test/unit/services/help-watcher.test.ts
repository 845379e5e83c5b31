// HelpWatcher under fake timers: an injected check function stands in for the Diyalog call,
// and the clock and random source are injected, so every delay is exact and nothing sleeps.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WatchEntry } from '../../../shared/contract';
import type { HelpStateAnswer } from '../../../shared/diyalog';
import { AppError } from '../../../shared/errors';
import { FRESH_FOR_INTERVALS, HelpWatcher, type HelpWatcherOptions } from '../../../main/services/help-watcher';

const VISIBLE = 5_000;
const HIDDEN = 30_000;

interface Call {
  customerId: string;
  signal: AbortSignal;
  at: number;
  resolve(answer: HelpStateAnswer): void;
  reject(error: unknown): void;
}

const inHelp = (customerId: string, staffId = '45001'): HelpStateAnswer => ({ customerId, isInHelp: true, helpType: 'inbound', staffId });
const notInHelp = (customerId: string): HelpStateAnswer => ({ customerId, isInHelp: false, helpType: null, staffId: null });

/**
 * A watcher whose checks answer at once with `answer(customerId, n)` (n counts from 1 per
 * customer), or stay pending when it returns 'pending' until the test settles them.
 */
function setup(
  answer: (customerId: string, n: number) => HelpStateAnswer | Error | 'pending' = (id) => notInHelp(id),
  options: Partial<HelpWatcherOptions> = {},
) {
  const calls: Call[] = [];
  const changes: WatchEntry[] = [];
  const watcher = new HelpWatcher({
    check: (customerId, signal) =>
      new Promise<HelpStateAnswer>((resolve, reject) => {
        const n = calls.filter((c) => c.customerId === customerId).length + 1;
        calls.push({ customerId, signal, at: Date.now(), resolve, reject });
        const a = answer(customerId, n);
        if (a === 'pending') return;
        if (a instanceof Error) reject(a);
        else resolve(a);
      }),
    onChange: (entry) => changes.push(entry),
    clock: () => Date.now(),
    random: () => 0.5,
    ...options,
  });
  const callsOf = (customerId: string) => calls.filter((c) => c.customerId === customerId);
  const gaps = (customerId: string) =>
    callsOf(customerId)
      .map((c) => c.at)
      .slice(1)
      .map((at, i) => at - callsOf(customerId)[i]!.at);
  return { watcher, calls, changes, callsOf, gaps };
}

/** Returns 0.5 forever after the listed values: 0.5 gives the interval with no jitter. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++] ?? 0.5;
}

let watchers: HelpWatcher[] = [];
function track<T extends { watcher: HelpWatcher }>(h: T): T {
  watchers.push(h.watcher);
  return h;
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2025, 2, 3, 9, 0, 0) });
});
afterEach(() => {
  for (const w of watchers) w.stop();
  watchers = [];
  vi.useRealTimers();
});

describe('HelpWatcher scheduling', () => {
  it('checks a new customer at once, then every 5 s while visible', async () => {
    const { watcher, callsOf, gaps } = track(setup());
    watcher.add('70022');
    expect(callsOf('70022')).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(VISIBLE - 1);
    expect(callsOf('70022')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(callsOf('70022')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(3 * VISIBLE);
    expect(gaps('70022')).toEqual([VISIBLE, VISIBLE, VISIBLE, VISIBLE]);
  });

  it('spreads the interval by the random source within ±20%', async () => {
    const randoms = [0, 0.25, 0.75, 0.999_999];
    const { watcher, gaps } = track(setup(undefined, { random: sequence(...randoms) }));
    watcher.add('70022');
    await vi.advanceTimersByTimeAsync(4 * 1.2 * VISIBLE);
    expect(gaps('70022').slice(0, 4)).toEqual([4_000, 4_500, 5_500, 6_000]);
    for (const gap of gaps('70022')) {
      expect(gap).toBeGreaterThanOrEqual(0.8 * VISIBLE);
      expect(gap).toBeLessThanOrEqual(1.2 * VISIBLE);
    }
  });

  it('slows to 30 s while hidden, with the same jitter', async () => {
    const { watcher, callsOf, gaps } = track(setup(undefined, { random: sequence(0.5, 0, 0.999_999) }));
    watcher.add('70022');
    watcher.setVisible(false);
    await vi.advanceTimersByTimeAsync(HIDDEN - 1);
    expect(callsOf('70022')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(callsOf('70022')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2 * 1.2 * HIDDEN);
    expect(gaps('70022').slice(0, 3)).toEqual([HIDDEN, 0.8 * HIDDEN, 1.2 * HIDDEN]);
  });

  it('on becoming visible checks stale entries at once and leaves fresh ones to the 5 s beat', async () => {
    const { watcher, callsOf } = track(setup());
    watcher.setVisible(false);
    watcher.add('stale');
    await vi.advanceTimersByTimeAsync(27_000);
    watcher.add('fresh');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(callsOf('stale')).toHaveLength(1);
    expect(callsOf('fresh')).toHaveLength(1);

    watcher.setVisible(true);
    expect(callsOf('stale')).toHaveLength(2);
    expect(callsOf('fresh')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(VISIBLE);
    expect(callsOf('fresh')).toHaveLength(2);
    expect(callsOf('stale')).toHaveLength(3);
  });

  it('does nothing when told the visibility it already has', async () => {
    const { watcher, callsOf } = track(setup());
    watcher.add('70022');
    await vi.advanceTimersByTimeAsync(4_000);
    watcher.setVisible(true);
    await vi.advanceTimersByTimeAsync(999);
    expect(callsOf('70022')).toHaveLength(1);
  });
});

describe('HelpWatcher single flight', () => {
  it('never doubles a slow check: timers wait for it and refresh joins it', async () => {
    const { watcher, calls, changes } = track(setup(() => 'pending'));
    watcher.add('70022');
    await vi.advanceTimersByTimeAsync(10 * HIDDEN);
    const joined = [watcher.refresh('70022'), watcher.refresh('70022')];
    watcher.setVisible(false);
    watcher.setVisible(true);
    expect(calls).toHaveLength(1);

    calls[0]!.resolve(inHelp('70022'));
    const entries = await Promise.all(joined);
    expect(entries[0]).toEqual(entries[1]);
    expect(entries[0]).toMatchObject({ state: inHelp('70022'), error: null });
    expect(changes).toHaveLength(1);
    // The next beat is counted from the end of the slow check.
    await vi.advanceTimersByTimeAsync(VISIBLE - 1);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
  });

  it('refresh after a check starts a new one and restarts the beat from there', async () => {
    const { watcher, callsOf } = track(setup());
    watcher.add('70022');
    await vi.advanceTimersByTimeAsync(3_000);
    const entry = await watcher.refresh('70022');
    expect(entry.checkedAt).toBe(Date.now());
    expect(callsOf('70022')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(VISIBLE - 1);
    expect(callsOf('70022')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(callsOf('70022')).toHaveLength(3);
  });

  it('watches each customer on its own and adds a customer only once', async () => {
    const { watcher, callsOf } = track(setup((id) => (id === 'slow' ? 'pending' : notInHelp(id))));
    watcher.add('slow');
    watcher.add('quick');
    watcher.add('quick');
    await vi.advanceTimersByTimeAsync(2 * VISIBLE);
    expect(callsOf('slow')).toHaveLength(1);
    expect(callsOf('quick')).toHaveLength(3);
    expect(watcher.list().map((e) => e.customerId)).toEqual(['slow', 'quick']);
  });

  it('refuses to refresh a customer it does not watch', async () => {
    const { watcher } = track(setup());
    await expect(watcher.refresh('70022')).rejects.toThrow(/not watched/);
  });
});

describe('HelpWatcher errors', () => {
  it('backs off with growing delays up to the cap, then returns to the beat after a success', async () => {
    const failing = new AppError('unavailable', 'Diyalog did not answer.');
    const { watcher, gaps } = track(setup((id, n) => (n >= 2 && n <= 8 ? failing : notInHelp(id)), { random: () => 1, maxBackoffMs: 60_000 }));
    watcher.add('70022');
    await vi.advanceTimersByTimeAsync(400_000);
    // One success (6 s with this random), seven failures backing off 10, 20, 40, 60 (cap)... then the beat again.
    expect(gaps('70022').slice(0, 9)).toEqual([6_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000, 60_000, 6_000]);
  });

  it('keeps the last known state beside the error, stale at once, and reports every check with its freshness', async () => {
    const answers: (HelpStateAnswer | Error)[] = [
      inHelp('70022'),
      new AppError('unavailable', 'Diyalog did not answer.'),
      new AppError('unavailable', 'Diyalog did not answer.'),
      new AppError('clock_skew', 'The clock is off.'),
      inHelp('70022'),
    ];
    const { watcher, changes } = track(setup((_, n) => answers[n - 1] ?? inHelp('70022'), { random: () => 0 }));
    const start = Date.now();
    watcher.add('70022');
    await vi.advanceTimersByTimeAsync(120_000);

    expect(changes.slice(0, 5).map((e) => [e.state?.isInHelp ?? null, e.error?.code ?? null, e.freshUntil === null ? 'stale' : 'fresh'])).toEqual([
      [true, null, 'fresh'],
      [true, 'unavailable', 'stale'],
      [true, 'unavailable', 'stale'],
      [true, 'clock_skew', 'stale'],
      [true, null, 'fresh'],
    ]);
    // The failed checks keep the last success as confirmedAt; a success moves it and its deadline.
    expect(changes[1]).toMatchObject({ state: inHelp('70022'), error: { code: 'unavailable', message: 'Diyalog did not answer.' }, confirmedAt: start, freshUntil: null });
    expect(changes[0]).toMatchObject({ confirmedAt: start, freshUntil: start + FRESH_FOR_INTERVALS * VISIBLE });
    expect(changes[4]!.confirmedAt).toBe(changes[4]!.checkedAt);
    expect(watcher.list()).toMatchObject([{ state: inHelp('70022'), error: null }]);
  });

  it('shows an error with no state when the very first check fails, and a plain Error as internal', async () => {
    const { watcher, changes } = track(setup(() => new Error('socket hang up')));
    watcher.add('70022');
    await vi.advanceTimersByTimeAsync(0);
    expect(changes).toEqual([{ customerId: '70022', state: null, error: { code: 'internal', message: 'socket hang up' }, checkedAt: Date.now(), confirmedAt: null, freshUntil: null }]);
  });
});

describe('HelpWatcher changes', () => {
  it('reports every answer, the same state too, each with a deadline a poll interval cannot outrun', async () => {
    const answers = [notInHelp('70022'), notInHelp('70022'), inHelp('70022', '45001'), inHelp('70022', '45001'), inHelp('70022', '45187')];
    const { watcher, calls, changes } = track(setup((_, n) => answers[n - 1] ?? inHelp('70022', '45187')));
    watcher.add('70022');
    await vi.advanceTimersByTimeAsync(4 * VISIBLE);
    expect(calls).toHaveLength(5);
    expect(changes.map((e) => e.state?.staffId ?? 'none')).toEqual(['none', 'none', '45001', '45001', '45187']);
    for (const e of changes) expect(e).toMatchObject({ error: null, confirmedAt: e.checkedAt, freshUntil: e.checkedAt! + FRESH_FOR_INTERVALS * VISIBLE });
  });

  it('gives a hidden window’s answers the hidden interval’s deadline', async () => {
    const { watcher, changes } = track(setup());
    watcher.setVisible(false);
    watcher.add('70022');
    await vi.advanceTimersByTimeAsync(0);
    expect(changes[0]!.freshUntil).toBe(changes[0]!.checkedAt! + FRESH_FOR_INTERVALS * HIDDEN);
  });

  it('lists a customer as unchecked until the first answer arrives', async () => {
    const { watcher, calls } = track(setup(() => 'pending'));
    watcher.add('70022');
    expect(watcher.list()).toEqual([{ customerId: '70022', state: null, error: null, checkedAt: null, confirmedAt: null, freshUntil: null }]);
    calls[0]!.resolve(notInHelp('70022'));
    await vi.advanceTimersByTimeAsync(0);
    expect(watcher.list()[0]).toMatchObject({ state: notInHelp('70022'), checkedAt: Date.now() });
  });
});

describe('HelpWatcher remove and stop', () => {
  it('remove aborts the check in flight, cancels the timer and reports nothing more', async () => {
    const { watcher, calls, changes } = track(setup((id, n) => (n === 2 ? 'pending' : notInHelp(id))));
    watcher.add('70022');
    await vi.advanceTimersByTimeAsync(VISIBLE);
    expect(calls).toHaveLength(2);
    const { signal } = calls[1]!;
    watcher.remove('70022');
    expect(signal.aborted).toBe(true);
    calls[1]!.reject(new DOMException('The operation was aborted.', 'AbortError'));
    await vi.advanceTimersByTimeAsync(10 * HIDDEN);
    expect(calls).toHaveLength(2);
    expect(changes).toHaveLength(1);
    expect(watcher.list()).toEqual([]);
  });

  it('ignores an answer that arrives after remove, even one that ignored the abort', async () => {
    const { watcher, calls, changes } = track(setup(() => 'pending'));
    watcher.add('70022');
    watcher.remove('70022');
    calls[0]!.resolve(inHelp('70022'));
    await vi.advanceTimersByTimeAsync(10 * VISIBLE);
    expect(changes).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('a customer removed and added again while a check is in flight is watched once, by the new entry', async () => {
    const { watcher, calls, changes, gaps } = track(setup((id, n) => (n === 1 ? 'pending' : notInHelp(id))));
    watcher.add('70022');
    watcher.remove('70022');
    watcher.add('70022');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.signal.aborted).toBe(true);
    // The first request's answer arrived anyway: it is stale and must neither be reported nor start a second beat.
    calls[0]!.resolve(inHelp('70022'));
    await vi.advanceTimersByTimeAsync(3 * VISIBLE);
    // Only the new entry's checks (the first and three beats), never the stale in-help answer.
    expect(changes.map((e) => e.state?.isInHelp)).toEqual([false, false, false, false]);
    expect(watcher.list()).toMatchObject([{ customerId: '70022', state: notInHelp('70022') }]);
    expect(gaps('70022')).toEqual([0, VISIBLE, VISIBLE, VISIBLE]);
  });

  it('stop aborts every check, cancels every timer and refuses new customers', async () => {
    const { watcher, calls, changes } = track(setup((id) => (id === 'slow' ? 'pending' : notInHelp(id))));
    watcher.add('slow');
    watcher.add('quick');
    await vi.advanceTimersByTimeAsync(0);
    watcher.stop();
    expect(calls.find((c) => c.customerId === 'slow')!.signal.aborted).toBe(true);
    watcher.add('late');
    watcher.setVisible(false);
    watcher.setVisible(true);
    await vi.advanceTimersByTimeAsync(10 * HIDDEN);
    expect(calls.map((c) => c.customerId)).toEqual(['slow', 'quick']);
    expect(changes.map((e) => e.customerId)).toEqual(['quick']);
    expect(watcher.list()).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
