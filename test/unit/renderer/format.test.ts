import { describe, expect, it } from 'vitest';
import { formatDateTime, fromLocalInput, splitDuration, toLocalInput } from '../../../renderer/format';

describe('datetime-local round trip', () => {
  it('reads local wall-clock time and writes it back', () => {
    const ms = new Date(2024, 2, 31, 23, 5).getTime();
    expect(toLocalInput(ms)).toBe('2024-03-31T23:05');
    expect(fromLocalInput('2024-03-31T23:05')).toBe(ms);
    expect(fromLocalInput('2024-03-31T23:05:30')).toBe(ms + 30_000);
  });

  it('makes an end bound cover its whole minute', () => {
    const ms = new Date(2024, 0, 1, 8, 0).getTime();
    expect(fromLocalInput('2024-01-01T08:00', true)).toBe(ms + 59_999);
    expect(fromLocalInput('2024-01-01T08:00:10', true)).toBe(ms + 10_000);
  });

  it('refuses what is not a real date', () => {
    for (const bad of ['', '2024-02-30T10:00', '2024-13-01T10:00', '2024-01-01', 'yesterday', '1969-12-31T10:00']) {
      expect(fromLocalInput(bad), bad).toBeNull();
    }
  });
});

describe('splitDuration', () => {
  it('picks the unit by size', () => {
    expect(splitDuration(42)).toEqual({ unit: 'seconds', s: 42 });
    expect(splitDuration(61.4)).toEqual({ unit: 'minutes', m: 1, s: 1 });
    expect(splitDuration(3 * 3600 + 25 * 60 + 9)).toEqual({ unit: 'hours', h: 3, m: 25 });
    expect(splitDuration(-5)).toEqual({ unit: 'seconds', s: 0 });
  });
});

describe('formatDateTime', () => {
  it('formats in the UI language and shows an unreadable value as it came', () => {
    const ms = new Date(2024, 4, 6, 14, 7, 9).getTime();
    expect(formatDateTime('tr', ms)).toContain('06.05.2024');
    expect(formatDateTime('en', ms)).toContain('06/05/2024');
    expect(formatDateTime('tr', ms)).toContain('14:07:09');
    expect(formatDateTime('en', 'not a date')).toBe('not a date');
  });
});
