import { describe, expect, it } from 'vitest';
import { CookieJar, setCookieLines } from '../../../main/icws/cookies';
import { codeForStatus, icwsError } from '../../../main/icws/errors';
import { alternateHostProblem, alternateTarget, configuredTarget } from '../../../main/icws/servers';

describe('session cookies', () => {
  it('keeps only icws_ cookies and renders them for the Cookie header', () => {
    const headers = new Headers();
    headers.append('Set-Cookie', 'icws_123=abc; Path=/icws/123; HttpOnly');
    headers.append('Set-Cookie', 'other=zzz; Path=/');
    const jar = new CookieJar();
    jar.update(headers);
    expect(jar.header()).toBe('icws_123=abc');
  });

  it('splits a joined set-cookie header without breaking on Expires dates', () => {
    const joined = new Headers({
      'set-cookie': 'icws_1=a; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/, icws_2=b; Path=/',
    });
    // Forces the fallback a fetch without getSetCookie takes.
    const headers = { get: (n: string) => joined.get(n) } as unknown as Headers;
    expect(setCookieLines(headers)).toEqual(['icws_1=a; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/', 'icws_2=b; Path=/']);
  });

  it('forgets a cookie the server expires', () => {
    const jar = new CookieJar();
    jar.update(new Headers({ 'set-cookie': 'icws_1=a; Path=/' }));
    jar.update(new Headers({ 'set-cookie': 'icws_1=; Path=/; Max-Age=0' }));
    expect(jar.size).toBe(0);
  });
});

describe('alternate hosts', () => {
  const base = 'https://ic1.bank.local:8019';
  it('uses a bare host name with the configured scheme and port', () => {
    expect(alternateTarget(base, 'ic2.bank.local')).toEqual({ base: 'https://ic2.bank.local:8019', label: 'ic2.bank.local:8019', server: 'ic2.bank.local' });
    expect(alternateTarget('http://127.0.0.1:41234', '127.0.0.2').base).toBe('http://127.0.0.2:41234');
    expect(alternateTarget(base, 'IC2').base).toBe('https://ic2:8019');
    expect(alternateTarget(base, '[::1]').base).toBe('https://[::1]:8019');
    expect(alternateTarget('https://ic1.bank.local:8019/prefix/', 'ic2').base).toBe('https://ic2:8019/prefix');
  });

  it('behind a reverse proxy replaces the last path segment and keeps the proxy host', () => {
    expect(configuredTarget('https://web.bank.local/api/icserver1')).toEqual({
      base: 'https://web.bank.local/api/icserver1',
      label: 'web.bank.local/api/icserver1',
      server: 'icserver1',
    });
    expect(alternateTarget('https://web.bank.local/api/icserver1', 'icserver2')).toEqual({
      base: 'https://web.bank.local/api/icserver2',
      label: 'web.bank.local/api/icserver2',
      server: 'icserver2',
    });
    expect(alternateTarget('https://web.bank.local:8443/cc/api/icserver1/', 'ic2.bank.local').base).toBe('https://web.bank.local:8443/cc/api/ic2.bank.local');
  });

  it('refuses anything more than a host name: scheme, port, user info, path', () => {
    const cases: [string, RegExp][] = [
      ['http://ic2.bank.local', /scheme/],
      ['https://evil.example:8019', /scheme/],
      ['ic2.bank.local:8018', /port/],
      ['user:pw@ic2', /user info/],
      ['ic2/icws', /path/],
      ['ic2?x=1', /path/],
      ['bad host', /not a host name/],
      ['', /empty/],
      ['ic2\u202e', /not a host name/],
    ];
    for (const [entry, why] of cases) {
      expect(alternateHostProblem(entry), entry).toMatch(why);
      expect(() => alternateTarget(base, entry), entry).toThrow(/skipped/);
    }
  });

  it('never turns https into http', () => {
    for (const entry of ['ic2', 'ic2.bank.local', '10.0.0.2']) expect(alternateTarget(base, entry).base.startsWith('https://'), entry).toBe(true);
  });
});

describe('error mapping', () => {
  it('maps statuses and error ids to stable codes', () => {
    expect(codeForStatus(400, { errorId: 'error.request.connection.authenticationFailure' }, { connect: true })).toBe('auth_failed');
    expect(codeForStatus(400, { errorId: 'error.request.invalidRepresentation' }, { connect: true })).toBe('invalid_input');
    expect(codeForStatus(400, { errorId: 'error.request.interactions.assistanceNotFound' })).toBe('not_found');
    // Decided by id and status, never by the (localised) text: the same words in English or Turkish change nothing.
    expect(codeForStatus(400, { message: 'The assistance request does not exist.' })).toBe('invalid_input');
    expect(codeForStatus(400, { errorId: 'error.request.accessDenied.assistance', message: 'The request was not found.' })).toBe('operation_failed');
    expect(codeForStatus(400, { errorId: 'error.request.interactions.assistanceNotFound', message: 'Yardım isteği bulunamadı.' })).toBe('not_found');
    expect(codeForStatus(400, { errorId: 'error.request.invalidRepresentation' })).toBe('invalid_input');
    // The server refusing (not an ACD interaction, a missing right) is not bad input.
    expect(codeForStatus(400, { errorId: 'error.request.accessDenied.assistance', message: 'No right.' })).toBe('operation_failed');
    // A bad session cookie means "log in again" whatever status it comes with.
    for (const status of [400, 403, 500]) expect(codeForStatus(status, { errorId: 'error.request.accessDenied.cookie.invalid', errorCode: 5 })).toBe('session_expired');
    expect(codeForStatus(401, {})).toBe('session_expired');
    expect(codeForStatus(410, {})).toBe('feature_unsupported');
    expect(codeForStatus(500, {})).toBe('server_error');
    expect(codeForStatus(503, {})).toBe('server_error');
  });

  it('at connect, a 400 or 500 with an id it does not know is a refusal to show, not a fault to retry', () => {
    const connect = { connect: true };
    for (const errorId of ['error.request.connection.noLicenseAvailable', 'error.request.connection.passwordExpired', 'error.request.connection.stationRequired']) {
      expect(codeForStatus(400, { errorId, message: 'Lisans yok.' }, connect), errorId).toBe('connect_refused');
      expect(codeForStatus(500, { errorId, message: 'No licence.' }, connect), errorId).toBe('connect_refused');
      // The same id on a later call is the server refusing one request, not the login.
      expect(codeForStatus(400, { errorId }), errorId).toBe('operation_failed');
    }
    // Switchover and plain failures (no id, a gateway) are still tried again.
    expect(codeForStatus(503, { errorId: 'error.server.notAcceptingConnections' }, connect)).toBe('server_error');
    expect(codeForStatus(500, { errorId: 'error.server.unavailable' }, connect)).toBe('server_error');
    expect(codeForStatus(500, {}, connect)).toBe('server_error');
    expect(codeForStatus(502, { errorId: 'error.proxy.unknownServer' }, connect)).toBe('server_error');
    // A wrong password stays auth_failed; our own malformed request stays invalid_input.
    expect(codeForStatus(400, { errorId: 'error.request.connection.authenticationFailure', errorCode: -2147221503 }, connect)).toBe('auth_failed');
    expect(codeForStatus(400, { errorId: 'error.request.missingHeader' }, connect)).toBe('invalid_input');
    expect(codeForStatus(400, {}, connect)).toBe('invalid_input');
  });

  it('carries the server message and errorId', () => {
    const e = icwsError(400, { errorId: 'error.x', message: 'Nope.' }, 'POST x');
    expect(e.message).toBe('Nope.');
    expect(e.details).toEqual({ status: 400, errorId: 'error.x' });
  });
});
