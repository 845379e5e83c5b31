// The live view of the user's assistance requests as a pure reducer over ICWS messages.
// There is no GET of a request: everything we know comes from the list and details messages.

import type { AssistanceParticipant, AssistanceRequest } from '../../shared/assistance';
import type { AssistanceDetailsMessage, AssistanceListMessage, ParticipantUpdate } from './wire';

export interface AssistanceView {
  /** ids the server lists for the user, in the order they came */
  readonly ids: readonly string[];
  /** an id's request once its first details message came */
  readonly requests: ReadonlyMap<string, AssistanceRequest>;
}

export interface ViewChange {
  view: AssistanceView;
  /** ids newly listed: subscribe to their details */
  added: string[];
  /** ids gone (removed from the list or completed): drop their subscriptions */
  removed: string[];
  /** whether what `currentRequests` returns changed */
  changed: boolean;
}

export const emptyView: AssistanceView = { ids: [], requests: new Map() };

export function applyListMessage(view: AssistanceView, message: AssistanceListMessage): ViewChange {
  const before = new Set(view.ids);
  const incoming = [...new Set(message.requestsAdded ?? [])];
  let ids: string[];
  if (!message.isDelta) {
    ids = incoming;
  } else {
    const gone = new Set(message.requestsRemoved ?? []);
    ids = view.ids.filter((id) => !gone.has(id));
    for (const id of incoming) if (!ids.includes(id)) ids.push(id);
  }
  const after = new Set(ids);
  const removed = view.ids.filter((id) => !after.has(id));
  const requests = new Map([...view.requests].filter(([id]) => after.has(id)));
  return {
    view: { ids, requests },
    added: ids.filter((id) => !before.has(id)),
    removed,
    changed: requests.size !== view.requests.size,
  };
}

export function applyDetailsMessage(view: AssistanceView, message: AssistanceDetailsMessage): ViewChange {
  const id = message.assistanceId;
  // Details of a request no longer listed (late, after removal) must not bring it back.
  if (!view.ids.includes(id)) return { view, added: [], removed: [], changed: false };

  const base: AssistanceRequest | undefined = message.isDelta ? view.requests.get(id) : undefined;
  const next: AssistanceRequest = {
    assistanceId: id,
    interactionId: message.interactionId ?? base?.interactionId ?? null,
    state: message.state ?? base?.state ?? 'none',
    messages: [...(base?.messages ?? []), ...(message.messagesAdded ?? [])],
    participants: upsertParticipants(base?.participants ?? [], [
      ...(message.participantsAdded ?? []),
      ...(message.participantsChanged ?? []),
    ]),
  };

  if (next.state === 'completed') {
    const requests = new Map(view.requests);
    requests.delete(id);
    return { view: { ids: view.ids.filter((x) => x !== id), requests }, added: [], removed: [id], changed: view.requests.has(id) };
  }
  const requests = new Map(view.requests);
  requests.set(id, next);
  return { view: { ids: view.ids, requests }, added: [], removed: [], changed: true };
}

function upsertParticipants(current: AssistanceParticipant[], updates: ParticipantUpdate[]): AssistanceParticipant[] {
  const result = [...current];
  for (const p of updates) {
    const at = result.findIndex((q) => q.userId === p.userId);
    const known = at >= 0 ? result[at] : undefined;
    const merged: AssistanceParticipant = {
      userId: p.userId,
      displayName: p.displayName ?? known?.displayName ?? p.userId,
      action: p.action ?? known?.action ?? 'none',
    };
    if (at >= 0) result[at] = merged;
    else result.push(merged);
  }
  return result;
}

/** The requests to show, in list order: listed and with details known. */
export function currentRequests(view: AssistanceView): AssistanceRequest[] {
  return view.ids.flatMap((id) => {
    const request = view.requests.get(id);
    return request ? [structuredClone(request)] : [];
  });
}
