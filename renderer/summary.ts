// The figures above the History table, from the records it shows: requests by hour of the
// day, wait time (median and 90th percentile), the share the customer abandoned, sessions
// ended by the customer killing the app, and per agent: sessions and median help time.

import type { HelpRecord } from '../shared/diyalog';

export interface AgentFigures {
  key: string;
  agentId: string | null;
  agentName: string | null;
  sessions: number;
  /** seconds; null when no session of theirs has a help time */
  medianHelp: number | null;
}

export interface HistoryFigures {
  total: number;
  /** Requests by local hour of the day, 0 to 23. */
  perHour: number[];
  /** seconds; null when no record has a wait time */
  waitMedian: number | null;
  waitP90: number | null;
  abandoned: number;
  killedApp: number;
  /** Most sessions first, at most `maxAgents`. */
  agents: AgentFigures[];
  /** Agents beyond `maxAgents`, not listed. */
  moreAgents: number;
}

/** The q-quantile (0..1) of sorted numbers, nearest-rank: a value that occurred, never an interpolation. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? null;
}

const ascending = (a: number, b: number) => a - b;

export function historyFigures(records: readonly HelpRecord[], maxAgents = 8): HistoryFigures {
  const perHour = Array.from({ length: 24 }, () => 0);
  const waits: number[] = [];
  let abandoned = 0;
  let killedApp = 0;
  const agents = new Map<string, { agentId: string | null; agentName: string | null; sessions: number; help: number[] }>();
  for (const r of records) {
    const hour = new Date(r.helpRequestedAt).getHours();
    perHour[hour] = (perHour[hour] ?? 0) + 1;
    if (r.waitTime !== undefined) waits.push(r.waitTime);
    if (r.helpState === 'onlinehelp_cancelled_by_customer') abandoned += 1;
    if (r.helpState === 'onlinehelp_ended_customer_kill_app') killedApp += 1;
    if (r.agentId || r.agentName) {
      const key = r.agentId ?? `name:${r.agentName}`;
      const a = agents.get(key) ?? { agentId: r.agentId ?? null, agentName: r.agentName ?? null, sessions: 0, help: [] };
      a.sessions += 1;
      if (r.helpTime !== undefined) a.help.push(r.helpTime);
      agents.set(key, a);
    }
  }
  waits.sort(ascending);
  const ranked = [...agents].sort(([ka, a], [kb, b]) => b.sessions - a.sessions || ka.localeCompare(kb));
  return {
    total: records.length,
    perHour,
    waitMedian: quantile(waits, 0.5),
    waitP90: quantile(waits, 0.9),
    abandoned,
    killedApp,
    agents: ranked.slice(0, maxAgents).map(([key, a]) => ({
      key,
      agentId: a.agentId,
      agentName: a.agentName,
      sessions: a.sessions,
      medianHelp: quantile(a.help.sort(ascending), 0.5),
    })),
    moreAgents: Math.max(0, ranked.length - maxAgents),
  };
}
