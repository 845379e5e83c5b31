import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ICWS_SUPERVISOR, startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim, IcwsSimOptions } from '../../../main/sim/icws/server';
import { EventStream, call, connect, poll } from '../../support/icws-raw-client';
import type { RawSession } from '../../support/icws-raw-client';

const LIST = 'urn:inin.com:interactions.assistance:assistanceRequestListMessage';
const DETAILS = 'urn:inin.com:interactions.assistance:assistanceRequestDetailsMessage';
const LIST_SUBSCRIPTION = 'messaging/subscriptions/interactions/agent-assistance';
const ICWS_TIME = /^\d{8}T\d{6}Z$/;

let sim: IcwsSim | undefined;
let stream: EventStream | undefined;
async function start(options: IcwsSimOptions = {}): Promise<IcwsSim> {
  sim = await startIcwsSim({ supervisor: false, ...options });
  return sim;
}
afterEach(async () => {
  stream?.close();
  stream = undefined;
  await sim?.close();
  sim = undefined;
});

function create(s: RawSession, interactionId: string, text: unknown): Promise<Response> {
  return call(s, 'POST', `interactions/${interactionId}/agent-assistance`, { body: { text } });
}
async function ask(s: RawSession, interactionId: string, text: string): Promise<string> {
  const res = await create(s, interactionId, text);
  expect(res.status).toBe(201);
  return ((await res.json()) as { assistanceId: string }).assistanceId;
}
const simPost = (url: string, path: string, body?: unknown) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });

describe('ICWS simulator: agent assistance', () => {
  it('creates, updates and completes a request, with list and details messages', async () => {
    const { url, user, interactionIds, control } = await start();
    const s = await connect(url, user);
    expect((await call(s, 'PUT', LIST_SUBSCRIPTION)).status).toBe(204);
    const id = await ask(s, interactionIds[0]!, '  Kart iadesi için onay gerekiyor.  ');
    expect((await call(s, 'PUT', `${LIST_SUBSCRIPTION}/${id}`)).status).toBe(204);
    expect(await call(s, 'POST', `interactions/agent-assistance/${id}`, { body: { text: 'Müşteri bekliyor.' } }).then((r) => r.status)).toBe(204);
    control.supervisorAccept(id);
    expect((await simPost(url, `/sim/assistance/${id}/messages`, { text: 'Onaylandı.' })).status).toBe(204);
    expect((await call(s, 'DELETE', `interactions/agent-assistance/${id}`)).status).toBe(204);

    const agent = { userId: user.userId, displayName: user.displayName, action: 1 };
    const supervisor = { userId: DEMO_ICWS_SUPERVISOR.userId, displayName: DEMO_ICWS_SUPERVISOR.displayName };
    const messages = await poll(s);
    expect(messages).toEqual([
      { __type: LIST, isDelta: false, requestsAdded: [], requestsRemoved: [] },
      { __type: LIST, isDelta: true, requestsAdded: [id] },
      {
        __type: DETAILS,
        isDelta: false,
        assistanceId: id,
        interactionId: interactionIds[0],
        state: 0,
        messagesAdded: [{ text: 'Kart iadesi için onay gerekiyor.', participantId: user.userId, timeAdded: expect.stringMatching(ICWS_TIME) }],
        participantsAdded: [agent],
      },
      { __type: DETAILS, isDelta: true, assistanceId: id, messagesAdded: [{ text: 'Müşteri bekliyor.', participantId: user.userId, timeAdded: expect.stringMatching(ICWS_TIME) }] },
      { __type: DETAILS, isDelta: true, assistanceId: id, participantsAdded: [{ ...supervisor, action: 3 }], state: 1 },
      { __type: DETAILS, isDelta: true, assistanceId: id, messagesAdded: [{ text: 'Onaylandı.', participantId: supervisor.userId, timeAdded: expect.stringMatching(ICWS_TIME) }] },
      { __type: DETAILS, isDelta: true, assistanceId: id, state: 2 },
      { __type: LIST, isDelta: true, requestsRemoved: [id] },
    ]);

    // Completed means gone: no more updates, no second completion, nothing left to subscribe to.
    expect((await call(s, 'POST', `interactions/agent-assistance/${id}`, { body: { text: 'x' } })).status).toBe(400);
    expect((await call(s, 'DELETE', `interactions/agent-assistance/${id}`)).status).toBe(400);
    expect((await call(s, 'PUT', `${LIST_SUBSCRIPTION}/${id}`)).status).toBe(400);
    expect((await simPost(url, `/sim/assistance/${id}/accept`)).status).toBe(404);
  });

  it('sends the full list and full details again on a new subscription', async () => {
    const { url, user, interactionIds, control } = await start();
    const s = await connect(url, user);
    const [a, b] = [await ask(s, interactionIds[0]!, 'bir'), await ask(s, interactionIds[1]!, 'iki')];
    control.supervisorIgnore(b);

    const later = await connect(url, user);
    await call(later, 'PUT', LIST_SUBSCRIPTION);
    await call(later, 'PUT', `${LIST_SUBSCRIPTION}/${b}`);
    expect(await poll(later)).toEqual([
      { __type: LIST, isDelta: false, requestsAdded: [a, b], requestsRemoved: [] },
      expect.objectContaining({
        __type: DETAILS,
        isDelta: false,
        assistanceId: b,
        state: 0,
        participantsAdded: [expect.objectContaining({ userId: user.userId, action: 1 }), expect.objectContaining({ userId: DEMO_ICWS_SUPERVISOR.userId, action: 2 })],
      }),
    ]);
    expect(await poll(s)).toEqual([]); // s never subscribed

    await call(later, 'DELETE', LIST_SUBSCRIPTION);
    await call(later, 'DELETE', `${LIST_SUBSCRIPTION}/${b}`);
    control.removeRequest(a);
    control.supervisorAccept(b);
    expect(await poll(later)).toEqual([]);
  });

  it('refuses what a server refuses', async () => {
    const { url, user, interactionIds } = await start();
    const s = await connect(url, user);
    const supervisorSession = await connect(url, DEMO_ICWS_SUPERVISOR);
    const other = sim!.control.addInteraction(DEMO_ICWS_SUPERVISOR.userId);

    expect((await create(s, '999', 'x')).status).toBe(400); // no such interaction
    expect((await create(s, other, 'x')).status).toBe(400); // someone else's interaction
    expect((await create(s, interactionIds[0]!, '   ')).status).toBe(400);
    expect((await create(s, interactionIds[0]!, 'ş'.repeat(2001))).status).toBe(400);
    expect((await create(s, interactionIds[0]!, 42)).status).toBe(400);
    expect((await create(s, interactionIds[0]!, 'ş'.repeat(2000))).status).toBe(201);
    const again = await create(s, interactionIds[0]!, 'ikinci');
    expect(again.status).toBe(400); // one active request per interaction
    expect(await again.json()).toMatchObject({ errorId: expect.any(String), message: expect.any(String) });

    const mine = await ask(s, interactionIds[1]!, 'benim');
    expect((await call(s, 'POST', 'interactions/agent-assistance/nope', { body: { text: 'x' } })).status).toBe(400);
    expect((await call(s, 'POST', `interactions/agent-assistance/${mine}`, { body: { text: '' } })).status).toBe(400);
    expect((await call(supervisorSession, 'DELETE', `interactions/agent-assistance/${mine}`)).status).toBe(400); // not the initiator
    expect((await call(supervisorSession, 'PUT', `${LIST_SUBSCRIPTION}/${mine}`)).status).toBe(400);
  });

  it('lets a test add interactions and remove requests over /sim/', async () => {
    const { url, user } = await start();
    const s = await connect(url, user);
    const added = await simPost(url, '/sim/interactions', { userId: user.userId });
    expect(added.status).toBe(201);
    const { interactionId } = (await added.json()) as { interactionId: string };
    const id = await ask(s, interactionId, 'Yeni etkileşim.');
    await call(s, 'PUT', LIST_SUBSCRIPTION);

    expect((await fetch(`${url}/sim/assistance/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await poll(s)).toEqual([
      { __type: LIST, isDelta: false, requestsAdded: [id], requestsRemoved: [] },
      { __type: LIST, isDelta: true, requestsRemoved: [id] },
    ]);
    expect((await fetch(`${url}/sim/assistance/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await simPost(url, `/sim/assistance/${id}/messages`, {})).status).toBe(400);
    const log = (await (await fetch(`${url}/sim/requests`)).json()) as { requestCount: number; requests: { path: string }[] };
    expect(log.requestCount).toBe(4);
    expect(log.requests.map((r) => r.path)).not.toContain('/sim/requests');
  });

  it('has no agent-assistance resources below interactions 9', async () => {
    const { url, user, interactionIds } = await start({ interactionsVersion: 8 });
    const s = await connect(url, user);
    expect((await create(s, interactionIds[0]!, 'x')).status).toBe(404);
    expect((await call(s, 'PUT', LIST_SUBSCRIPTION)).status).toBe(404);
  });
});

describe('ICWS simulator: scripted supervisor', () => {
  it('accepts a new request after a short delay and replies', async () => {
    const { url, user, interactionIds } = await start({ supervisor: { acceptDelayMs: 10, reply: 'Geliyorum.' } });
    const s = await connect(url, user);
    stream = await EventStream.open(s);
    const id = await ask(s, interactionIds[0]!, 'Yardım?');
    await call(s, 'PUT', `${LIST_SUBSCRIPTION}/${id}`);

    const events = stream;
    await events.until('the answer of the supervisor', () => events.messages.some((m) => JSON.stringify(m).includes('Geliyorum.')));
    // Whether the supervisor acted before or after the subscription, the state adds up the same.
    type Participant = { userId: string; action: number };
    const participants = new Map<string, number>();
    let state: unknown;
    const texts: string[] = [];
    for (const m of events.messages) {
      const people = [...((m.participantsAdded ?? []) as Participant[]), ...((m.participantsChanged ?? []) as Participant[])];
      for (const p of people) participants.set(p.userId, p.action);
      if (m.state !== undefined) state = m.state;
      for (const t of (m.messagesAdded ?? []) as { text: string }[]) texts.push(t.text);
    }
    expect(events.messages[0]).toMatchObject({ __type: DETAILS, isDelta: false });
    expect(state).toBe(1);
    expect(participants).toEqual(new Map([[user.userId, 1], [DEMO_ICWS_SUPERVISOR.userId, 3]]));
    expect(texts).toEqual(['Yardım?', 'Geliyorum.']);
  });

  it('stays away from a request the supervisor ignored', async () => {
    const { url, user, interactionIds, control } = await start({ supervisor: { acceptDelayMs: 250, reply: 'Geliyorum.' } });
    const s = await connect(url, user);
    const id = await ask(s, interactionIds[0]!, 'Yardım?');
    await call(s, 'PUT', `${LIST_SUBSCRIPTION}/${id}`);
    expect((await simPost(url, `/sim/assistance/${id}/ignore`)).status).toBe(204);
    // A second request's reply proves the script has run past the ignored one's moment.
    const other = await ask(s, interactionIds[1]!, 'Başka biri?');
    await call(s, 'PUT', `${LIST_SUBSCRIPTION}/${other}`);
    stream = await EventStream.open(s);
    const events = stream;
    await events.until('the answer on the other request', () => events.messages.some((m) => m.assistanceId === other && JSON.stringify(m).includes('Geliyorum.')));
    const aboutIgnored = events.messages.filter((m) => m.assistanceId === id);
    expect(aboutIgnored.map((m) => m.state ?? null)).toEqual([0, null]);
    expect(aboutIgnored[1]).toMatchObject({ participantsAdded: [{ userId: DEMO_ICWS_SUPERVISOR.userId, action: 2 }] });
    expect(control.sessions()).toHaveLength(1);
  });
});
