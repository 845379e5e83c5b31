// The agent's own interactions as a pure reducer over ICWS queue messages
// (`urn:inin.com:queues:queueContentsMessage`), and the lenient reading of those messages.
// Facts and sources: test/fixtures/icws/QUEUE-NOTES.md.

import type { AgentInteraction, InteractionDirection, InteractionState } from '../../shared/interactions';
import { fromIcwsTime } from './wire';
import type { Lenient } from './wire';

export const QUEUE_CONTENTS_TYPE = 'urn:inin.com:queues:queueContentsMessage';
export const QUEUE_SUBSCRIPTION_STATE_TYPE = 'urn:inin.com:queues:queueSubscriptionStateMessage';
/** `urn:inin.com:queues:queueType`: 1 is a user's own queue. */
export const USER_QUEUE_TYPE = 1;

/** What the picker shows, and nothing more (each name verified, see QUEUE-NOTES.md §3). */
export const QUEUE_ATTRIBUTES = [
  'Eic_State',
  'Eic_CallStateString',
  'Eic_ObjectType',
  'Eic_RemoteName',
  'Eic_RemoteAddress',
  'Eic_CallDirection',
  'Eic_WorkgroupName',
  'Eic_InitiationTime',
] as const;

/** Attribute name in lower case (names are not case-sensitive) → value. */
export type Attributes = Readonly<Record<string, string>>;

export interface QueueEntry {
  interactionId: string;
  attributes: Attributes;
  /** set on a conference member (only in interactionsAdded) */
  conferenceParentId?: string;
}

export interface QueueContentsMessage {
  /** absent when the server left it out (it is required): then the message is taken as ours */
  subscriptionId?: string;
  isDelta: boolean;
  interactionsAdded?: QueueEntry[];
  interactionsChanged?: QueueEntry[];
  interactionsRemoved?: string[];
}

type Fields = Record<string, unknown>;
const isRecord = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const describeValue = (v: unknown) => (v === undefined ? 'missing' : `${JSON.stringify(v)?.slice(0, 40) ?? String(v)}`);

/** One field we cannot read never costs the rest of the message; each is named in `problems`. */
export function parseQueueContents(raw: unknown): Lenient<QueueContentsMessage> | { error: string } {
  if (!isRecord(raw)) return { error: 'not an object' };
  const problems: string[] = [];
  let isDelta = true;
  if (typeof raw.isDelta === 'boolean') isDelta = raw.isDelta;
  // Without isDelta we merge: a delta never wipes what we know.
  else problems.push(`isDelta: ${describeValue(raw.isDelta)}, read as true`);
  const value: QueueContentsMessage = { isDelta };
  if (typeof raw.subscriptionId === 'string') value.subscriptionId = raw.subscriptionId;
  else problems.push(`subscriptionId: ${describeValue(raw.subscriptionId)}, taken as ours`);

  const added = readEntries(raw, 'interactionsAdded', problems);
  // A full list that cannot be read would empty the picker: apply nothing instead.
  if (!isDelta && raw.interactionsAdded !== undefined && raw.interactionsAdded !== null && added === undefined) {
    return { error: 'a full list without a readable interactionsAdded' };
  }
  if (added) value.interactionsAdded = added;
  const changed = readEntries(raw, 'interactionsChanged', problems);
  if (changed) value.interactionsChanged = changed;

  const removed = raw.interactionsRemoved;
  if (Array.isArray(removed)) {
    const ids = removed.filter((id): id is string => typeof id === 'string' && id !== '');
    if (ids.length !== removed.length) problems.push(`interactionsRemoved: ${removed.length - ids.length} entries that are not ids left out`);
    value.interactionsRemoved = ids;
  } else if (removed !== undefined && removed !== null) {
    problems.push('interactionsRemoved: not a list, left out');
  }
  return { value, problems };
}

function readEntries(m: Fields, field: 'interactionsAdded' | 'interactionsChanged', problems: string[]): QueueEntry[] | undefined {
  const list = m[field];
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) {
    problems.push(`${field}: not a list, left out`);
    return undefined;
  }
  return list.flatMap((entry, i): QueueEntry[] => {
    const where = `${field}[${i}]`;
    if (!isRecord(entry) || typeof entry.interactionId !== 'string' || entry.interactionId === '') {
      problems.push(`${where}: no interactionId, left out`);
      return [];
    }
    const attributes: Record<string, string> = {};
    if (isRecord(entry.attributes)) {
      for (const [name, v] of Object.entries(entry.attributes)) {
        if (typeof v === 'string') attributes[name.toLowerCase()] = v;
        else problems.push(`${where}.attributes.${name}: ${describeValue(v)} is not text, left out`);
      }
    } else if (entry.attributes !== undefined) {
      problems.push(`${where}.attributes: not an object, left out`);
    }
    // Kept as sent (the picker shows `unknown` or no time), but worth a line in the log.
    if (attributes['eic_state'] !== undefined && interactionState(attributes['eic_state']) === 'unknown') {
      problems.push(`${where}.attributes.Eic_State: ${describeValue(attributes['eic_state'])} is not a known state, read as unknown`);
    }
    if (attributes['eic_initiationtime']?.trim() && time(attributes['eic_initiationtime']) === null) {
      problems.push(`${where}.attributes.Eic_InitiationTime: ${describeValue(attributes['eic_initiationtime'])} is not an ISO 8601 time, left out`);
    }
    const result: QueueEntry = { interactionId: entry.interactionId, attributes };
    if (typeof entry.conferenceParentId === 'string' && entry.conferenceParentId !== '') result.conferenceParentId = entry.conferenceParentId;
    return [result];
  });
}

export interface InteractionsView {
  /** in the order they came */
  readonly ids: readonly string[];
  readonly attributes: ReadonlyMap<string, Attributes>;
}

export const emptyInteractionsView: InteractionsView = { ids: [], attributes: new Map() };

/**
 * A full list replaces the view; a delta adds (an added id already held is replaced),
 * merges changed attributes into what is held (a change names only what changed; an id
 * not held is ignored, as Genesys' own client does), and removes. Conference members
 * (`conferenceParentId` set) are left out, as Genesys' own client does.
 */
export function applyQueueContents(view: InteractionsView, message: QueueContentsMessage): { view: InteractionsView; changed: boolean } {
  const ids = message.isDelta ? [...view.ids] : [];
  const attributes = message.isDelta ? new Map(view.attributes) : new Map<string, Attributes>();
  for (const entry of message.interactionsAdded ?? []) {
    if (entry.conferenceParentId !== undefined) continue;
    if (!attributes.has(entry.interactionId)) ids.push(entry.interactionId);
    attributes.set(entry.interactionId, { ...entry.attributes });
  }
  for (const entry of message.interactionsChanged ?? []) {
    const held = attributes.get(entry.interactionId);
    if (held) attributes.set(entry.interactionId, { ...held, ...entry.attributes });
  }
  const gone = new Set((message.interactionsRemoved ?? []).filter((id) => attributes.delete(id)));
  const next: InteractionsView = { ids: gone.size > 0 ? ids.filter((id) => !gone.has(id)) : ids, attributes };
  return { view: next, changed: !sameView(view, next) };
}

function sameView(a: InteractionsView, b: InteractionsView): boolean {
  if (a.ids.length !== b.ids.length || a.ids.some((id, i) => b.ids[i] !== id)) return false;
  return a.ids.every((id) => sameAttributes(a.attributes.get(id)!, b.attributes.get(id)!));
}

function sameAttributes(a: Attributes, b: Attributes): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

// `Eic_State`: the letters, in the order of the numbers some server versions send instead.
const STATE_LETTERS: readonly [string, InteractionState][] = [
  ['A', 'alerting'],
  ['C', 'connected'],
  ['H', 'held'],
  ['M', 'messaging'],
  ['O', 'offering'],
  ['P', 'parked'],
  ['R', 'proceeding'],
  ['X', 'suspended'],
  ['S', 'system'],
  ['I', 'disconnected_local'],
  ['E', 'disconnected_remote'],
];

export function interactionState(raw: string | undefined): InteractionState {
  if (raw === undefined) return 'none';
  const value = raw.trim();
  if (value === '' || value === '11') return 'none';
  if (/^\d+$/.test(value)) return STATE_LETTERS[Number(value)]?.[1] ?? 'unknown';
  return STATE_LETTERS.find(([letter]) => letter === value.toUpperCase())?.[1] ?? 'unknown';
}

function direction(raw: string | undefined): InteractionDirection {
  const value = raw?.trim().toUpperCase();
  return value === 'I' ? 'inbound' : value === 'O' ? 'outbound' : 'unknown';
}

function time(raw: string | undefined): string | null {
  if (!raw?.trim()) return null;
  try {
    return fromIcwsTime(raw);
  } catch {
    return null;
  }
}

export function toInteraction(interactionId: string, attributes: Attributes): AgentInteraction {
  const text = (name: string) => attributes[name.toLowerCase()] ?? '';
  return {
    interactionId,
    type: text('Eic_ObjectType'),
    state: interactionState(attributes['eic_state']),
    stateText: text('Eic_CallStateString'),
    remoteName: text('Eic_RemoteName'),
    remoteAddress: text('Eic_RemoteAddress'),
    direction: direction(attributes['eic_calldirection']),
    workgroup: text('Eic_WorkgroupName'),
    initiatedAt: time(attributes['eic_initiationtime']),
  };
}

/** The interactions to show, in the order they came. */
export function currentInteractions(view: InteractionsView): AgentInteraction[] {
  return view.ids.map((id) => toInteraction(id, view.attributes.get(id)!));
}
