import { describe, expect, it } from 'vitest';
import { AppError, toErrorValue } from '../../shared/errors';

describe('toErrorValue', () => {
  it('keeps the code and message of an AppError', () => {
    expect(toErrorValue(new AppError('auth_failed', 'Signature rejected.'))).toEqual({ code: 'auth_failed', message: 'Signature rejected.' });
  });
  it('maps an AbortError to cancelled and anything else to internal', () => {
    expect(toErrorValue(new DOMException('x', 'AbortError')).code).toBe('cancelled');
    expect(toErrorValue(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toErrorValue('text')).toEqual({ code: 'internal', message: 'text' });
  });
});
