import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors';
import { ASSISTANCE_DETAILS_TYPE, assistanceDetailsMessageSchema, fromIcwsTime, parseAssistanceText, parseId } from '../../../main/icws/wire';

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

  it('refuses what is not a basic time', () => {
    for (const bad of ['2020-10-29T08:20:18Z', '20201029', '20201399T082018Z', '']) {
      expect(() => fromIcwsTime(bad), bad).toThrow();
    }
  });
});

describe('assistance details message', () => {
  it('maps enumeration numbers and times to the shared shapes', () => {
    const parsed = assistanceDetailsMessageSchema.parse({
      __type: ASSISTANCE_DETAILS_TYPE,
      isDelta: false,
      assistanceId: 'a1',
      interactionId: '1001',
      state: 1,
      messagesAdded: [{ text: 'hi', participantId: 'agent1', timeAdded: '20201029T082018Z' }],
      participantsAdded: [{ userId: 'sup', displayName: 'Supervisor', action: 3 }],
    });
    expect(parsed.state).toBe('accepted');
    expect(parsed.messagesAdded).toEqual([{ text: 'hi', participantId: 'agent1', timeAdded: '2020-10-29T08:20:18.000Z' }]);
    expect(parsed.participantsAdded).toEqual([{ userId: 'sup', displayName: 'Supervisor', action: 'accepted' }]);
  });

  it('rejects an unknown state or a malformed time', () => {
    const base = { __type: ASSISTANCE_DETAILS_TYPE, isDelta: true, assistanceId: 'a1' };
    expect(assistanceDetailsMessageSchema.safeParse({ ...base, state: 3 }).success).toBe(false);
    const badTime = { ...base, messagesAdded: [{ text: 'x', participantId: 'p', timeAdded: 'yesterday' }] };
    expect(assistanceDetailsMessageSchema.safeParse(badTime).success).toBe(false);
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
