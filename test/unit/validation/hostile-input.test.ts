// Input that can't lie (issue 9): every kind of field against the same hostile characters,
// with the refusal worded in Turkish and English. A bidi override, a zero-width space, a BOM,
// a line separator, a lone surrogate, a NUL, an escape sequence and a Windows line end.

import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { calls, type Language } from '../../../shared/contract';
import { translate } from '../../../shared/i18n';
import { settingsPatchSchema } from '../../../shared/settings';
import {
  applicationNameSchema,
  assistanceTextSchema,
  customerMessageSchema,
  formatInputError,
  idSchema,
  inputIssues,
  pathIdSchema,
  reasonSchema,
  secretSchema,
  type InputRule,
} from '../../../shared/validation';

interface Hostile {
  name: string;
  /** Placed inside a value that is otherwise fine. */
  text: string;
  /** The character the refusal names. */
  codePoint: string;
  /** The rule a one-line value breaks. */
  lineRule: InputRule;
}

const HOSTILE: Hostile[] = [
  { name: 'right-to-left override U+202E', text: '12\u202E34', codePoint: 'U+202E', lineRule: 'invisible' },
  { name: 'zero-width space U+200B', text: '12\u200B34', codePoint: 'U+200B', lineRule: 'invisible' },
  { name: 'byte order mark U+FEFF, leading', text: '\uFEFF1234', codePoint: 'U+FEFF', lineRule: 'invisible' },
  { name: 'line separator U+2028, trailing', text: '1234\u2028', codePoint: 'U+2028', lineRule: 'invisible' },
  { name: 'lone surrogate \\uD800', text: '12\uD80034', codePoint: 'U+D800', lineRule: 'surrogate' },
  { name: 'NUL', text: '12\u000034', codePoint: 'U+0000', lineRule: 'control' },
  { name: 'escape sequence \\x1b[31m', text: '\u001b[31m1234', codePoint: 'U+001B', lineRule: 'control' },
  { name: 'Windows line end \\r\\n', text: '12\r\n34', codePoint: 'U+000D', lineRule: 'newline' },
];

type Verdict = { ok: true; value: unknown } | { ok: false; error: z.ZodError; input: unknown };

interface FieldKind {
  kind: string;
  /** The field name the refusal carries (`field.<name>` in the catalogues). */
  field: string;
  /** Free text: a line feed is fine, so `\r\n` is accepted as `\n`. */
  freeText: boolean;
  check(text: string): Verdict;
}

function by(schema: z.ZodType, wrap: (text: string) => unknown = (t) => t): (text: string) => Verdict {
  return (text) => {
    const input = wrap(text);
    const result = schema.safeParse(input);
    return result.success ? { ok: true, value: result.data } : { ok: false, error: result.error, input };
  };
}

const KINDS: FieldKind[] = [
  { kind: 'customer id', field: 'customerId', freeText: false, check: by(idSchema) },
  { kind: 'ICWS id in a URL path', field: 'interactionId', freeText: false, check: by(pathIdSchema) },
  { kind: 'staff id in the settings', field: 'staffId', freeText: false, check: by(settingsPatchSchema, (t) => ({ staffId: t })) },
  { kind: 'ICWS user in the settings', field: 'userId', freeText: false, check: by(settingsPatchSchema, (t) => ({ icws: { userId: t } })) },
  { kind: 'application name', field: 'applicationName', freeText: false, check: by(applicationNameSchema) },
  {
    kind: 'Diyalog base URL',
    field: 'baseUrl',
    freeText: false,
    check: by(settingsPatchSchema, (t) => ({ diyalog: { baseUrl: `https://diyalog.bank.test/api${t}` } })),
  },
  {
    kind: 'transcript link to open',
    field: 'url',
    freeText: false,
    check: by(calls['transcript.open'].input, (t) => ({ url: `https://web.diyalog.test/x${t}` })),
  },
  { kind: 'force-end reason', field: 'reason', freeText: true, check: by(reasonSchema) },
  { kind: 'assistance text', field: 'text', freeText: true, check: by(assistanceTextSchema) },
  { kind: 'message to the customer', field: 'message', freeText: true, check: by(customerMessageSchema) },
];

const LANGUAGES: Language[] = ['en', 'tr'];

describe.each(KINDS.map((k) => [k.kind, k] as const))('%s', (_, kind) => {
  it('accepts an ordinary value', () => {
    expect(kind.check('1234').ok).toBe(true);
  });

  describe.each(HOSTILE.map((h) => [h.name, h] as const))('with a %s', (_, hostile) => {
    const crlfInFreeText = kind.freeText && hostile.text.includes('\r\n');

    if (crlfInFreeText) {
      it('accepts it, with the line end made plain', () => {
        const verdict = kind.check(hostile.text);
        expect(verdict).toEqual({ ok: true, value: '12\n34' });
      });
      return;
    }

    it('refuses it, naming the character by its code point', () => {
      const verdict = kind.check(hostile.text);
      expect(verdict.ok).toBe(false);
      if (verdict.ok) return;
      const [issue] = inputIssues(verdict.error, { value: verdict.input });
      // Free text has no "single line" rule: a lone \r there is a control character.
      const rule = kind.freeText && hostile.lineRule === 'newline' ? 'control' : hostile.lineRule;
      expect(issue?.rule).toBe(rule);
      expect(issue?.params).toEqual({ char: hostile.codePoint });
    });

    it.each(LANGUAGES)('says so in %s, naming the field, without echoing the character', (lang) => {
      const verdict = kind.check(hostile.text);
      if (verdict.ok) throw new Error('accepted');
      const { code, message } = formatInputError(verdict.error, lang, kind.field, { value: verdict.input });
      expect(code).toBe('invalid_input');
      expect(message).toContain(translate(lang, `field.${kind.field}` as Parameters<typeof translate>[1]));
      expect(message).toContain(hostile.codePoint);
      // The message may reach a terminal or a log: the hostile character itself never does.
      const [first] = [...hostile.text.replace(/[0-9[m]/g, '')];
      expect(message).not.toContain(first);
    });
  });
});

describe('the words, exactly', () => {
  const refusal = (lang: Language, value: string) => {
    const r = idSchema.safeParse(value);
    if (r.success) throw new Error('accepted');
    return formatInputError(r.error, lang, 'customerId').message;
  };

  it('in English and in Turkish', () => {
    expect(refusal('en', '12\u202E34')).toBe('Invalid customer id: Must not contain invisible or direction-changing characters (U+202E).');
    expect(refusal('tr', '12\u202E34')).toBe('Geçersiz müşteri numarası: Görünmeyen ya da yazı yönünü değiştiren karakter içeremez (U+202E).');
    expect(refusal('en', '12\u000034')).toBe('Invalid customer id: Must not contain control characters (U+0000).');
    expect(refusal('tr', '12\u000034')).toBe('Geçersiz müşteri numarası: Kontrol karakteri içeremez (U+0000).');
    expect(refusal('en', '12\uD800')).toBe('Invalid customer id: Contains a broken character (U+D800).');
    expect(refusal('tr', '12\r\n34')).toBe('Geçersiz müşteri numarası: Tek satır olmalı (U+000D).');
    expect(refusal('tr', '   ')).toBe('Geçersiz müşteri numarası: Boş olamaz.');
    expect(refusal('en', 'x'.repeat(65))).toBe('Invalid customer id: Must be at most 64 characters.');
  });

  it('a base URL names where it sits in the settings', () => {
    const r = settingsPatchSchema.safeParse({ icws: { baseUrl: 'https://pc1.bank.test/a b' } });
    if (r.success) throw new Error('accepted');
    expect(formatInputError(r.error, 'tr').message).toBe('Geçersiz sunucu adresi (icws.baseUrl): Boşluk içeremez (U+0020).');
    expect(formatInputError(r.error, 'en').message).toBe('Invalid server URL (icws.baseUrl): Must not contain spaces (U+0020).');
  });
});

describe('what is allowed, on purpose', () => {
  it('ids in any script, with inner spaces and edge blanks trimmed', () => {
    expect(idSchema.parse('  Şükrü.Öztürk  ')).toBe('Şükrü.Öztürk');
    expect(idSchema.parse('DOMAIN\\agent one\n')).toBe('DOMAIN\\agent one');
  });

  it('free text with emoji sequences, and limits counted in code points', () => {
    expect(assistanceTextSchema.parse('👩\u200D💻 yardım lütfen\nteşekkürler')).toBe('👩\u200D💻 yardım lütfen\nteşekkürler');
    expect(assistanceTextSchema.safeParse('😀'.repeat(2000)).success).toBe(true);
    expect(assistanceTextSchema.safeParse('😀'.repeat(2001)).success).toBe(false);
    expect(reasonSchema.safeParse('ş'.repeat(500)).success).toBe(true);
    expect(reasonSchema.safeParse('ş'.repeat(501)).success).toBe(false);
  });

  it('a reason may have two lines, but not a tab or a lone carriage return', () => {
    expect(reasonSchema.parse('Agent app crashed.\nCustomer called the branch.')).toContain('\n');
    expect(reasonSchema.safeParse('a\tb').success).toBe(false);
    expect(reasonSchema.safeParse('a\rb').success).toBe(false);
  });

  it('a secret is opaque: only its size is checked, nothing is trimmed', () => {
    expect(secretSchema.parse(' s\u202E\u0000 ')).toBe(' s\u202E\u0000 ');
    expect(secretSchema.safeParse('').success).toBe(false);
    expect(secretSchema.safeParse('😀'.repeat(4096)).success).toBe(true);
    expect(secretSchema.safeParse('😀'.repeat(4097)).success).toBe(false);
  });
});
