// The log read as entries: one per force-end attempt, its intent folded with what was
// recorded for it since (the call's answer, then perhaps a settlement by a check of the
// customer's help state). A later line for one id supersedes an earlier one.

import type { RecoveryOutcome, SettledBy, SettlementCheck } from '../../../shared/recovery';
import { parseLine } from './chain';

export type AuditOutcome = RecoveryOutcome;

/** What the finishonlinehelp call itself returned (its outcome may be `unknown`). */
export interface AuditAnswer {
  outcome: AuditOutcome;
  code?: string;
  message?: string;
  /** ISO time it was recorded */
  at: string;
}

/** The folded view: one per force-end attempt. */
export interface AuditEntry {
  id: string;
  /** ISO time of the intent */
  at: string;
  actor: string;
  customerId: string;
  staffId: string;
  reason: string;
  /** The settled outcome: `unknown` while nothing (or nothing clear) has been recorded. */
  outcome: AuditOutcome;
  /** ISO time the current outcome was recorded */
  outcomeAt?: string;
  /** What settled it: the call's answer, or a later check of the customer's help state. */
  settledBy?: SettledBy;
  /** The code and message of what the call returned (the same as in `answer`). */
  code?: string;
  message?: string;
  /** What the call returned; absent when the process died before it could record it. */
  answer?: AuditAnswer;
  /** The help state the outcome was settled with, when settled by a check. */
  check?: SettlementCheck;
}

export interface AuditReadout {
  entries: AuditEntry[];
  /** Lines that were torn (a crash mid-write) or otherwise unreadable, and outcomes of no known intent. */
  skippedLines: number;
}

/** The entries of the log's text, newest first; an intent with no outcome line is 'unknown'. */
export function foldEntries(text: string): AuditReadout {
  const entries = new Map<string, { entry: AuditEntry; line: number }>();
  let skippedLines = 0;
  for (const [line, raw] of text.split('\n').entries()) {
    if (raw.trim() === '') continue;
    const parsed = parseLine(raw);
    const known = parsed && entries.get(parsed.id);
    if (parsed?.type === 'intent' && !known) {
      const { type: _type, seq: _seq, prev: _prev, ...intent } = parsed;
      entries.set(parsed.id, { entry: { ...intent, outcome: 'unknown' }, line });
    } else if (parsed?.type === 'outcome' && known) {
      const answer: AuditAnswer = {
        outcome: parsed.outcome,
        at: parsed.at,
        ...(parsed.code !== undefined && { code: parsed.code }),
        ...(parsed.message !== undefined && { message: parsed.message }),
      };
      const { code: _c, message: _m, check: _k, ...rest } = known.entry;
      known.entry = {
        ...rest,
        outcome: parsed.outcome,
        outcomeAt: parsed.at,
        settledBy: 'answer',
        ...(answer.code !== undefined && { code: answer.code }),
        ...(answer.message !== undefined && { message: answer.message }),
        answer,
      };
    } else if (parsed?.type === 'settlement' && known) {
      known.entry = { ...known.entry, outcome: parsed.outcome, outcomeAt: parsed.at, settledBy: 'check', check: parsed.check };
    } else {
      // Torn or corrupt, a repeated intent id, or an outcome of no intent we can read.
      skippedLines++;
    }
  }
  const sorted = [...entries.values()].sort((a, b) => compareIso(b.entry.at, a.entry.at) || b.line - a.line);
  return { entries: sorted.map((e) => e.entry), skippedLines };
}

function compareIso(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
