// Input rules for what the user types and what crosses into the Diyalog client.
// Imported by main and the renderer alike, so it sees neither Node nor the DOM.

import { z } from 'zod';
import { AppError } from './errors';

export const ID_MAX_LENGTH = 64;
export const CUSTOMER_MESSAGE_MAX_LENGTH = 1000;

// C0, DEL and C1: nothing a staff number or an id may carry, and a newline in a
// signed JSON body or a header value is a bug waiting to happen.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** Customer id, staff id, interaction id, session id, access-key id. */
export const idSchema = z
  .string({ error: 'must be text' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(ID_MAX_LENGTH, { error: `must be at most ${ID_MAX_LENGTH} characters` })
  .refine((s) => !CONTROL_CHARS.test(s), { error: 'must not contain control characters' });

// Date's own limit: ±8.64e15 ms around 1970.
const MAX_DATE_MS = 8.64e15;

/** Epoch milliseconds that make a valid Date, not before 1970. */
export const epochMsSchema = z
  .number({ error: 'must be a date (epoch milliseconds)' })
  .int({ error: 'must be whole epoch milliseconds' })
  .min(0, { error: 'must not be before 1970' })
  .max(MAX_DATE_MS, { error: 'is not a valid date' });

/** Both ends inclusive. */
export const dateRangeSchema = z
  .object({ startDate: epochMsSchema, endDate: epochMsSchema })
  .refine((r) => r.startDate <= r.endDate, { error: 'start date must not be after end date', path: ['endDate'] });

export type DateRange = z.infer<typeof dateRangeSchema>;

/** getonlinehelplist filter: a date range, optionally narrowed to a customer and/or an agent. */
export const historyQuerySchema = z
  .object({
    startDate: epochMsSchema,
    endDate: epochMsSchema,
    customerId: idSchema.optional(),
    agentId: idSchema.optional(),
  })
  .refine((r) => r.startDate <= r.endDate, { error: 'start date must not be after end date', path: ['endDate'] });

/** Free text shown to a customer in the mobile app; newlines are fine there. */
export const customerMessageSchema = z
  .string({ error: 'must be text' })
  .trim()
  .max(CUSTOMER_MESSAGE_MAX_LENGTH, { error: `must be at most ${CUSTOMER_MESSAGE_MAX_LENGTH} characters` });

/**
 * Parses `value` or throws `invalid_input` naming the field, e.g.
 * `Invalid customer id: must not be empty` or `Invalid history query (endDate): start date must not be after end date`.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` (${issue.path.map(String).join('.')})` : '';
  const message = `Invalid ${what}${where}: ${issue?.message ?? 'not accepted'}`;
  throw new AppError('invalid_input', message, { field: what, path: (issue?.path ?? []).map(String) });
}
