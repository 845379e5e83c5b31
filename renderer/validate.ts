// Checks what the user typed with the same schemas main applies, and names the problem
// with a message key so it is shown in the UI's language.

import type { MessageKey, MessageParams } from '../shared/i18n';
import { ID_MAX_LENGTH, idSchema } from '../shared/validation';

export interface Problem {
  key: MessageKey;
  params?: MessageParams;
}

export function idProblem(value: string): Problem | null {
  const result = idSchema.safeParse(value);
  if (result.success) return null;
  const issue = result.error.issues[0];
  if (issue?.code === 'too_small') return { key: 'id.empty' };
  if (issue?.code === 'too_big') return { key: 'id.tooLong', params: { max: ID_MAX_LENGTH } };
  return { key: 'id.control' };
}

/** An optional id field: empty is fine (undefined), anything else must be an id. */
export function optionalId(value: string): { ok: true; value: string | undefined } | { ok: false; problem: Problem } {
  if (value.trim() === '') return { ok: true, value: undefined };
  const problem = idProblem(value);
  return problem ? { ok: false, problem } : { ok: true, value: value.trim() };
}
