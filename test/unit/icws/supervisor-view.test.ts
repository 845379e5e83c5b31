// The supervisor's view as a pure reducer (§2.5): the list's summaries and each request's
// conversation, merged; what a late or stray message must not do.

import { describe, expect, it } from 'vitest';
import { applySupervisorDetails, applySupervisorList, currentSupervisorRequests, emptySupervisorView } from '../../../main/icws/supervisor-view';
import type { SupervisorSummary } from '../../../main/icws/supervisor-view';

const summary = (id: string, over: Partial<SupervisorSummary> = {}): SupervisorSummary => ({
  assistanceId: id,
  interactionId: `i-${id}`,
  problemDescription: `p-${id}`,
  workgroup: 'W',
  initiator: { userId: 'agent', displayName: 'Agent' },
  state: 'open',
  myAction: 'none',
  ...over,
});
const message = (text: string, participantId = 'agent') => ({ text, participantId, timeAdded: '2026-12-07T05:00:00.000Z' });

describe('the supervisor view', () => {
  it('keeps a request\'s conversation across list changes and names who accepted from it', () => {
    let view = applySupervisorList(emptySupervisorView, { isDelta: false, requestsAdded: [summary('a'), summary('b')] }, 'me').view;
    view = applySupervisorDetails(view, { isDelta: false, assistanceId: 'a', messagesAdded: [message('help')], participantsAdded: [{ userId: 'agent', displayName: 'Agent', action: 'initiated' }] }, 'me').view;
    view = applySupervisorList(view, { isDelta: true, requestsChanged: [summary('a', { state: 'accepted' })] }, 'me').view;
    expect(currentSupervisorRequests(view)[0]).toMatchObject({ state: 'accepted', acceptedBy: null, messages: [message('help')] });
    view = applySupervisorDetails(view, { isDelta: true, assistanceId: 'a', participantsAdded: [{ userId: 'sup2', displayName: 'Can', action: 'accepted' }] }, 'me').view;
    expect(currentSupervisorRequests(view)[0]?.acceptedBy).toEqual({ userId: 'sup2', displayName: 'Can' });
    expect(currentSupervisorRequests(view).map((r) => r.assistanceId)).toEqual(['a', 'b']);
  });

  it('a full list replaces the view; a change of a request never seen adds it; a removal drops it and its conversation', () => {
    let change = applySupervisorList(emptySupervisorView, { isDelta: false, requestsAdded: [summary('a')] }, 'me');
    change = applySupervisorList(change.view, { isDelta: true, requestsChanged: [summary('c')], requestsRemoved: ['a'] }, 'me');
    expect(change).toMatchObject({ added: ['c'], removed: ['a'] });
    change = applySupervisorList(change.view, { isDelta: false, requestsAdded: [summary('d')] }, 'me');
    expect(change).toMatchObject({ added: ['d'], removed: ['c'] });
    expect(currentSupervisorRequests(change.view).map((r) => r.assistanceId)).toEqual(['d']);
  });

  it('a conversation for a request not listed (late, after its removal) brings nothing back', () => {
    const view = applySupervisorList(emptySupervisorView, { isDelta: false, requestsAdded: [] }, 'me').view;
    const change = applySupervisorDetails(view, { isDelta: false, assistanceId: 'gone', messagesAdded: [message('late')] }, 'me');
    expect(change.changed).toBe(false);
    expect(currentSupervisorRequests(change.view)).toEqual([]);
  });

  it('a whole conversation replaces the one held; its state (ICWS None) reads as open, Completed as completed', () => {
    let view = applySupervisorList(emptySupervisorView, { isDelta: false, requestsAdded: [summary('a', { state: 'accepted' })] }, 'me').view;
    view = applySupervisorDetails(view, { isDelta: true, assistanceId: 'a', messagesAdded: [message('one')] }, 'me').view;
    view = applySupervisorDetails(view, { isDelta: false, assistanceId: 'a', state: 'none', messagesAdded: [message('again')] }, 'me').view;
    expect(currentSupervisorRequests(view)[0]).toMatchObject({ state: 'open', messages: [message('again')] });
    view = applySupervisorDetails(view, { isDelta: true, assistanceId: 'a', state: 'completed' }, 'me').view;
    expect(currentSupervisorRequests(view)[0]?.state).toBe('completed');
  });

  it('accepted by this supervisor before the conversation says so: "me" by user id', () => {
    const view = applySupervisorList(emptySupervisorView, { isDelta: false, requestsAdded: [summary('a', { state: 'accepted', myAction: 'accepted' })] }, 'me').view;
    expect(currentSupervisorRequests(view)[0]?.acceptedBy).toEqual({ userId: 'me', displayName: 'me' });
  });
});
