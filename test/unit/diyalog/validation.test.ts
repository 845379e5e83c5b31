import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import {
  customerMessageSchema,
  dateRangeSchema,
  epochMsSchema,
  historyQuerySchema,
  idSchema,
  parseInput,
} from '../../../shared/validation';

function invalid(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('idSchema', () => {
  it('trims and accepts ordinary ids, up to 64 characters', () => {
    expect(parseInput(idSchema, '  70022 ', 'customer id')).toBe('70022');
    expect(parseInput(idSchema, 'x'.repeat(64), 'customer id')).toHaveLength(64);
    expect(parseInput(idSchema, '1234567-8ABC-DEF0-5432-56712ABCDEF5', 'key id')).toBe('1234567-8ABC-DEF0-5432-56712ABCDEF5');
  });
  it.each([
    ['', 'Must not be empty'],
    ['   ', 'Must not be empty'],
    ['x'.repeat(65), 'at most 64'],
    ['12\n34', 'single line'],
    ['12\u0000', 'control characters'],
    ['a\u0085b', 'control characters'],
    [42, 'Must be text'],
    [undefined, 'Is required'],
  ])('rejects %j', (value, fragment) => {
    const e = invalid(() => parseInput(idSchema, value, 'customer id'));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toContain('customer id');
    expect(e.message).toContain(fragment);
  });
});

describe('epochMsSchema', () => {
  it('accepts whole milliseconds from 1970 on', () => {
    expect(epochMsSchema.safeParse(0).success).toBe(true);
    expect(epochMsSchema.safeParse(1615403380000).success).toBe(true);
    expect(epochMsSchema.safeParse(8.64e15).success).toBe(true);
  });
  it.each([[-1], [1.5], [Number.NaN], [Number.POSITIVE_INFINITY], [8.64e15 + 1], ['1615403380000'], [null]])('rejects %j', (v) => {
    expect(epochMsSchema.safeParse(v).success).toBe(false);
  });
});

describe('dateRangeSchema', () => {
  it('accepts start = end and start < end', () => {
    expect(parseInput(dateRangeSchema, { startDate: 5, endDate: 5 }, 'date range')).toEqual({ startDate: 5, endDate: 5 });
    expect(dateRangeSchema.safeParse({ startDate: 1, endDate: 2 }).success).toBe(true);
  });
  it('rejects start after end, naming the field', () => {
    const e = invalid(() => parseInput(dateRangeSchema, { startDate: 3, endDate: 2 }, 'date range'));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toBe('Invalid end date: The start date must not be after the end date.');
    expect(e.details).toMatchObject({ rule: 'range_inverted', path: ['endDate'] });
  });
  it('names the bad end of the range', () => {
    expect(invalid(() => parseInput(dateRangeSchema, { startDate: -4, endDate: 2 }, 'date range')).message).toBe(
      'Invalid start date: Must not be before 1970.',
    );
  });
});

describe('historyQuerySchema', () => {
  it('takes optional customer and agent ids and trims them', () => {
    expect(parseInput(historyQuerySchema, { startDate: 1, endDate: 2, agentId: ' 45186 ' }, 'history query')).toEqual({
      startDate: 1,
      endDate: 2,
      agentId: '45186',
    });
  });
  it('rejects a bad customer id and an inverted range', () => {
    expect(invalid(() => parseInput(historyQuerySchema, { startDate: 1, endDate: 2, customerId: '' }, 'history query')).message).toBe(
      'Invalid customer id: Must not be empty.',
    );
    expect(historyQuerySchema.safeParse({ startDate: 3, endDate: 2 }).success).toBe(false);
  });
});

describe('customerMessageSchema', () => {
  it('accepts multi-line Turkish text and rejects overlong text', () => {
    expect(customerMessageSchema.parse('Şu an yardımcı olamıyoruz.\nLütfen tekrar deneyin.')).toContain('\n');
    expect(customerMessageSchema.safeParse('x'.repeat(1001)).success).toBe(false);
  });
});
