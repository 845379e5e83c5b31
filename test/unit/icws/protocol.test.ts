import { describe, expect, it } from 'vitest';
import { CookieJar, setCookieLines } from '../../../main/icws/cookies';
import { codeForStatus, icwsError } from '../../../main/icws/errors';
import { alternateOrigin } from '../../../main/icws/session';

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
  it('takes scheme and port from the server that listed the host', () => {
    expect(alternateOrigin(base, 'ic2.bank.local')).toBe('https://ic2.bank.local:8019');
    expect(alternateOrigin('http://127.0.0.1:41234', '127.0.0.2')).toBe('http://127.0.0.2:41234');
  });

  it('honours a port or a scheme the entry names', () => {
    expect(alternateOrigin(base, 'ic2.bank.local:9000')).toBe('https://ic2.bank.local:9000');
    expect(alternateOrigin(base, 'ic2.bank.local:443')).toBe('https://ic2.bank.local');
    expect(alternateOrigin(base, 'http://ic2.bank.local:8018')).toBe('http://ic2.bank.local:8018');
    expect(alternateOrigin(base, '[::1]')).toBe('https://[::1]:8019');
  });

  it('ignores an entry that is not a host', () => {
    expect(alternateOrigin(base, '')).toBeNull();
    expect(alternateOrigin(base, 'bad host')).toBeNull();
  });
});

describe('error mapping', () => {
  it('maps statuses and error ids to stable codes', () => {
    expect(codeForStatus(400, { errorId: 'error.request.connection.authenticationFailure' }, { connect: true })).toBe('auth_failed');
    expect(codeForStatus(400, { errorId: 'error.request.invalidRepresentation' }, { connect: true })).toBe('invalid_input');
    expect(codeForStatus(400, { errorId: 'error.request.interactions.assistanceNotFound' })).toBe('not_found');
    expect(codeForStatus(400, { message: 'The assistance request does not exist.' })).toBe('not_found');
    expect(codeForStatus(400, { errorId: 'error.request.invalidRepresentation' })).toBe('invalid_input');
    expect(codeForStatus(401, {})).toBe('session_expired');
    expect(codeForStatus(410, {})).toBe('feature_unsupported');
    expect(codeForStatus(500, {})).toBe('server_error');
    expect(codeForStatus(503, {})).toBe('server_error');
  });

  it('carries the server message and errorId', () => {
    const e = icwsError(400, { errorId: 'error.x', message: 'Nope.' }, 'POST x');
    expect(e.message).toBe('Nope.');
    expect(e.details).toEqual({ status: 400, errorId: 'error.x' });
  });
});
