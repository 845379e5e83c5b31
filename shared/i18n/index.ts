// The UI's strings in Turkish and English, and the one way to look them up.

import type { Language } from '../language';
import { ERROR_CODES, type ErrorCode } from '../errors';
import { en, type MessageKey } from './en';
import { tr } from './tr';

export type { MessageKey } from './en';

export type MessageParams = Readonly<Record<string, string | number>>;

const catalogues: Record<Language, { readonly [K in MessageKey]: string }> = { en, tr };

/** `{name}` in the text is replaced by `params.name`; a missing parameter stays visible as `{name}`. */
export function translate(lang: Language, key: MessageKey, params?: MessageParams): string {
  const text = catalogues[lang][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

export function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

/** The text for an error code from main; a code this build does not know is shown as it came. */
export function translateError(lang: Language, code: string): string {
  return isErrorCode(code) ? translate(lang, `error.${code}`) : translate(lang, 'error.unknown', { code });
}

/** Translated help state, or the server's value as it came (the vendor sample sends display strings). */
export function translateHelpState(lang: Language, state: string): string {
  const key = `state.${state}`;
  return isMessageKey(key) ? translate(lang, key) : state;
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}
