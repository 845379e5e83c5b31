// Force-ending crashed sessions with outcomes that tell the truth.
//
// A force-end is `failed` only when the server's answer proves nothing happened (an
// authentication or validation error, a refusal); a cancel before it was sent is `not_sent`.
// A 500 after the request was sent, a lost answer, a timeout, a cancel or SIGTERM while the
// call is in flight are `unknown` at first,
// then settled by asking iscustomerinonlinehelp: no longer in help with that staff member →
// `ended` (settled by check); still in help → `not_ended`. A crash between the intent and the
// answer leaves an intent without outcome, which reconcileAudit() settles the same way on the
// next start of the app or of any recovery command. The audit keeps both the answer and the
// settlement.

import type { ForceEndResult, HelpStateAnswer } from '../../shared/diyalog';
import { AppError, ERROR_CODES, isAppError, toErrorValue, type ErrorCode } from '../../shared/errors';
import type { ForceEndRow, RecoveryOutcome, SettlementCheck } from '../../shared/recovery';
import { idSchema, parseInput } from '../../shared/validation';
import type { DiyalogClient } from '../diyalog/client';
import { parseAuditIntent, type AuditEntry, type AuditLog } from '../store/audit';
import { cancelledBy, forEachBounded } from './bounded';

export interface ForceEndRequest {
  /** The operator acting (staff number), written to the audit log. */
  actor: string;
  customerId: string;
  staffId: string;
  reason: string;
}

export type RecoveryClient = Pick<DiyalogClient, 'finishOnlineHelp' | 'isCustomerInOnlineHelp'>;

export interface ForceEndOptions {
  /** Cancels the call; a cancel while it is in flight makes the outcome unknown, then settled. */
  signal?: AbortSignal;
  /**
   * Check the help state before sending: a session that ended meanwhile is `already_ended`
   * and nothing is sent (the bulk end and the UI's dialog do; the CLI's force-end does not).
   */
  precheck?: boolean;
  /** How long settling an unclear answer may take, on its own deadline after a cancel; default 8 s. */
  settleTimeoutMs?: number;
  /** The answer was unclear (recorded `unknown`) and the help state is being checked to settle it. */
  onChecking?: (row: ForceEndRow) => void;
}

const DEFAULT_SETTLE_TIMEOUT_MS = 8_000;

/** Answers that prove the server did nothing: the request was refused before any effect. */
const NOTHING_HAPPENED: readonly ErrorCode[] = [
  'invalid_input',
  'missing_credentials',
  'keychain_unavailable',
  'auth_header_rejected',
  'auth_failed',
  'clock_skew',
  'session_expired',
  'operation_failed',
  'customer_not_found',
];

/**
 * The one path to finishonlinehelp. The intent is on disk (fsynced) before the call, the
 * answer after it, and the settlement after that when the answer was unclear. Resolves with
 * the row whatever the server said; rejects only on bad input or when the intent cannot be
 * written (audit_unwritable: nothing was sent). Once the intent is on disk, any failure is `unknown`.
 */
export async function forceEndTruthfully(client: RecoveryClient, audit: AuditLog, request: ForceEndRequest, options: ForceEndOptions = {}): Promise<ForceEndRow> {
  const valid = parseAuditIntent(request);
  const { customerId, staffId } = valid;
  const { signal } = options;
  if (signal?.aborted) throw cancelledBy(signal, 'Cancelled; nothing was sent.');
  // Nothing is sent unless the intent is on disk: a disk that refuses it is audit_unwritable, and that is all.
  const auditId = await audit.recordIntent(valid);
  const row = (outcome: RecoveryOutcome, message: string, code?: string): ForceEndRow => ({
    customerId,
    staffId,
    outcome,
    ...(code !== undefined && { code }),
    message,
    auditId,
  });
  try {
    return await afterIntent(client, audit, valid, auditId, row, options);
  } catch (e) {
    // The intent is on disk and something after it failed (the outcome could not be written, the
    // disk filled): whatever the server did, the audit does not say, so the outcome is unknown,
    // never failed. The next start's reconcile settles it by checking the help state.
    const error = toErrorValue(e);
    return row('unknown', `${error.message} Whether the session ended is unknown: it is checked again at the next start.`, error.code);
  }
}

async function afterIntent(
  client: RecoveryClient,
  audit: AuditLog,
  { customerId, staffId }: ForceEndRequest,
  auditId: string,
  row: (outcome: RecoveryOutcome, message: string, code?: string) => ForceEndRow,
  options: ForceEndOptions,
): Promise<ForceEndRow> {
  const { signal } = options;
  const answered = async (outcome: RecoveryOutcome, message: string, code?: string): Promise<ForceEndRow> => {
    await audit.recordOutcome(auditId, { outcome, message, ...(code !== undefined && { code }) });
    return row(outcome, message, code);
  };

  if (options.precheck) {
    let state: HelpStateAnswer | null = null;
    try {
      state = await client.isCustomerInOnlineHelp(customerId, { signal });
    } catch (e) {
      const error = toErrorValue(e);
      if (error.code === 'cancelled') return answered('not_sent', `Nothing was sent: ${error.message}`, error.code);
      if (error.code === 'customer_not_found') return answered('failed', `Nothing was sent: ${error.message}`, error.code);
      // The check could not be made: the force-end itself will say what is true.
    }
    if (state && !inHelpWith(state, staffId)) {
      const who = state.isInHelp ? `is now in help with staff ${state.staffId ?? '?'}` : 'is no longer in help';
      return answered('already_ended', `Customer ${customerId} ${who}; nothing was sent.`);
    }
  }
  if (signal?.aborted) return answered('not_sent', 'Cancelled before the force-end was sent; nothing was sent.', 'cancelled');

  let result: ForceEndResult;
  try {
    result = await client.finishOnlineHelp(customerId, staffId, { signal });
  } catch (e) {
    const error = toErrorValue(e);
    if (error.code === 'no_conversation') return answered('no_conversation', error.message, error.code);
    if (provesNothingHappened(e)) return answered('failed', error.message, error.code);
    await audit.recordOutcome(auditId, { outcome: 'unknown', code: error.code, message: error.message });
    options.onChecking?.(row('unknown', `${error.message} Checking whether the session ended…`, error.code));
    const settled = await settle(client, customerId, staffId, settleSignal(signal, options.settleTimeoutMs));
    if (settled === null) {
      return row('unknown', `${error.message} Whether the session ended is unknown: the help state could not be checked. It is checked again at the next start.`, error.code);
    }
    await audit.recordSettlement(auditId, settled);
    return settled.outcome === 'ended'
      ? row('ended', `${error.message} The customer is no longer in help with staff ${staffId}: the session ended (settled by check).`)
      : row('not_ended', `${error.message} The customer is still in help with staff ${staffId}: the session was not ended.`, error.code);
  }
  return answered(result.outcome, result.message);
}

/**
 * The former interface of the single force-end (the app's recovery.forceEnd call): resolves
 * for `ended` and `already_ended`, and throws an AppError saying what happened otherwise.
 */
export async function forceEndAudited(client: RecoveryClient, audit: AuditLog, request: ForceEndRequest, options: ForceEndOptions = {}): Promise<ForceEndResult> {
  const row = await forceEndTruthfully(client, audit, request, options);
  if (row.outcome === 'ended' || row.outcome === 'already_ended') {
    return { customerId: row.customerId, staffId: row.staffId, outcome: row.outcome, message: row.message };
  }
  throw rowError(row);
}

/** A row that is not done, as the AppError the contract and the CLI report. */
export function rowError(row: ForceEndRow): AppError {
  switch (row.outcome) {
    case 'no_conversation':
      return new AppError('no_conversation', row.message, { outcome: row.outcome });
    case 'unknown':
      return new AppError('unavailable', row.message, { outcome: row.outcome, outcomeUnknown: true });
    case 'not_ended':
      return new AppError('operation_failed', row.message, { outcome: row.outcome });
    case 'not_sent':
      return new AppError('cancelled', row.message, { outcome: row.outcome });
    default:
      return new AppError(isKnownCode(row.code) ? row.code : 'operation_failed', row.message, { outcome: row.outcome });
  }
}

// ---- bulk ---------------------------------------------------------------------

export interface BulkForceEndRequest {
  actor: string;
  reason: string;
  sessions: readonly { customerId: string; staffId: string }[];
}

export interface BulkForceEndOptions {
  /** Force-ends in flight at once; default 4, at most 16. */
  concurrency?: number;
  signal?: AbortSignal;
  /** After each row, with how many are done. */
  onRow?: (row: BulkRow, done: number, total: number) => void;
  /** A row whose answer was unclear, while its help state is checked (its final row follows through onRow). */
  onChecking?: (row: BulkRow, done: number, total: number) => void;
  /** Check each session before sending it (default true). */
  precheck?: boolean;
  settleTimeoutMs?: number;
}

/** One row of a bulk end, re-checked once every row was sent. */
export interface BulkRow extends Omit<ForceEndRow, 'auditId'> {
  /** Absent for a row never started (the bulk was stopped before its turn). */
  auditId?: string;
  /** Only on the interim row of onChecking: outcome `unknown`, its help state being checked now. */
  checking?: true;
  /** The help state after the whole bulk; null when it could not be checked. */
  recheck: SettlementCheck | null;
}

export const BULK_MAX_SESSIONS = 500;
export const BULK_MAX_CONCURRENCY = 16;

/**
 * Force-ends several sessions with one reason: bounded concurrency, each audited on its own,
 * a row per session whatever happened, then every session checked again. Rejects before
 * anything is sent or written when the input is bad.
 */
export async function forceEndMany(client: RecoveryClient, audit: AuditLog, request: BulkForceEndRequest, options: BulkForceEndOptions = {}): Promise<{ results: BulkRow[] }> {
  const concurrency = options.concurrency ?? 4;
  const intents = parseBulkRequest(request, concurrency);

  const rows: (BulkRow | undefined)[] = intents.map(() => undefined);
  const started = new Set<number>();
  let done = 0;
  const finishRow = (index: number, row: BulkRow) => {
    rows[index] = row;
    options.onRow?.(row, ++done, intents.length);
  };
  const notSent = (intent: ForceEndRequest, message: string): BulkRow => ({
    customerId: intent.customerId,
    staffId: intent.staffId,
    outcome: 'not_sent',
    code: 'cancelled',
    message,
    recheck: null,
  });
  // A stop reports the rows whose turn had not come at once, while those in flight settle.
  const onStop = () =>
    intents.forEach((intent, index) => {
      if (!started.has(index) && rows[index] === undefined) finishRow(index, notSent(intent, 'Stopped before its turn; nothing was sent.'));
    });
  if (options.signal?.aborted) onStop();
  else options.signal?.addEventListener('abort', onStop, { once: true });
  try {
    await forEachBounded(
      intents,
      concurrency,
      async (intent, index) => {
        started.add(index);
        const row = await forceEndTruthfully(client, audit, intent, {
          precheck: options.precheck ?? true,
          ...(options.signal && { signal: options.signal }),
          ...(options.settleTimeoutMs !== undefined && { settleTimeoutMs: options.settleTimeoutMs }),
          onChecking: (checking) => options.onChecking?.({ ...checking, recheck: null, checking: true }, done, intents.length),
        }).catch((e: unknown): ForceEndRow | BulkRow => {
          // Only a cancel before the intent, or an intent the disk refused, gets here: nothing was sent.
          const error = toErrorValue(e);
          if (error.code === 'cancelled') return notSent(intent, error.message);
          return { ...notSent(intent, `Nothing was sent: ${error.message}`), code: error.code };
        });
        finishRow(index, { ...row, recheck: null });
      },
      options.signal,
    );
  } catch (e) {
    if (!(isAppError(e) && e.code === 'cancelled')) throw e;
  } finally {
    options.signal?.removeEventListener('abort', onStop);
  }
  intents.forEach((intent, index) => {
    if (rows[index] === undefined) finishRow(index, notSent(intent, 'Stopped before its turn; nothing was sent.'));
  });

  // Every row is checked again, whatever it said: the supervisor sees what is true now.
  const results = rows as BulkRow[];
  await forEachBounded(results, concurrency, async (row) => {
    row.recheck = await checkState(client, row.customerId, settleSignal(options.signal, options.settleTimeoutMs));
  });
  return { results };
}

/**
 * The intents a bulk end will write, checked: a reason, 1 to BULK_MAX_SESSIONS sessions, no
 * customer twice, a concurrency from 1 to BULK_MAX_CONCURRENCY. invalid_input otherwise.
 */
export function parseBulkRequest(request: BulkForceEndRequest, concurrency = 4): ForceEndRequest[] {
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > BULK_MAX_CONCURRENCY) {
    throw new AppError('invalid_input', `Concurrency must be a whole number from 1 to ${BULK_MAX_CONCURRENCY}.`, { field: 'concurrency' });
  }
  if (request.sessions.length === 0) throw new AppError('invalid_input', 'Select at least one session to end.', { field: 'sessions' });
  if (request.sessions.length > BULK_MAX_SESSIONS) {
    throw new AppError('invalid_input', `At most ${BULK_MAX_SESSIONS} sessions can be ended at once.`, { field: 'sessions' });
  }
  const intents = request.sessions.map((s) => parseAuditIntent({ actor: request.actor, reason: request.reason, customerId: s.customerId, staffId: s.staffId }));
  const seen = new Set<string>();
  for (const i of intents) {
    if (seen.has(i.customerId)) throw new AppError('invalid_input', `Customer ${i.customerId} is listed twice.`, { field: 'sessions' });
    seen.add(i.customerId);
  }
  return intents;
}

// ---- reconcile ----------------------------------------------------------------

export interface ReconcileResult {
  /** Unknown entries found. */
  checked: number;
  /** Those settled now, oldest first. */
  settled: { id: string; customerId: string; staffId: string; outcome: RecoveryOutcome }[];
  /** Still unknown (the check failed, or the customer is unknown to Diyalog). */
  stillUnknown: number;
}

/**
 * Settles every entry whose outcome is unknown (an intent without outcome after a crash, or
 * an unclear answer not settled then) by asking iscustomerinonlinehelp. A settlement is
 * written only while the entry is still unknown, so a reconcile racing the process that made
 * the call never overwrites its answer; a later answer supersedes a settlement.
 */
export async function reconcileAudit(
  client: Pick<DiyalogClient, 'isCustomerInOnlineHelp'>,
  audit: AuditLog,
  options: { signal?: AbortSignal; concurrency?: number } = {},
): Promise<ReconcileResult> {
  const unsettled = await audit.unsettled();
  const settled: (ReconcileResult['settled'][number] | undefined)[] = unsettled.map(() => undefined);
  await forEachBounded(
    unsettled,
    options.concurrency ?? 4,
    async (entry: AuditEntry, index) => {
      const outcome = await settle(client, entry.customerId, entry.staffId, options.signal);
      if (outcome && (await audit.recordSettlement(entry.id, outcome, { onlyIfUnknown: true }))) {
        settled[index] = { id: entry.id, customerId: entry.customerId, staffId: entry.staffId, outcome: outcome.outcome };
      }
    },
    options.signal,
  );
  const list = settled.filter((s) => s !== undefined);
  const after = new Set((await audit.unsettled()).map((e) => e.id));
  return { checked: unsettled.length, settled: list, stillUnknown: unsettled.filter((e) => after.has(e.id)).length };
}

// ---- helpers ------------------------------------------------------------------

function inHelpWith(state: HelpStateAnswer, staffId: string): boolean {
  return state.isInHelp && state.staffId === staffId;
}

/** ended / not_ended from the help state now, or null when it cannot be known. */
async function settle(
  client: Pick<DiyalogClient, 'isCustomerInOnlineHelp'>,
  customerId: string,
  staffId: string,
  signal: AbortSignal | undefined,
): Promise<{ outcome: 'ended' | 'not_ended'; check: SettlementCheck } | null> {
  const check = await checkState(client, customerId, signal);
  if (check === null) return null;
  return { outcome: check.isInHelp && check.staffId === staffId ? 'not_ended' : 'ended', check };
}

async function checkState(client: Pick<DiyalogClient, 'isCustomerInOnlineHelp'>, customerId: string, signal: AbortSignal | undefined): Promise<SettlementCheck | null> {
  try {
    const state = await client.isCustomerInOnlineHelp(parseInput(idSchema, customerId, 'customer id'), { signal });
    return { isInHelp: state.isInHelp, staffId: state.isInHelp ? state.staffId : null };
  } catch {
    return null;
  }
}

/** The check after an unclear answer runs on its own deadline, even when the caller has cancelled. */
function settleSignal(signal: AbortSignal | undefined, timeoutMs = DEFAULT_SETTLE_TIMEOUT_MS): AbortSignal {
  const deadline = AbortSignal.timeout(timeoutMs);
  return signal && !signal.aborted ? AbortSignal.any([signal, deadline]) : deadline;
}

function provesNothingHappened(e: unknown): boolean {
  if (!isAppError(e)) return false;
  if (NOTHING_HAPPENED.includes(e.code)) return true;
  // Any answer but a 200 that could not be read (a redirect, 404, 405, 415): the server did not act.
  if (e.code === 'bad_response') return typeof e.details.status === 'number' && e.details.status !== 200;
  return false;
}

function isKnownCode(code: string | undefined): code is ErrorCode {
  return (ERROR_CODES as readonly (string | undefined)[]).includes(code);
}
