// `companion history`, `transcript-link` and `release` against the Diyalog simulator:
// the walk's JSON and CSV as a script reads them, and what reaches the server.

import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HelpRecord, HistoryResult } from '../../../shared/diyalog';
import { AWKWARD_NAMES } from '../../../main/sim/diyalog/data';
import type { DiyalogSim } from '../../../main/sim/diyalog/server';
import { expectError, okJson, runCompanion, startDiyalogFixture } from './cli-harness';
import type { DiyalogFixture } from './cli-harness';

const DAY = 86_400_000;
const CSV_HEADER = [
  'onlineHelpId', 'customerNo', 'customerName', 'agentId', 'agentName', 'helpState',
  'helpRequestedAt', 'helpStartedAt', 'helpEndedAt', 'waitTime', 'helpTime', 'conversationDetailLink',
];

let fixture: DiyalogFixture;
let sim: DiyalogSim;
let env: NodeJS.ProcessEnv;
let agents: string[];

beforeAll(async () => {
  // 400 records keep a walk to a couple of dozen pages, and include the seeded group of
  // 25 records on one timestamp (more than a page) that makes the walker warn.
  fixture = await startDiyalogFixture({ historySize: 400, seed: 77 });
  ({ sim, env, agents } = fixture);
});
afterAll(() => fixture?.close());
beforeEach(() => sim.control.resetCounters());

const idleCustomer = () => fixture.idleCustomer();
const companion = (...args: string[]) => runCompanion(args, env);

describe('companion history', () => {
  const to = Date.now();
  const from = to - 100 * DAY;
  const range = ['--from', new Date(from).toISOString(), '--to', String(to)];

  function expectNewestFirstAndUnique(items: HelpRecord[]): void {
    const ids = items.map((r) => r.onlineHelpId);
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < items.length; i++) expect(items[i - 1]!.helpRequestedAt).toBeGreaterThanOrEqual(items[i]!.helpRequestedAt);
  }

  it('returns {items, requests, warnings}: every record of the range, newest first, once each', async () => {
    const result = okJson<HistoryResult>(await companion('history', ...range, '--json'));
    expect(Object.keys(result).sort()).toEqual(['items', 'requests', 'warnings']);
    expectNewestFirstAndUnique(result.items);
    expect(result.requests).toBeGreaterThanOrEqual(Math.ceil(result.items.length / 20));
    expect(result.requests).toBe(sim.control.requestCount);

    // The seeded 25 records on one timestamp overflow a page: the walker says so, and
    // only there may records be missing.
    const overflow = new Set(result.warnings.map((w) => w.timestamp));
    expect(result.warnings.length).toBeGreaterThan(0);
    expect(result.warnings.every((w) => w.code === 'timestamp_overflow')).toBe(true);
    const got = new Set(result.items.map((r) => r.onlineHelpId));
    const expected = sim.control.history().filter((r) => r.helpRequestedAt >= from && r.helpRequestedAt <= to);
    expect(expected.filter((r) => !overflow.has(r.helpRequestedAt) && !got.has(r.onlineHelpId))).toEqual([]);
    const known = new Set(expected.map((r) => r.onlineHelpId));
    expect(result.items.filter((r) => !known.has(r.onlineHelpId))).toEqual([]);
  });

  it('counts retried requests in "requests"', async () => {
    const clean = okJson<HistoryResult>(await companion('history', ...range, '--concurrency', '1', '--json'));
    sim.control.resetCounters();
    sim.control.failNext(2, '500');
    const retried = okJson<HistoryResult>(await companion('history', ...range, '--concurrency', '1', '--json'));
    expect(sim.control.requests.filter((r) => r.status === 500)).toHaveLength(2);
    expect(retried.requests).toBe(sim.control.requestCount);
    expect(retried.requests).toBe(clean.requests + 2);
    expect(retried.items.map((r) => r.onlineHelpId)).toEqual(clean.items.map((r) => r.onlineHelpId));
  });

  it('finds the same records with --concurrency 1 and 4', async () => {
    const runs = await Promise.all([companion('history', ...range, '--concurrency', '1', '--json'), companion('history', ...range, '--concurrency', '4', '--json')]);
    const [one, four] = runs.map((r) => okJson<HistoryResult>(r)) as [HistoryResult, HistoryResult];
    expect(one.items.length).toBeGreaterThan(100);
    expect(four.items.map((r) => r.onlineHelpId)).toEqual(one.items.map((r) => r.onlineHelpId));
  });

  it('narrows to a customer and to an agent', async () => {
    const sample = sim.control.history().find((r) => r.agentId !== undefined && r.helpRequestedAt >= from && r.helpRequestedAt <= to)!;
    const byCustomer = okJson<HistoryResult>(await companion('history', ...range, '--customer', sample.customerNo, '--json'));
    expect(byCustomer.items.map((r) => r.onlineHelpId)).toContain(sample.onlineHelpId);
    expect(byCustomer.items.every((r) => r.customerNo === sample.customerNo)).toBe(true);
    const byAgent = okJson<HistoryResult>(await companion('history', ...range, '--agent', sample.agentId!, '--json'));
    expect(byAgent.items.map((r) => r.onlineHelpId)).toContain(sample.onlineHelpId);
    expect(byAgent.items.every((r) => r.agentId === sample.agentId)).toBe(true);
  });

  it('--csv prints a header and one row per record, the same records as --json, read back by a CSV parser', async () => {
    // The seeded names a CSV must quote (a comma, quotes, a line break) and one a spreadsheet
    // must not run (a leading '='), each given a record inside the range.
    const awkward = sim.control.customers().filter((c) => AWKWARD_NAMES.includes(c.name));
    expect(awkward.map((c) => c.name).sort()).toEqual([...AWKWARD_NAMES].sort());
    for (const customer of awkward) {
      sim.control.endSession(customer.customerId);
      sim.control.startSession(customer.customerId, agents[0]!, 'inbound');
      sim.control.endSession(customer.customerId);
    }
    const csvRange = ['--from', String(from), '--to', String(sim.control.serverNow())];
    const [jsonRun, csv] = await Promise.all([companion('history', ...csvRange, '--json'), companion('history', ...csvRange, '--csv')]);
    const json = okJson<HistoryResult>(jsonRun);
    expect(csv.code).toBe(0);

    const [header, ...rows] = parse(csv.stdout) as string[][];
    expect(header).toEqual(CSV_HEADER);
    expect(rows).toHaveLength(json.items.length);
    const column = (name: string) => CSV_HEADER.indexOf(name);
    rows.forEach((row, i) => {
      const item = json.items[i]!;
      expect(row).toHaveLength(CSV_HEADER.length);
      expect(Number(row[column('onlineHelpId')])).toBe(item.onlineHelpId);
      expect(row[column('customerNo')]).toBe(item.customerNo);
      // A cell that would start a formula is shown, not run: a leading ' (the rule the app's Export uses too).
      expect(row[column('customerName')]).toBe(/^[=+\-@\t\r]/.test(item.customerName) ? `'${item.customerName}` : item.customerName);
      // ISO 8601 with the offset, the same instant as the JSON's epoch milliseconds.
      expect(row[column('helpRequestedAt')]).toMatch(/[+-]\d{2}:\d{2}$/);
      expect(Date.parse(row[column('helpRequestedAt')]!)).toBe(item.helpRequestedAt);
      expect(row[column('agentId')]).toBe(item.agentId ?? '');
      expect(row[column('conversationDetailLink')]).toBe(item.conversationDetailLink ?? '');
    });
    const names = new Set(rows.map((row) => row[column('customerName')]));
    for (const name of AWKWARD_NAMES) expect(names).toContain(name.startsWith('=') ? `'${name}` : name);
  });

  it('exits 2 on bad dates or concurrency and sends nothing', async () => {
    const results = await Promise.all([
      companion('history', '--from', 'yesterday', '--to', String(to), '--json'),
      companion('history', '--to', String(to), '--json'),
      companion('history', '--from', String(to), '--to', String(from), '--json'),
      companion('history', ...range, '--concurrency', '0', '--json'),
      companion('history', ...range, '--csv', '--json'),
      companion('history', ...range, '--customer', 'x'.repeat(65), '--json'),
    ]);
    for (const result of results) expectError(result, 2, 'invalid_input');
    expect(sim.control.requestCount).toBe(0);
  });
});

describe('companion transcript-link', () => {
  it('answers {url}', async () => {
    const now = Date.now();
    const result = okJson<{ url: string }>(
      await companion('transcript-link', '--staff', agents[0]!, '--customer', idleCustomer(), '--from', String(now - DAY), '--to', new Date(now).toISOString(), '--json'),
    );
    expect(Object.keys(result)).toEqual(['url']);
    expect(new URL(result.url).protocol).toBe('https:');
  });

  it('exits 2 when a flag is missing or the range is reversed, and sends nothing', async () => {
    const results = await Promise.all([
      companion('transcript-link', '--staff', '45001', '--from', '1', '--to', '2', '--json'),
      companion('transcript-link', '--staff', '45001', '--customer', '70022', '--from', '5', '--to', '2', '--json'),
    ]);
    for (const result of results) expectError(result, 2, 'invalid_input');
    expect(sim.control.requestCount).toBe(0);
  });
});

describe('companion release', () => {
  it('releases a waiting customer by interaction id and by session id: {outcome, message}', async () => {
    const byInteraction = sim.control.requestSession(idleCustomer());
    const first = okJson<{ outcome: string; message: string }>(
      await companion('release', '--interaction', byInteraction.interactionId, '--message', 'Sizi arayacağız.', '--json'),
    );
    expect(first).toEqual({ outcome: 'released', message: expect.any(String) });
    const bySession = sim.control.requestSession(idleCustomer());
    expect(okJson<{ outcome: string }>(await companion('release', '--session', bySession.sessionId, '--json')).outcome).toBe('released');
    expect(sim.control.releasedInteractions()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ interactionId: byInteraction.interactionId, message: 'Sizi arayacağız.' }),
        expect.objectContaining({ sessionId: bySession.sessionId }),
      ]),
    );
  });

  it('exits 1 with customer_not_waiting once the customer is no longer waiting', async () => {
    const waiting = sim.control.requestSession(idleCustomer());
    sim.control.endSession(waiting.customerId);
    expectError(await companion('release', '--interaction', waiting.interactionId, '--json'), 1, 'customer_not_waiting');
  });

  it('exits 2 unless exactly one of --interaction and --session is given', async () => {
    const results = await Promise.all([companion('release', '--json'), companion('release', '--interaction', 'I1', '--session', 'S1', '--json')]);
    for (const result of results) expectError(result, 2, 'invalid_input');
    expect(sim.control.requestCount).toBe(0);
  });
});
