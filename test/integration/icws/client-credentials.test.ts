// Credentials go only to the configured server (issue 9): a redirect is never followed and
// an alternate server is a bare host name used with the configured scheme and port. Each
// case runs against a listener that records whether a password (or a session token)
// reached it.

import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../../shared/errors';
import { startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim } from '../../../main/sim/icws/server';
import { makeClient, rejection, waitFor } from './client-harness';
import type { Client } from './client-harness';

/** A server that is not the configured one: it records every request it gets, and answers like an ICWS login would. */
interface Listener {
  url: string;
  port: number;
  requests: { method: string; path: string; body: string; headers: Record<string, string | string[] | undefined> }[];
  close(): Promise<void>;
}

async function recordingListener(): Promise<Listener> {
  const requests: Listener['requests'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', body, headers: req.headers });
      res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"message":"not here"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let sim: IcwsSim | undefined;
let client: Client | undefined;
let listener: Listener | undefined;

afterEach(async () => {
  await client?.shutdown();
  await sim?.close();
  await listener?.close();
  client = undefined;
  sim = undefined;
  listener = undefined;
});

function passwordArrived(l: Listener, password: string): boolean {
  return l.requests.some((r) => r.body.includes(password) || JSON.stringify(r.headers).includes(password));
}

describe('ICWS credentials stay with the configured server', () => {
  it('does not follow a cross-origin 307 on login: the password never arrives there', async () => {
    listener = await recordingListener();
    sim = await startIcwsSim({ supervisor: false });
    sim.control.setRedirect({ location: `${listener.url}/icws/connection?include=features,version`, status: 307, connectOnly: true });
    client = makeClient(sim, { reconnect: { baseMs: 1, capMs: 5, maxAttempts: 3 } });

    const error = await rejection(client.session.connect());
    expect(error.code).toBe('unexpected_redirect');
    expect(error.message).toContain(listener.url);
    expect(error.message).not.toContain(sim.user.password);
    expect(error.details).toMatchObject({ status: 307, location: listener.url });
    expect(listener.requests).toEqual([]);
    expect(passwordArrived(listener, sim.user.password)).toBe(false);
    // A redirect is a wrong address, not a passing fault: no second login went out.
    expect(sim.control.requests.filter((r) => r.path === '/icws/connection')).toHaveLength(1);
    expect(client.session.state).toMatchObject({ state: 'down', code: 'unexpected_redirect' });
  });

  it('does not follow a redirect on a session request (token and cookie stay home), for each redirect status', async () => {
    listener = await recordingListener();
    sim = await startIcwsSim({ supervisor: false });
    client = makeClient(sim);
    await client.session.connect();
    for (const status of [301, 302, 303, 307, 308]) {
      sim.control.setRedirect({ location: `${listener.url}/steal`, status });
      const error = await rejection(client.session.request('PUT', 'messaging/subscriptions/interactions/agent-assistance'));
      expect(error.code, String(status)).toBe('unexpected_redirect');
    }
    expect(listener.requests).toEqual([]);
  });

  it('skips and reports an alternateHostList entry that is a full URL: no login goes there', async () => {
    listener = await recordingListener();
    sim = await startIcwsSim({ supervisor: false, switchover: true });
    const badEntries = [listener.url, `127.0.0.1:${listener.port}`, `user:pw@127.0.0.1`, '127.0.0.1/evil'];
    sim.control.setAlternateHostList(badEntries);
    client = makeClient(sim, { reconnect: { baseMs: 1, capMs: 5, maxAttempts: 2 } });
    const warnings: AppError[] = [];
    client.session.onWarning((w) => warnings.push(w));

    const error = await rejection(client.session.connect());
    expect(error.code).toBe('server_error');
    expect(listener.requests).toEqual([]);
    expect(passwordArrived(listener, sim.user.password)).toBe(false);
    // Only the configured server was asked, once per round.
    expect(sim.control.requests.map((r) => `${r.host} ${r.path} ${r.status}`)).toEqual([
      '127.0.0.1 /icws/connection 503',
      '127.0.0.1 /icws/connection 503',
    ]);
    expect(client.states.map((s) => s.state)).not.toContain('switching');
    expect(warnings.map((w) => w.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/names a scheme: skipped/),
        expect.stringMatching(/names a port: skipped/),
        expect.stringMatching(/names user info: skipped/),
        expect.stringMatching(/names a path: skipped/),
      ]),
    );
  });

  it('uses a bare alternate host with the configured scheme and port', async () => {
    sim = await startIcwsSim({ supervisor: false, switchover: true });
    client = makeClient(sim);
    await client.session.connect();
    expect(client.session.servers.current.base).toBe(sim.alternateUrl);
    expect(sim.control.requests.map((r) => `${r.host} ${r.status}`)).toEqual(['127.0.0.1 503', '127.0.0.2 201']);
  });

  it('does not take a server listing its own name for a second server', async () => {
    sim = await startIcwsSim({ supervisor: false });
    // A real server that is not switching over answers alternateHostList ["cic-icws"], its own short name.
    sim.control.setAlternateHostList(['127.0.0.1', 'SIMIC01']);
    client = makeClient(sim);
    await client.session.connect();
    expect(client.session.servers.alternates).toEqual([]);

    // The server goes away: the client retries it, and never "switches" to itself.
    sim.control.setAvailable(false);
    const renewing = client.session.renew();
    await waitFor('two failed rounds', () => client!.states.filter((s) => s.state === 'down').length >= 2);
    sim.control.setAvailable(true);
    await renewing;
    expect(client.session.state).toMatchObject({ state: 'up', host: new URL(sim.url).host });
    expect(client.states.map((s) => s.state)).not.toContain('switching');
  });
});
