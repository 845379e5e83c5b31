// ICWS wire shapes (zod) and the conversions from them to the shared domain types.

import { z } from 'zod';
import type { AssistanceMessage, AssistanceState, ParticipantAction } from '../../shared/assistance';
import { idSchema, parseInput } from '../../shared/validation';

export const JSON_CONTENT_TYPE = 'application/vnd.inin.icws+JSON; charset=utf-8';
export const CONNECTION_REQUEST_TYPE = 'urn:inin.com:connection:icAuthConnectionRequestSettings';
export const ASSISTANCE_LIST_TYPE = 'urn:inin.com:interactions.assistance:assistanceRequestListMessage';
export const ASSISTANCE_DETAILS_TYPE = 'urn:inin.com:interactions.assistance:assistanceRequestDetailsMessage';

export const ASSISTANCE_TEXT_MAX_LENGTH = 2000;

export const errorBodySchema = z.looseObject({
  errorId: z.string().optional(),
  message: z.string().optional(),
  errorCode: z.number().optional(),
  alternateHostList: z.array(z.string()).optional(),
});
export type IcwsErrorBody = z.infer<typeof errorBodySchema>;

const featureSchema = z.looseObject({ featureId: z.string(), version: z.number() });
export const featuresAnswerSchema = z.looseObject({ featureInfoList: z.array(featureSchema) });

export const connectAnswerSchema = z.looseObject({
  csrfToken: z.string().min(1),
  sessionId: z.string().min(1),
  alternateHostList: z.array(z.string()).optional(),
  userID: z.string().optional(),
  userDisplayName: z.string().optional(),
  icServer: z.string().optional(),
  // The connect answer's `features` is documented loosely: accept the bare list or the
  // `{featureInfoList}` wrapper that GET /connection/features uses.
  features: z.union([z.array(featureSchema), featuresAnswerSchema]).optional(),
});
export type ConnectAnswer = z.infer<typeof connectAnswerSchema>;

/** featureId → version */
export type Features = ReadonlyMap<string, number>;

export function toFeatures(list: ReadonlyArray<{ featureId: string; version: number }>): Features {
  return new Map(list.map((f) => [f.featureId, f.version]));
}

export function featuresOf(answer: ConnectAnswer): Features | null {
  if (!answer.features) return null;
  return toFeatures(Array.isArray(answer.features) ? answer.features : answer.features.featureInfoList);
}

export const messageSchema = z.looseObject({ __type: z.string(), isDelta: z.boolean().optional() });
export type IcwsMessage = z.infer<typeof messageSchema>;
export const messageListSchema = z.array(messageSchema);

export const createAssistanceAnswerSchema = z.looseObject({ assistanceId: z.string().min(1) });

export const assistanceListMessageSchema = z.looseObject({
  __type: z.literal(ASSISTANCE_LIST_TYPE),
  isDelta: z.boolean(),
  requestsAdded: z.array(z.string()).optional(),
  requestsRemoved: z.array(z.string()).optional(),
});
export type AssistanceListMessage = z.infer<typeof assistanceListMessageSchema>;

const STATES: readonly AssistanceState[] = ['none', 'accepted', 'completed'];
const ACTIONS: readonly ParticipantAction[] = ['none', 'initiated', 'ignored', 'accepted'];

/** ISO 8601 basic (`20201029T082018Z`, optionally with fractions or an offset) → extended UTC. */
export function fromIcwsTime(value: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(value);
  if (!m) throw new Error(`not an ICWS time: ${value}`);
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const ms = frac.padEnd(3, '0').slice(0, 3);
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(3).replace(':', '') || '00'}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}${offset}`);
  if (Number.isNaN(date.getTime())) throw new Error(`not an ICWS time: ${value}`);
  return date.toISOString();
}

const icwsTimeSchema = z.string().transform((value, ctx) => {
  try {
    return fromIcwsTime(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `not an ISO 8601 basic time: ${value}` });
    return z.NEVER;
  }
});

const enumSchema = <T>(values: readonly T[]) =>
  z.number().int().min(0).max(values.length - 1).transform((n) => values[n] as T);

/** A change may name only what changed; the reducer fills the rest from what it knew. */
export interface ParticipantUpdate {
  userId: string;
  displayName?: string;
  action?: ParticipantAction;
}

const participantSchema = z
  .looseObject({ userId: z.string(), displayName: z.string().optional(), action: enumSchema(ACTIONS).optional() })
  .transform((p): ParticipantUpdate => ({ userId: p.userId, displayName: p.displayName, action: p.action }));

const assistanceMessageSchema = z
  .looseObject({ text: z.string(), participantId: z.string(), timeAdded: icwsTimeSchema })
  .transform((m): AssistanceMessage => ({ text: m.text, participantId: m.participantId, timeAdded: m.timeAdded }));

export const assistanceDetailsMessageSchema = z.looseObject({
  __type: z.literal(ASSISTANCE_DETAILS_TYPE),
  isDelta: z.boolean(),
  assistanceId: z.string(),
  interactionId: z.string().optional(),
  state: enumSchema(STATES).optional(),
  messagesAdded: z.array(assistanceMessageSchema).optional(),
  participantsAdded: z.array(participantSchema).optional(),
  participantsChanged: z.array(participantSchema).optional(),
});
export type AssistanceDetailsMessage = z.infer<typeof assistanceDetailsMessageSchema>;

// Ids go into the URL path, so a '/' would address another resource.
const pathIdSchema = idSchema.refine((s) => !s.includes('/'), { error: 'must not contain "/"' });

export function parseId(value: unknown, what: string): string {
  return parseInput(pathIdSchema, value, what);
}

const assistanceTextSchema = z
  .string({ error: 'must be text' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .refine((s) => [...s].length <= ASSISTANCE_TEXT_MAX_LENGTH, {
    error: `must be at most ${ASSISTANCE_TEXT_MAX_LENGTH} characters`,
  });

export function parseAssistanceText(value: unknown): string {
  return parseInput(assistanceTextSchema, value, 'assistance text');
}
