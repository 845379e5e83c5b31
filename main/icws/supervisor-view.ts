// The supervisor's view of agents' assistance requests (§2.5) as a pure reducer over ICWS
// messages: supervisorAssistanceRequestMessage (the list, with each request's summary) and,
// per request, assistanceRequestDetailsMessage (its conversation, read as the agent side
// reads it). Lenient as the rest of the wire (§2.4): an unknown enumeration value is
// `unknown`, a field we cannot read is left at its default and named, the rest is kept.

import type { AssistanceParticipant } from '../../shared/assistance';
import type { SupervisorAction, SupervisorPerson, SupervisorRequest, SupervisorRequestState } from '../../shared/supervisor';
import { enumMember } from './wire';
import type { AssistanceDetailsMessage, Lenient, ParticipantUpdate } from './wire';

export const SUPERVISOR_ASSISTANCE_TYPE = 'urn:inin.com:interactions.assistance:supervisorAssistanceRequestMessage';

/** One request as the list message gives it (`supervisorAssistanceRequestDetails`). */
export interface SupervisorSummary {
  assistanceId: string;
  interactionId: string;
  problemDescription: string;
  workgroup: string;
  initiator: SupervisorPerson;
  state: SupervisorRequestState;
  myAction: SupervisorAction;
}

export interface SupervisorListMessage {
  isDelta: boolean;
  requestsAdded?: SupervisorSummary[];
  requestsChanged?: SupervisorSummary[];
  requestsRemoved?: string[];
}

// ICWS numbers: state 0 None (nobody accepted: open), 1 Accepted, 2 Completed; action 0 None,
// 1 Initiated, 2 Ignored, 3 Accepted.
const STATE_NAMES = ['none', 'accepted', 'completed'] as const;
const ACTION_NAMES = ['none', 'initiated', 'ignored', 'accepted'] as const;

function stateOf(raw: unknown): SupervisorRequestState {
  const name = enumMember(raw, STATE_NAMES);
  return name === 'none' ? 'open' : name;
}

function actionOf(raw: unknown): SupervisorAction {
  const name = enumMember(raw, ACTION_NAMES);
  // A supervisor never initiates a request: a receiving supervisor's action of 1 is news to us.
  return name === 'initiated' ? 'unknown' : name;
}

type Fields = Record<string, unknown>;
const isRecord = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (v === undefined ? 'missing' : (JSON.stringify(v)?.slice(0, 40) ?? String(v)));

function text(m: Fields, field: string, where: string, problems: string[]): string {
  const v = m[field];
  if (typeof v === 'string') return v;
  problems.push(`${where}.${field}: ${describe(v)}, read as empty`);
  return '';
}

function readSummary(raw: unknown, where: string, problems: string[]): SupervisorSummary[] {
  if (!isRecord(raw) || typeof raw.assistanceId !== 'string' || raw.assistanceId === '') {
    problems.push(`${where}: no assistanceId, left out`);
    return [];
  }
  const initiatorRaw = isRecord(raw.initiator) ? raw.initiator : {};
  if (!isRecord(raw.initiator)) problems.push(`${where}.initiator: ${describe(raw.initiator)}, read as unknown`);
  const userId = text(initiatorRaw, 'userId', `${where}.initiator`, problems);
  const displayName = typeof initiatorRaw.displayName === 'string' && initiatorRaw.displayName.trim() !== '' ? initiatorRaw.displayName : userId;
  const state = stateOf(raw.state);
  if (state === 'unknown') problems.push(`${where}.state: ${describe(raw.state)} is not a known state, read as unknown`);
  const myAction = actionOf(raw.action);
  if (myAction === 'unknown') problems.push(`${where}.action: ${describe(raw.action)} is not a known action, read as unknown`);
  return [
    {
      assistanceId: raw.assistanceId,
      interactionId: text(raw, 'interactionId', where, problems),
      problemDescription: text(raw, 'problemDescription', where, problems),
      workgroup: text(raw, 'workgroup', where, problems),
      initiator: { userId, displayName },
      state,
      myAction,
    },
  ];
}

export function parseSupervisorListMessage(raw: unknown): Lenient<SupervisorListMessage> | { error: string } {
  if (!isRecord(raw)) return { error: 'not an object' };
  const problems: string[] = [];
  let isDelta = true;
  if (typeof raw.isDelta === 'boolean') isDelta = raw.isDelta;
  else problems.push(`isDelta: ${describe(raw.isDelta)}, read as true`);
  const value: SupervisorListMessage = { isDelta };
  for (const field of ['requestsAdded', 'requestsChanged'] as const) {
    const list = raw[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      // A full list whose list could not be read would wipe the view: apply nothing instead.
      if (!isDelta && field === 'requestsAdded') return { error: 'a full list without a readable requestsAdded' };
      problems.push(`${field}: not a list, left out`);
      continue;
    }
    value[field] = list.flatMap((entry, i) => readSummary(entry, `${field}[${i}]`, problems));
  }
  const removed = raw.requestsRemoved;
  if (Array.isArray(removed)) {
    const ids = removed.filter((id): id is string => typeof id === 'string' && id !== '');
    if (ids.length !== removed.length) problems.push(`requestsRemoved: ${removed.length - ids.length} entries that are not ids left out`);
    value.requestsRemoved = ids;
  } else if (removed !== undefined && removed !== null) problems.push('requestsRemoved: not a list, left out');
  return { value, problems };
}

export interface SupervisorView {
  /** ids in the order they came */
  readonly ids: readonly string[];
  readonly requests: ReadonlyMap<string, SupervisorRequest>;
}

export interface SupervisorViewChange {
  view: SupervisorView;
  /** newly listed: subscribe to their conversations */
  added: string[];
  /** gone: drop their subscriptions */
  removed: string[];
  changed: boolean;
}

export const emptySupervisorView: SupervisorView = { ids: [], requests: new Map() };

function fromSummary(summary: SupervisorSummary, known: SupervisorRequest | undefined, ownUserId: string): SupervisorRequest {
  const messages = known?.messages ?? [];
  const participants = known?.participants ?? [];
  return withAcceptedBy({ ...summary, acceptedBy: null, messages, participants }, ownUserId);
}

/**
 * Who accepted: the participant whose action is Accepted (the conversation says who);
 * this supervisor when their own action says so and the conversation has not come yet.
 */
function withAcceptedBy(request: SupervisorRequest, ownUserId: string): SupervisorRequest {
  const accepted = request.participants.find((p) => p.action === 'accepted');
  let acceptedBy: SupervisorPerson | null = accepted ? { userId: accepted.userId, displayName: accepted.displayName } : null;
  if (!acceptedBy && request.myAction === 'accepted') acceptedBy = { userId: ownUserId, displayName: ownUserId };
  return { ...request, acceptedBy };
}

export function applySupervisorList(view: SupervisorView, message: SupervisorListMessage, ownUserId: string): SupervisorViewChange {
  const before = new Set(view.ids);
  const requests = new Map(message.isDelta ? view.requests : []);
  let ids = message.isDelta ? [...view.ids] : [];
  for (const summary of [...(message.requestsAdded ?? []), ...(message.requestsChanged ?? [])]) {
    // A change of a request we never saw added is taken as an addition: the summary is whole.
    requests.set(summary.assistanceId, fromSummary(summary, view.requests.get(summary.assistanceId), ownUserId));
    if (!ids.includes(summary.assistanceId)) ids.push(summary.assistanceId);
  }
  const gone = new Set(message.requestsRemoved ?? []);
  ids = ids.filter((id) => !gone.has(id));
  for (const id of gone) requests.delete(id);
  const after = new Set(ids);
  return {
    view: { ids, requests },
    added: ids.filter((id) => !before.has(id)),
    removed: view.ids.filter((id) => !after.has(id)),
    changed: true,
  };
}

/** A request's conversation (the agent side's details message); ignored for a request not listed. */
export function applySupervisorDetails(view: SupervisorView, message: AssistanceDetailsMessage, ownUserId: string): SupervisorViewChange {
  const known = view.requests.get(message.assistanceId);
  if (!known) return { view, added: [], removed: [], changed: false };
  const base = message.isDelta ? known : { ...known, messages: [], participants: [] };
  const state: SupervisorRequestState =
    message.state === undefined ? known.state : message.state === 'none' ? 'open' : message.state;
  const next = withAcceptedBy(
    {
      ...base,
      state,
      messages: [...base.messages, ...(message.messagesAdded ?? [])],
      participants: upsert(base.participants, [...(message.participantsAdded ?? []), ...(message.participantsChanged ?? [])]),
    },
    ownUserId,
  );
  const requests = new Map(view.requests);
  requests.set(message.assistanceId, next);
  return { view: { ids: view.ids, requests }, added: [], removed: [], changed: true };
}

function upsert(current: readonly AssistanceParticipant[], updates: readonly ParticipantUpdate[]): AssistanceParticipant[] {
  const result = [...current];
  for (const p of updates) {
    const at = result.findIndex((q) => q.userId === p.userId);
    const known = at >= 0 ? result[at] : undefined;
    const merged: AssistanceParticipant = { userId: p.userId, displayName: p.displayName ?? known?.displayName ?? p.userId, action: p.action ?? known?.action ?? 'none' };
    if (at >= 0) result[at] = merged;
    else result.push(merged);
  }
  return result;
}

export function currentSupervisorRequests(view: SupervisorView): SupervisorRequest[] {
  return view.ids.flatMap((id) => {
    const request = view.requests.get(id);
    return request ? [structuredClone(request)] : [];
  });
}
