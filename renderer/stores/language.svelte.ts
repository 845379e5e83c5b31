// The UI's language, read by every translated string (renderer/ui.svelte.ts). The OS
// locale picks it until main's status says what the user chose.

import type { Language } from '../../shared/contract';

function initialLanguage(): Language {
  const locale = typeof navigator === 'undefined' ? 'en' : navigator.language;
  return locale.toLowerCase().startsWith('tr') ? 'tr' : 'en';
}

export const language = $state<{ current: Language }>({ current: initialLanguage() });
