// The simulator's side of the user's queue, spoken to raw (test/support/icws-raw-client):
// the request body as Genesys' clients send it, the whole queue then deltas with only the
// attributes asked for, refusals, and the /sim/ controls over HTTP.

import { afterEach, describe, expect, it } from 'vitest';
import { startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim } from '../../../main/sim/icws/server';
import { call, connect, poll } from '../../support/icws-raw-client';

const CONTENTS = 'urn:inin.com:queues:queueContentsMessage';
const SUBSCRIPTION = 'messaging/subscriptions/queues/mine';

let sim: IcwsSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function control(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sim!.url}/sim/${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
}

describe('ICWS simulator: the user\'s queue', () => {
  it('sends the whole queue, then deltas, with only the attributes asked for under the names used', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const s = await connect(sim.url, sim.user);
    // Genesys' own clients send the queue type as text; the names' case is the asker's.
    const body = { queueIds: [{ queueType: '1', queueName: sim.user.userId.toUpperCase() }], attributeNames: ['eic_state', 'Eic_RemoteName', 'Custom_Attr'] };
    expect((await call(s, 'PUT', SUBSCRIPTION, { body })).status).toBe(204);
    const [whole, ...rest] = await poll(s);
    expect(rest).toEqual([]);
    expect(whole).toMatchObject({ __type: CONTENTS, isDelta: false, subscriptionId: 'mine' });
    const added = (whole as unknown as { interactionsAdded: { interactionId: string; attributes: Record<string, string> }[] }).interactionsAdded;
    expect(added.map((i) => i.interactionId)).toEqual([...sim.interactionIds, sim.scenarios.ignored, sim.scenarios.unanswered, sim.scenarios.notAcd]);
    expect(added[0]!.attributes).toEqual({ eic_state: 'C', Eic_RemoteName: 'Ayşe Yılmaz', Custom_Attr: '' });

    const created = await control('POST', 'interactions', { userId: sim.user.userId, remoteName: 'Yeni', state: 'alerting' });
    expect(created.status).toBe(201);
    const { interactionId } = (await created.json()) as { interactionId: string };
    expect((await control('POST', `interactions/${interactionId}/state`, { state: 'held' })).status).toBe(204);
    expect((await control('DELETE', `interactions/${interactionId}`)).status).toBe(204);
    expect(await poll(s)).toEqual([
      { __type: CONTENTS, isDelta: true, subscriptionId: 'mine', interactionsAdded: [{ interactionId, attributes: { eic_state: 'A', Eic_RemoteName: 'Yeni', Custom_Attr: '' } }] },
      // Only what changed, and only what was asked for.
      { __type: CONTENTS, isDelta: true, subscriptionId: 'mine', interactionsChanged: [{ interactionId, attributes: { eic_state: 'H' } }] },
      { __type: CONTENTS, isDelta: true, subscriptionId: 'mine', interactionsRemoved: [interactionId] },
    ]);

    expect((await call(s, 'DELETE', SUBSCRIPTION)).status).toBe(204);
    await control('POST', 'interactions', { userId: sim.user.userId });
    expect(await poll(s)).toEqual([]);
  });

  it('tells only the owner\'s sessions', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const [agent, supervisor] = [await connect(sim.url, sim.user), await connect(sim.url, { userId: 'demo.supervisor', password: 'demo-supervisor-pw' })];
    await call(agent, 'PUT', SUBSCRIPTION, { body: { queueIds: [{ queueType: 1, queueName: sim.user.userId }], attributeNames: ['Eic_State'] } });
    await call(supervisor, 'PUT', SUBSCRIPTION, { body: { queueIds: [{ queueType: 1, queueName: 'demo.supervisor' }], attributeNames: ['Eic_State'] } });
    expect(await poll(supervisor)).toEqual([{ __type: CONTENTS, isDelta: false, subscriptionId: 'mine', interactionsAdded: [] }]);
    await poll(agent);
    sim.control.addInteraction(sim.user.userId);
    expect(await poll(agent)).toHaveLength(1);
    expect(await poll(supervisor)).toEqual([]);
  });

  it('refuses another user\'s queue, a workgroup queue and a body without attribute names, and queues nothing', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const s = await connect(sim.url, sim.user);
    // §2.5: another user's queue needs the queue-monitoring right (the demo agent supervises demo.agent2 and 3 only): 403.
    const forbidden = await call(s, 'PUT', SUBSCRIPTION, { body: { queueIds: [{ queueType: 1, queueName: 'demo.supervisor' }], attributeNames: ['Eic_State'] } });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ errorId: 'error.request.accessDenied.queueMonitoring', message: expect.any(String) });
    const refusals = [
      { queueIds: [{ queueType: 2, queueName: 'Bireysel Bankacılık' }], attributeNames: ['Eic_State'] },
      { queueIds: [{ queueType: 1, queueName: sim.user.userId }], attributeNames: [] },
      { queueIds: [], attributeNames: ['Eic_State'] },
    ];
    for (const body of refusals) {
      const res = await call(s, 'PUT', SUBSCRIPTION, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ errorId: expect.stringMatching(/^error\.request\./), message: expect.any(String) });
    }
    expect(await poll(s)).toEqual([]);
    expect((await control('DELETE', 'interactions/nope')).status).toBe(404);
    expect((await control('POST', `interactions/${sim.interactionIds[0]}/state`, { state: 'ringing' })).status).toBe(400);
  });
});
