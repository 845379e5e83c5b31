import type { ForceEndResult } from '../../shared/diyalog';
import { AppError, toErrorValue } from '../../shared/errors';
import type { DiyalogClient } from '../diyalog/client';
import type { AuditLog } from '../store/audit';

export interface ForceEndRequest {
  /** The operator acting (staff number), written to the audit log. */
  actor: string;
  customerId: string;
  staffId: string;
  reason: string;
}

/**
 * The one path to finishonlinehelp. The intent is on disk (fsynced) before the call and
 * the outcome after it, so a crash in between leaves a visible "outcome unknown" entry.
 */
export async function forceEndAudited(
  client: Pick<DiyalogClient, 'finishOnlineHelp'>,
  audit: AuditLog,
  request: ForceEndRequest,
  options: { signal?: AbortSignal } = {},
): Promise<ForceEndResult> {
  const id = await audit.recordIntent(request);
  try {
    const result = await client.finishOnlineHelp(request.customerId, request.staffId, options);
    await audit.recordOutcome(id, { outcome: result.outcome, message: result.message });
    return result;
  } catch (e) {
    const error = toErrorValue(e);
    await audit.recordOutcome(id, { outcome: 'failed', code: error.code, message: error.message });
    throw e instanceof AppError ? e : new AppError(error.code, error.message, {}, { cause: e });
  }
}
