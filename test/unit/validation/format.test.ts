// The one formatter: any zod error (our rules or zod's own checks) becomes
// {code: 'invalid_input', message} in the caller's language, through dispatch (the app),
// the CLI's parsers and the renderer's validator alike.

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { calls } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { en } from '../../../shared/i18n/en';
import { tr } from '../../../shared/i18n/tr';
import { settingsPatchSchema, settingsSchema } from '../../../shared/settings';
import {
  INPUT_RULES,
  formatInputError,
  idSchema,
  inputIssues,
  parseInput,
  ruleError,
  toLocalizedErrorValue,
} from '../../../shared/validation';
import { dispatch, type Handlers } from '../../../main/services/dispatch';
import { parseId } from '../../../main/icws/wire';
import { exactlyOneArg, numberFlag, parseDateArg, portFlag, requiredString } from '../../../main/cli/parse';
import { idProblem, problemOf } from '../../../renderer/validate';
import { translate } from '../../../shared/i18n';

function refusal(schema: z.ZodType, value: unknown) {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('accepted');
  return result.error;
}

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('zod’s own checks are worded too', () => {
  const forceEnd = calls['recovery.forceEnd'].input;
  const cases: [string, z.ZodType, unknown, string, string][] = [
    ['a missing field', forceEnd, { customerId: '1', reason: 'r', confirmed: true }, 'Invalid staff id: Is required.', 'Geçersiz personel sicili: Gerekli.'],
    ['a missing confirmation', forceEnd, { customerId: '1', staffId: '2', reason: 'r' }, 'Invalid confirmation: Is required.', 'Geçersiz onay: Gerekli.'],
    ['a refused confirmation', forceEnd, { customerId: '1', staffId: '2', reason: 'r', confirmed: false }, 'Invalid confirmation: Must be confirmed.', 'Geçersiz onay: Onaylanmalı.'],
    ['a number for text', calls['watch.add'].input, { customerId: 70022 }, 'Invalid customer id: Must be text.', 'Geçersiz müşteri numarası: Metin olmalı.'],
    ['text for a number', calls['history.start'].input, { startDate: '1', endDate: 2 }, 'Invalid start date: Must be a number.', 'Geçersiz başlangıç tarihi: Sayı olmalı.'],
    ['an unknown choice', calls['language.set'].input, { language: 'de' }, 'Invalid language: Must be one of: tr, en.', 'Geçersiz dil: Şunlardan biri olmalı: tr, en.'],
    ['an unknown field', calls['watch.add'].input, { customerId: '1', password: 'hunter2' }, 'Invalid input: Has an unknown field: password.', 'Geçersiz girdi: Bilinmeyen alan içeriyor: password.'],
    ['a list too long', settingsPatchSchema, { watchList: Array.from({ length: 201 }, (_, i) => String(i)) }, 'Invalid watch list: Must list at most 200 items.', 'Geçersiz izleme listesi: En çok 200 öğe içerebilir.'],
    ['a fraction', calls['history.start'].input, { startDate: 1, endDate: 2, concurrency: 2.5 }, 'Invalid concurrency: Must be a whole number.', 'Geçersiz eşzamanlılık: Tam sayı olmalı.'],
    ['out of range', calls['history.start'].input, { startDate: 1, endDate: 2, concurrency: 17 }, 'Invalid concurrency: Must be from 1 to 16.', 'Geçersiz eşzamanlılık: 1 ile 16 arasında olmalı.'],
    ['an inverted range', calls['transcript.link'].input, { staffId: '1', customerId: '2', startDate: 5, endDate: 4 }, 'Invalid end date: The start date must not be after the end date.', 'Geçersiz bitiş tarihi: Başlangıç tarihi bitiş tarihinden sonra olamaz.'],
    ['a nested id', settingsPatchSchema, { watchList: ['1', ' '] }, 'Invalid watch list (watchList.1): Must not be empty.', 'Geçersiz izleme listesi (watchList.1): Boş olamaz.'],
    ['a host with a scheme', settingsPatchSchema, { diyalog: { transcriptHosts: ['https://x.test'] } }, 'Invalid transcript hosts (diyalog.transcriptHosts.0): Must be a host name, without scheme, port or path.', 'Geçersiz yazışma sunucuları (diyalog.transcriptHosts.0): Şema, port ya da yol olmadan bir sunucu adı olmalı.'],
  ];

  it.each(cases)('%s', (_, schema, value, english, turkish) => {
    const error = refusal(schema, value);
    expect(formatInputError(error, 'en', undefined, { value })).toEqual({ code: 'invalid_input', message: english });
    expect(formatInputError(error, 'tr', undefined, { value })).toEqual({ code: 'invalid_input', message: turkish });
  });

  it('plain http to another machine: the settings’ own rule, worded in both languages', () => {
    const value = { diyalog: { baseUrl: 'http://diyalog.bank.test:8080/api' } };
    const error = refusal(settingsSchema, value);
    expect(inputIssues(error, { value })[0]).toEqual({ rule: 'insecure_http', params: { host: 'diyalog.bank.test:8080' }, path: ['diyalog', 'baseUrl'] });
    expect(formatInputError(error, 'tr', undefined, { value }).message).toMatch(/^Geçersiz sunucu adresi \(diyalog\.baseUrl\): Düz http:\/\/ .* diyalog\.bank\.test:8080 için https:\/\/ kullanın/);
  });

  it('a refinement written elsewhere without a rule still says what it said', () => {
    const schema = z.string().refine((s) => s !== 'x', { error: 'x is reserved' });
    expect(formatInputError(refusal(schema, 'x'), 'tr', 'customerId').message).toBe('Geçersiz müşteri numarası: Kabul edilmedi: x is reserved');
  });

  it('ruleError gives a refinement elsewhere a rule, worded in both languages', () => {
    const schema = z.string().refine((s) => !s.includes('?'), ruleError('url_query'));
    const error = refusal(schema, 'https://a.test/?x');
    expect(inputIssues(error)[0]).toEqual({ rule: 'url_query', params: {}, path: [] });
    expect(formatInputError(error, 'tr', 'baseUrl').message).toBe('Geçersiz sunucu adresi: Sorgu (?) ya da parça (#) içeremez.');
  });

  it('without the parsed value, a missing field is told by zod’s wording', () => {
    const error = refusal(calls['watch.add'].input, {});
    expect(inputIssues(error)[0]?.rule).toBe('required');
  });
});

describe('the catalogues word every rule', () => {
  it.each(INPUT_RULES)('%s', (rule) => {
    expect(en[`rule.${rule}`].length).toBeGreaterThan(0);
    expect(tr[`rule.${rule}`].length).toBeGreaterThan(0);
    // Turkish is Turkish, except where the text is only a parameter.
    if (rule !== 'slash') expect(tr[`rule.${rule}`]).not.toBe(en[`rule.${rule}`]);
  });
});

describe('dispatch words input errors in the user’s language', () => {
  const never = new Proxy({}, {
    get: () => async () => {
      throw new Error('a handler must not be reached');
    },
  }) as Handlers;

  it('English by default, Turkish when asked', async () => {
    expect(await dispatch(never, 'watch.add', { customerId: '12\u202E34' })).toEqual({
      ok: false,
      error: { code: 'invalid_input', message: 'Invalid customer id: Must not contain invisible or direction-changing characters (U+202E).' },
    });
    expect(await dispatch(never, 'watch.add', { customerId: '' }, 'tr')).toEqual({
      ok: false,
      error: { code: 'invalid_input', message: 'Geçersiz müşteri numarası: Boş olamaz.' },
    });
    expect(await dispatch(never, 'no.such.call', {}, 'tr')).toEqual({ ok: false, error: { code: 'invalid_input', message: 'Bilinmeyen çağrı: no.such.call' } });
  });

  it('a refusal from deeper in (a client’s own check) is worded again in the user’s language', async () => {
    // An input the contract passes but a service refuses, as a rule added to a client alone
    // would: its English refusal reaches the user in Turkish.
    const deeper = { 'watch.add': async () => { parseId('a/b', 'interaction id'); return []; } } as unknown as Handlers;
    expect(await dispatch(deeper, 'watch.add', { customerId: '1' }, 'tr')).toEqual({
      ok: false,
      error: { code: 'invalid_input', message: 'Geçersiz görüşme numarası: "/" içeremez.' },
    });
  });

  it('other errors pass unchanged', () => {
    expect(toLocalizedErrorValue(new AppError('auth_failed', 'Wrong secret.'), 'tr')).toEqual({ code: 'auth_failed', message: 'Wrong secret.' });
    expect(toLocalizedErrorValue(new AppError('invalid_input', 'Give one of --a or --b.'), 'tr')).toEqual({ code: 'invalid_input', message: 'Give one of --a or --b.' });
  });
});

describe('the CLI’s parsers', () => {
  const usage = 'companion start [--browser] [--port P]';

  it.each([
    ['abc', 'Invalid --port: Must be a number.'],
    ['', 'Invalid --port: Must be a number.'],
    ['0x10', 'Invalid --port: Must be a number.'],
    ['1e3', 'Invalid --port: Must be a number.'],
    ['8080.5', 'Invalid --port: Must be a whole number.'],
    ['70000', 'Invalid --port: Must be from 0 to 65535.'],
    ['-1', 'Invalid --port: Must be from 0 to 65535.'],
  ])('--port %j is invalid_input with the usage line', (value, message) => {
    const e = thrown(() => portFlag(value, '--port', 0, { usage }));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toBe(`${message}\nUsage: ${usage}`);
  });

  it('a port, or the fallback when absent', () => {
    expect(portFlag('8080', '--port', 0)).toBe(8080);
    expect(portFlag(' 0 ', '--port', 0)).toBe(0);
    expect(portFlag(undefined, '--port', 0)).toBe(0);
    expect(numberFlag('0.25', '--failure-rate', { min: 0, max: 1, fallback: 0, fraction: true })).toBe(0.25);
    expect(numberFlag('-30', '--skew-minutes', { min: -1440, max: 1440, fallback: 0, fraction: true })).toBe(-30);
  });

  it('in Turkish', () => {
    expect(thrown(() => portFlag('abc', '--port', 0, { lang: 'tr', usage })).message).toBe(`Geçersiz --port: Sayı olmalı.\nKullanım: ${usage}`);
    expect(thrown(() => requiredString(undefined, '--staff', { lang: 'tr' })).message).toBe('--staff gerekli.');
    expect(thrown(() => exactlyOneArg([], 'customerId', { lang: 'tr' })).message).toBe('Tam olarak bir müşteri numarası bekleniyor.');
    expect(thrown(() => parseInput(idSchema, '', 'customerId', 'tr')).message).toBe('Geçersiz müşteri numarası: Boş olamaz.');
  });

  it('dates: ISO 8601 or epoch milliseconds, nothing Date.parse would guess at', () => {
    expect(parseDateArg('2026-11-01T00:00:00Z', '--from')).toBe(Date.UTC(2026, 10, 1));
    expect(parseDateArg('2026-11-01T03:00+03:00', '--from')).toBe(Date.UTC(2026, 10, 1));
    expect(parseDateArg('1615403380000', '--from')).toBe(1615403380000);
    for (const guess of ['-1', 'tomorrow 3', '2026-13-01', 'Nov 1 2026', '1.5']) {
      expect(thrown(() => parseDateArg(guess, '--from')).message, guess).toMatch(/^--from is not a date/);
    }
    expect(thrown(() => parseDateArg('1969-12-31', '--from', { lang: 'tr' })).message).toBe('Geçersiz --from: 1970 öncesi olamaz.');
    // The value is shown escaped: it goes to a terminal.
    expect(thrown(() => parseDateArg('\u001b[2J', '--from')).message).toContain('"\\x1b[2J"');
  });
});

describe('the renderer’s validator uses the same rules and words', () => {
  it('keys the catalogue knows, with the same parameters', () => {
    expect(idProblem('')).toEqual({ key: 'id.empty' });
    expect(idProblem('12\u202E')).toEqual({ key: 'rule.invisible', params: { char: 'U+202E' } });
    expect(idProblem('x'.repeat(65))).toEqual({ key: 'rule.too_long', params: { max: 64 } });
    const problem = problemOf(calls['watch.add'].input, { customerId: '1\u0000' });
    expect(problem).toEqual({ key: 'rule.control', params: { char: 'U+0000' } });
    expect(translate('tr', problem!.key, problem!.params)).toBe('Kontrol karakteri içeremez (U+0000).');
  });
});
