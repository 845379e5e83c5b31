// The UI's strings in Turkish and English, and the one way to look them up.

import type { Language } from '../language';
import { HELP_STATES } from '../diyalog';
import { ERROR_CODES, type ErrorCode } from '../errors';
import { isWordedInteractionState, knownInteractionType, type InteractionState } from '../interactions';
import { en, type MessageKey } from './en';
import { tr } from './tr';

export type { MessageKey } from './en';

export type MessageParams = Readonly<Record<string, string | number>>;

const catalogues: Record<Language, { readonly [K in MessageKey]: string }> = { en, tr };

/**
 * `{name}` in the text is replaced by `params.name`; a missing parameter stays visible as `{name}`.
 * A count takes its words by the language's plural rules (Intl.PluralRules), in ICU's form:
 * `{n, plural, one {# session} other {# sessions}}`, `#` being the count; `=0`-style exact
 * branches come first, and a rule the text has no branch for (Turkish `one`) takes `other`.
 * A message may hold several counts, each choosing its own words.
 */
export function translate(lang: Language, key: MessageKey, params?: MessageParams): string {
  return formatMessage(lang, catalogues[lang][key], params);
}

/** `translate` for a text of its own (a catalogue entry, or a test's). */
export function formatMessage(lang: Language, text: string, params?: MessageParams): string {
  if (!text.includes('{')) return text;
  if (!PLURAL.test(text)) {
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
  }
  let parts = parsedMessages.get(text);
  if (parts === undefined) {
    try {
      parts = parseMessage(text);
    } catch {
      return text; // a malformed text is shown as written (the catalogue tests refuse one)
    }
    parsedMessages.set(text, parts);
  }
  return render(lang, parts, params ?? {}, null);
}

/** The parameters a text takes (plural counts included); throws on a malformed plural. */
export function messageParameters(text: string): string[] {
  const names = new Set<string>();
  const walk = (parts: readonly Part[]) => {
    for (const part of parts) {
      if (typeof part === 'string' || part.kind === 'count') continue;
      names.add(part.name);
      if (part.kind === 'plural') for (const branch of part.branches.values()) walk(branch);
    }
  };
  walk(parseMessage(text));
  return [...names].sort();
}

const PLURAL = /\{\s*\w+\s*,\s*plural\s*,/;
const PLURAL_BRANCH = /^(=\d+|zero|one|two|few|many|other)$/;

type Part = string | { kind: 'param'; name: string } | { kind: 'count' } | { kind: 'plural'; name: string; branches: ReadonlyMap<string, readonly Part[]> };

const parsedMessages = new Map<string, readonly Part[]>();
const pluralRules = new Map<Language, Intl.PluralRules>();

function parseMessage(text: string): Part[] {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at ${at} in "${text}"`);
  };
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at] ?? '')) at++;
  };
  const word = (): string => {
    skipSpace();
    const match = /^[\w=]+/.exec(text.slice(at));
    if (!match) fail('a name expected');
    at += match?.[0].length ?? 0;
    skipSpace();
    return match?.[0] ?? '';
  };
  const expect = (char: string) => {
    if (text[at] !== char) fail(`"${char}" expected`);
    at++;
  };
  // `inPlural`: `#` is the count and `}` ends the branch.
  const message = (inPlural: boolean): Part[] => {
    const parts: Part[] = [];
    let literal = '';
    const flush = () => {
      if (literal) parts.push(literal);
      literal = '';
    };
    while (at < text.length) {
      const char = text[at];
      if (char === '}') {
        if (inPlural) break;
        fail('an unopened "}"');
      }
      if (char === '#' && inPlural) {
        flush();
        parts.push({ kind: 'count' });
        at++;
      } else if (char === '{') {
        flush();
        at++;
        const name = word();
        if (text[at] === '}') {
          at++;
          parts.push({ kind: 'param', name });
          continue;
        }
        expect(',');
        if (word() !== 'plural') fail('"plural" expected');
        expect(',');
        const branches = new Map<string, readonly Part[]>();
        skipSpace();
        while (text[at] !== '}') {
          const selector = word();
          if (!PLURAL_BRANCH.test(selector)) fail(`"${selector}" is no plural branch`);
          expect('{');
          branches.set(selector, message(true));
          expect('}');
          skipSpace();
        }
        at++;
        if (!branches.has('other')) fail('a plural without "other"');
        parts.push({ kind: 'plural', name, branches });
      } else {
        literal += char;
        at++;
      }
    }
    flush();
    return parts;
  };
  const parts = message(false);
  if (at < text.length) fail('an unopened "}"');
  return parts;
}

/** `count`: what `#` shows inside a plural branch (the parameter as given, or `{name}` when missing). */
function render(lang: Language, parts: readonly Part[], params: MessageParams, count: string | null): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else if (part.kind === 'count') out += count ?? '#';
    else if (part.kind === 'param') out += Object.hasOwn(params, part.name) ? String(params[part.name]) : `{${part.name}}`;
    else {
      const raw = Object.hasOwn(params, part.name) ? params[part.name] : undefined;
      const value = typeof raw === 'number' ? raw : raw !== undefined && raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : null;
      let branch = value === null ? undefined : part.branches.get(`=${value}`);
      if (branch === undefined && value !== null) {
        let rules = pluralRules.get(lang);
        if (!rules) pluralRules.set(lang, (rules = new Intl.PluralRules(lang)));
        branch = part.branches.get(rules.select(value));
      }
      out += render(lang, branch ?? part.branches.get('other') ?? [], params, raw === undefined ? `{${part.name}}` : String(raw));
    }
  }
  return out;
}

export function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

/** The text for an error code from main; a code this build does not know is shown as it came. */
export function translateError(lang: Language, code: string): string {
  return isErrorCode(code) ? translate(lang, `error.${code}`) : translate(lang, 'error.unknown', { code });
}

/**
 * Translated help state, or the server's value as it came (the vendor sample sends display
 * strings). A display string that reads like a documented state's label ("Ended by customer"
 * beside `onlinehelp_ended_by_customer`) is marked as the server's words: every wire state has
 * a name of its own, so the state filter never offers two states under one label.
 */
export function translateHelpState(lang: Language, state: string): string {
  const key = `state.${state}`;
  if (isMessageKey(key)) return translate(lang, key);
  const labels = documentedStateLabels(lang);
  return labels.has(state.trim().toLocaleLowerCase(lang)) ? translate(lang, 'state.asSent', { text: state }) : state;
}

const stateLabels = new Map<Language, ReadonlySet<string>>();
function documentedStateLabels(lang: Language): ReadonlySet<string> {
  let labels = stateLabels.get(lang);
  if (!labels) stateLabels.set(lang, (labels = new Set(HELP_STATES.map((s) => translate(lang, `state.${s}`).toLocaleLowerCase(lang)))));
  return labels;
}

/** An interaction's type in the user's language when the app knows it (`Call`), else as the server sent it. */
export function translateInteractionType(lang: Language, type: string): string {
  const known = knownInteractionType(type);
  return known ? translate(lang, `interaction.type.${known}`) : type;
}

/** An interaction's state in the user's language; a state the app has no words for shows the server's text. */
export function translateInteractionState(lang: Language, state: InteractionState, stateText: string): string {
  return isWordedInteractionState(state) ? translate(lang, `interaction.state.${state}`) : stateText;
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}
