import { AppError } from '../../shared/errors';

/** `--from`/`--to` values: ISO 8601 or epoch milliseconds. */
export function parseDateArg(value: string | boolean | undefined, flag: string): number {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AppError('invalid_input', `${flag} is required (ISO 8601, e.g. 2026-11-01T00:00:00Z, or epoch milliseconds).`);
  }
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms) || Number.isNaN(new Date(ms).getTime())) {
    throw new AppError('invalid_input', `${flag} is not a date: "${text}" (use ISO 8601 or epoch milliseconds).`);
  }
  return ms;
}

export function requiredString(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new AppError('invalid_input', `${flag} is required.`);
  return value;
}

export function optionalString(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function positiveInteger(value: string | boolean | undefined, flag: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new AppError('invalid_input', `${flag} must be a whole number from 1 to ${max}.`);
  return n;
}

export function exactlyOneArg(args: string[], what: string): string {
  if (args.length !== 1 || args[0] === undefined) throw new AppError('invalid_input', `Expected exactly one ${what}.`);
  return args[0];
}
