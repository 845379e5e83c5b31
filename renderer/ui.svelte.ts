// The translation functions every component uses; reading `language.current` inside `t`
// makes text re-render on a switch.

import type { ErrorValue } from '../shared/errors';
import { isMessageKey, translate, translateError, translateHelpState, type MessageKey, type MessageParams } from '../shared/i18n';
import { language } from './stores/language.svelte';

export const ui = {
  get lang() {
    return language.current;
  },
};

export function t(key: MessageKey, params?: MessageParams): string {
  return translate(language.current, key, params);
}

export function errorText(error: Pick<ErrorValue, 'code'> | { code: string }): string {
  return translateError(language.current, error.code);
}

/** What the user can do about an error, as main advised it, in the user's language; null when main gave no advice this build knows. */
export function guidanceText(error: Pick<ErrorValue, 'guidance'>): string | null {
  const advice = error.guidance;
  return advice && isMessageKey(advice.key) ? translate(language.current, advice.key, advice.params) : null;
}

export function helpStateText(state: string): string {
  return translateHelpState(language.current, state);
}
