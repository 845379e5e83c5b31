// History at scale, in Node: which rows the virtual table puts in the DOM, sorting and
// filtering the result, the CSV of what is shown (read back with a CSV parser), "to" meaning
// now, partial results, time left in words, and the summary figures.

import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { historyCsv } from '../../../renderer/csv';
import { filterRecords, HistoryStore, secondsLeft, sortRecords } from '../../../renderer/stores/history.svelte';
import { historyFigures } from '../../../renderer/summary';
import { rowWindow } from '../../../renderer/virtual';
import type { HelpRecord } from '../../../shared/diyalog';
import { HISTORY_CSV_COLUMNS, historyCsv as historyCsvText, isoWithOffset } from '../../../shared/history-csv';
import { FakeTransport } from './fake-transport';

const record = (id: number, over: Partial<HelpRecord> = {}): HelpRecord => ({
  onlineHelpId: id,
  customerNo: `c${id}`,
  customerName: `Customer ${id}`,
  helpState: 'onlinehelp_ended_by_agent',
  helpRequestedAt: id * 1000,
  ...over,
});

describe('rowWindow', () => {
  it('keeps the visible rows plus a margin, and the rest as spacer height', () => {
    expect(rowWindow(0, 480, 48, 30_000, 10)).toEqual({ start: 0, end: 21, top: 0, bottom: (30_000 - 21) * 48 });
    const mid = rowWindow(48 * 1000 + 5, 480, 48, 30_000, 10);
    expect(mid.start).toBe(990);
    expect(mid.end).toBe(1021);
    expect(mid.top + (mid.end - mid.start) * 48 + mid.bottom).toBe(30_000 * 48);
  });

  it('stays inside the list at both ends and when it is short or empty', () => {
    const end = rowWindow(48 * 30_000, 480, 48, 30_000, 10);
    expect(end.end).toBe(30_000);
    expect(end.bottom).toBe(0);
    expect(end.start).toBeLessThan(end.end);
    expect(rowWindow(0, 480, 48, 3, 10)).toEqual({ start: 0, end: 3, top: 0, bottom: 0 });
    expect(rowWindow(100, 480, 48, 0, 10)).toEqual({ start: 0, end: 0, top: 0, bottom: 0 });
  });
});

describe('sorting and filtering the result', () => {
  const records = [
    record(1, { customerName: 'Zeynep', agentName: 'İlker', agentId: 'a2', waitTime: 30 }),
    record(2, { customerName: 'ışık', agentName: 'Can', agentId: 'a1', helpState: 'onlinehelp_cancelled_by_customer' }),
    record(3, { customerName: 'Ayşe', waitTime: 5 }),
  ];

  it('sorts by every column, with missing values last either way', () => {
    const ids = (key: Parameters<typeof sortRecords>[1], dir: Parameters<typeof sortRecords>[2], lang: 'tr' | 'en' = 'en') =>
      sortRecords(records, key, dir, lang).map((r) => r.onlineHelpId);
    expect(ids('requested', 'descending')).toEqual([3, 2, 1]);
    expect(ids('requested', 'ascending')).toEqual([1, 2, 3]);
    expect(ids('wait', 'ascending')).toEqual([3, 1, 2]);
    expect(ids('wait', 'descending')).toEqual([1, 3, 2]);
    expect(ids('agent', 'ascending')).toEqual([2, 1, 3]);
    expect(ids('agent', 'descending')).toEqual([1, 2, 3]);
    // Turkish order: ı before z; in English the dotless ı sorts with i.
    expect(ids('customer', 'ascending', 'tr')).toEqual([3, 2, 1]);
    expect(ids('state', 'ascending')).toEqual([2, 1, 3]);
  });

  it('filters by state, agent and customer, any case, in the UI language', () => {
    const ids = (f: Partial<Parameters<typeof filterRecords>[1]>, lang: 'tr' | 'en' = 'en') =>
      filterRecords(records, { state: '', agent: '', customer: '', ...f }, lang).map((r) => r.onlineHelpId);
    expect(ids({ state: 'onlinehelp_cancelled_by_customer' })).toEqual([2]);
    expect(ids({ agent: 'A1' })).toEqual([2]);
    expect(ids({ agent: 'ilker' }, 'tr')).toEqual([1]);
    expect(ids({ customer: 'IŞIK' }, 'tr')).toEqual([2]);
    expect(ids({ customer: 'c3' })).toEqual([3]);
  });
});

describe('the CSV of what is shown', () => {
  it('quotes what needs quoting, escapes formulas, and reads back the same', async () => {
    const tricky = record(7, { customerName: 'Öz, "Ali"\nsecond line', customerNo: '=HYPERLINK("http://x")', agentName: '@evil', agentId: '+1' });
    const csv = await historyCsv([tricky, record(8)]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const rows = parse(csv.slice(1), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...HISTORY_CSV_COLUMNS]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      onlineHelpId: '7',
      customerName: 'Öz, "Ali"\nsecond line',
      customerNo: `'=HYPERLINK("http://x")`,
      agentName: `'@evil`,
      agentId: `'+1`,
      waitTime: '',
    });
    // A time is ISO 8601 with its offset, and reads back as the same instant.
    expect(rows[0]!.helpRequestedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?[+-]\d{2}:\d{2}$/);
    expect(Date.parse(rows[0]!.helpRequestedAt!)).toBe(7000);
  });

  it('writes times in the zone it is given, with that zone’s offset, never as epoch milliseconds', () => {
    const at = Date.UTC(2026, 11, 7, 6, 15, 4);
    const text = historyCsvText([record(1, { helpRequestedAt: at, helpStartedAt: at + 1_500, helpEndedAt: undefined })], { offsetMinutes: () => 180 });
    const [row] = parse(text, { columns: true }) as Record<string, string>[];
    expect(row).toMatchObject({ helpRequestedAt: '2026-12-07T09:15:04+03:00', helpStartedAt: '2026-12-07T09:15:05.500+03:00', helpEndedAt: '' });
    expect(isoWithOffset(at, -330)).toBe('2026-12-07T00:45:04-05:30');
    expect(Date.parse(isoWithOffset(at, -330))).toBe(at);
  });

  it('exports exactly the filtered and sorted rows, named partial when the result is', async () => {
    const files: { name: string; text: string }[] = [];
    const api = new FakeTransport().handle('history.start', () => ({ walkId: 'w' }));
    const store = new HistoryStore(api, { clock: () => Date.UTC(2026, 10, 20, 9), download: (name, text) => files.push({ name, text }) });
    const stop = store.start();
    await store.search();
    api.emit('history.done', {
      walkId: 'w',
      result: { items: [record(1), record(2, { helpState: 'onlinehelp_cancelled_by_customer' }), record(3)], requests: 4, warnings: [] },
      error: { code: 'cancelled', message: 'cancelled' },
    });
    expect(store.partial).toBe(true);
    store.filter.state = 'onlinehelp_ended_by_agent';
    store.toggleSort('requested');
    expect(store.sortDirection).toBe('ascending');
    await store.exportCsv();
    stop();
    const [file] = files;
    expect(file?.name).toMatch(/^history-\d{8}-\d{4}-partial\.csv$/);
    const rows = parse(file?.text.slice(1) ?? '', { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.onlineHelpId)).toEqual(['1', '3']);
  });
});

describe('HistoryStore searches', () => {
  it('takes "to" as now at the moment of the search unless the user set it', async () => {
    let now = new Date(2026, 10, 20, 9, 0).getTime();
    const api = new FakeTransport().handle('history.start', () => ({ walkId: 'w' }));
    const store = new HistoryStore(api, { clock: () => now });
    now += 3 * 3600_000;
    await store.search();
    expect(api.calls.at(-1)?.input).toMatchObject({ endDate: now, startDate: now - 7 * 24 * 3600_000 - (now % 60_000) });
    expect(store.to).toBe('2026-11-20T12:00');

    store.running = false;
    store.setTo('2026-11-20T10:30');
    now += 3600_000;
    await store.search();
    expect(api.calls.at(-1)?.input).toMatchObject({ endDate: new Date(2026, 10, 20, 10, 30).getTime() + 59_999 });
    store.resetRange();
    expect(store.toSet).toBe(false);
  });

  it('keeps the records a cancelled walk found, marked partial, also when asked after a reconnect', async () => {
    const api = new FakeTransport()
      .handle('history.start', () => ({ walkId: 'w' }))
      .handle('history.result', () => ({ status: 'failed', error: { code: 'unavailable', message: 'down' }, result: { items: [record(1)], requests: 2, warnings: [] } }) as never);
    const store = new HistoryStore(api);
    const stop = store.start();
    await store.search();
    await store.catchUp();
    stop();
    expect(store.partial).toBe(true);
    expect(store.rows).toHaveLength(1);
    expect(store.error?.code).toBe('unavailable');
  });

  it('a failure without records is an error, not a partial result', async () => {
    const api = new FakeTransport().handle('history.start', () => ({ walkId: 'w' }));
    const store = new HistoryStore(api);
    const stop = store.start();
    await store.search();
    api.emit('history.done', { walkId: 'w', result: null, error: { code: 'auth_failed', message: 'no' } });
    stop();
    expect(store.partial).toBe(false);
    expect(store.error?.code).toBe('auth_failed');
  });

  it('says the time left from the rate so far', async () => {
    let now = Date.UTC(2026, 10, 20, 9);
    const api = new FakeTransport().handle('history.start', () => ({ walkId: 'w' }));
    const store = new HistoryStore(api, { clock: () => now });
    const stop = store.start();
    await store.search();
    now += 10_000;
    api.emit('history.progress', { walkId: 'w', progress: { slicesDone: 25, slicesTotal: 100, records: 50, requests: 30 } });
    stop();
    expect(store.etaSeconds).toBe(30);
    expect(secondsLeft(null, 5)).toBeNull();
    expect(secondsLeft({ slicesDone: 0, slicesTotal: 10, records: 0, requests: 0 }, 1000)).toBeNull();
    expect(secondsLeft({ slicesDone: 10, slicesTotal: 10, records: 0, requests: 0 }, 1000)).toBe(0);
  });
});

describe('the summary figures', () => {
  // Median and 90th percentile interpolate (R-7, d3-array's quantile), as a spreadsheet's
  // MEDIAN and PERCENTILE do on the exported CSV: waits 10, 20, 30 have a 90th percentile of
  // 28 s, and help times 100 and 300 a median of 200 s.
  it('counts by hour, takes the percentiles a spreadsheet would, and ranks agents', () => {
    const at = (h: number) => new Date(2026, 0, 5, h, 30).getTime();
    const records = [
      record(1, { helpRequestedAt: at(9), waitTime: 10, agentId: 'a', agentName: 'A', helpTime: 100 }),
      record(2, { helpRequestedAt: at(9), waitTime: 20, agentId: 'a', agentName: 'A', helpTime: 300 }),
      record(3, { helpRequestedAt: at(14), waitTime: 30, agentId: 'b', helpTime: 50, helpState: 'onlinehelp_ended_customer_kill_app' }),
      record(4, { helpRequestedAt: at(23), helpState: 'onlinehelp_cancelled_by_customer' }),
    ];
    const f = historyFigures(records, 1);
    expect(f.perHour[9]).toBe(2);
    expect(f.perHour[14]).toBe(1);
    expect(f.perHour.reduce((a, b) => a + b)).toBe(4);
    expect(f.waitMedian).toBe(20);
    expect(f.waitP90).toBe(28);
    expect(f.abandoned).toBe(1);
    expect(f.killedApp).toBe(1);
    expect(f.agents).toEqual([{ key: 'a', agentId: 'a', agentName: 'A', sessions: 2, medianHelp: 200 }]);
    expect(f.moreAgents).toBe(1);
    expect(historyFigures([]).waitMedian).toBeNull();
  });
});
