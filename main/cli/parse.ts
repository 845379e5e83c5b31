// Flag and argument parsing for `companion`: every bad value is `invalid_input` (exit 2)
// worded in the operator's language, never a NaN that fails later as `internal`. The
// rules themselves are shared/validation.ts's, so a flag accepts what the app accepts.

import { z } from 'zod';
import type { Language } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { translate } from '../../shared/i18n';
import { escapeForTerminal } from '../../shared/text';
import { cliLanguage } from './language';
import { addRuleIssue, epochMsSchema, fieldLabel, integerSchema, invalidInput } from '../../shared/validation';

type FlagValue = string | boolean | undefined;

/**
 * The language a command words input errors in: the one main() chose for its text (settings,
 * COMPANION_LANG, locale) when it passes it, else COMPANION_LANG or the locale.
 */
export function languageOf(ctx: { env: NodeJS.ProcessEnv; lang?: Language | undefined }): Language {
  return ctx.lang ?? cliLanguage(ctx.env);
}

/** What a flag error says besides the problem: the command's usage line. */
export interface FlagContext {
  lang?: Language;
  /** e.g. `companion start [--browser] [--port P]`, appended on a line of its own. */
  usage?: string;
}

function withUsage(e: AppError, { lang = 'en', usage }: FlagContext): AppError {
  if (usage === undefined) return e;
  // Worded in the operator's language already; without the rule, no later re-wording drops the usage line.
  const { rule: _rule, ...details } = e.details;
  return new AppError(e.code, `${e.message}\n${translate(lang, 'input.usage', { usage })}`, details);
}

function invalid(message: string, ctx: FlagContext, details: Record<string, unknown> = {}): AppError {
  return withUsage(new AppError('invalid_input', message, details), ctx);
}

// ISO 8601 as people write it: a date, or a date and a time with an optional zone. Only
// this goes to Date.parse, whose fallback parser reads '-1' or 'tomorrow 3' as dates in 2001.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** `--from`/`--to` values: ISO 8601 or epoch milliseconds, a date the app accepts (1970 on). */
export function parseDateArg(value: FlagValue, flag: string, ctx: FlagContext = {}): number {
  const lang = ctx.lang ?? 'en';
  if (typeof value !== 'string' || value.trim() === '') throw invalid(translate(lang, 'input.flagRequired', { flag }), ctx, { field: flag });
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) : ISO_8601.test(text) ? Date.parse(text.replace(',', '.')) : Number.NaN;
  if (Number.isNaN(ms)) throw invalid(translate(lang, 'input.flagDate', { flag, value: escapeForTerminal(text) }), ctx, { field: flag });
  const checked = epochMsSchema.safeParse(ms);
  if (!checked.success) throw withUsage(invalidInput(checked.error, lang, flag), ctx);
  return checked.data;
}

export function requiredString(value: FlagValue, flag: string, ctx: FlagContext = {}): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(translate(ctx.lang ?? 'en', 'input.flagRequired', { flag }), ctx, { field: flag });
  }
  return value;
}

export function optionalString(value: FlagValue): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

// A number as an operator types it: optional sign, digits, optional fraction. Not '',
// not '0x10', not '1e3', not ' 80' with inner junk: Number() would take all of those.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Text that must be a number, then `schema`'s rule (range, whole). */
function numberText(schema: z.ZodType<number, number>) {
  return z
    .string()
    .trim()
    .superRefine((s, ctx) => {
      if (!DECIMAL.test(s)) addRuleIssue(ctx, 'not_a_number');
    })
    .transform(Number)
    .pipe(schema);
}

/**
 * A numeric flag: `fallback` when absent, else a number from `min` to `max` (whole unless
 * `fraction`). Anything else is `invalid_input` with the usage line.
 */
export function numberFlag(
  value: FlagValue,
  flag: string,
  range: { min: number; max: number; fallback: number; fraction?: boolean },
  ctx: FlagContext = {},
): number {
  if (value === undefined) return range.fallback;
  const schema = range.fraction
    ? z.number().superRefine((n, c) => {
        if (n < range.min || n > range.max) addRuleIssue(c, 'out_of_range', { min: range.min, max: range.max });
      })
    : integerSchema(range.min, range.max);
  const result = numberText(schema).safeParse(typeof value === 'string' ? value : undefined);
  if (result.success) return result.data;
  throw withUsage(invalidInput(result.error, ctx.lang ?? 'en', flag, { value }), ctx);
}

/** A TCP port to listen on: 0 (any free port) to 65535; `fallback` when absent. */
export function portFlag(value: FlagValue, flag: string, fallback: number, ctx: FlagContext = {}): number {
  return numberFlag(value, flag, { min: 0, max: 65_535, fallback }, ctx);
}

/** A whole number from 1 to `max`; `fallback` when absent. */
export function positiveInteger(value: FlagValue, flag: string, fallback: number, max: number, ctx: FlagContext = {}): number {
  return numberFlag(value, flag, { min: 1, max, fallback }, ctx);
}

/** The one positional a command takes; `what` is a field name (`customerId`) or words. */
export function exactlyOneArg(args: string[], what: string, ctx: FlagContext = {}): string {
  if (args.length !== 1 || args[0] === undefined) {
    const lang = ctx.lang ?? 'en';
    throw invalid(translate(lang, 'input.exactlyOne', { what: fieldLabel(what, lang) }), ctx, { field: what });
  }
  return args[0];
}
