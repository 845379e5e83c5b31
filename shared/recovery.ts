// Supervisor recovery types shared by main (services, audit, CLI) and the renderer:
// what a force-end settled as, a session found stuck, and what the finder dropped.

/**
 * How a force-end settled, as the audit keeps it:
 * - `ended`: the server said so, or (after an unclear answer) it no longer shows the customer
 *   in help with that staff member;
 * - `already_ended`: there was nothing left to end (the session ended meanwhile);
 * - `no_conversation`: the first call found no conversation between the two;
 * - `not_ended`: the answer was unclear and the customer is still in help with that staff member;
 * - `unknown`: the answer was lost (500 after sending, timeout, cancel, crash) and not yet settled;
 * - `not_sent`: stopped (cancelled) before the force-end was sent: nothing was asked of the server;
 * - `failed`: the server's answer proves nothing happened (authentication, validation, refusal).
 */
export const RECOVERY_OUTCOMES = ['ended', 'already_ended', 'no_conversation', 'not_ended', 'unknown', 'not_sent', 'failed'] as const;
export type RecoveryOutcome = (typeof RECOVERY_OUTCOMES)[number];

/** Outcomes after which nothing is left for the supervisor to do. */
export const DONE_OUTCOMES: readonly RecoveryOutcome[] = ['ended', 'already_ended', 'no_conversation'];

/** Who settled an audit entry's outcome: the call's own answer, or a later iscustomerinonlinehelp check. */
export type SettledBy = 'answer' | 'check';

/** What iscustomerinonlinehelp said when an unclear outcome was settled. */
export interface SettlementCheck {
  isInHelp: boolean;
  staffId: string | null;
}

/** One force-end's result as the services, the CLI and the UI report it. */
export interface ForceEndRow {
  customerId: string;
  staffId: string;
  outcome: RecoveryOutcome;
  /** An error code (shared/errors.ts) when the call did not simply succeed. */
  code?: string;
  message: string;
  /** The audit entry recording it. */
  auditId: string;
}

/** A session the finder confirmed: started long ago, never ended, still in help with the same staff member. */
export interface StuckSession {
  customerId: string;
  customerName: string;
  staffId: string;
  staffName: string;
  onlineHelpId: number;
  /** ISO 8601 */
  startedAt: string;
  /** Whole minutes since it started, at the time of the search. */
  minutes: number;
}

/** Candidates the finder dropped after asking iscustomerinonlinehelp, by why. */
export interface DroppedCounts {
  /** No longer in help (ended since the history row was written). */
  ended: number;
  /** In help, but with another staff member (transferred, or a newer session). */
  otherStaff: number;
  /** Diyalog does not know the customer, the row names no staff member, or the check failed. */
  unknown: number;
}

/** The window a search walked (by request time), ISO 8601: the one asked for, or main's default. */
export interface SearchWindow {
  from: string;
  to: string;
}

export interface StuckSearchResult {
  window: SearchWindow;
  /** Oldest first. */
  sessions: StuckSession[];
  candidates: number;
  dropped: DroppedCounts;
  /** HTTP calls made: the history walk and the checks, retries included. */
  requests: number;
}

export interface StuckSearchProgress {
  phase: 'walk' | 'confirm' | 'done';
  /** Share of the date range walked, in thousandths. */
  walked: number;
  records: number;
  candidates: number;
  checked: number;
  requests: number;
}

/**
 * What the recent help history says of a customer's session with a staff member, for a
 * person confirming a force-end: null for each fact the history does not give.
 */
export interface SessionFacts {
  customerId: string;
  staffId: string;
  customerName: string | null;
  staffName: string | null;
  /** ISO 8601: when the session with that staff member started. */
  startedAt: string | null;
  /** Whole minutes since it started, at the time of the answer. */
  minutes: number | null;
}
