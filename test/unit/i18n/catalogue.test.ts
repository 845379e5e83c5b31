import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../shared/errors';
import { HELP_STATES } from '../../../shared/diyalog';
import { isMessageKey, translate, translateError, translateHelpState, type MessageKey } from '../../../shared/i18n';
import { en } from '../../../shared/i18n/en';
import { tr } from '../../../shared/i18n/tr';

const keys = Object.keys(en) as MessageKey[];
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the catalogues', () => {
  it('have the same keys in Turkish and English', () => {
    expect(Object.keys(tr).sort()).toEqual([...keys].sort());
  });

  it('have no empty text and the same parameters in both languages', () => {
    for (const key of keys) {
      expect(en[key].trim(), key).not.toBe('');
      expect(tr[key].trim(), key).not.toBe('');
      expect(placeholders(tr[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('name every error code and every documented help state', () => {
    for (const code of ERROR_CODES) expect(isMessageKey(`error.${code}`), code).toBe(true);
    for (const state of HELP_STATES) expect(isMessageKey(`state.${state}`), state).toBe(true);
  });

  it('are really Turkish: the labels the agents know, with Turkish letters', () => {
    expect(tr['watch.inHelp']).toBe('Canlı yardımda');
    expect(tr['watch.forceEnd']).toBe('Oturumu zorla sonlandır');
    expect(tr['nav.settings']).toBe('Ayarlar');
    expect(tr['conn.label']).toMatch(/^ICWS bağlantısı$/);
    const all = Object.values(tr).join(' ');
    for (const letter of ['ç', 'ğ', 'ı', 'İ', 'ö', 'ş', 'ü']) expect(all, letter).toContain(letter);
    // Most Turkish texts must differ from English; identical ones are names and symbols.
    const same = keys.filter((k) => tr[k] === en[k]);
    expect(same.length).toBeLessThan(10);
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
