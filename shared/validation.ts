// Input rules for what the user types and what crosses into the Diyalog and ICWS clients:
// the one source of each rule (ids, text limits, dates, characters) and the one way a
// refusal is worded. Imported by main, the CLI and the renderer alike, so it sees neither
// Node nor the DOM.
//
// A refusal has a stable rule code and parameters (`too_long` {max: 64}); the words come
// from shared/i18n (`rule.*`, `field.*`) in the caller's language. A zod error from any
// schema, ours or zod's own checks, goes through `inputIssues` → `formatInputError`.

import { z } from 'zod';
import type { Language } from './language';
import { AppError, isAppError, toErrorValue, type ErrorValue } from './errors';
import { isMessageKey, translate, type MessageKey, type MessageParams } from './i18n';
import { en } from './i18n/en';
import { codePointLength, findUnsafeChar, trimText, type CharPolicy } from './text';

// ---------------------------------------------------------------------------
// Limits. Every text limit counts Unicode code points (shared/text.ts).

export const ID_MAX_LENGTH = 64;
export const REASON_MAX_LENGTH = 500;
export const ASSISTANCE_TEXT_MAX_LENGTH = 2000;
export const CUSTOMER_MESSAGE_MAX_LENGTH = 1000;
export const APPLICATION_NAME_MAX_LENGTH = 100;
export const SECRET_MAX_LENGTH = 4096;
export const URL_MAX_LENGTH = 4096;
export const HISTORY_CONCURRENCY_MAX = 16;
/** Requests in flight at once for one history search when nobody says otherwise. */
export const HISTORY_CONCURRENCY_DEFAULT = 4;

// ---------------------------------------------------------------------------
// Rule codes: stable, each with a `rule.<code>` text in both catalogues.

export const INPUT_RULES = [
  'required',
  'not_text',
  'not_a_number',
  'not_boolean',
  'not_object',
  'not_list',
  'wrong_type',
  'empty',
  'too_long',
  'control',
  'newline',
  'invisible',
  'surrogate',
  'space',
  'slash',
  'not_whole',
  'out_of_range',
  'too_small',
  'too_big',
  'invalid_date',
  'before_1970',
  'range_inverted',
  'not_url',
  'url_credentials',
  'url_query',
  'insecure_http',
  'not_syslog_url',
  'insecure_syslog',
  'not_host',
  'not_absolute_path',
  'choice',
  'must_confirm',
  'too_many',
  'path_template',
  'unknown_field',
  'invalid',
  'other',
] as const;

export type InputRule = (typeof INPUT_RULES)[number];

/** A refusal, before it is worded: what `rule.<rule>` needs, and where in the input. */
export interface InputIssue {
  rule: InputRule;
  params: MessageParams;
  path: (string | number)[];
}

const isRule = (v: unknown): v is InputRule => typeof v === 'string' && (INPUT_RULES as readonly string[]).includes(v);

/**
 * For a `.refine()` of a schema elsewhere: `{ error, params }` with the rule code, so the
 * refusal is worded in the user's language like every other. zod's own `message` stays
 * English (logs, and zod's error printing).
 */
export function ruleError(rule: InputRule, params: MessageParams = {}, path?: (string | number)[]) {
  return { error: translate('en', `rule.${rule}`, params), params: { rule, ...params }, ...(path && { path }) };
}

/** Adds a rule's issue inside a `superRefine`. */
export function addRuleIssue(ctx: z.RefinementCtx, rule: InputRule, params: MessageParams = {}): void {
  ctx.addIssue({ code: 'custom', message: translate('en', `rule.${rule}`, params), params: { rule, ...params } });
}

// ---------------------------------------------------------------------------
// Text.

/** Checks characters under `policy` (shared/text.ts); adds the first refusal. */
export function checkChars(ctx: z.RefinementCtx, text: string, policy: CharPolicy): void {
  const bad = findUnsafeChar(text, policy);
  if (bad) addRuleIssue(ctx, bad.kind, { char: bad.codePoint });
}

interface TextRules {
  /** Upper bound in code points. */
  max: number;
  /** Whether an empty value (after trimming) is refused. */
  required: boolean;
  policy: CharPolicy;
}

/**
 * Text, trimmed (spaces, tabs and line ends at either end: never a BOM or U+2028, see
 * shared/text.ts), then checked: empty, too long, then each character. Free text has
 * Windows line ends made plain (`\r\n` → `\n`); a lone `\r` is refused.
 */
export function textSchema({ max, required, policy }: TextRules) {
  return z
    .string()
    .overwrite((s) => {
      const trimmed = trimText(s);
      return policy === 'text' ? trimmed.replaceAll('\r\n', '\n') : trimmed;
    })
    .superRefine((s, ctx) => {
      if (required && s === '') return addRuleIssue(ctx, 'empty');
      if (codePointLength(s) > max) return addRuleIssue(ctx, 'too_long', { max });
      checkChars(ctx, s, policy);
    });
}

/**
 * Customer id, staff id, interaction id, session id, access-key id, user id: one line of
 * printable characters, 1 to 64 code points. No control, format (bidi, zero-width, BOM) or
 * separator character and no lone surrogate: what is shown is what is sent.
 */
export const idSchema = textSchema({ max: ID_MAX_LENGTH, required: true, policy: 'line' });

/** An id that goes into a URL path (ICWS): a '/' would address another resource. */
export const pathIdSchema = idSchema.refine((s) => !s.includes('/'), ruleError('slash'));

/**
 * Why a force-end was made, for the audit trail: required, at most 500 code points.
 * A newline is allowed: the dialog asks for it in a text area and a reason may take two
 * sentences on two lines; every place that prints it (the audit view, the CLI's audit
 * lines and prompt) shows it escaped or wrapped, so it cannot forge an entry. Tabs, other
 * controls and bidi or invisible characters are refused.
 */
export const reasonSchema = textSchema({ max: REASON_MAX_LENGTH, required: true, policy: 'text' });

/** A message to a supervisor (ICWS agent assistance): required, newlines fine, 2000 code points. */
export const assistanceTextSchema = textSchema({ max: ASSISTANCE_TEXT_MAX_LENGTH, required: true, policy: 'text' });

/** Free text shown to a customer in the mobile app (interactionisnotdelivered); may be empty. */
export const customerMessageSchema = textSchema({ max: CUSTOMER_MESSAGE_MAX_LENGTH, required: false, policy: 'text' });

/** A label such as the ICWS application name: one printable line. */
export const applicationNameSchema = textSchema({ max: APPLICATION_NAME_MAX_LENGTH, required: true, policy: 'line' });

/** A secret is opaque (never shown, never trimmed): only its size is bounded. */
export const secretSchema = z.string().superRefine((s, ctx) => {
  if (s === '') return addRuleIssue(ctx, 'empty');
  if (codePointLength(s) > SECRET_MAX_LENGTH) addRuleIssue(ctx, 'too_long', { max: SECRET_MAX_LENGTH });
});

/** A URL handed back to be opened: bounded, one line, no whitespace or invisible character. */
export const linkSchema = z.string().superRefine((s, ctx) => {
  if (codePointLength(s) > URL_MAX_LENGTH) return addRuleIssue(ctx, 'too_long', { max: URL_MAX_LENGTH });
  checkChars(ctx, s, 'url');
});

// ---------------------------------------------------------------------------
// Numbers and dates.

/** A whole number from `min` to `max`. */
export function integerSchema(min: number, max: number) {
  return z.number().superRefine((n, ctx) => {
    if (!Number.isInteger(n)) return addRuleIssue(ctx, 'not_whole');
    if (n < min || n > max) addRuleIssue(ctx, 'out_of_range', { min, max });
  });
}

/** Parallel slices of one history walk: the same bound for the app and the CLI. */
export const historyConcurrencySchema = integerSchema(1, HISTORY_CONCURRENCY_MAX);

// Date's own limit: ±8.64e15 ms around 1970.
export const MAX_DATE_MS = 8.64e15;

/** Epoch milliseconds that make a valid Date, not before 1970. */
export const epochMsSchema = z.number().superRefine((n, ctx) => {
  if (!Number.isInteger(n) || n > MAX_DATE_MS) return addRuleIssue(ctx, 'invalid_date');
  if (n < 0) addRuleIssue(ctx, 'before_1970');
});

/** The one date-range rule: both ends inclusive, the start not after the end. */
export function startNotAfterEnd(range: { startDate: number; endDate: number }): boolean {
  return range.startDate <= range.endDate;
}

/** Adds the date-range rule to an object schema with `startDate` and `endDate`; the refusal names `endDate`. */
export function withDateRange<S extends z.ZodType<{ startDate: number; endDate: number }>>(schema: S) {
  return schema.refine(startNotAfterEnd, ruleError('range_inverted', {}, ['endDate']));
}

export const dateRangeSchema = withDateRange(z.object({ startDate: epochMsSchema, endDate: epochMsSchema }));

export type DateRange = z.infer<typeof dateRangeSchema>;

/** getonlinehelplist filter: a date range, optionally narrowed to a customer and/or an agent. */
export const historyQuerySchema = withDateRange(
  z.object({
    startDate: epochMsSchema,
    endDate: epochMsSchema,
    customerId: idSchema.optional(),
    agentId: idSchema.optional(),
  }),
);

// ---------------------------------------------------------------------------
// From a zod error to words.

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

const TYPE_RULES: Readonly<Record<string, InputRule>> = {
  string: 'not_text',
  number: 'not_a_number',
  int: 'not_whole',
  boolean: 'not_boolean',
  object: 'not_object',
  array: 'not_list',
};

/** The value that was parsed, when known: it tells a missing field from a wrong one. */
export interface ParsedValue {
  value: unknown;
}

function isMissing(issue: z.core.$ZodIssue, input: ParsedValue | undefined): boolean {
  if (input) return valueAt(input.value, issue.path) === undefined;
  // Without the value, zod's own wording says it (a schema's custom message hides it: then "wrong type").
  return issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
}

/** One zod issue as a rule and its parameters. */
export function inputIssue(issue: z.core.$ZodIssue, input?: ParsedValue): InputIssue {
  const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  const at = (rule: InputRule, params: MessageParams = {}): InputIssue => ({ rule, params, path });
  switch (issue.code) {
    case 'custom': {
      const { rule, ...params } = (issue.params ?? {}) as Record<string, unknown>;
      if (isRule(rule)) {
        return at(rule, Object.fromEntries(Object.entries(params).filter(([, v]) => typeof v === 'string' || typeof v === 'number')) as MessageParams);
      }
      return at('other', { detail: issue.message });
    }
    case 'invalid_type': {
      if (isMissing(issue, input)) return at('required');
      return at(TYPE_RULES[issue.expected] ?? 'wrong_type');
    }
    case 'too_big':
      if (issue.origin === 'string') return at('too_long', { max: Number(issue.maximum) });
      if (issue.origin === 'array' || issue.origin === 'set') return at('too_many', { max: Number(issue.maximum) });
      return at('too_big', { max: Number(issue.maximum) });
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? at('empty') : at('too_small', { min: Number(issue.minimum) });
      return at('too_small', { min: Number(issue.minimum) });
    case 'invalid_value':
      if (isMissing(issue, input)) return at('required');
      if (issue.values.length === 1 && issue.values[0] === true) return at('must_confirm');
      return at('choice', { choices: issue.values.map(String).join(', ') });
    case 'unrecognized_keys':
      return at('unknown_field', { names: issue.keys.join(', ') });
    case 'invalid_format':
      return at(issue.format === 'url' ? 'not_url' : 'invalid');
    default:
      return at('invalid');
  }
}

/** Every issue of a zod error, as rules. */
export function inputIssues(error: z.ZodError, input?: ParsedValue): InputIssue[] {
  return error.issues.map((issue) => inputIssue(issue, input));
}

/** The field names the catalogues know (`field.<name>`). */
export type FieldName = MessageKey extends infer K ? (K extends `field.${infer F}` ? F : never) : never;

// The English label back to its field, so an older caller's `'customer id'` is worded in Turkish too.
const FIELD_BY_LABEL: ReadonlyMap<string, FieldName> = new Map(
  Object.entries(en)
    .filter(([key]) => key.startsWith('field.'))
    .map(([key, label]) => [label, key.slice('field.'.length) as FieldName]),
);

function fieldOf(name: string | number | undefined): FieldName | undefined {
  if (typeof name !== 'string') return undefined;
  if (isMessageKey(`field.${name}`)) return name as FieldName;
  return FIELD_BY_LABEL.get(name);
}

/** A field's name in `lang` (`customerId` or its English label `customer id`); other words as they are. */
export function fieldLabel(what: string, lang: Language): string {
  const named = fieldOf(what);
  return named ? translate(lang, `field.${named}`) : what;
}

/**
 * One issue in words: `Invalid customer id: Must not be empty.` The field is the last
 * named key of the path when the catalogue knows it, else `what` (a field name, its
 * English label, or words shown as they are: a flag such as `--port`, a call name).
 */
export function formatInputIssue(issue: InputIssue, lang: Language, what?: string): string {
  const problem = translate(lang, `rule.${issue.rule}`, issue.params);
  const last = [...issue.path].reverse().find((k): k is string => typeof k === 'string');
  const fromPath = fieldOf(last);
  const named = fromPath ?? fieldOf(what);
  const field = named ? translate(lang, `field.${named}`) : (what ?? translate(lang, 'field.input'));
  // The path is worth showing when the field name alone does not say where (nested, or a list item).
  const showPath = issue.path.length > 1 || (issue.path.length === 1 && fromPath === undefined);
  return showPath
    ? translate(lang, 'input.invalidAt', { field, path: issue.path.map(String).join('.'), problem })
    : translate(lang, 'input.invalid', { field, problem });
}

/** The one formatter: a zod error as `{code: 'invalid_input', message}` in `lang`. */
export function formatInputError(error: z.ZodError, lang: Language, what?: string, input?: ParsedValue): ErrorValue & { code: 'invalid_input' } {
  const issue = inputIssues(error, input)[0] ?? { rule: 'invalid' as const, params: {}, path: [] };
  return { code: 'invalid_input', message: formatInputIssue(issue, lang, what) };
}

/** The AppError for a refused input; `details` keep the rule so a caller can word it again. */
export function invalidInput(error: z.ZodError, lang: Language, what?: string, input?: ParsedValue): AppError {
  const issue = inputIssues(error, input)[0] ?? { rule: 'invalid' as const, params: {}, path: [] };
  return new AppError('invalid_input', formatInputIssue(issue, lang, what), {
    field: what,
    path: issue.path.map(String),
    rule: issue.rule,
    params: issue.params,
  });
}

/**
 * Parses `value` or throws `invalid_input` naming the field in `lang`, e.g.
 * `Invalid customer id: Must not be empty.` or `Invalid end date: The start date must not be after the end date.`
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string, lang: Language = 'en'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidInput(result.error, lang, what, { value });
}

/**
 * `toErrorValue`, with a refusal made by `invalidInput` (in any layer: the contract, a
 * client's own check) worded again in `lang`, so the user never sees another language's
 * field error. Other errors are unchanged.
 */
export function toLocalizedErrorValue(e: unknown, lang: Language): ErrorValue {
  if (isAppError(e) && e.code === 'invalid_input' && isRule(e.details.rule)) {
    const { rule, params, path, field } = e.details as { rule: InputRule; params?: MessageParams; path?: string[]; field?: string };
    return { code: 'invalid_input', message: formatInputIssue({ rule, params: params ?? {}, path: path ?? [] }, lang, field) };
  }
  return toErrorValue(e);
}
