// Whether the trail is whole: the chain checked line by line, then the log against the head.
// The first break wins: `brokenAt` is the entry number (from 1) where the trail stops being
// trustworthy. The chain has no key: someone who can rewrite the whole log and the head can
// forge both. It catches what an edit, a deletion, a restore of an old copy or a half-written
// disk does.

import { GENESIS, parseLine, sha256, splitLines } from './chain';
import { AUDIT_HEAD_FILE } from './files';
import type { HeadRead, HeadState } from './head';

export type AuditProblem = 'unreadable' | 'sequence' | 'changed' | 'truncated' | 'extra' | 'head_missing';

export type AuditVerification =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAt: number; reason: string; problem: AuditProblem };

export function verifyChain(log: Buffer, headRead: HeadRead): AuditVerification {
  const segments = splitLines(log);
  const tail = segments.pop() ?? Buffer.alloc(0);
  const entries = segments.length;
  const broken = (brokenAt: number, problem: AuditProblem, reason: string): AuditVerification => ({ ok: false, entries, brokenAt, reason, problem });

  let prevHash = GENESIS;
  for (const [i, raw] of segments.entries()) {
    const n = i + 1;
    const parsed = parseLine(raw.toString('utf8'));
    if (!parsed) return broken(n, 'unreadable', `Entry ${n} is not a readable audit entry.`);
    if (parsed.seq !== n) {
      return broken(
        n,
        'sequence',
        parsed.seq > n
          ? `Entry ${n} is missing: entry ${parsed.seq} stands in its place (entries were deleted or reordered).`
          : `Entry ${parsed.seq} appears again at position ${n} (entries were copied or reordered).`,
      );
    }
    if (parsed.prev !== prevHash) {
      return n === 1
        ? broken(1, 'changed', 'Entry 1 does not start the chain: the beginning of the log was changed or removed.')
        : broken(n - 1, 'changed', `Entry ${n - 1} was changed: entry ${n} recorded a different hash for it.`);
    }
    prevHash = sha256(raw);
  }

  if (headRead.kind !== 'ok') {
    if (entries === 0 && tail.length === 0) return { ok: true, entries };
    return broken(entries + 1, 'head_missing', `The head file ${AUDIT_HEAD_FILE} is missing or unreadable: whether entries were removed from the end cannot be checked.`);
  }
  const head = headRead.head;
  const matches = (s: HeadState) => s.entries === entries && s.lastHash === prevHash;
  const tornAppend = tail.length > 0 && head.pending !== undefined && head.pending.entries === entries + 1 && head.entries === entries;
  if (tail.length > 0 && !tornAppend) return broken(entries + 1, 'unreadable', `Entry ${entries + 1} is not a readable audit entry (the log ends mid-line).`);
  if (!(matches(head) || (head.pending !== undefined && matches(head.pending)))) {
    const recorded = Math.max(head.entries, head.pending?.entries ?? 0);
    if (entries < head.entries) {
      return broken(entries + 1, 'truncated', `Entries ${entries + 1} to ${head.entries} are missing: the head records ${head.entries} entries and the log holds ${entries}.`);
    }
    if (entries > recorded) {
      return broken(recorded + 1, 'extra', `Entry ${recorded + 1} is not in the head: the head records ${recorded} entries and the log holds ${entries}.`);
    }
    return broken(entries, 'changed', `Entry ${entries} was changed: the head records a different hash for it.`);
  }
  if (head.lost !== undefined) {
    return broken(head.lost + 1, 'head_missing', `The head file was missing when entry ${head.lost + 1} was written: whether entries were removed before it cannot be checked.`);
  }
  return { ok: true, entries };
}
