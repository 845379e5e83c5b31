// The agent's queue as a pure reducer (main/icws/interactions-view.ts): isDelta semantics,
// partial changes, conference members, case-insensitive attribute names, lenient reading.
// The vendor-shaped bodies are in test/unit/icws/fixtures.test.ts.

import { describe, expect, it } from 'vitest';
import {
  QUEUE_CONTENTS_TYPE,
  applyQueueContents,
  currentInteractions,
  emptyInteractionsView,
  interactionState,
  parseQueueContents,
} from '../../../main/icws/interactions-view';
import type { InteractionsView, QueueContentsMessage } from '../../../main/icws/interactions-view';

const SUB = 'agent-companion-my-interactions';

function parsed(fields: Record<string, unknown>): QueueContentsMessage {
  const result = parseQueueContents({ __type: QUEUE_CONTENTS_TYPE, subscriptionId: SUB, ...fields });
  if ('error' in result) throw new Error(result.error);
  expect(result.problems).toEqual([]);
  return result.value;
}

const call = (interactionId: string, state = 'C', extra: Record<string, string> = {}) => ({
  interactionId,
  attributes: { Eic_State: state, Eic_ObjectType: 'Call', Eic_RemoteName: `Customer ${interactionId}`, ...extra },
});

const full = (...entries: ReturnType<typeof call>[]) => parsed({ isDelta: false, interactionsAdded: entries });
const delta = (fields: Record<string, unknown>) => parsed({ isDelta: true, ...fields });

function run(...messages: QueueContentsMessage[]): InteractionsView {
  return messages.reduce((view, m) => applyQueueContents(view, m).view, emptyInteractionsView);
}

const summary = (view: InteractionsView) => currentInteractions(view).map((i) => `${i.interactionId}:${i.state}:${i.remoteName}`);

describe('the queue reducer', () => {
  it('a full list replaces what was held, in the order it came', () => {
    const view = run(full(call('1'), call('2'), call('3')), full(call('3'), call('4')));
    expect(summary(view)).toEqual(['3:connected:Customer 3', '4:connected:Customer 4']);
  });

  it('an empty full list empties the view (the agent has no interaction left)', () => {
    const step = applyQueueContents(run(full(call('1'))), full());
    expect(step).toMatchObject({ changed: true });
    expect(currentInteractions(step.view)).toEqual([]);
  });

  it('a delta adds, changes only what it names, and removes', () => {
    const view = run(
      full(call('1'), call('2')),
      delta({ interactionsAdded: [call('3', 'A')], interactionsChanged: [{ interactionId: '1', attributes: { Eic_State: 'H' } }], interactionsRemoved: ['2'] }),
    );
    expect(summary(view)).toEqual(['1:held:Customer 1', '3:alerting:Customer 3']);
  });

  it('attribute names are matched without regard to case', () => {
    const view = run(full(call('1')), delta({ interactionsChanged: [{ interactionId: '1', attributes: { EIC_STATE: 'E', eic_remotename: 'Renamed' } }] }));
    expect(summary(view)).toEqual(['1:disconnected_remote:Renamed']);
  });

  it('an added id already held is replaced in place', () => {
    const view = run(full(call('1'), call('2')), delta({ interactionsAdded: [call('1', 'H', { Eic_RemoteName: 'Again' })] }));
    expect(summary(view)).toEqual(['1:held:Again', '2:connected:Customer 2']);
  });

  it('ignores a change for an id it does not hold, and says nothing changed', () => {
    const before = run(full(call('1')));
    const step = applyQueueContents(before, delta({ interactionsChanged: [{ interactionId: '9', attributes: { Eic_State: 'C' } }], interactionsRemoved: ['8'] }));
    expect(step.changed).toBe(false);
    expect(summary(step.view)).toEqual(['1:connected:Customer 1']);
  });

  it('a change to the same values is not a change', () => {
    const before = run(full(call('1')));
    expect(applyQueueContents(before, delta({ interactionsChanged: [{ interactionId: '1', attributes: { Eic_State: 'C' } }] })).changed).toBe(false);
    expect(applyQueueContents(before, delta({ interactionsChanged: [{ interactionId: '1', attributes: { Eic_State: 'H' } }] })).changed).toBe(true);
  });

  it('leaves out conference members, as Genesys\' own client does', () => {
    const view = run(full(call('1'), { ...call('2'), conferenceParentId: '1' } as ReturnType<typeof call>));
    expect(summary(view)).toEqual(['1:connected:Customer 1']);
  });

  it('never changes the view it was given', () => {
    const before = run(full(call('1'), call('2')));
    const copy = structuredClone({ ids: before.ids, attributes: [...before.attributes] });
    applyQueueContents(before, delta({ interactionsChanged: [{ interactionId: '1', attributes: { Eic_State: 'H' } }], interactionsRemoved: ['2'] }));
    applyQueueContents(before, full(call('3')));
    expect({ ids: before.ids, attributes: [...before.attributes] }).toEqual(copy);
  });

  it('reads every field the picker shows, with empty text and unknown for what was not sent', () => {
    const view = run(full({ interactionId: '1', attributes: {} } as unknown as ReturnType<typeof call>));
    expect(currentInteractions(view)).toEqual([
      { interactionId: '1', type: '', state: 'none', stateText: '', remoteName: '', remoteAddress: '', direction: 'unknown', workgroup: '', initiatedAt: null },
    ]);
    const extended = run(full(call('2', 'C', { Eic_InitiationTime: '2020-10-29T08:15:02.250Z', Eic_CallDirection: 'o' })));
    expect(currentInteractions(extended)[0]).toMatchObject({ initiatedAt: '2020-10-29T08:15:02.250Z', direction: 'outbound' });
  });
});

describe('Eic_State', () => {
  it('reads the letters and the numbers some server versions send', () => {
    expect(['A', 'C', 'H', 'M', 'O', 'P', 'R', 'X', 'S', 'I', 'E'].map(interactionState)).toEqual([
      'alerting',
      'connected',
      'held',
      'messaging',
      'offering',
      'parked',
      'proceeding',
      'suspended',
      'system',
      'disconnected_local',
      'disconnected_remote',
    ]);
    expect(['0', '1', '2', '10', '11', '', ' c ', undefined].map(interactionState)).toEqual([
      'alerting',
      'connected',
      'held',
      'disconnected_remote',
      'none',
      'none',
      'connected',
      'none',
    ]);
    expect(['Z', '12', 'Connected'].map(interactionState)).toEqual(['unknown', 'unknown', 'unknown']);
  });
});

describe('reading queue messages leniently', () => {
  it('refuses a full list it cannot read rather than emptying the view', () => {
    expect(parseQueueContents({ __type: QUEUE_CONTENTS_TYPE, subscriptionId: SUB, isDelta: false, interactionsAdded: 'everything' })).toEqual({
      error: 'a full list without a readable interactionsAdded',
    });
    expect(parseQueueContents('not an object')).toEqual({ error: 'not an object' });
  });

  it('keeps the rest of a delta and names what it left out', () => {
    const result = parseQueueContents({
      __type: QUEUE_CONTENTS_TYPE,
      subscriptionId: SUB,
      isDelta: true,
      interactionsAdded: { interactionId: '1' },
      interactionsChanged: [{ interactionId: '2', attributes: 'C' }, null],
      interactionsRemoved: ['3', ''],
    });
    if ('error' in result) throw new Error(result.error);
    expect(result.value).toEqual({ isDelta: true, subscriptionId: SUB, interactionsChanged: [{ interactionId: '2', attributes: {} }], interactionsRemoved: ['3'] });
    expect(result.problems).toEqual([
      'interactionsAdded: not a list, left out',
      'interactionsChanged[0].attributes: not an object, left out',
      'interactionsChanged[1]: no interactionId, left out',
      'interactionsRemoved: 1 entries that are not ids left out',
    ]);
  });

  it('without isDelta it merges (a delta never wipes), and takes a message without subscriptionId as ours', () => {
    const result = parseQueueContents({ __type: QUEUE_CONTENTS_TYPE, interactionsAdded: [call('5')] });
    if ('error' in result) throw new Error(result.error);
    expect(result.value.isDelta).toBe(true);
    expect(result.problems).toEqual(['isDelta: missing, read as true', 'subscriptionId: missing, taken as ours']);
    expect(summary(applyQueueContents(run(full(call('1'))), result.value).view)).toEqual(['1:connected:Customer 1', '5:connected:Customer 5']);
  });
});
