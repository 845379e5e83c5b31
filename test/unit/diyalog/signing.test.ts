import { describe, expect, it } from 'vitest';
import {
  authorizationHeader,
  buildStringToSign,
  DEFAULT_SIGNATURE_ALGORITHM,
  DEFAULT_SIGNING_FORM,
  formatDlgDate,
  signingFallbacks,
  signRequest,
} from '../../../main/diyalog/signing';

// Expected signatures were computed outside this code base with
//   printf '%s' "$STRING" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
// (and -sha1), then pasted here as literals.

const SECRET = 's3cr3t-key';
const TURKISH_SECRET = 'Gizli-Şifre-ğüİ';

const simple = {
  method: 'POST',
  contentType: 'application/json',
  date: 'Tue, 09 Mar 2021 13:28:32 GMT',
  body: '{"customerId":"70022"}',
  path: '/v1/application/iscustomerinonlinehelp',
};

const turkishMultiline = {
  method: 'POST',
  contentType: 'application/json',
  date: 'Mon, 29 Feb 2016 00:00:00 GMT',
  body: '{\n  "message" : "Çağrı Şükrü İğdır",\n\t"sessionId" : "123121212121"\n}',
  path: '/v1/application/interactionisnotdelivered',
};

const basePath = {
  method: 'POST',
  contentType: 'application/json',
  date: 'Sat, 01 Jan 2022 09:05:07 GMT',
  body: '{"startDate":1612984180000,"endDate":1615403380000,"customerId":"2337368","agentId":"45186"}',
  path: '/api/v1/reporting/getonlinehelplist',
};

describe('buildStringToSign', () => {
  it('joins the five parts with a newline between each, PATH included', () => {
    expect(buildStringToSign(simple)).toBe(
      'POST\napplication/json\nTue, 09 Mar 2021 13:28:32 GMT\n{"customerId":"70022"}\n/v1/application/iscustomerinonlinehelp',
    );
  });
  it('keeps the body byte for byte (newlines, tabs, spaces)', () => {
    expect(buildStringToSign(turkishMultiline)).toContain('\n{\n  "message" : "Çağrı Şükrü İğdır",\n\t"sessionId"');
  });
  it('`example` (the default) has the newline before PATH; `pseudocode` does not', () => {
    expect(DEFAULT_SIGNING_FORM).toBe('example');
    expect(buildStringToSign(simple, 'example')).toBe(buildStringToSign(simple));
    expect(buildStringToSign(simple, 'pseudocode')).toBe(
      'POST\napplication/json\nTue, 09 Mar 2021 13:28:32 GMT\n{"customerId":"70022"}/v1/application/iscustomerinonlinehelp',
    );
  });
});

describe('signingFallbacks', () => {
  it('tries the start, then the other form, then the other algorithm with the start form first', () => {
    expect(signingFallbacks({ form: 'example', algorithm: 'sha256' })).toEqual([
      { form: 'example', algorithm: 'sha256' },
      { form: 'pseudocode', algorithm: 'sha256' },
      { form: 'example', algorithm: 'sha1' },
      { form: 'pseudocode', algorithm: 'sha1' },
    ]);
    expect(signingFallbacks({ form: 'pseudocode', algorithm: 'sha1' })).toEqual([
      { form: 'pseudocode', algorithm: 'sha1' },
      { form: 'example', algorithm: 'sha1' },
      { form: 'pseudocode', algorithm: 'sha256' },
      { form: 'example', algorithm: 'sha256' },
    ]);
  });
});

describe('signRequest', () => {
  it('defaults to SHA256', () => {
    expect(DEFAULT_SIGNATURE_ALGORITHM).toBe('sha256');
    expect(signRequest(SECRET, buildStringToSign(simple))).toBe('gc/5Y8pDR+suieXs+GM78tAWlpWBfHGPTM9ee2Ej3l4=');
  });
  it('signs a multi-line body with Turkish characters as UTF-8', () => {
    expect(signRequest(SECRET, buildStringToSign(turkishMultiline), 'sha256')).toBe('HhHV2DvaGDVf6G5ChidqujNyqMBZ8kVcBULwURx/ts4=');
  });
  it('signs the base path prefix as part of PATH', () => {
    const sts = buildStringToSign(basePath);
    expect(signRequest(SECRET, sts)).toBe('u7qv55ygQsFQC889LyqB4JQOKXM3/wttlJlWan2gwsA=');
    // Dropping the prefix must change the signature, or the server would reject us.
    expect(signRequest(SECRET, buildStringToSign({ ...basePath, path: '/v1/reporting/getonlinehelplist' }))).not.toBe(
      'u7qv55ygQsFQC889LyqB4JQOKXM3/wttlJlWan2gwsA=',
    );
  });
  it('supports HMAC-SHA1 for old servers', () => {
    expect(signRequest(SECRET, buildStringToSign(simple), 'sha1')).toBe('Dx6cUu7D/DAdCdV52BPJCZD8flk=');
    expect(signRequest(SECRET, buildStringToSign(turkishMultiline), 'sha1')).toBe('/RywWi4IAG/Uzh0zXQZGyJWLgnQ=');
    expect(signRequest(SECRET, buildStringToSign(basePath), 'sha1')).toBe('DTeFCzMol4IJ9sGJqA0uBHCXpKA=');
  });
  it('signs the pseudocode form with either algorithm', () => {
    expect(signRequest(SECRET, buildStringToSign(simple, 'pseudocode'))).toBe('SZ/kj/gM5nj/MKXK2HqtzoApCpEmnaJDWnnmcp8GT6c=');
    expect(signRequest(SECRET, buildStringToSign(simple, 'pseudocode'), 'sha1')).toBe('N+OHFINhuILoEyXvw1fOV9c1fEU=');
    expect(signRequest(SECRET, buildStringToSign(basePath, 'pseudocode'))).toBe('8PHtACR20IsqC6KZAbs+Q2/1gK4SpheEYPXc8WQEu/E=');
    expect(signRequest(SECRET, buildStringToSign(basePath, 'pseudocode'), 'sha1')).toBe('NF9nyab5K6mCqGuofuGQqijILek=');
  });
  it('encodes a non-ASCII secret as UTF-8', () => {
    expect(signRequest(TURKISH_SECRET, buildStringToSign(simple))).toBe('JjyUTIeeTjYeGekVe/cqJlYcdwK2ei+Fd+YVfGn7Ouw=');
    expect(signRequest(TURKISH_SECRET, buildStringToSign(turkishMultiline))).toBe('FnD4GAXrRn/MQpTUMV5m+Vm4VfCtclC2nTerWPQTRME=');
    expect(signRequest(TURKISH_SECRET, buildStringToSign(basePath))).toBe('PacnAqehaJpwYqXtnkE/HrskhK+Cfg/YHtvyKHN11lw=');
  });
});

describe('authorizationHeader', () => {
  it('is DLGA keyId:signature', () => {
    expect(authorizationHeader('1234567-8ABC-DEF0-5432-56712ABCDEF5', 'gc/5Y8pDR+suieXs+GM78tAWlpWBfHGPTM9ee2Ej3l4=')).toBe(
      'DLGA 1234567-8ABC-DEF0-5432-56712ABCDEF5:gc/5Y8pDR+suieXs+GM78tAWlpWBfHGPTM9ee2Ej3l4=',
    );
  });
});

describe('formatDlgDate', () => {
  // Expected strings from `LC_ALL=C date -u -d ... '+%a, %d %b %Y %H:%M:%S GMT'`.
  it.each([
    [1615296512000, 'Tue, 09 Mar 2021 13:28:32 GMT'],
    [1456704000000, 'Mon, 29 Feb 2016 00:00:00 GMT'],
    [1709251199000, 'Thu, 29 Feb 2024 23:59:59 GMT'],
    [1641027907000, 'Sat, 01 Jan 2022 09:05:07 GMT'],
    [978307199000, 'Sun, 31 Dec 2000 23:59:59 GMT'],
    [0, 'Thu, 01 Jan 1970 00:00:00 GMT'],
  ])('formats %i as %s', (ms, expected) => {
    expect(formatDlgDate(ms)).toBe(expected);
  });
  it('drops milliseconds rather than rounding', () => {
    expect(formatDlgDate(1615296512999)).toBe('Tue, 09 Mar 2021 13:28:32 GMT');
  });
  it('rejects an invalid instant', () => {
    expect(() => formatDlgDate(Number.NaN)).toThrow(RangeError);
  });
});
