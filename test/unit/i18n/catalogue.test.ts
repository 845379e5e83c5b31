import { describe, expect, it } from 'vitest';
import { HELP_STATES } from '../../../shared/diyalog';
import { isMessageKey, translate, translateError, translateHelpState, type MessageKey } from '../../../shared/i18n';
import { en } from '../../../shared/i18n/en';
import { tr } from '../../../shared/i18n/tr';

// The compiler already refuses a key missing from either catalogue (tr is typed by en's keys)
// and an error code without its text (en satisfies ErrorMessages). What it cannot see is what
// is inside the strings: these tests are about that.

const keys = Object.keys(en) as MessageKey[];
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const words = (text: string) => text.replace(/\{\w+\}/g, ' ').split(/\s+/).filter((w) => /\p{L}/u.test(w));

describe('the catalogues', () => {
  it('have no empty text and the same parameters in both languages', () => {
    for (const key of keys) {
      expect(en[key].trim(), key).not.toBe('');
      expect(tr[key].trim(), key).not.toBe('');
      expect(placeholders(tr[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('have no brace that is not a parameter: translate would show it as it is', () => {
    for (const key of keys) {
      for (const text of [en[key], tr[key]]) expect(text.replace(/\{\w+\}/g, ''), key).not.toMatch(/[{}]/);
    }
  });

  it('end a sentence, a question, a label or an ellipsis the same way in both languages', () => {
    const end = (text: string) => /[.…:?!]$/.exec(text.trimEnd())?.[0] ?? '';
    for (const key of keys) expect(end(tr[key]), `${key}: "${en[key]}" / "${tr[key]}"`).toBe(end(en[key]));
  });

  it('leave no English in Turkish: a text the same in both is a name or a symbol, never a sentence', () => {
    const same = keys.filter((k) => tr[k] === en[k]);
    for (const key of same) expect(words(en[key]).length, `${key}: "${en[key]}" is English in the Turkish catalogue`).toBeLessThanOrEqual(2);
  });

  it('name every documented help state (help states are data, not a type the catalogue is checked against)', () => {
    for (const state of HELP_STATES) expect(isMessageKey(`state.${state}`), state).toBe(true);
  });

  it('are really Turkish: the labels the agents know', () => {
    expect(tr['watch.inHelp']).toBe('Canlı yardımda');
    expect(tr['watch.forceEnd']).toBe('Oturumu zorla sonlandır');
    expect(tr['nav.settings']).toBe('Ayarlar');
    expect(tr['conn.label']).toBe('ICWS bağlantısı');
  });
});

describe('translate', () => {
  it('fills parameters and leaves an unknown one visible', () => {
    expect(translate('en', 'app.version', { version: '1.2.3' })).toBe('Version 1.2.3');
    expect(translate('tr', 'history.progress', { records: 40, requests: 7 })).toBe('40 kayıt bulundu · 7 istek');
    expect(translate('en', 'app.version')).toBe('Version {version}');
    expect(translate('en', 'app.version', { other: 'x' })).toBe('Version {version}');
  });

  it('does not expand a parameter inside a parameter value', () => {
    expect(translate('en', 'common.detail', { message: '{message} and $& and $1' })).toBe('Details: {message} and $& and $1');
  });

  it('translates error codes, and shows an unknown code as it came', () => {
    expect(translateError('tr', 'clock_skew')).toBe(tr['error.clock_skew']);
    expect(translateError('en', 'auth_failed')).toBe(en['error.auth_failed']);
    expect(translateError('en', 'something_new')).toBe('Unexpected error (something_new)');
    expect(translateError('en', 'toString')).toBe('Unexpected error (toString)');
  });

  it('translates documented help states and passes display strings through', () => {
    expect(translateHelpState('tr', 'onlinehelp_ended_by_customer')).toBe('Müşteri sonlandırdı');
    expect(translateHelpState('en', 'Ended by customer')).toBe('Ended by customer');
    expect(translateHelpState('en', 'constructor')).toBe('constructor');
  });
});
