// The ICWS password travels in the login body: plain http only to this computer, unless
// the user turned on allowInsecureHttp (shared/urls.ts is the one rule).

import { describe, expect, it } from 'vitest';
import { IcwsSession } from '../../../main/icws/session';

const sent: string[] = [];
const recordingFetch = (async (input: RequestInfo | URL) => {
  sent.push(String(input));
  throw new Error('no network in this test');
}) as typeof fetch;

const session = (baseUrl: string, allowInsecureHttp?: boolean) =>
  new IcwsSession({ baseUrl, credentials: { userId: 'u', password: 'p' }, fetch: recordingFetch, ...(allowInsecureHttp !== undefined && { allowInsecureHttp }) });

describe('IcwsSession and plain http', () => {
  it('refuses http to another host before anything is sent', () => {
    expect(() => session('http://ic1.bank.local:8018')).toThrow(expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining('ICWS') }));
    expect(() => session('http://10.0.0.5:8018', false)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(sent).toEqual([]);
  });

  it('allows https, loopback http, and http when the user chose to', () => {
    expect(() => session('https://ic1.bank.local:8019')).not.toThrow();
    expect(() => session('http://127.0.0.1:8018')).not.toThrow();
    expect(() => session('http://localhost:8018')).not.toThrow();
    expect(() => session('http://ic1.bank.local:8018', true)).not.toThrow();
  });
});
