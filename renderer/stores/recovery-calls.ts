// The supervisor's recovery calls as this store expects them. They are not in
// shared/contract.ts yet; until they are, they go through the transport untyped, and main
// answers an unknown call with an error the screen shows. The shapes follow
// main/services/recovery-jobs.ts (RecoveryJobs) and shared/recovery.ts:
//
//   calls
//     recovery.find    {startDate, endDate, agentId?, customerId?, olderThanMinutes?} → {searchId}
//     recovery.cancel  {searchId}                                                     → {ok: true}
//     recovery.result  {searchId} → {status:'running', progress} | {status:'done', result: StuckSearchResult}
//                                   | {status:'failed', error}
//     recovery.endMany {sessions: [{customerId, staffId}], reason, confirmed: true, concurrency?} → {jobId}
//     audit.verify     {} → {ok, entries, brokenAt?, reason?}
//   events
//     recovery.progress {searchId, progress: StuckSearchProgress}    (phase 'done' last)
//     recovery.done     {searchId, result: StuckSearchResult | null, error: ErrorValue | null}
//     recovery.outcome  {jobId, row: BulkRow, done, total}             (a row as it settles)
//     recovery.ended    {jobId, results: BulkRow[] | null, error}      (every row, with its re-check)
//
// Once the contract has them, `call` and `on` below can become the typed api.call/api.on.

import type { CompanionApi, Result } from '../../shared/contract';
import type { ErrorValue } from '../../shared/errors';
import type { ForceEndRow, SettlementCheck, StuckSearchProgress, StuckSearchResult } from '../../shared/recovery';

export interface StuckQueryInput {
  startDate: number;
  endDate: number;
  agentId?: string;
  customerId?: string;
  olderThanMinutes?: number;
}

/** One row of a bulk force-end: the outcome, then (after the whole bulk) the re-check. */
export interface BulkRow extends Omit<ForceEndRow, 'auditId'> {
  auditId?: string;
  recheck?: SettlementCheck | null;
}

export type SearchState =
  | { status: 'running'; progress: StuckSearchProgress }
  | { status: 'done'; result: StuckSearchResult }
  | { status: 'failed'; error: ErrorValue };

export interface AuditVerdict {
  ok: boolean;
  entries: number;
  brokenAt?: number;
  reason?: string;
}

interface RecoveryCalls {
  'recovery.find': { input: StuckQueryInput; output: { searchId: string } };
  'recovery.cancel': { input: { searchId: string }; output: { ok: true } };
  'recovery.result': { input: { searchId: string }; output: SearchState };
  'recovery.endMany': {
    input: { sessions: { customerId: string; staffId: string }[]; reason: string; confirmed: true; concurrency?: number };
    output: { jobId: string };
  };
  'audit.verify': { input: Record<string, never>; output: AuditVerdict };
}

interface RecoveryEvents {
  'recovery.progress': { searchId: string; progress: StuckSearchProgress };
  'recovery.done': { searchId: string; result: StuckSearchResult | null; error: ErrorValue | null };
  'recovery.outcome': { jobId: string; row: BulkRow; done: number; total: number };
  'recovery.ended': { jobId: string; results: BulkRow[] | null; error: ErrorValue | null };
}

type Untyped = {
  call(name: string, input: unknown): Promise<Result<unknown>>;
  on(event: string, listener: (payload: unknown) => void): () => void;
};

export async function recoveryCall<N extends keyof RecoveryCalls>(
  api: CompanionApi,
  name: N,
  input: RecoveryCalls[N]['input'],
): Promise<Result<RecoveryCalls[N]['output']>> {
  try {
    return (await (api as unknown as Untyped).call(name, input)) as Result<RecoveryCalls[N]['output']>;
  } catch (e) {
    return { ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
  }
}

export function onRecovery<E extends keyof RecoveryEvents>(api: CompanionApi, event: E, listener: (payload: RecoveryEvents[E]) => void): () => void {
  try {
    return (api as unknown as Untyped).on(event, listener as (payload: unknown) => void);
  } catch {
    // A preload that knows only the contract's names may refuse an unknown event: nothing to hear yet.
    return () => {};
  }
}
