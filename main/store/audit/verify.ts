// Whether the trail is whole: the chain checked line by line, then the log against the head.
// The first break wins: `brokenAt` is the entry number (from 1) where the trail stops being
// trustworthy. The chain itself has no key: someone who can rewrite the whole log could
// forge it; the head's HMAC (head.ts) under the keychain's key is what they cannot recompute,
// and the collector's copy (against.ts) what they cannot reach. It catches what an edit, a
// deletion, a restore of an old copy or a half-written disk does.

import { GENESIS, parseLine, sha256, splitLines } from './chain';
import { AUDIT_HEAD_FILE } from './files';
import { headMacMatches } from './head';
import type { HeadRead, HeadState } from './head';
import type { HeadKeyRead } from './head-key';

export type AuditProblem = 'unreadable' | 'sequence' | 'changed' | 'truncated' | 'extra' | 'head_missing' | 'head_forged';

/** What does not break the trail but an auditor should know. */
export type AuditWarning =
  /** Entry `entry` was written at a time before the entry ahead of it (a clock set back, or lines spliced). */
  | { kind: 'time_backwards'; entry: number; at: string; previousAt: string }
  /** The head was keyed from entry `entries` + 1 on (the log is older than keyed heads). */
  | { kind: 'keyed_from'; entries: number }
  /** The head carries an HMAC but the keychain's key could not be had here (another computer, a locked keychain). */
  | { kind: 'key_unchecked' }
  /** The head carries no HMAC yet: the next append keys it. */
  | { kind: 'unkeyed' };

export type AuditVerification =
  | { ok: true; entries: number; warnings?: AuditWarning[] }
  | { ok: false; entries: number; brokenAt: number; reason: string; problem: AuditProblem; warnings?: AuditWarning[] };

/** `key`: the keychain's key for this trail as it could be read; absent when this log is not keyed at all (no keychain configured). */
export function verifyChain(log: Buffer, headRead: HeadRead, key?: HeadKeyRead): AuditVerification {
  const warnings: AuditWarning[] = [];
  const result = check(log, headRead, key, warnings);
  return warnings.length > 0 ? { ...result, warnings } : result;
}

function check(log: Buffer, headRead: HeadRead, key: HeadKeyRead | undefined, warnings: AuditWarning[]): AuditVerification {
  const segments = splitLines(log);
  const tail = segments.pop() ?? Buffer.alloc(0);
  const entries = segments.length;
  const broken = (brokenAt: number, problem: AuditProblem, reason: string): AuditVerification => ({ ok: false, entries, brokenAt, reason, problem });

  let prevHash = GENESIS;
  let previousAt: string | undefined;
  for (const [i, raw] of segments.entries()) {
    const n = i + 1;
    const parsed = parseLine(raw.toString('utf8'));
    if (!parsed) return broken(n, 'unreadable', `Entry ${n} is not a readable audit entry.`);
    if (previousAt !== undefined && parsed.at < previousAt) warnings.push({ kind: 'time_backwards', entry: n, at: parsed.at, previousAt });
    previousAt = parsed.at;
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
  if (key?.kind === 'key' && !headMacMatches(head, key.key)) {
    return broken(
      1,
      'head_forged',
      head.hmac === undefined
        ? 'The head carries no HMAC though this trail is keyed: it was rebuilt without the keychain, so nothing in the log can be vouched for.'
        : "The head's HMAC does not match the keychain's key: the head was rebuilt or changed without the keychain, so nothing in the log can be vouched for.",
    );
  }
  if (head.hmac !== undefined && key !== undefined && key.kind !== 'key') warnings.push({ kind: 'key_unchecked' });
  if (head.hmac === undefined && key?.kind === 'none') warnings.push({ kind: 'unkeyed' });
  if (head.hmac !== undefined && head.keyedFrom !== undefined && head.keyedFrom > 0) warnings.push({ kind: 'keyed_from', entries: head.keyedFrom });
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
