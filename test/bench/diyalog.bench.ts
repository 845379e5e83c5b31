import type { HelpRecord } from '../../shared/diyalog';
import { DiyalogClient } from '../../main/diyalog/client';
import { buildStringToSign, formatDlgDate, signRequest } from '../../main/diyalog/signing';
import { walkHelpHistory } from '../../main/services/history';
import { createRng, randomInt } from '../../main/sim/diyalog/data';
import { startDiyalogSim } from '../../main/sim/diyalog/server';
import type { BenchRow } from './table';

const DAY = 86_400_000;

/** 2,000 records over 30 days, heavier in business hours, with a few shared timestamps. */
function benchHistory(end: number, count: number): HelpRecord[] {
  const rng = createRng(20261122);
  const records: HelpRecord[] = [];
  let id = 5_000_000;
  while (records.length < count) {
    const day = randomInt(rng, 0, 29);
    const busy = rng() < 0.8;
    const hour = busy ? randomInt(rng, 9, 17) : randomInt(rng, 0, 23);
    const at = end - day * DAY - (24 - hour) * 3_600_000 + randomInt(rng, 0, 3_599_999);
    const group = rng() < 0.02 ? randomInt(rng, 2, 5) : 1;
    for (let i = 0; i < group && records.length < count; i++) {
      records.push({
        onlineHelpId: id++,
        customerNo: String(7_000_000 + randomInt(rng, 0, 99_999)),
        customerName: 'Müşteri',
        agentId: '45186',
        agentName: 'Temsilci',
        helpState: 'onlinehelp_ended_by_agent',
        helpRequestedAt: at,
        helpStartedAt: at + 30_000,
        helpEndedAt: at + 400_000,
        waitTime: 30,
        helpTime: 370,
      });
    }
  }
  return records;
}

export async function benchHistoryWalk(): Promise<BenchRow[]> {
  const sim = await startDiyalogSim({ latencyMs: 30, historySize: 0 });
  try {
    const end = Date.now();
    sim.control.replaceHistory(benchHistory(end, 2_000));
    const clientOptions = { baseUrl: sim.url, credentials: sim.credentials, requesterUserId: sim.staffId, fetch: globalThis.fetch };
    const query = { startDate: end - 31 * DAY, endDate: end };
    const rows: BenchRow[] = [];
    let baseline: { ms: number; ids: string } | null = null;
    for (const concurrency of [1, 4, 8]) {
      const started = performance.now();
      const result = await walkHelpHistory(() => new DiyalogClient(clientOptions), query, { concurrency });
      const ms = performance.now() - started;
      const ids = result.items.map((r) => r.onlineHelpId).join(',');
      baseline ??= { ms, ids };
      rows.push({
        bench: `history walk, 2,000 records, 30 ms latency, ${concurrency === 1 ? 'sequential' : `concurrency ${concurrency}`}`,
        value: `${Math.round(ms)} ms`,
        detail: `${result.requests} requests, ${result.items.length} records, ${(baseline.ms / ms).toFixed(2)}× vs sequential, results ${ids === baseline.ids ? 'identical' : 'DIFFERENT'}`,
      });
    }
    return rows;
  } finally {
    await sim.close();
  }
}

export function benchSignatures(): BenchRow[] {
  const secret = 'bench-secret-0123456789abcdef';
  const body = JSON.stringify({ customerId: '2337368', agentId: '45186', startDate: 1612984180000, endDate: 1615403380000 });
  const date = formatDlgDate(Date.now());
  const rounds = 200_000;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) {
    signRequest(secret, buildStringToSign({ method: 'POST', contentType: 'application/json', date, body, path: '/v1/reporting/getonlinehelplist' }));
  }
  const seconds = (performance.now() - started) / 1000;
  return [{ bench: 'DLGA signatures (HMAC-SHA256)', value: `${Math.round(rounds / seconds).toLocaleString('en-US')} /s`, detail: `${rounds.toLocaleString('en-US')} signatures` }];
}

/** A signed round trip on loopback with no latency: the client's own overhead. */
export async function benchRoundTrip(): Promise<BenchRow[]> {
  const sim = await startDiyalogSim({});
  try {
    const client = new DiyalogClient({ baseUrl: sim.url, credentials: sim.credentials, requesterUserId: sim.staffId, fetch: globalThis.fetch });
    const customer = sim.control.customers()[0]!.customerId;
    for (let i = 0; i < 50; i++) await client.isCustomerInOnlineHelp(customer);
    const times: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      await client.isCustomerInOnlineHelp(customer);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
    return [{ bench: 'iscustomerinonlinehelp round trip (loopback)', value: `p50 ${p(0.5)} ms`, detail: `p99 ${p(0.99)} ms over 500 calls` }];
  } finally {
    await sim.close();
  }
}
