// ICWS wire shapes and the conversions from them to the shared domain types. Messages are
// read leniently (§2.4): servers grow enumerations and vary time formats, and one field we
// cannot read never costs the rest of a message.

import { z } from 'zod';
import type { AssistanceMessage, AssistanceState, ParticipantAction } from '../../shared/assistance';
import type { Language } from '../../shared/contract';
import { assistanceTextSchema, parseInput, pathIdSchema } from '../../shared/validation';

export const JSON_CONTENT_TYPE = 'application/vnd.inin.icws+JSON; charset=utf-8';
export const CONNECTION_REQUEST_TYPE = 'urn:inin.com:connection:icAuthConnectionRequestSettings';
export const ASSISTANCE_LIST_TYPE = 'urn:inin.com:interactions.assistance:assistanceRequestListMessage';
export const ASSISTANCE_DETAILS_TYPE = 'urn:inin.com:interactions.assistance:assistanceRequestDetailsMessage';
export const ASSISTANCE_SUBSCRIPTION_STATE_TYPE = 'urn:inin.com:interactions.assistance:assistanceRequestSubscriptionStateMessage';
/** Pushed without any subscription (§2.4). */
export const CONNECTION_STATE_CHANGE_TYPE = 'urn:inin.com:connection:connectionStateChangeMessage';
/** A real server's body for a bad session cookie; its status is not documented, so it means "log in again" whatever the status. */
export const INVALID_COOKIE_ERROR_ID = 'error.request.accessDenied.cookie.invalid';
/** A wrong user or password at connect (at any later call, with errorCode -2147221499, an invalid session: §2.6). */
export const AUTHENTICATION_FAILURE_ERROR_ID = 'error.request.connection.authenticationFailure';
/** A server switching over refuses connections with these (§2.1): the alternates are tried, then it is tried again. */
export const SWITCHOVER_ERROR_IDS: ReadonlySet<string> = new Set(['error.server.notAcceptingConnections', 'error.server.unavailable']);

export { ASSISTANCE_TEXT_MAX_LENGTH } from '../../shared/validation';

// Lenient: one odd field (a string errorCode, a number in the host list) must not cost
// the server's message or the rest of the answer.
const optionalText = z.string().optional().catch(undefined);
const hostList = z
  .array(z.unknown())
  .transform((list) => list.filter((h): h is string => typeof h === 'string'))
  .optional()
  .catch(undefined);

export const errorBodySchema = z.looseObject({
  errorId: optionalText,
  message: optionalText,
  errorCode: z.number().optional().catch(undefined),
  alternateHostList: hostList,
});
export type IcwsErrorBody = z.infer<typeof errorBodySchema>;

const featureSchema = z.looseObject({ featureId: z.string(), version: z.number() });
export const featuresAnswerSchema = z.looseObject({ featureInfoList: z.array(featureSchema) });

export const connectAnswerSchema = z.looseObject({
  csrfToken: z.string().min(1),
  sessionId: z.string().min(1),
  alternateHostList: hostList,
  userID: optionalText,
  userDisplayName: optionalText,
  icServer: optionalText,
  /** Days left before the user's password expires, when the server counts them (§2.6). */
  daysUntilPasswordExpiration: z.number().int().optional().catch(undefined),
  // The connect answer's `features` is documented loosely: accept the bare list or the
  // `{featureInfoList}` wrapper that GET /connection/features uses.
  features: z.union([z.array(featureSchema), featuresAnswerSchema]).optional().catch(undefined),
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

/** A parsed message and what could not be read in it: each bad field is left out and named here. */
export interface Lenient<T> {
  value: T;
  problems: string[];
}

export interface AssistanceListMessage {
  isDelta: boolean;
  requestsAdded?: string[];
  requestsRemoved?: string[];
}

const STATES = ['none', 'accepted', 'completed'] as const satisfies readonly AssistanceState[];
const ACTIONS = ['none', 'initiated', 'ignored', 'accepted'] as const satisfies readonly ParticipantAction[];
const CONNECTION_STATES = ['none', 'up', 'down'] as const;
const SUBSCRIPTION_STATES = ['none', 'normal', 'suspended', 'faulted'] as const;

export type IcwsConnectionState = (typeof CONNECTION_STATES)[number] | 'unknown';
export type SubscriptionState = (typeof SUBSCRIPTION_STATES)[number] | 'unknown';

/**
 * An ICWS enumeration: a JSON number (what servers send), or the member's name (what
 * Genesys' own examples compare against). A number or name we do not know is `unknown`:
 * enumerations grow with server versions.
 */
export function enumMember<T extends string>(raw: unknown, names: readonly T[]): T | 'unknown' {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw < names.length) return names[raw]!;
  if (typeof raw === 'string') {
    const byName = names.find((n) => n === raw.trim().toLowerCase());
    if (byName) return byName;
    if (/^\d+$/.test(raw.trim())) return enumMember(Number(raw.trim()), names);
  }
  return 'unknown';
}

const BASIC_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const EXTENDED_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * An ICWS time → extended ISO 8601 UTC with milliseconds. Real servers send the basic form
 * (`20201029T082018Z`); Genesys' SDK reads the extended one too (`2020-10-29T08:20:18Z`),
 * fractions and offsets allowed. ICWS times are UTC, so a time without a zone is taken as UTC.
 */
export function fromIcwsTime(value: string): string {
  const m = BASIC_TIME.exec(value.trim()) ?? EXTENDED_TIME.exec(value.trim());
  if (!m) throw new Error(`not an ICWS time: ${value}`);
  const [, y, mo, d, h, mi, s, frac = '', rawZone = 'Z'] = m;
  const zone = rawZone.toUpperCase();
  const ms = frac.padEnd(3, '0').slice(0, 3);
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(3).replace(':', '') || '00'}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}${offset}`);
  // Date rolls 31 February over into March: a day that does not exist is not a time.
  const calendar = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (Number.isNaN(date.getTime()) || calendar.getUTCDate() !== Number(d) || calendar.getUTCMonth() !== Number(mo) - 1) {
    throw new Error(`not an ICWS time: ${value}`);
  }
  return date.toISOString();
}

/** A change may name only what changed; the reducer fills the rest from what it knew. */
export interface ParticipantUpdate {
  userId: string;
  displayName?: string;
  action?: ParticipantAction;
}

export interface AssistanceDetailsMessage {
  isDelta: boolean;
  assistanceId: string;
  interactionId?: string;
  state?: AssistanceState;
  messagesAdded?: AssistanceMessage[];
  participantsAdded?: ParticipantUpdate[];
  participantsChanged?: ParticipantUpdate[];
}

export interface ConnectionStateChange {
  previous: IcwsConnectionState;
  next: IcwsConnectionState;
  /** the server's own (localized) text; empty when it sent none */
  reason: string;
  /** false: do not log in again by yourself (an administrator ended the session, or a login elsewhere) */
  shouldReconnect?: boolean;
}

export interface SubscriptionStateChange {
  state: SubscriptionState;
  error?: { errorId?: string; message?: string };
}

type Fields = Record<string, unknown>;
const isRecord = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const describeValue = (v: unknown) => (v === undefined ? 'missing' : `${JSON.stringify(v)?.slice(0, 40) ?? String(v)}`);

/** `isDelta` is required by ICWS; without it we merge (a delta never wipes what we know). */
function readIsDelta(m: Fields, problems: string[]): boolean {
  if (typeof m.isDelta === 'boolean') return m.isDelta;
  problems.push(`isDelta: ${describeValue(m.isDelta)}, read as true`);
  return true;
}

function readOptionalString(m: Fields, field: string, problems: string[]): string | undefined {
  const v = m[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  problems.push(`${field}: ${describeValue(v)} is not text, left out`);
  return undefined;
}

function readArray(m: Fields, field: string, problems: string[]): unknown[] | undefined {
  const v = m[field];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v;
  problems.push(`${field}: not a list, left out`);
  return undefined;
}

function readIds(m: Fields, field: string, problems: string[]): string[] | undefined {
  const list = readArray(m, field, problems);
  if (!list) return undefined;
  const ids = list.filter((id): id is string => typeof id === 'string' && id.length > 0);
  if (ids.length !== list.length) problems.push(`${field}: ${list.length - ids.length} entries that are not ids left out`);
  return ids;
}

export function parseListMessage(raw: unknown): Lenient<AssistanceListMessage> | { error: string } {
  if (!isRecord(raw)) return { error: 'not an object' };
  const problems: string[] = [];
  const isDelta = readIsDelta(raw, problems);
  const requestsAdded = readIds(raw, 'requestsAdded', problems);
  // A full list whose list could not be read would wipe the view: apply nothing instead.
  if (!isDelta && raw.requestsAdded !== undefined && requestsAdded === undefined) return { error: 'a full list without a readable requestsAdded' };
  const value: AssistanceListMessage = { isDelta };
  if (requestsAdded) value.requestsAdded = requestsAdded;
  const requestsRemoved = readIds(raw, 'requestsRemoved', problems);
  if (requestsRemoved) value.requestsRemoved = requestsRemoved;
  return { value, problems };
}

/**
 * `receivedAt` stands in for a message time that cannot be read: the message itself is
 * kept (messages arrive as they are written, so the two are close).
 */
export function parseDetailsMessage(raw: unknown, receivedAt: string): Lenient<AssistanceDetailsMessage> | { error: string } {
  if (!isRecord(raw)) return { error: 'not an object' };
  if (typeof raw.assistanceId !== 'string' || raw.assistanceId === '') return { error: `assistanceId: ${describeValue(raw.assistanceId)}` };
  const problems: string[] = [];
  const value: AssistanceDetailsMessage = { isDelta: readIsDelta(raw, problems), assistanceId: raw.assistanceId };
  const interactionId = readOptionalString(raw, 'interactionId', problems);
  if (interactionId !== undefined) value.interactionId = interactionId;
  if (raw.state !== undefined && raw.state !== null) {
    value.state = enumMember(raw.state, STATES);
    if (value.state === 'unknown') problems.push(`state: ${describeValue(raw.state)} is not a known state, read as unknown`);
  }
  const messages = readArray(raw, 'messagesAdded', problems);
  if (messages) value.messagesAdded = messages.flatMap((m, i) => readMessage(m, `messagesAdded[${i}]`, receivedAt, problems));
  for (const field of ['participantsAdded', 'participantsChanged'] as const) {
    const list = readArray(raw, field, problems);
    if (list) value[field] = list.flatMap((p, i) => readParticipant(p, `${field}[${i}]`, problems));
  }
  return { value, problems };
}

function readMessage(raw: unknown, where: string, receivedAt: string, problems: string[]): AssistanceMessage[] {
  if (!isRecord(raw) || typeof raw.text !== 'string') {
    problems.push(`${where}: no text, left out`);
    return [];
  }
  let participantId = '';
  if (typeof raw.participantId === 'string') participantId = raw.participantId;
  else problems.push(`${where}.participantId: ${describeValue(raw.participantId)}, read as empty`);
  let timeAdded = receivedAt;
  try {
    if (typeof raw.timeAdded !== 'string') throw new Error('not text');
    timeAdded = fromIcwsTime(raw.timeAdded);
  } catch {
    problems.push(`${where}.timeAdded: ${describeValue(raw.timeAdded)} is not an ISO 8601 time, read as the time it arrived`);
  }
  return [{ text: raw.text, participantId, timeAdded }];
}

function readParticipant(raw: unknown, where: string, problems: string[]): ParticipantUpdate[] {
  if (!isRecord(raw) || typeof raw.userId !== 'string' || raw.userId === '') {
    problems.push(`${where}: no userId, left out`);
    return [];
  }
  const update: ParticipantUpdate = { userId: raw.userId };
  const displayName = readOptionalString(raw, 'displayName', problems);
  if (displayName !== undefined) update.displayName = displayName;
  if (raw.action !== undefined && raw.action !== null) {
    update.action = enumMember(raw.action, ACTIONS);
    if (update.action === 'unknown') problems.push(`${where}.action: ${describeValue(raw.action)} is not a known action, read as unknown`);
  }
  return [update];
}

export function parseConnectionStateChange(raw: unknown): Lenient<ConnectionStateChange> | { error: string } {
  if (!isRecord(raw)) return { error: 'not an object' };
  const problems: string[] = [];
  const next = enumMember(raw.newConnectionState, CONNECTION_STATES);
  if (next === 'unknown') problems.push(`newConnectionState: ${describeValue(raw.newConnectionState)} is not a known state`);
  const reason = readOptionalString(raw, 'reason', problems) ?? '';
  const value: ConnectionStateChange = { previous: enumMember(raw.previousConnectionState, CONNECTION_STATES), next, reason: reason.trim() };
  if (typeof raw.shouldReconnect === 'boolean') value.shouldReconnect = raw.shouldReconnect;
  else if (raw.shouldReconnect !== undefined && raw.shouldReconnect !== null) problems.push(`shouldReconnect: ${describeValue(raw.shouldReconnect)}, left out`);
  return { value, problems };
}

export function parseSubscriptionState(raw: unknown): Lenient<SubscriptionStateChange> | { error: string } {
  if (!isRecord(raw)) return { error: 'not an object' };
  const problems: string[] = [];
  const state = enumMember(raw.state, SUBSCRIPTION_STATES);
  if (state === 'unknown') problems.push(`state: ${describeValue(raw.state)} is not a known subscription state`);
  const value: SubscriptionStateChange = { state };
  if (isRecord(raw.error)) {
    const error: { errorId?: string; message?: string } = {};
    if (typeof raw.error.errorId === 'string') error.errorId = raw.error.errorId;
    if (typeof raw.error.message === 'string') error.message = raw.error.message;
    value.error = error;
  }
  return { value, problems };
}

// The shared rules (shared/validation.ts): an id that goes into the URL path (no '/'),
// and the assistance text the contract and the CLI check the same way.

export function parseId(value: unknown, what: string, lang: Language = 'en'): string {
  return parseInput(pathIdSchema, value, what, lang);
}

export function parseAssistanceText(value: unknown, lang: Language = 'en'): string {
  return parseInput(assistanceTextSchema, value, 'text', lang);
}
