// How long ago, in the words a desk reads at a glance ("4 min", "1 h 20 min"): a request's
// wait and an agent's time in a status. Seconds would tick needlessly; the stores' clocks move
// every few seconds only.

import { t } from './ui.svelte';

export function ageText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return t('age.underMinute');
  if (s < 3600) return t('age.minutes', { m: Math.floor(s / 60) });
  return t('age.hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}
