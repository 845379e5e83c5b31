// The ICWS password travels in the login body: plain http only to this computer, unless
// the user turned on allowInsecureHttp (shared/urls.ts is the one rule). What is checked
// is what happens on the wire: a refused address is never sent to, an allowed one gets the
// login (with the password), and on loopback the login really succeeds.

import { afterEach, describe, expect, it } from 'vitest';
import { IcwsSession } from '../../../main/icws/session';
import { startIcwsSim, type IcwsSim } from '../../../main/sim/icws/server';
import { rejection } from '../../support/rejection';

interface Sent {
  url: string;
  method: string;
  body: string;
}

/** A fetch that records what it was asked to send and answers nothing: no network here. */
function recorder(): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const recording = (async (input: RequestInfo | URL, init?: RequestInit) => {
    sent.push({ url: String(input), method: init?.method ?? 'GET', body: typeof init?.body === 'string' ? init.body : '' });
    throw new TypeError('fetch failed: no network in this test');
  }) as typeof fetch;
  return { fetch: recording, sent };
}

const credentials = { userId: 'u', password: 'the-password' };
const session = (baseUrl: string, send: typeof fetch, allowInsecureHttp?: boolean) =>
  new IcwsSession({ baseUrl, credentials, fetch: send, reconnect: { baseMs: 1, capMs: 1, maxAttempts: 1 }, ...(allowInsecureHttp !== undefined && { allowInsecureHttp }) });

let sim: IcwsSim | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

describe('IcwsSession and plain http', () => {
  it('refuses http to another host with invalid_input naming ICWS, before anything is sent', () => {
    const { fetch: send, sent } = recorder();
    expect(() => session('http://ic1.bank.local:8018', send)).toThrow(expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining('ICWS') }));
    expect(() => session('http://10.0.0.5:8018', send, false)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(sent).toEqual([]);
  });

  it.each([
    ['https to another host', 'https://ic1.bank.local:8019', undefined],
    ['http to localhost', 'http://localhost:8018', undefined],
    ['http to another host, when the user chose to', 'http://ic1.bank.local:8018', true],
  ] as const)('sends the login, password included, over %s', async (_, baseUrl, allow) => {
    const { fetch: send, sent } = recorder();
    const s = session(baseUrl, send, allow);
    // No server answers: the login fails as unreachable, not as refused.
    expect((await rejection(s.connect())).code).toBe('unavailable');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ url: `${baseUrl}/icws/connection?include=features,version`, method: 'POST' });
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ userID: credentials.userId, password: credentials.password });
  });

  it('logs in over http to a server on 127.0.0.1', async () => {
    sim = await startIcwsSim({ supervisor: false });
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    const s = new IcwsSession({ baseUrl: sim.url, credentials: { userId: sim.user.userId, password: sim.user.password }, fetch: (input, init) => fetch(input, init) });
    await s.connect();
    expect(s.state).toMatchObject({ state: 'up' });
    expect(sim.control.sessions()).toHaveLength(1);
    await s.logout();
  });
});
