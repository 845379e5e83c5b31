// The local trail checked against the collector's copy (`companion audit verify --against`):
// every entry the collector holds for this desktop must be in the local log with the same
// hash, and every local entry at the collector. A wiped, truncated or rebuilt local log
// (head and all) shows as entries missing locally; entries that never left, as missing at
// the collector. Duplicates at the collector (at-least-once delivery) count once.

import { completeLines, sha256 } from './chain';
import { parseLine } from './chain';
import type { CollectorExport } from './syslog';

export interface CollectorComparison {
  ok: boolean;
  /** Sequence numbers the collector holds for this desktop that the local log lacks (or holds changed). */
  missingLocally: number[];
  /** Local sequence numbers the collector does not hold. */
  missingAtCollector: number[];
  /** How many of this desktop's entries the export holds (duplicates counted once). */
  collected: number;
  /** Lines of the export that carried a companion message with an unreadable body. */
  unreadableLines: number[];
}

/**
 * `host` is this desktop's host name: the collector's entries of this trail (the hash of the
 * local entry 1) or of this host are this desktop's, so a log rebuilt from nothing (a new
 * trail) is still compared with what the host sent before.
 */
export function compareWithCollector(log: Buffer, collector: CollectorExport, host: string): CollectorComparison {
  const local = completeLines(log).map((raw, index) => ({ seq: parseLine(raw.toString('utf8'))?.seq ?? index + 1, hash: sha256(raw) }));
  const trail = local[0]?.hash;
  const localHashes = new Set(local.map((e) => e.hash));
  const ours = new Map<string, number>();
  for (const e of collector.entries) {
    if ((trail !== undefined && e.trail === trail) || e.host === host) ours.set(e.hash, e.seq);
  }
  const missingLocally = [...new Set([...ours].filter(([hash]) => !localHashes.has(hash)).map(([, seq]) => seq))].sort((a, b) => a - b);
  const missingAtCollector = local.filter((e) => !ours.has(e.hash)).map((e) => e.seq);
  return {
    ok: missingLocally.length === 0 && missingAtCollector.length === 0 && collector.unreadable.length === 0,
    missingLocally,
    missingAtCollector,
    collected: ours.size,
    unreadableLines: collector.unreadable,
  };
}
