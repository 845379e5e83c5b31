import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim } from '../../../main/sim/icws/server';
import { makeClient, rejection, waitFor } from './client-harness';
import type { Client } from './client-harness';

let sim: IcwsSim | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.shutdown();
  await sim?.close();
  client = undefined;
  sim = undefined;
});

const port = (url: string) => new URL(url).port;
/** What the simulator was asked, in order, and what it answered. */
const exchanges = (s: IcwsSim) => s.control.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

describe('ICWS session', () => {
  it('logs in, carries session id, CSRF token and cookie, and logs out', async () => {
    sim = await startIcwsSim({ supervisor: false });
    client = makeClient(sim);
    await client.session.connect();

    expect(client.session.state).toEqual({ state: 'up', host: `127.0.0.1:${port(sim.url)}`, sse: true });
    expect(client.states.map((s) => s.state)).toEqual(['connecting', 'up']);
    expect(client.session.features.get('interactions')).toBe(10);
    const [live] = sim.control.sessions();
    expect(live?.sessionId).toBe(client.session.sessionId);

    // The simulator answers 401 to a call missing the cookie or the CSRF token.
    await client.session.request('PUT', 'messaging/subscriptions/interactions/agent-assistance');
    await client.session.logout();
    expect(exchanges(sim)).toEqual([
      'POST /icws/connection 201',
      `PUT /icws/${live?.sessionId}/messaging/subscriptions/interactions/agent-assistance 204`,
      `DELETE /icws/${live?.sessionId}/connection 204`,
    ]);
    expect(sim.control.sessions()).toEqual([]);
    expect(client.session.state).toMatchObject({ state: 'down' });
    expect((await rejection(client.session.request('GET', 'messaging/messages'))).code).toBe('cancelled');
  });

  it('asks for the features when the connect answer leaves them out', async () => {
    sim = await startIcwsSim({ supervisor: false, interactionsVersion: 9 });
    // A server (or proxy) that ignores `include=features`: the simulator then omits them.
    const dropInclude: typeof fetch = (input, init) => fetch(String(input).replace('include=features,version', 'include=version'), init);
    client = makeClient(sim, { fetch: dropInclude });
    await client.session.connect();
    expect(client.session.features.get('interactions')).toBe(9);
    expect(sim.control.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /icws/connection', 'GET /icws/connection/features']);
  });

  it('fails a wrong password with auth_failed at once, without retrying', async () => {
    sim = await startIcwsSim({ supervisor: false });
    client = makeClient({ url: sim.url, user: { ...sim.user, password: 'wrong' } });
    const error = await rejection(client.session.connect());
    expect(error.code).toBe('auth_failed');
    expect(error.details).toMatchObject({ status: 400, errorId: 'error.request.connection.authenticationFailure' });
    expect(error.message).not.toContain('wrong');
    expect(client.session.state).toMatchObject({ state: 'down', code: 'auth_failed' });
    expect(exchanges(sim)).toEqual(['POST /icws/connection 400']);
  });

  it('switches to the alternate host when the primary answers 503', async () => {
    sim = await startIcwsSim({ supervisor: false, switchover: true });
    client = makeClient(sim);
    await client.session.connect();
    const alternate = `127.0.0.2:${port(sim.url)}`;
    expect(client.states).toEqual([
      { state: 'connecting' },
      { state: 'switching', host: alternate },
      { state: 'up', host: alternate, sse: true },
    ]);
    expect(sim.control.requests.map((r) => `${r.host} ${r.status}`)).toEqual(['127.0.0.1 503', '127.0.0.2 201']);
    expect(sim.control.sessions()[0]?.host).toBe('127.0.0.2');
  });

  it('moves a live session to the alternate host when the primary stops serving', async () => {
    sim = await startIcwsSim({ supervisor: false });
    client = makeClient(sim);
    client.pump.start();
    await client.assistance.start();
    const first = client.session.sessionId;
    await waitFor('the event stream', () => sim!.control.sessions()[0]?.streaming);

    sim.control.setSwitchover(true);
    const alternate = `127.0.0.2:${port(sim.url)}`;
    await waitFor('up on the alternate', () => client!.session.state.state === 'up' && client!.session.state.host === alternate);
    expect(client.states).toEqual([
      { state: 'connecting' },
      { state: 'up', host: `127.0.0.1:${port(sim.url)}`, sse: true },
      { state: 'connecting' },
      { state: 'switching', host: alternate },
      { state: 'up', host: alternate, sse: true },
    ]);
    // One login on the primary, refused there once it stops serving, then one on the alternate.
    const logins = sim.control.requests.filter((r) => r.method === 'POST' && r.path === '/icws/connection');
    expect(logins.map((r) => `${r.host} ${r.status}`)).toEqual(['127.0.0.1 201', '127.0.0.1 503', '127.0.0.2 201']);
    expect(client.session.sessionId).not.toBe(first);

    // The live view carries on over there: subscriptions were re-created on the new session.
    const id = await client.assistance.request(sim.interactionIds[0]!, 'still there?');
    await waitFor('the request in the view', () => client!.assistance.list().find((r) => r.assistanceId === id));
  });

  it('backs off and reports down while no server answers at all', async () => {
    const closed = await unusedPort();
    client = makeClient(
      { url: `http://127.0.0.1:${closed}`, user: { userId: 'u', password: 'p', displayName: 'U' } },
      { reconnect: { baseMs: 1, capMs: 5, maxAttempts: 2 } },
    );
    const error = await rejection(client.session.connect());
    expect(error.code).toBe('unavailable');
    expect(client.states.map((s) => s.state)).toEqual(['connecting', 'down', 'connecting', 'down']);
    expect(client.session.state).toMatchObject({ state: 'down', code: 'unavailable' });
  });

  it('stops waiting when the caller cancels', async () => {
    const closed = await unusedPort();
    client = makeClient({ url: `http://127.0.0.1:${closed}`, user: { userId: 'u', password: 'p', displayName: 'U' } }, { reconnect: { baseMs: 1, capMs: 5 } });
    const controller = new AbortController();
    const pending = rejection(client.session.connect(controller.signal));
    await waitFor('a failed round', () => client!.states.some((s) => s.state === 'down'));
    controller.abort();
    expect((await pending).code).toBe('cancelled');
  });
});

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}
