import { describe, expect, it } from 'vitest';
import { displayLocalInput, parseLocalText } from '../../../renderer/date-input';

describe('date and time fields in the app’s language', () => {
  it('show a value in the app’s format, 24-hour in both languages', () => {
    expect(displayLocalInput('tr', '2026-12-07T15:30')).toBe('07.12.2026 15:30');
    expect(displayLocalInput('en', '2026-12-07T15:30')).toBe('07/12/2026, 15:30');
    expect(displayLocalInput('en', '2026-12-07T09:05:07')).toBe('07/12/2026, 09:05:07');
    // What is not a value yet is shown as typed.
    expect(displayLocalInput('tr', '07.12.20')).toBe('07.12.20');
  });

  it('read what is typed in either language, or in ISO order', () => {
    for (const typed of ['07.12.2026 15:30', '07/12/2026, 15:30', '7/12/2026 15:30', '07-12-2026 15.30', '2026-12-07 15:30', '2026-12-07T15:30', ' 07.12.2026  15:30 ']) {
      expect(parseLocalText(typed), typed).toBe('2026-12-07T15:30');
    }
    expect(parseLocalText('07.12.2026 09:05:07')).toBe('2026-12-07T09:05:07');
    expect(parseLocalText('7.1.2026 9:05')).toBe('2026-01-07T09:05');
  });

  it('round-trip: what a field shows reads back as the same value', () => {
    for (const lang of ['en', 'tr'] as const) {
      for (const value of ['2026-01-31T00:00', '2026-12-07T23:59', '2024-02-29T12:00:30']) expect(parseLocalText(displayLocalInput(lang, value)), `${lang} ${value}`).toBe(value);
    }
  });

  it('refuse what is not a real date and time', () => {
    for (const bad of ['', '07.12.2026', '31.02.2026 10:00', '07.13.2026 10:00', '07.12.2026 24:00', '07.12.2026 10:60', '12/07/26 10:00', 'dün', '2026-12-07']) {
      expect(parseLocalText(bad), bad).toBeNull();
    }
  });
});
