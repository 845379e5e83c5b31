import { afterEach, describe, expect, it } from 'vitest';
import { startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim, IcwsSimOptions, QueuedMessageEvent } from '../../../main/sim/icws/server';
import { EventStream, call, connect, poll } from '../../support/icws-raw-client';
import type { RawSession } from '../../support/icws-raw-client';

const LIST = 'urn:inin.com:interactions.assistance:assistanceRequestListMessage';
const LIST_SUBSCRIPTION = 'messaging/subscriptions/interactions/agent-assistance';

let sim: IcwsSim | undefined;
const streams: EventStream[] = [];
async function start(options: IcwsSimOptions = {}): Promise<IcwsSim> {
  sim = await startIcwsSim({ supervisor: false, ...options });
  return sim;
}
async function open(s: RawSession): Promise<EventStream> {
  const stream = await EventStream.open(s);
  streams.push(stream);
  return stream;
}
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await sim?.close();
  sim = undefined;
});

async function ask(s: RawSession, interactionId: string, text: string): Promise<string> {
  const res = await call(s, 'POST', `interactions/${interactionId}/agent-assistance`, { body: { text } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { assistanceId: string }).assistanceId;
}

describe('ICWS simulator: short polling', () => {
  it('returns what is queued, once, and keeps one queue per session', async () => {
    const { url, user, interactionIds } = await start();
    const [a, b] = [await connect(url, user), await connect(url, user)];
    expect(await poll(a)).toEqual([]);
    expect((await call(a, 'PUT', LIST_SUBSCRIPTION)).status).toBe(204);
    const id = await ask(a, interactionIds[0]!, 'Müşteri limit artışı istiyor.');

    expect(await poll(a)).toEqual([
      { __type: LIST, isDelta: false, requestsAdded: [], requestsRemoved: [] },
      { __type: LIST, isDelta: true, requestsAdded: [id] },
    ]);
    expect(await poll(a)).toEqual([]);
    expect(await poll(b)).toEqual([]);
  });

  it('answers the event-stream GET with JSON when messaging is version 1', async () => {
    const { url, user } = await start({ messagingVersion: 1 });
    const s = await connect(url, user);
    await call(s, 'PUT', LIST_SUBSCRIPTION);
    const res = await call(s, 'GET', 'messaging/messages', { csrf: false, accept: 'text/event-stream' });
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.inin\.icws\+JSON/);
    expect(await res.json()).toEqual([expect.objectContaining({ __type: LIST, isDelta: false })]);
  });
});

describe('ICWS simulator: server-sent events', () => {
  it('lets a session with an open stream idle out like any other: the stream does not keep it alive', async () => {
    let now = Date.parse('2024-05-02T09:00:00Z');
    const { url, user, control } = await start({ idleTimeoutMs: 1000, clock: () => now });
    const s = await connect(url, user);
    const stream = await open(s);
    await stream.until('the session streaming', () => control.sessions()[0]?.streaming === true);
    now += 10_000;
    expect(control.sessions()).toEqual([]);
    await stream.until('the stream closed with the idle session', () => stream.ended);
    expect((await call(s, 'GET', 'messaging/messages', { csrf: false })).status).toBe(401);
  });

  it('sends retry first, then queued and new messages as data events, and pings', async () => {
    const { url, user, interactionIds, control } = await start({ pingIntervalMs: 20 });
    const s = await connect(url, user);
    await call(s, 'PUT', LIST_SUBSCRIPTION); // queued before any stream is open
    const queued: QueuedMessageEvent[] = [];
    control.onMessageQueued((e) => queued.push(e));

    const stream = await open(s);
    await stream.until('the queued list', () => stream.messages.length === 1);
    expect(stream.retry).toBe(2000);
    expect(stream.messages[0]).toMatchObject({ __type: LIST, isDelta: false });
    expect(control.sessions()[0]!.streaming).toBe(true);

    const id = await ask(s, interactionIds[0]!, 'Yardım lazım.');
    await stream.until('the new request as a delta', () => stream.messages.length === 2);
    expect(stream.messages[1]).toEqual({ __type: LIST, isDelta: true, requestsAdded: [id] });
    expect(queued).toEqual([{ sessionId: s.sessionId, message: stream.messages[1], queuedAt: expect.any(Number) }]);

    await stream.until('a ping', () => stream.comments.includes('ping'));
    expect(await poll(s)).toEqual([]); // the stream drained the queue
  });

  it('loses nothing when streams drop: messages wait for the next connection', async () => {
    const { url, user, interactionIds, control } = await start();
    const s = await connect(url, user);
    await call(s, 'PUT', LIST_SUBSCRIPTION);
    const first = await open(s);
    await first.until('the list on the first stream', () => first.messages.length === 1);

    const res = await fetch(`${url}/sim/streams/drop`, { method: 'POST' });
    expect(await res.json()).toEqual({ dropped: 1 });
    await first.until('the first stream to drop', () => first.ended);
    const id = await ask(s, interactionIds[0]!, 'Bağlantı koptu mu?');
    expect(control.sessions()[0]!.streaming).toBe(false);

    const second = await open(s);
    await second.until('the held delta on the second stream', () => second.messages.length === 1);
    expect(second.messages).toEqual([{ __type: LIST, isDelta: true, requestsAdded: [id] }]);
    expect(first.messages).toHaveLength(1);
  });

  it('closes the stream when the session ends', async () => {
    const { url, user, control } = await start();
    const s = await connect(url, user);
    const stream = await open(s);
    await stream.until('the session streaming', () => control.sessions()[0]?.streaming === true);

    control.expireSession();
    await stream.until('the stream closed with the session', () => stream.ended);
    const res = await call(s, 'GET', 'messaging/messages', { csrf: false, accept: 'text/event-stream' });
    expect(res.status).toBe(401);
  });
});
