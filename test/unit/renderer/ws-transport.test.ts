// The browser host's transport in Node (its global WebSocket) against a real `ws` server on
// loopback: calls and events, the link going down and coming back, and the stores asking
// again for what they show once it is back.

import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { fromSocket } from '../../../renderer/bridge';
import { WatchStore } from '../../../renderer/stores/watch.svelte';
import { connectWebSocketApi, tokenFromLocation, type WebSocketApi } from '../../../renderer/ws-transport';
import type { WatchEntry } from '../../../shared/contract';

const TOKEN = 'test-token-0123456789';

type Answer = (call: string, input: unknown) => unknown;

/** A host that answers each call with `answer(call, input)` and can push events. */
async function startHost(answer: Answer, port = 0) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const sockets = new Set<ServerSocket>();
  const tokens: (string | null)[] = [];
  wss.on('connection', (ws, req) => {
    tokens.push(new URL(req.url ?? '/', 'http://x').searchParams.get('token'));
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { id: number; call: string; input: unknown };
      const value = answer(frame.call, frame.input);
      if (value === undefined) return; // never answered: the test drops the link meanwhile
      ws.send(JSON.stringify({ id: frame.id, result: { ok: true, value } }));
    });
  });
  return {
    port: (wss.address() as AddressInfo).port,
    tokens,
    push(event: string, payload: unknown) {
      for (const ws of sockets) ws.send(JSON.stringify({ event, payload }));
    },
    /** Drops every socket and stops listening, as a host that exits does. */
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Resolves with the next link change the transport reports. */
function nextLink(api: WebSocketApi): Promise<boolean> {
  return new Promise((resolve) => {
    const off = api.onLinkChange((up) => {
      off();
      resolve(up);
    });
  });
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('the WebSocket transport', () => {
  it('reads the token from the page address', () => {
    expect(tokenFromLocation('?token=abc&x=1')).toBe('abc');
    expect(tokenFromLocation('?x=1')).toBeNull();
  });

  it('answers calls by id and delivers pushed events, with the page’s token', async () => {
    const host = await startHost((call) => (call === 'watch.list' ? [] : { ok: true }));
    cleanup.push(() => host.close());
    const api = connectWebSocketApi(`http://127.0.0.1:${host.port}/?token=${TOKEN}`);
    cleanup.push(() => api.close());
    expect(await api.call('watch.list', {})).toEqual({ ok: true, value: [] });
    expect(host.tokens).toEqual([TOKEN]);

    const got = new Promise((resolve) => api.on('connection.changed', resolve));
    host.push('connection.changed', { state: 'connecting' });
    host.push('not.an.event', {});
    expect(await got).toEqual({ state: 'connecting' });
  });

  it('refuses to call without a token, and opens nothing', async () => {
    const host = await startHost(() => ({ ok: true }));
    cleanup.push(() => host.close());
    const api = connectWebSocketApi(`http://127.0.0.1:${host.port}/`);
    cleanup.push(() => api.close());
    const result = await api.call('watch.list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(host.tokens).toEqual([]);
  });

  it('fails calls in flight when the link drops, says so, and comes back by itself', async () => {
    let host = await startHost((call) => (call === 'watch.refresh' ? undefined : []));
    const port = host.port;
    cleanup.push(() => host.close());
    const api = connectWebSocketApi(`http://127.0.0.1:${port}/?token=${TOKEN}`, { reconnectBaseMs: 20, reconnectCapMs: 100 });
    cleanup.push(() => api.close());
    const links: boolean[] = [];
    api.onLinkChange((up) => links.push(up));
    await api.call('watch.list', {});
    // The first open is no news: nothing was lost.
    expect(links).toEqual([]);

    const inFlight = api.call('watch.refresh', { customerId: '1' });
    const down = nextLink(api);
    await host.close();
    expect(await down).toBe(false);
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'unavailable' } });

    const up = nextLink(api);
    host = await startHost(() => [], port);
    expect(await up).toBe(true);
    expect(await api.call('watch.list', {})).toEqual({ ok: true, value: [] });
    expect(links).toEqual([false, true]);
  });

  it('sends a call made while the link is down once it is back', async () => {
    let host = await startHost(() => []);
    const port = host.port;
    cleanup.push(() => host.close());
    const api = connectWebSocketApi(`http://127.0.0.1:${port}/?token=${TOKEN}`, { reconnectBaseMs: 20, reconnectCapMs: 100 });
    cleanup.push(() => api.close());
    await api.call('watch.list', {});
    const down = nextLink(api);
    await host.close();
    await down;
    host = await startHost(() => ['answered after the reconnect'], port);
    // Not refused: queued, and it skips the rest of the backoff.
    expect(await api.call('watch.list', {})).toEqual({ ok: true, value: ['answered after the reconnect'] });
  });

  it('resyncs: a store asks again for what it shows, and shows what changed while the link was down', async () => {
    const entry = (customerId: string): WatchEntry => ({ customerId, state: null, error: null, checkedAt: null, confirmedAt: null, freshUntil: null });
    let list = [entry('1')];
    let host = await startHost(() => list);
    const port = host.port;
    cleanup.push(() => host.close());
    const socket = connectWebSocketApi(`http://127.0.0.1:${port}/?token=${TOKEN}`, { reconnectBaseMs: 20, reconnectCapMs: 100 });
    cleanup.push(() => socket.close());
    const store = new WatchStore(fromSocket(socket));
    cleanup.push(store.start());
    await store.load();
    expect(store.rows.map((r) => r.customerId)).toEqual(['1']);

    const down = nextLink(socket);
    await host.close();
    await down;
    list = [entry('1'), entry('2')];
    host = await startHost(() => list, port);
    await expect.poll(() => store.rows.map((r) => r.customerId)).toEqual(['1', '2']);
  });

  it('after close, calls fail at once without a new socket', async () => {
    const host = await startHost(() => []);
    cleanup.push(() => host.close());
    const api = connectWebSocketApi(`http://127.0.0.1:${host.port}/?token=${TOKEN}`, { reconnectBaseMs: 10, reconnectCapMs: 10 });
    await api.call('watch.list', {});
    api.close();
    expect(await api.call('watch.list', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(host.tokens).toHaveLength(1);
  });
});
