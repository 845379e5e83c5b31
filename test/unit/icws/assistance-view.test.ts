import { describe, expect, it } from 'vitest';
import { applyDetailsMessage, applyListMessage, currentRequests, emptyView } from '../../../main/icws/assistance-view';
import type { AssistanceView } from '../../../main/icws/assistance-view';
import { ASSISTANCE_DETAILS_TYPE, ASSISTANCE_LIST_TYPE, parseDetailsMessage, parseListMessage } from '../../../main/icws/wire';

function parsed<T>(result: { value: T; problems: string[] } | { error: string }): T {
  if ('error' in result) throw new Error(result.error);
  expect(result.problems).toEqual([]);
  return result.value;
}

const list = (isDelta: boolean, requestsAdded: string[] = [], requestsRemoved: string[] = []) =>
  parsed(parseListMessage({ __type: ASSISTANCE_LIST_TYPE, isDelta, requestsAdded, requestsRemoved }));

const details = (fields: Record<string, unknown>) => parsed(parseDetailsMessage({ __type: ASSISTANCE_DETAILS_TYPE, ...fields }, '2000-01-01T00:00:00.000Z'));

function run(view: AssistanceView, ...steps: ((v: AssistanceView) => { view: AssistanceView })[]): AssistanceView {
  return steps.reduce((v, step) => step(v).view, view);
}

const first = (id: string, extra: Record<string, unknown> = {}) =>
  details({
    isDelta: false,
    assistanceId: id,
    interactionId: `i-${id}`,
    state: 0,
    messagesAdded: [{ text: `hello ${id}`, participantId: 'agent', timeAdded: '20240101T100000Z' }],
    participantsAdded: [{ userId: 'agent', displayName: 'Agent', action: 1 }],
    ...extra,
  });

describe('assistance view reducer', () => {
  it('lists a request once its details came, and says which subscriptions to add', () => {
    const step = applyListMessage(emptyView, list(false, ['a', 'b']));
    expect(step.added).toEqual(['a', 'b']);
    expect(currentRequests(step.view)).toEqual([]);
    const view = applyDetailsMessage(step.view, first('b')).view;
    expect(currentRequests(view)).toEqual([
      {
        assistanceId: 'b',
        interactionId: 'i-b',
        state: 'none',
        messages: [{ text: 'hello b', participantId: 'agent', timeAdded: '2024-01-01T10:00:00.000Z' }],
        participants: [{ userId: 'agent', displayName: 'Agent', action: 'initiated' }],
      },
    ]);
  });

  it('appends deltas: state, messages, participants added and changed', () => {
    const view = run(
      emptyView,
      (v) => applyListMessage(v, list(false, ['a'])),
      (v) => applyDetailsMessage(v, first('a')),
      (v) => applyDetailsMessage(v, details({ isDelta: true, assistanceId: 'a', state: 1, participantsAdded: [{ userId: 'sup', displayName: 'Sup', action: 0 }] })),
      (v) => applyDetailsMessage(v, details({ isDelta: true, assistanceId: 'a', participantsChanged: [{ userId: 'sup', action: 3 }] })),
      (v) => applyDetailsMessage(v, details({ isDelta: true, assistanceId: 'a', messagesAdded: [{ text: 'on it', participantId: 'sup', timeAdded: '20240101T100500Z' }] })),
    );
    const [request] = currentRequests(view);
    expect(request?.state).toBe('accepted');
    expect(request?.interactionId).toBe('i-a');
    expect(request?.messages.map((m) => m.text)).toEqual(['hello a', 'on it']);
    expect(request?.participants).toEqual([
      { userId: 'agent', displayName: 'Agent', action: 'initiated' },
      { userId: 'sup', displayName: 'Sup', action: 'accepted' },
    ]);
  });

  it('replaces a request on a non-delta details message', () => {
    const view = run(
      emptyView,
      (v) => applyListMessage(v, list(false, ['a'])),
      (v) => applyDetailsMessage(v, first('a')),
      (v) => applyDetailsMessage(v, details({ isDelta: true, assistanceId: 'a', messagesAdded: [{ text: 'more', participantId: 'agent', timeAdded: '20240101T100100Z' }] })),
      (v) => applyDetailsMessage(v, first('a', { state: 1 })),
    );
    const [request] = currentRequests(view);
    expect(request?.messages.map((m) => m.text)).toEqual(['hello a']);
    expect(request?.state).toBe('accepted');
  });

  it('replaces the list on a non-delta list message and reports what left', () => {
    const before = run(
      emptyView,
      (v) => applyListMessage(v, list(false, ['a', 'b'])),
      (v) => applyDetailsMessage(v, first('a')),
      (v) => applyDetailsMessage(v, first('b')),
    );
    const step = applyListMessage(before, list(false, ['b', 'c']));
    expect(step.added).toEqual(['c']);
    expect(step.removed).toEqual(['a']);
    expect(step.changed).toBe(true);
    expect(currentRequests(step.view).map((r) => r.assistanceId)).toEqual(['b']);
  });

  it('applies list deltas: adds and removes without touching the rest', () => {
    const before = run(
      emptyView,
      (v) => applyListMessage(v, list(false, ['a'])),
      (v) => applyDetailsMessage(v, first('a')),
    );
    const added = applyListMessage(before, list(true, ['b']));
    expect(added.added).toEqual(['b']);
    expect(added.view.ids).toEqual(['a', 'b']);
    const removed = applyListMessage(added.view, list(true, [], ['a']));
    expect(removed.removed).toEqual(['a']);
    expect(currentRequests(removed.view)).toEqual([]);
  });

  it('drops a completed request and ignores late details for it', () => {
    const before = run(
      emptyView,
      (v) => applyListMessage(v, list(false, ['a'])),
      (v) => applyDetailsMessage(v, first('a')),
    );
    const done = applyDetailsMessage(before, details({ isDelta: true, assistanceId: 'a', state: 2 }));
    expect(done.removed).toEqual(['a']);
    expect(done.changed).toBe(true);
    expect(currentRequests(done.view)).toEqual([]);
    const late = applyDetailsMessage(done.view, first('a'));
    expect(late.changed).toBe(false);
    expect(currentRequests(late.view)).toEqual([]);
  });

  it('does not let a caller mutate the view through what it returns', () => {
    const view = run(
      emptyView,
      (v) => applyListMessage(v, list(false, ['a'])),
      (v) => applyDetailsMessage(v, first('a')),
    );
    currentRequests(view)[0]!.messages.push({ text: 'x', participantId: 'y', timeAdded: 'z' });
    expect(currentRequests(view)[0]!.messages).toHaveLength(1);
  });
});
