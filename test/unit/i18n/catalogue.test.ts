import { describe, expect, it } from 'vitest';
import { HELP_STATES } from '../../../shared/diyalog';
import {
  formatMessage,
  isMessageKey,
  messageParameters,
  translate,
  translateError,
  translateHelpState,
  translateInteractionState,
  translateInteractionType,
  type MessageKey,
  type MessageParams,
} from '../../../shared/i18n';
import { INTERACTION_STATES, KNOWN_INTERACTION_TYPES } from '../../../shared/interactions';
import { en } from '../../../shared/i18n/en';
import { tr } from '../../../shared/i18n/tr';

// The compiler already refuses a key missing from either catalogue (tr is typed by en's keys)
// and an error code without its text (en satisfies ErrorMessages). What it cannot see is what
// is inside the strings: these tests are about that.

const keys = Object.keys(en) as MessageKey[];
const placeholders = (text: string) => messageParameters(text);
const words = (text: string) => text.replace(/\{\w+\}/g, ' ').split(/\s+/).filter((w) => /\p{L}/u.test(w));
/** Every parameter of the key's English text set to `value`. */
const allParams = (key: MessageKey, value: string | number): MessageParams => Object.fromEntries(messageParameters(en[key]).map((name) => [name, value]));
/** What the user reads, with every parameter (counts included) set to 2. */
const shown = (lang: 'en' | 'tr', key: MessageKey) => translate(lang, key, allParams(key, 2));

describe('the catalogues', () => {
  it('have no empty text and the same parameters in both languages', () => {
    for (const key of keys) {
      expect(en[key].trim(), key).not.toBe('');
      expect(tr[key].trim(), key).not.toBe('');
      expect(placeholders(tr[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('have no brace that is not a parameter or a count: translate would show it as it is', () => {
    for (const key of keys) {
      for (const lang of ['en', 'tr'] as const) expect(shown(lang, key), `${lang} ${key}`).not.toMatch(/[{}]/);
    }
  });

  it('end a sentence, a question, a label or an ellipsis the same way in both languages', () => {
    const end = (text: string) => /[.…:?!]$/.exec(text.trimEnd())?.[0] ?? '';
    for (const key of keys) expect(end(shown('tr', key)), `${key}: "${en[key]}" / "${tr[key]}"`).toBe(end(shown('en', key)));
  });

  it('never say "1 sessions": an English count takes the singular at one', () => {
    const pluralNoun = /\b1 (?:\w+ )?(records|requests|sessions|candidates|entries|rows|agents|warnings|outcomes|characters|items|days|hours|minutes|seconds)\b/;
    for (const key of keys) expect(translate('en', key, allParams(key, 1)), key).not.toMatch(pluralNoun);
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

  it('chooses a count\'s words by the language\'s plural rules, each count on its own', () => {
    expect(translate('en', 'summary.sessions', { n: 1 })).toBe('1 session');
    expect(translate('en', 'summary.sessions', { n: 0 })).toBe('0 sessions');
    expect(translate('en', 'summary.sessions', { n: 2 })).toBe('2 sessions');
    expect(translate('en', 'history.done', { records: 1, requests: 7 })).toBe('1 record found with 7 requests.');
    expect(translate('en', 'history.done', { records: 40, requests: 1 })).toBe('40 records found with 1 request.');
    expect(translate('en', 'recovery.confirmTitle', { n: 1 })).toBe('Force-end 1 session?');
    // Turkish says "1 oturum", "5 oturum": one text serves, and where it may differ it can.
    expect(translate('tr', 'summary.sessions', { n: 1 })).toBe('1 oturum');
    expect(translate('tr', 'history.shownAll', { total: 1 })).toBe('Tek kayıt gösteriliyor.');
    expect(translate('tr', 'history.shownAll', { total: 12 })).toBe('12 kaydın tümü gösteriliyor.');
  });

  it('plural forms: exact branches first, then the language\'s rule, then other; a missing count stays visible', () => {
    const text = '{n, plural, =0 {none} one {# item} other {# items}} of {total}';
    expect(formatMessage('en', text, { n: 0, total: 3 })).toBe('none of 3');
    expect(formatMessage('en', text, { n: 1, total: 3 })).toBe('1 item of 3');
    expect(formatMessage('en', text, { n: 1.5, total: 3 })).toBe('1.5 items of 3');
    expect(formatMessage('en', text)).toBe('{n} items of {total}');
    // Turkish has `one` in its rules: a text without that branch takes `other`.
    expect(formatMessage('tr', '{n, plural, other {# öğe}}', { n: 1 })).toBe('1 öğe');
    expect(formatMessage('tr', '{n, plural, one {tek öğe} other {# öğe}}', { n: 1 })).toBe('tek öğe');
    expect(formatMessage('en', '{n, plural, one {# item} other {# items}}', { n: '30,000' })).toBe('30,000 items');
    expect(messageParameters('{a} {n, plural, one {# of {b}} other {# of {c}}}')).toEqual(['a', 'b', 'c', 'n']);
    // Malformed: refused by messageParameters (so by the catalogue tests), shown as written by translate.
    expect(() => messageParameters('{n, plural, one {x}}')).toThrow(/other/);
    expect(formatMessage('en', '{n, plural, one {x}}', { n: 1 })).toBe('{n, plural, one {x}}');
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
    expect(translateHelpState('tr', 'Ended by customer')).toBe('Ended by customer');
    expect(translateHelpState('en', 'Something new')).toBe('Something new');
    expect(translateHelpState('en', 'constructor')).toBe('constructor');
  });

  it('give every wire state a label of its own in each language, display strings included', () => {
    // The simulator sends these for a share of records, as the vendor's sample does (main/sim/diyalog/data.ts);
    // any documented state's label, in either language, could come back as display words too.
    const displayStrings = ['Ended by customer', 'Ended by agent', ...HELP_STATES.flatMap((s) => [translateHelpState('en', s), translateHelpState('tr', s)])];
    const wireStates = [...new Set([...HELP_STATES, ...displayStrings])];
    for (const lang of ['en', 'tr'] as const) {
      const labels = wireStates.map((s) => translateHelpState(lang, s));
      const shared = labels.filter((label, i) => labels.indexOf(label) !== i);
      expect(shared, `${lang}: labels naming two states`).toEqual([]);
    }
    expect(translateHelpState('en', 'Ended by customer')).toBe('Ended by customer (server’s words)');
  });
});

describe('interaction types and states (the Assistance picker)', () => {
  it('word the known types and states in Turkish, and keep the server\'s text for others', () => {
    expect(translateInteractionType('tr', 'Call')).toBe('Çağrı');
    expect(translateInteractionType('tr', 'call')).toBe('Çağrı');
    expect(translateInteractionType('en', 'Call')).toBe('Call');
    expect(translateInteractionType('tr', 'Social Direct Message')).toBe('Social Direct Message');
    expect(translateInteractionType('tr', '')).toBe('');
    expect(translateInteractionState('tr', 'connected', 'Connected')).toBe('Bağlı');
    expect(translateInteractionState('tr', 'alerting', 'ACD - Alerting')).toBe('Çalıyor');
    expect(translateInteractionState('tr', 'unknown', 'Bekliyor: özel')).toBe('Bekliyor: özel');
    expect(translateInteractionState('tr', 'none', '')).toBe('');
  });

  it('have words for every known type and every state but none and unknown, different in each language', () => {
    for (const type of Object.values(KNOWN_INTERACTION_TYPES)) expect(translateInteractionType('tr', type), type).not.toBe(translateInteractionType('en', type));
    for (const state of INTERACTION_STATES.filter((s) => s !== 'none' && s !== 'unknown')) {
      expect(translateInteractionState('en', state, ''), state).not.toBe('');
      expect(translateInteractionState('tr', state, ''), state).not.toBe(translateInteractionState('en', state, ''));
    }
  });
});
