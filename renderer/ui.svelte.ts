// App-wide reactive state (language, status, ICWS connection) and the translation
// function every component uses; reading `ui.lang` inside `t` makes text re-render on a switch.

import type { ConnectionState } from '../shared/assistance';
import type { Language, Status } from '../shared/contract';
import type { ErrorValue } from '../shared/errors';
import { translate, translateError, translateHelpState, type MessageKey, type MessageParams } from '../shared/i18n';

function initialLanguage(): Language {
  return navigator.language.toLowerCase().startsWith('tr') ? 'tr' : 'en';
}

export const ui = $state<{ lang: Language; status: Status | null; connection: ConnectionState | null }>({
  lang: initialLanguage(),
  status: null,
  connection: null,
});

export function applyStatus(status: Status): void {
  ui.status = status;
  ui.lang = status.language;
  ui.connection = status.icws;
}

export function t(key: MessageKey, params?: MessageParams): string {
  return translate(ui.lang, key, params);
}

export function errorText(error: Pick<ErrorValue, 'code'> | { code: string }): string {
  return translateError(ui.lang, error.code);
}

export function helpStateText(state: string): string {
  return translateHelpState(ui.lang, state);
}
