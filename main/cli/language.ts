import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Language } from '../../shared/contract';
import { SETTINGS_FILE_NAME } from '../store/settings';
import { translate, type MessageKey, type MessageParams } from '../../shared/i18n';

/**
 * COMPANION_LANG (tr|en) when set, else the language chosen in the settings (the app's
 * choice holds for the command too), else the locale of the terminal (LC_ALL, LC_MESSAGES, LANG).
 */
export function cliLanguage(env: NodeJS.ProcessEnv, chosenInSettings: Language | null = null): Language {
  const chosen = env.COMPANION_LANG?.toLowerCase();
  if (chosen === 'tr' || chosen === 'en') return chosen;
  if (chosenInSettings) return chosenInSettings;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return locale.toLowerCase().startsWith('tr') ? 'tr' : 'en';
}

export type Translate = (key: MessageKey, params?: MessageParams) => string;

export function translatorFor(lang: Language): Translate {
  return (key, params) => translate(lang, key, params);
}

/**
 * The language saved in the settings file, read without loading the store (which would
 * move a corrupt file aside before the command has even checked its input). Anything
 * unreadable is simply no choice.
 */
export async function settingsLanguage(dataDir: string): Promise<Language | null> {
  try {
    const raw = JSON.parse((await readFile(join(dataDir, SETTINGS_FILE_NAME), 'utf8')).replace(/^\uFEFF/, '')) as { language?: unknown };
    return raw.language === 'tr' || raw.language === 'en' ? raw.language : null;
  } catch {
    return null;
  }
}
