import { describe, expect, it } from 'vitest';
import { walkHistory, type FetchHistoryPage, type WalkResult } from '../../../main/diyalog/history-walker';
import type { HelpRecord, HistoryProgress, HistoryQuery } from '../../../shared/diyalog';
import { AppError } from '../../../shared/errors';
import { createRng } from '../../../main/sim/diyalog/data';

// The walker is a pure algorithm over a page function, so the server here is an in-memory
// list with getonlinehelplist's semantics: at most 20 per call, newest first by
// helpRequestedAt, both bounds inclusive unless a variant says otherwise.

const PAGE = 20;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 3);

interface ServerOptions {
  startInclusive?: boolean;
  endInclusive?: boolean;
  /** Order among records sharing a timestamp. */
  ties?: 'id-desc' | 'id-asc';
  /** Seeds how many event-loop turns each answer takes, so workers interleave differently. */
  seed?: number;
  /** Records per answer: 20 (default) or 25 (servers before 2021-03-12). */
  pageSize?: number;
}

interface MemoryServer {
  fetchPage: FetchHistoryPage;
  calls: HistoryQuery[];
}

function memoryServer(records: HelpRecord[], options: ServerOptions = {}): MemoryServer {
  const { startInclusive = true, endInclusive = true, ties = 'id-desc' } = options;
  const sorted = [...records].sort(
    (a, b) => b.helpRequestedAt - a.helpRequestedAt || (ties === 'id-desc' ? b.onlineHelpId - a.onlineHelpId : a.onlineHelpId - b.onlineHelpId),
  );
  const rng = createRng(options.seed ?? 1);
  const calls: HistoryQuery[] = [];
  const fetchPage: FetchHistoryPage = async (query) => {
    calls.push(query);
    for (let turns = Math.floor(rng() * 4); turns > 0; turns--) await new Promise((resolve) => setImmediate(resolve));
    return sorted
      .filter((r) => {
        const ts = r.helpRequestedAt;
        return (startInclusive ? ts >= query.startDate : ts > query.startDate) && (endInclusive ? ts <= query.endDate : ts < query.endDate);
      })
      .filter((r) => (query.customerId === undefined || r.customerNo === query.customerId) && (query.agentId === undefined || r.agentId === query.agentId))
      .slice(0, options.pageSize ?? PAGE)
      .map((r) => ({ ...r }));
  };
  return { fetchPage, calls };
}

function records(times: number[], firstId = 1000): HelpRecord[] {
  return times.map((t, i) => ({
    onlineHelpId: firstId + i,
    customerNo: String(2_000_000 + (i % 7)),
    customerName: `Customer ${i % 7}`,
    agentId: String(45_000 + (i % 3)),
    helpState: 'onlinehelp_ended_by_agent',
    helpRequestedAt: t,
  }));
}

/** Keeps each page call's promise, so a test can wait for every call the workers made to settle. */
function track<T>(inFlight: Promise<unknown>[], call: Promise<T>): Promise<T> {
  inFlight.push(call.catch(() => undefined));
  return call;
}

/**
 * Resolves once every tracked call has settled and the continuations they released have run
 * without starting another: the only thing that could make a stopped worker call again is one
 * of its calls answering, so "no call after this" is then a fact, not a guess after a sleep.
 */
async function quiet(inFlight: Promise<unknown>[]): Promise<void> {
  for (let seen = -1; seen !== inFlight.length; ) {
    seen = inFlight.length;
    await Promise.all(inFlight);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** What a correct walk returns when no timestamp holds more than a page. */
function bruteForce(all: HelpRecord[], query: HistoryQuery): number[] {
  return all
    .filter((r) => r.helpRequestedAt >= query.startDate && r.helpRequestedAt <= query.endDate)
    .sort((a, b) => b.helpRequestedAt - a.helpRequestedAt || b.onlineHelpId - a.onlineHelpId)
    .map((r) => r.onlineHelpId);
}

const ids = (result: WalkResult) => result.items.map((r) => r.onlineHelpId);

/** Random history: a quiet base, busy hours, and groups of 2–5 records sharing a millisecond. */
function randomHistory(seed: number, size: number, days: number): number[] {
  const rng = createRng(seed);
  const times: number[] = [];
  const bursts = Array.from({ length: 3 }, () => T0 + Math.floor(rng() * days * DAY));
  while (times.length < size) {
    const roll = rng();
    let t: number;
    if (roll < 0.3) t = T0 + Math.floor(rng() * days * DAY);
    else if (roll < 0.9) t = (bursts[Math.floor(rng() * bursts.length)] ?? T0) + Math.floor(rng() * 3_600_000);
    else t = T0 + Math.floor(days * DAY * rng() ** 4);
    const group = rng() < 0.1 ? 2 + Math.floor(rng() * 4) : 1;
    for (let i = 0; i < group; i++) times.push(t);
  }
  return times.slice(0, size);
}

const SERVER_VARIANTS: Array<[string, ServerOptions]> = [
  ['inclusive', {}],
  ['exclusive endDate', { endInclusive: false }],
  ['exclusive both bounds', { startInclusive: false, endInclusive: false }],
  ['inclusive, ties oldest id first', { ties: 'id-asc' }],
];

describe('walkHistory: paging', () => {
  it('returns nothing for a range without records, with one call per slice at most', async () => {
    const all = records([T0 - 5, T0 + DAY + 5]);
    const query = { startDate: T0, endDate: T0 + DAY };
    for (const concurrency of [1, 4]) {
      const server = memoryServer(all);
      const result = await walkHistory(server.fetchPage, query, { concurrency });
      expect(result).toEqual({ items: [], pages: concurrency, warnings: [] });
    }
  });

  it('fetches fewer than a page in one call', async () => {
    const all = records([T0 + 1, T0 + 50, T0 + 50, T0 + 900, T0 + 4000]);
    const query = { startDate: T0, endDate: T0 + 4000 };
    const server = memoryServer(all);
    const result = await walkHistory(server.fetchPage, query, { concurrency: 1 });
    expect(ids(result)).toEqual(bruteForce(all, query));
    expect(result.pages).toBe(1);
  });

  it('pages back from the oldest record of each page, as the vendor document says', async () => {
    const all = records(Array.from({ length: 95 }, (_, i) => T0 + i * 1000));
    const query = { startDate: T0, endDate: T0 + DAY };
    const server = memoryServer(all);
    const result = await walkHistory(server.fetchPage, query, { concurrency: 1 });
    expect(ids(result)).toEqual(bruteForce(all, query));
    const oldestOfFirstPage = T0 + (95 - PAGE) * 1000;
    expect(server.calls[1]?.endDate).toBe(oldestOfFirstPage);
    // 95 records, 19 new per page after the first (the oldest record comes back once more).
    expect(result.pages).toBe(5);
  });

  it('forwards the customer and agent filters on every call', async () => {
    const all = records(Array.from({ length: 900 }, (_, i) => T0 + i * 90_000));
    const query = { startDate: T0, endDate: T0 + DAY, customerId: '2000003', agentId: '45000' };
    const server = memoryServer(all);
    const result = await walkHistory(server.fetchPage, query, { concurrency: 4 });
    expect(server.calls.every((c) => c.customerId === '2000003' && c.agentId === '45000')).toBe(true);
    const expected = all.filter((r) => r.customerNo === '2000003' && r.agentId === '45000');
    expect(ids(result)).toEqual(bruteForce(expected, query));
    expect(ids(result).length).toBeGreaterThan(PAGE);
  });

  it('finds records sharing a timestamp across a page boundary, groups of 2 to 5', async () => {
    for (const size of [2, 3, 4, 5]) {
      for (let before = PAGE - size; before <= PAGE; before++) {
        // `before` newer records, then a group straddling the end of the first page, then older ones.
        const times = [
          ...Array.from({ length: before }, (_, i) => T0 + 10_000 - i),
          ...Array.from({ length: size }, () => T0 + 5000),
          ...Array.from({ length: 30 }, (_, i) => T0 + 4000 - i * 10),
        ];
        const all = records(times);
        const query = { startDate: T0, endDate: T0 + 10_000 };
        for (const [, variant] of SERVER_VARIANTS) {
          const result = await walkHistory(memoryServer(all, variant).fetchPage, query, { concurrency: 1 });
          expect(ids(result)).toEqual(bruteForce(all, query));
          expect(result.warnings).toEqual([]);
        }
      }
    }
  });

  it('finds records exactly at both ends of the range whatever the server does with its bounds', async () => {
    const query = { startDate: T0, endDate: T0 + 60_000 };
    const all = records([T0 - 1, T0, T0, T0 + 1, T0 + 30_000, T0 + 59_999, T0 + 60_000, T0 + 60_000, T0 + 60_001]);
    for (const [name, variant] of SERVER_VARIANTS) {
      for (const concurrency of [1, 4]) {
        const result = await walkHistory(memoryServer(all, variant).fetchPage, query, { concurrency });
        expect(ids(result), `${name}, concurrency ${concurrency}`).toEqual(bruteForce(all, query));
      }
    }
  });
});

describe('walkHistory: more records at one timestamp than a page holds', () => {
  const GROUP_AT = T0 + 7 * 3_600_000;

  function withGroup(size: number, at: number): HelpRecord[] {
    const times = [
      ...Array.from({ length: 45 }, (_, i) => T0 + 8 * 3_600_000 - i * 60_000),
      ...Array.from({ length: size }, () => at),
      ...Array.from({ length: 45 }, (_, i) => T0 + 6 * 3_600_000 - i * 60_000),
    ];
    return records(times);
  }

  it('warns about a 25-record group, steps past it and still finds every other record', async () => {
    const all = withGroup(25, GROUP_AT);
    const query = { startDate: T0, endDate: T0 + DAY };
    const others = bruteForce(all.filter((r) => r.helpRequestedAt !== GROUP_AT), query);
    let reference: WalkResult | undefined;
    for (const [name, variant] of SERVER_VARIANTS) {
      for (const concurrency of [1, 4, 8]) {
        const result = await walkHistory(memoryServer(all, variant).fetchPage, query, { concurrency });
        const label = `${name}, concurrency ${concurrency}`;
        expect(result.warnings, label).toHaveLength(1);
        expect(result.warnings[0]?.code).toBe('timestamp_overflow');
        expect(result.warnings[0]?.timestamp).toBe(GROUP_AT);
        expect(result.warnings[0]?.message).toContain(new Date(GROUP_AT).toISOString());
        expect(ids(result).filter((id) => others.includes(id)), label).toEqual(others);
        expect(result.items.filter((r) => r.helpRequestedAt === GROUP_AT), label).toHaveLength(PAGE);
        if (variant === SERVER_VARIANTS[0]?.[1]) {
          if (reference) expect(ids(result), label).toEqual(ids(reference));
          reference = result;
        }
      }
    }
  });

  it('steps past a full group at the very top and the very bottom of the range', async () => {
    const query = { startDate: T0, endDate: T0 + 3_600_000 };
    const all = records([
      ...Array.from({ length: 22 }, () => query.endDate),
      ...Array.from({ length: 30 }, (_, i) => T0 + 1_000_000 + i),
      ...Array.from({ length: 21 }, () => query.startDate),
    ]);
    for (const [name, variant] of SERVER_VARIANTS) {
      for (const concurrency of [1, 4]) {
        const result = await walkHistory(memoryServer(all, variant).fetchPage, query, { concurrency });
        expect(result.warnings.map((w) => w.timestamp), name).toEqual([query.endDate, query.startDate]);
        expect(result.items.filter((r) => r.helpRequestedAt > query.startDate && r.helpRequestedAt < query.endDate)).toHaveLength(30);
        expect(result.items).toHaveLength(30 + 2 * PAGE);
      }
    }
  });

  it('does not warn about a group of exactly one page less one', async () => {
    const all = withGroup(PAGE - 1, GROUP_AT);
    const query = { startDate: T0, endDate: T0 + DAY };
    const result = await walkHistory(memoryServer(all).fetchPage, query, { concurrency: 1 });
    expect(result.warnings).toEqual([]);
    expect(ids(result)).toEqual(bruteForce(all, query));
  });
});

describe('walkHistory: partitioned and concurrent', () => {
  it('returns exactly the brute-force answer at concurrency 1, 4 and 8 over seeded random histories', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const rng = createRng(seed * 7919);
      const all = records(randomHistory(seed, 300 + Math.floor(rng() * 500), 30));
      const startDate = T0 + Math.floor(rng() * 3 * DAY);
      const query = { startDate, endDate: startDate + Math.floor((20 + rng() * 10) * DAY) };
      const expected = bruteForce(all, query);
      expect(expected.length).toBeGreaterThan(5 * PAGE);
      for (const [name, variant] of SERVER_VARIANTS) {
        for (const concurrency of [1, 4, 8]) {
          const result = await walkHistory(memoryServer(all, { ...variant, seed }).fetchPage, query, { concurrency });
          expect(ids(result), `seed ${seed}, ${name}, concurrency ${concurrency}`).toEqual(expected);
          expect(result.warnings).toEqual([]);
        }
      }
    }
  });

  it('keeps every worker busy on skewed history: all records from few extra calls', async () => {
    // Almost everything in one busy hour near the old end, a trickle elsewhere.
    const rng = createRng(99);
    const times = Array.from({ length: 2000 }, () =>
      rng() < 0.9 ? T0 + 2 * DAY + Math.floor(rng() * 3_600_000) : T0 + Math.floor(rng() * 30 * DAY),
    );
    const all = records(times);
    const query = { startDate: T0, endDate: T0 + 30 * DAY - 1 };
    const sequential = await walkHistory(memoryServer(all).fetchPage, query, { concurrency: 1 });
    expect(ids(sequential)).toEqual(bruteForce(all, query));
    const counts = new Map<number, number>();
    const server = memoryServer(all);
    // Count calls in flight per worker turn: a fair split means every call overlaps others.
    let inFlight = 0;
    const tracked: FetchHistoryPage = async (q, signal) => {
      inFlight++;
      counts.set(inFlight, (counts.get(inFlight) ?? 0) + 1);
      try {
        return await server.fetchPage(q, signal);
      } finally {
        inFlight--;
      }
    };
    const parallel = await walkHistory(tracked, query, { concurrency: 4 });
    expect(ids(parallel)).toEqual(ids(sequential));
    expect(parallel.pages).toBeLessThanOrEqual(sequential.pages * 1.15);
    // Most calls start while three others are already out: the busy hour was shared.
    expect(counts.get(4) ?? 0).toBeGreaterThan(parallel.pages * 0.7);
  });

  it('fails with bad_response instead of looping when the server ignores endDate', async () => {
    const newest = records(Array.from({ length: PAGE }, (_, i) => T0 + 5000 - i));
    let calls = 0;
    const stubborn: FetchHistoryPage = async () => {
      calls++;
      return newest.map((r) => ({ ...r }));
    };
    await expect(walkHistory(stubborn, { startDate: T0, endDate: T0 + DAY }, { concurrency: 1 })).rejects.toMatchObject({ code: 'bad_response' });
    expect(calls).toBeLessThan(5);
  });

  it('rejects a bad range or option as invalid_input without calling the server', async () => {
    const server = memoryServer([]);
    await expect(walkHistory(server.fetchPage, { startDate: T0 + 1, endDate: T0 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(walkHistory(server.fetchPage, { startDate: T0, endDate: T0 + 1 }, { concurrency: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(walkHistory(server.fetchPage, { startDate: 0.5, endDate: T0 })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(server.calls).toEqual([]);
  });
});

describe('walkHistory: progress, cancel and errors', () => {
  it('reports progress after every page, monotone, ending complete', async () => {
    const all = records(randomHistory(11, 600, 10));
    const query = { startDate: T0, endDate: T0 + 10 * DAY };
    const events: HistoryProgress[] = [];
    const result = await walkHistory(memoryServer(all).fetchPage, query, { concurrency: 4, onProgress: (p) => events.push(p) });
    expect(events).toHaveLength(result.pages);
    events.forEach((p, i) => {
      const prev = events[i - 1];
      expect(p.requests).toBe(i + 1);
      expect(p.slicesTotal).toBe(1000);
      if (prev) {
        expect(p.slicesDone).toBeGreaterThanOrEqual(prev.slicesDone);
        expect(p.records).toBeGreaterThanOrEqual(prev.records);
      }
    });
    expect(events.at(-1)).toEqual({ slicesDone: 1000, slicesTotal: 1000, records: result.items.length, requests: result.pages });
    expect(events.filter((p) => p.slicesDone === 1000)).toHaveLength(1);
  });

  it('stops every worker on cancel: rejects with cancelled and makes no call after the abort', async () => {
    const all = records(randomHistory(5, 800, 10));
    const server = memoryServer(all);
    const controller = new AbortController();
    const seenSignals: AbortSignal[] = [];
    let callsAtAbort = -1;
    const inFlight: Promise<unknown>[] = [];
    const fetchPage: FetchHistoryPage = (q, signal) => {
      if (signal) seenSignals.push(signal);
      if (server.calls.length === 10) {
        callsAtAbort = 10;
        controller.abort();
      }
      return track(inFlight, server.fetchPage(q, signal));
    };
    const walk = walkHistory(fetchPage, { startDate: T0, endDate: T0 + 10 * DAY }, { concurrency: 4, signal: controller.signal });
    const error: unknown = await walk.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('cancelled');
    await quiet(inFlight);
    expect(server.calls).toHaveLength(callsAtAbort + 1);
    expect(seenSignals.every((s) => s.aborted)).toBe(true);
  });

  it('rejects at once on cancel even when a call never answers', async () => {
    const controller = new AbortController();
    let calls = 0;
    const hanging: FetchHistoryPage = () => {
      calls++;
      if (calls === 2) setImmediate(() => controller.abort());
      return new Promise<HelpRecord[]>(() => {});
    };
    await expect(walkHistory(hanging, { startDate: T0, endDate: T0 + DAY }, { signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('makes no call when the signal is already aborted', async () => {
    const server = memoryServer(records([T0]));
    const controller = new AbortController();
    controller.abort();
    await expect(walkHistory(server.fetchPage, { startDate: T0, endDate: T0 + 1 }, { signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(server.calls).toEqual([]);
  });

  it('propagates the first error from a page, aborts the other workers and starts no further call', async () => {
    const server = memoryServer(records(randomHistory(8, 800, 10)));
    const signals: AbortSignal[] = [];
    let callsAtFailure = -1;
    const inFlight: Promise<unknown>[] = [];
    const failing: FetchHistoryPage = (q, signal) => {
      if (signal) signals.push(signal);
      if (server.calls.length === 12) {
        callsAtFailure = 13;
        server.calls.push(q);
        return track(inFlight, Promise.reject(new AppError('server_error', 'Diyalog answered 500.')));
      }
      return track(inFlight, server.fetchPage(q, signal));
    };
    await expect(walkHistory(failing, { startDate: T0, endDate: T0 + 10 * DAY }, { concurrency: 4 })).rejects.toMatchObject({
      code: 'server_error',
      message: 'Diyalog answered 500.',
    });
    await quiet(inFlight);
    expect(server.calls).toHaveLength(callsAtFailure);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });
});

describe('a server answering 25 per page (before 2021-03-12)', () => {
  // Groups of up to 5 at one millisecond: never a full page at one time, so nothing may be missed.
  const all = records(randomHistory(25, 1500, 30));
  const query = { startDate: T0 - DAY, endDate: T0 + 31 * DAY };

  it.each([1, 4])('gets everything with the default page size of 20 (concurrency %i)', async (concurrency) => {
    const server = memoryServer(all, { pageSize: 25, seed: concurrency });
    const result = await walkHistory(server.fetchPage, query, { concurrency });
    expect(ids(result)).toEqual(bruteForce(all, query));
    expect(result.warnings).toEqual([]);
  });

  it('learns the bigger page: a page of 21–24 ends a range, with no extra call after it', async () => {
    // 22 records in all: with a fixed 20 the walker would take the first page for a full one.
    const few = records(Array.from({ length: 22 }, (_, i) => T0 + i * 60_000));
    const q = { startDate: T0, endDate: T0 + DAY };
    const server = memoryServer(few, { pageSize: 25 });
    const result = await walkHistory(server.fetchPage, q, { concurrency: 1 });
    expect(ids(result)).toEqual(bruteForce(few, q));
    // One page of 22 ≥ 20 looks full, so one more call; a 25-page first would have taught the size.
    expect(server.calls.length).toBeLessThanOrEqual(2);

    const many = records(Array.from({ length: 47 }, (_, i) => T0 + i * 60_000));
    const learning = memoryServer(many, { pageSize: 25 });
    const walked = await walkHistory(learning.fetchPage, q, { concurrency: 1 });
    expect(ids(walked)).toEqual(bruteForce(many, q));
    // 25 (learns 25), then 23 (the 25th again + 22 older): short for 25, done.
    expect(learning.calls).toHaveLength(2);
  });

  it('a full page of 25 at one millisecond is reported as an overflow at 25', async () => {
    const group = records(Array.from({ length: 30 }, () => T0 + 5_000));
    const q = { startDate: T0, endDate: T0 + DAY };
    const result = await walkHistory(memoryServer(group, { pageSize: 25 }).fetchPage, q, { concurrency: 1 });
    expect(result.items).toHaveLength(25);
    expect(result.warnings.map((w) => [w.timestamp, w.message.includes('25')])).toEqual([[T0 + 5_000, true]]);
  });
});
