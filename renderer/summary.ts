// The figures above the History table, from the records it shows: requests by hour of the
// day, wait time (median and 90th percentile), the share the customer abandoned, sessions
// ended by the customer killing the app, and per agent: sessions and median help time.
//
// Counted and ranked with d3-array rather than by hand. Its median and quantile interpolate
// between the two nearest values, the definition spreadsheets use for MEDIAN and
// PERCENTILE(.INC): a supervisor who opens the exported CSV gets the same figures as this
// summary. They skip records without the time (undefined), so no filtering is needed first.

import { group, median, quantile, rollup } from 'd3-array';
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

const agentKey = (r: HelpRecord): string | undefined => (r.agentId || r.agentName ? (r.agentId ?? `name:${r.agentName}`) : undefined);

export function historyFigures(records: readonly HelpRecord[], maxAgents = 8): HistoryFigures {
  const byHour = rollup(records, (rs) => rs.length, (r) => new Date(r.helpRequestedAt).getHours());
  const byAgent = group(
    records.filter((r) => agentKey(r) !== undefined),
    (r) => agentKey(r) ?? '',
  );
  const ranked = [...byAgent].sort(([ka, a], [kb, b]) => b.length - a.length || ka.localeCompare(kb));
  return {
    total: records.length,
    perHour: Array.from({ length: 24 }, (_, hour) => byHour.get(hour) ?? 0),
    waitMedian: quantile(records, 0.5, (r) => r.waitTime) ?? null,
    waitP90: quantile(records, 0.9, (r) => r.waitTime) ?? null,
    abandoned: records.filter((r) => r.helpState === 'onlinehelp_cancelled_by_customer').length,
    killedApp: records.filter((r) => r.helpState === 'onlinehelp_ended_customer_kill_app').length,
    agents: ranked.slice(0, maxAgents).map(([key, rs]) => ({
      key,
      agentId: rs[0]?.agentId ?? null,
      agentName: rs.find((r) => r.agentName)?.agentName ?? null,
      sessions: rs.length,
      medianHelp: median(rs, (r) => r.helpTime) ?? null,
    })),
    moreAgents: Math.max(0, ranked.length - maxAgents),
  };
}
