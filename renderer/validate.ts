// Checks what the user typed with the same schemas main applies (shared/validation.ts), and
// names the problem with a message key, so it is shown in the UI's language.

import type { z } from 'zod';
import type { MessageKey, MessageParams } from '../shared/i18n';
import {
  assistanceTextSchema,
  dateRangeSchema,
  idSchema,
  inputIssue,
  pathIdSchema,
  reasonSchema,
  type InputIssue,
} from '../shared/validation';

// The limits and the unit (code points) the views show in counters: the same as main's.
export { ASSISTANCE_TEXT_MAX_LENGTH, ID_MAX_LENGTH, REASON_MAX_LENGTH } from '../shared/validation';
export { codePointLength as textLength } from '../shared/text';

export interface Problem {
  key: MessageKey;
  params?: MessageParams;
}

/** A rule refusal from shared/validation in the catalogue's words (`rule.*`). */
export function ruleProblem(issue: InputIssue): Problem {
  return { key: `rule.${issue.rule}`, params: issue.params };
}

/** Every issue of a zod error by its dotted path (`diyalog.baseUrl`), first one per path. */
export function problemsByPath(error: z.ZodError, depth = 2): Record<string, Problem> {
  const out: Record<string, Problem> = {};
  for (const raw of error.issues) {
    const issue = inputIssue(raw);
    const path = issue.path.slice(0, depth).map(String).join('.');
    out[path] ??= ruleProblem(issue);
  }
  return out;
}

export function idProblem(value: string): Problem | null {
  const result = idSchema.safeParse(value);
  if (result.success) return null;
  const first = result.error.issues[0];
  const issue = first ? inputIssue(first) : null;
  if (!issue || issue.rule === 'empty' || issue.rule === 'required') return { key: 'id.empty' };
  return ruleProblem(issue);
}

/** An ICWS interaction or assistance id: an id that goes into a URL path, so no '/' either. */
export function icwsIdProblem(value: string): Problem | null {
  const problem = idProblem(value);
  return problem ?? problemOf(pathIdSchema, value);
}

/** An optional id field: empty is fine (undefined), anything else must be an id. */
export function optionalId(value: string): { ok: true; value: string | undefined } | { ok: false; problem: Problem } {
  if (value.trim() === '') return { ok: true, value: undefined };
  const problem = idProblem(value);
  return problem ? { ok: false, problem } : { ok: true, value: value.trim() };
}

/** The first refusal of `schema` for `value` as a Problem, or null when it is accepted. */
export function problemOf(schema: z.ZodType, value: unknown): Problem | null {
  const result = schema.safeParse(value);
  if (result.success) return null;
  const first = result.error.issues[0];
  return first ? ruleProblem(inputIssue(first, { value })) : { key: 'rule.invalid' };
}

/** A message to a supervisor: the contract's rule (required, 2000 code points, newlines fine, no controls or bidi). */
export function assistanceTextProblem(text: string): Problem | null {
  const problem = problemOf(assistanceTextSchema, text);
  return problem?.key === 'rule.empty' ? { key: 'assist.empty' } : problem;
}

/** A force-end reason: the contract's rule (required, 500 code points, no controls or bidi). */
export function reasonProblem(reason: string): Problem | null {
  const problem = problemOf(reasonSchema, reason);
  return problem?.key === 'rule.empty' ? { key: 'force.reasonRequired' } : problem;
}

/** The one date-range rule (shared/validation.ts), on the field the user sets last: the end. */
export function dateRangeProblem(startDate: number, endDate: number): Problem | null {
  const problem = problemOf(dateRangeSchema, { startDate, endDate });
  return problem?.key === 'rule.range_inverted' ? { key: 'history.badRange' } : problem;
}
