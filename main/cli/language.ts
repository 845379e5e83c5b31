import type { Language } from '../../shared/contract';
import { translate, type MessageKey, type MessageParams } from '../../shared/i18n';

/** COMPANION_LANG (tr|en) when set, else the locale of the terminal (LC_ALL, LC_MESSAGES, LANG). */
export function cliLanguage(env: NodeJS.ProcessEnv): Language {
  const chosen = env.COMPANION_LANG?.toLowerCase();
  if (chosen === 'tr' || chosen === 'en') return chosen;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return locale.toLowerCase().startsWith('tr') ? 'tr' : 'en';
}

export type Translate = (key: MessageKey, params?: MessageParams) => string;

export function translatorFor(lang: Language): Translate {
  return (key, params) => translate(lang, key, params);
}
