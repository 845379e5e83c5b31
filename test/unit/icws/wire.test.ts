import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors';
import { ASSISTANCE_DETAILS_TYPE, enumMember, fromIcwsTime, parseAssistanceText, parseDetailsMessage, parseId } from '../../../main/icws/wire';

const RECEIVED = '2024-05-02T09:00:00.000Z';

function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isAppError(e) && e.code === 'invalid_input') return e.message;
    throw e;
  }
  throw new Error('accepted');
}

describe('fromIcwsTime', () => {
  it('turns ISO 8601 basic UTC into extended ISO with milliseconds', () => {
    expect(fromIcwsTime('20201029T082018Z')).toBe('2020-10-29T08:20:18.000Z');
  });

  it('keeps fractions and converts offsets to UTC', () => {
    expect(fromIcwsTime('20201029T082018.5Z')).toBe('2020-10-29T08:20:18.500Z');
    expect(fromIcwsTime('20201029T112018+0300')).toBe('2020-10-29T08:20:18.000Z');
    expect(fromIcwsTime('20201029T112018+03:00')).toBe('2020-10-29T08:20:18.000Z');
  });

  it('reads the extended form too, as Genesys\' SDK does, and takes a zone-less time as UTC', () => {
    expect(fromIcwsTime('2020-10-29T08:20:18Z')).toBe('2020-10-29T08:20:18.000Z');
    expect(fromIcwsTime('2020-10-29T08:20:18.123456Z')).toBe('2020-10-29T08:20:18.123Z');
    expect(fromIcwsTime('2020-10-29T11:20:18+03:00')).toBe('2020-10-29T08:20:18.000Z');
    expect(fromIcwsTime('2020-10-29T08:20:18')).toBe('2020-10-29T08:20:18.000Z');
    expect(fromIcwsTime('20201029T082018')).toBe('2020-10-29T08:20:18.000Z');
  });

  it('refuses what is not a time, or a day that does not exist', () => {
    for (const bad of ['20201029', '20201399T082018Z', '20210231T082018Z', '2020-10-29 08:20:18Z', 'yesterday', '']) {
      expect(() => fromIcwsTime(bad), bad).toThrow();
    }
  });
});

describe('enumerations', () => {
  it('reads numbers and names, and anything else as unknown', () => {
    const names = ['none', 'accepted', 'completed'] as const;
    expect(enumMember(1, names)).toBe('accepted');
    expect(enumMember('Completed', names)).toBe('completed');
    expect(enumMember('2', names)).toBe('completed');
    for (const other of [3, -1, 1.5, 'Escalated', null, undefined, {}]) expect(enumMember(other, names), String(other)).toBe('unknown');
  });
});

describe('assistance details message', () => {
  it('maps enumeration numbers and times to the shared shapes', () => {
    const parsed = parseDetailsMessage(
      {
        __type: ASSISTANCE_DETAILS_TYPE,
        isDelta: false,
        assistanceId: 'a1',
        interactionId: '1001',
        state: 1,
        messagesAdded: [{ text: 'hi', participantId: 'agent1', timeAdded: '20201029T082018Z' }],
        participantsAdded: [{ userId: 'sup', displayName: 'Supervisor', action: 3 }],
      },
      RECEIVED,
    );
    expect(parsed).toEqual({
      value: {
        isDelta: false,
        assistanceId: 'a1',
        interactionId: '1001',
        state: 'accepted',
        messagesAdded: [{ text: 'hi', participantId: 'agent1', timeAdded: '2020-10-29T08:20:18.000Z' }],
        participantsAdded: [{ userId: 'sup', displayName: 'Supervisor', action: 'accepted' }],
      },
      problems: [],
    });
  });

  it('keeps the rest of a message when a state, an action or a time cannot be read, and names each', () => {
    const parsed = parseDetailsMessage(
      {
        __type: ASSISTANCE_DETAILS_TYPE,
        isDelta: true,
        assistanceId: 'a1',
        state: 7,
        interactionId: 1001,
        messagesAdded: [
          { text: 'kept with the time it arrived', participantId: 'agent1', timeAdded: 'yesterday' },
          { participantId: 'agent1', timeAdded: '20201029T082018Z' },
          { text: 'kept', participantId: 'sup', timeAdded: '2020-10-29T08:21:00Z' },
        ],
        participantsChanged: [{ userId: 'sup', action: 9 }, { displayName: 'nobody' }],
      },
      RECEIVED,
    );
    if ('error' in parsed) throw new Error(parsed.error);
    expect(parsed.value).toEqual({
      isDelta: true,
      assistanceId: 'a1',
      state: 'unknown',
      messagesAdded: [
        { text: 'kept with the time it arrived', participantId: 'agent1', timeAdded: RECEIVED },
        { text: 'kept', participantId: 'sup', timeAdded: '2020-10-29T08:21:00.000Z' },
      ],
      participantsChanged: [{ userId: 'sup', action: 'unknown' }],
    });
    expect(parsed.problems).toHaveLength(6);
    expect(parsed.problems.join('\n')).toMatch(/state: 7/);
  });

  it('cannot place a message without an assistance id', () => {
    expect(parseDetailsMessage({ __type: ASSISTANCE_DETAILS_TYPE, isDelta: true }, RECEIVED)).toEqual({ error: 'assistanceId: missing' });
  });
});

describe('input rules', () => {
  it('trims text and accepts exactly 2000 characters, counted in code points', () => {
    expect(parseAssistanceText('  help me  ')).toBe('help me');
    expect(parseAssistanceText('😀'.repeat(2000))).toHaveLength(4000);
    expect(invalid(() => parseAssistanceText('x'.repeat(2001)))).toMatch(/at most 2000/);
  });

  it('refuses empty or non-text messages', () => {
    expect(invalid(() => parseAssistanceText('   '))).toMatch(/empty/);
    expect(invalid(() => parseAssistanceText(42))).toMatch(/text/);
  });

  it('refuses ids that are empty, too long, carry control characters or a slash', () => {
    expect(parseId(' 1001 ', 'interaction id')).toBe('1001');
    for (const bad of ['', ' ', 'x'.repeat(65), 'a\nb', 'a/b', '../x']) {
      expect(invalid(() => parseId(bad, 'interaction id')), JSON.stringify(bad)).toMatch(/^Invalid interaction id/);
    }
  });
});
