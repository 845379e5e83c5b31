import type { HelpRecord } from '../../shared/diyalog';
import { DiyalogClient } from '../../main/diyalog/client';
import { walkHelpHistory } from '../../main/services/history';
import { findStuckSessions } from '../../main/services/stuck-sessions';
import { createRng, randomInt } from '../../main/sim/diyalog/data';
import { startDiyalogSim } from '../../main/sim/diyalog/server';
import type { BenchRow } from './table';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const RECORDS = 10_000;
const LATENCY_MS = 30;

/**
 * A busy day: 10,000 help records over the last 24 hours, 2 % of them started and never
 * ended. The simulator makes each customer's newest such row a live session with its agent
 * (stuck); older rows of the same customers are look-alikes the finder must drop.
 */
function busyDay(end: number): HelpRecord[] {
  const rng = createRng(20261201);
  const records: HelpRecord[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const at = end - randomInt(rng, 20 * MINUTE, 24 * HOUR - MINUTE);
    const agentId = String(45_100 + randomInt(rng, 0, 59));
    const base = {
      onlineHelpId: 9_000_000 + i,
      customerNo: String(7_000_000 + randomInt(rng, 0, 5_999)),
      customerName: 'Müşteri',
      agentId,
      agentName: `Temsilci ${agentId}`,
      helpRequestedAt: at,
      helpStartedAt: at + 20_000,
    };
    records.push(
      rng() < 0.02
        ? { ...base, helpState: 'onlinehelp_started', waitTime: 20 }
        : { ...base, helpState: 'onlinehelp_ended_by_agent', helpEndedAt: at + 400_000, waitTime: 20, helpTime: 380 },
    );
  }
  return records;
}

/** `npm run bench`: the stuck-session finder against a sequential walk followed by sequential checks. */
export async function benchStuckFinder(): Promise<BenchRow[]> {
  const sim = await startDiyalogSim({ latencyMs: LATENCY_MS, historySize: 0 });
  try {
    const end = sim.control.serverNow();
    sim.control.replaceHistory(busyDay(end));
    const clientOptions = { baseUrl: sim.url, credentials: sim.credentials, requesterUserId: sim.staffId, fetch: globalThis.fetch };
    const query = { startDate: end - 24 * HOUR, endDate: end };
    const label = `stuck-session finder, ${RECORDS.toLocaleString('en-US')} records, ${LATENCY_MS} ms latency`;

    // The plain way: walk the day page by page, then ask about each candidate in turn.
    let started = performance.now();
    const walk = await walkHelpHistory(() => new DiyalogClient(clientOptions), query, { concurrency: 1 });
    const cutoff = end - 15 * MINUTE;
    const candidates = walk.items.filter((r) => r.helpState === 'onlinehelp_started' && r.helpEndedAt === undefined && (r.helpStartedAt ?? r.helpRequestedAt) <= cutoff);
    const checker = new DiyalogClient(clientOptions);
    const answers = new Map<string, string | null>();
    for (const r of candidates) {
      if (answers.has(r.customerNo)) continue;
      const state = await checker.isCustomerInOnlineHelp(r.customerNo);
      answers.set(r.customerNo, state.isInHelp ? state.staffId : null);
    }
    const seen = new Set<string>();
    const baselineStuck = candidates
      .sort((a, b) => b.onlineHelpId - a.onlineHelpId)
      .filter((r) => answers.get(r.customerNo) === r.agentId && !seen.has(r.customerNo) && seen.add(r.customerNo))
      .map((r) => r.onlineHelpId)
      .sort((a, b) => a - b)
      .join(',');
    const baselineMs = performance.now() - started;
    const baselineRequests = walk.requests + checker.requestCount;
    const rows: BenchRow[] = [
      {
        bench: `${label}, sequential walk then sequential checks`,
        value: `${Math.round(baselineMs)} ms`,
        detail: `${baselineRequests} requests, ${candidates.length} candidates, ${seen.size} stuck`,
      },
    ];

    for (const concurrency of [4, 8]) {
      started = performance.now();
      const result = await findStuckSessions(() => new DiyalogClient(clientOptions), query, { walkConcurrency: concurrency, checkConcurrency: concurrency, now: () => end });
      const ms = performance.now() - started;
      const ids = result.sessions
        .map((s) => s.onlineHelpId)
        .sort((a, b) => a - b)
        .join(',');
      rows.push({
        bench: `${label}, walk and checks overlapped, concurrency ${concurrency}`,
        value: `${Math.round(ms)} ms`,
        detail:
          `${result.requests} requests, ${result.candidates} candidates, ${result.sessions.length} stuck, dropped ${result.dropped.ended}/${result.dropped.otherStaff}/${result.dropped.unknown}, ` +
          `${(baselineMs / ms).toFixed(2)}× vs sequential, sessions ${ids === baselineStuck ? 'identical' : 'DIFFERENT'}`,
      });
    }
    return rows;
  } finally {
    await sim.close();
  }
}
