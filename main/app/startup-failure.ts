// What the person who started the app is told when it cannot start: Electron has no window yet
// and no terminal to write to, so a dialog says it. A policy that cannot be used (fail closed)
// is the case an administrator meets first; its message names the file and the key.

import { isAppError } from '../../shared/errors';
import { translate, translateError } from '../../shared/i18n';
import type { Language } from '../../shared/language';

export interface StartupFailure {
  title: string;
  body: string;
}

export function startupFailure(e: unknown, lang: Language): StartupFailure {
  const title = translate(lang, 'app.cannotStart');
  if (!isAppError(e)) return { title, body: e instanceof Error ? e.message : String(e) };
  const lines = [translateError(lang, e.code), e.message];
  if (e.code === 'policy_invalid') lines.push(translate(lang, 'app.cannotStartPolicy'));
  return { title, body: lines.join('\n\n') };
}
