// The simulator's supervisor side (§2.5), spoken to raw (test/support/icws-raw-client): the
// subscription (403 for a non-supervisor), the first list and its deltas with each
// supervisor's own action, the per-request conversation, the action body and its refusals,
// the action path knob, user statuses and the /sim/ controls over HTTP.

import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ICWS_AGENTS, DEMO_ICWS_SUPERVISOR, DEMO_ICWS_SUPERVISOR_2, startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim } from '../../../main/sim/icws/server';
import { call, connect, poll } from '../../support/icws-raw-client';

const LIST = 'urn:inin.com:interactions.assistance:supervisorAssistanceRequestMessage';
const DETAILS = 'urn:inin.com:interactions.assistance:assistanceRequestDetailsMessage';
const STATUS = 'urn:inin.com:status:userStatusMessage';
const SUBSCRIPTION = 'messaging/subscriptions/interactions/supervisor-assistance';

let sim: IcwsSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function control(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sim!.url}/sim/${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
}

describe('ICWS simulator: the supervisor side', () => {
  it('refuses a non-supervisor with 403; serves a supervisor the first list, then each change with their own action', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const agent2 = await connect(sim.url, DEMO_ICWS_AGENTS[0]!);
    const refused = await call(agent2, 'PUT', SUBSCRIPTION);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ errorId: 'error.request.accessDenied.supervisorAssistance', message: expect.any(String) });

    const raised = await control('POST', 'agents/requests', { userId: 'demo.agent', text: 'Limit?', workgroup: 'Bireysel Bankacılık' });
    expect(raised.status).toBe(201);
    const { assistanceId, interactionId } = (await raised.json()) as { assistanceId: string; interactionId: string };

    const selin = await connect(sim.url, DEMO_ICWS_SUPERVISOR);
    const can = await connect(sim.url, DEMO_ICWS_SUPERVISOR_2);
    for (const s of [selin, can]) expect((await call(s, 'PUT', SUBSCRIPTION)).status).toBe(204);
    const details = { assistanceId, interactionId, problemDescription: 'Limit?', workgroup: 'Bireysel Bankacılık', initiator: { userId: 'demo.agent', displayName: 'Deniz Yılmaz', action: 1 }, action: 0, state: 0 };
    expect(await poll(selin)).toEqual([{ __type: LIST, isDelta: false, requestsAdded: [details] }]);
    await poll(can);

    // The conversation: the agent side's details message, whole first.
    expect((await call(selin, 'PUT', `${SUBSCRIPTION}/${assistanceId}`)).status).toBe(204);
    expect((await call(selin, 'PUT', `${SUBSCRIPTION}/no-such-request`)).status).toBe(404);
    expect(await poll(selin)).toEqual([
      expect.objectContaining({ __type: DETAILS, isDelta: false, assistanceId, state: 0, messagesAdded: [expect.objectContaining({ text: 'Limit?', participantId: 'demo.agent' })] }),
    ]);

    // An ignore: only Can hears of it in the list.
    expect((await call(can, 'POST', `interactions/supervisor-assistance/${assistanceId}`, { body: { action: 2 } })).status).toBe(204);
    expect(await poll(can)).toEqual([{ __type: LIST, isDelta: true, requestsChanged: [{ ...details, action: 2 }] }]);
    expect((await poll(selin)).filter((m) => m.__type === LIST)).toEqual([]);

    // An accept with a message: every supervisor hears the state, each with their own action.
    expect((await call(selin, 'POST', `interactions/supervisor-assistance/${assistanceId}`, { body: { action: 3, text: 'Geliyorum' } })).status).toBe(204);
    const selinSaw = await poll(selin);
    expect(selinSaw.filter((m) => m.__type === LIST)).toEqual([{ __type: LIST, isDelta: true, requestsChanged: [{ ...details, action: 3, state: 1 }] }]);
    expect(selinSaw.filter((m) => m.__type === DETAILS)).toEqual([
      expect.objectContaining({ participantsAdded: [{ userId: 'demo.supervisor', displayName: 'Selin Kaya', action: 3 }], state: 1 }),
      expect.objectContaining({ messagesAdded: [expect.objectContaining({ text: 'Geliyorum', participantId: 'demo.supervisor' })] }),
    ]);
    expect(await poll(can)).toEqual([{ __type: LIST, isDelta: true, requestsChanged: [{ ...details, action: 2, state: 1 }] }]);
    const late = await call(can, 'POST', `interactions/supervisor-assistance/${assistanceId}`, { body: { action: 3 } });
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ errorId: 'error.request.interactions.assistanceAlreadyAccepted' });

    // The agent's Done: completed for every supervisor, then gone.
    const agent = await connect(sim.url, sim.user);
    expect((await call(agent, 'DELETE', `interactions/agent-assistance/${assistanceId}`)).status).toBe(204);
    expect((await poll(can)).map((m) => [m.requestsChanged ? 'changed' : 'removed', m.requestsChanged ?? m.requestsRemoved])).toEqual([
      ['changed', [{ ...details, action: 2, state: 2 }]],
      ['removed', [assistanceId]],
    ]);
  });

  it('refuses an action without text or action, with another action number, or too long a text; and answers 404 for another workgroup\'s request', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const { assistanceId } = (await (await control('POST', 'agents/requests', { userId: 'demo.agent2', text: 'Mobil?', workgroup: 'Mobil Bankacılık' })).json()) as { assistanceId: string };
    const selin = await connect(sim.url, DEMO_ICWS_SUPERVISOR);
    const demoAgent = await connect(sim.url, sim.user);
    const path = `interactions/supervisor-assistance/${assistanceId}`;
    expect((await call(selin, 'POST', path, { body: { action: 3 } })).status).toBe(404);
    for (const body of [{}, { action: 1 }, { action: 3, text: 'x'.repeat(2001) }, { text: '   ' }]) {
      expect((await call(demoAgent, 'POST', path, { body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await call(demoAgent, 'POST', path, { body: { text: 'Bakıyorum' } })).status).toBe(204);
  });

  it('takes actions at another path when the knob says so; the inferred one is then a 404', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const { assistanceId } = (await (await control('POST', 'agents/requests', { userId: 'demo.agent', text: 'Yol?' })).json()) as { assistanceId: string };
    expect((await control('POST', 'supervisor/action-path', { path: 'interactions/{assistanceId}/supervisor-action' })).status).toBe(204);
    expect((await control('POST', 'supervisor/action-path', { path: 'no-placeholder' })).status).toBe(400);
    const selin = await connect(sim.url, DEMO_ICWS_SUPERVISOR);
    expect((await call(selin, 'POST', `interactions/supervisor-assistance/${assistanceId}`, { body: { action: 3 } })).status).toBe(404);
    expect((await call(selin, 'POST', `interactions/${assistanceId}/supervisor-action`, { body: { action: 3 } })).status).toBe(204);
    expect((await control('POST', 'supervisor/action-path', { path: null })).status).toBe(204);
    expect((await call(selin, 'POST', `interactions/supervisor-assistance/${assistanceId}`, { body: { text: 'Geri' } })).status).toBe(204);
  });

  it('makes a user a supervisor and not, by the knob', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const agent3 = await connect(sim.url, DEMO_ICWS_AGENTS[1]!);
    expect((await call(agent3, 'PUT', SUBSCRIPTION)).status).toBe(403);
    expect((await control('POST', 'supervisors', { userId: 'demo.agent3', supervisor: true, workgroup: 'Kredi Kartları' })).status).toBe(204);
    expect((await call(agent3, 'PUT', SUBSCRIPTION)).status).toBe(204);
    expect((await control('POST', 'supervisors', { userId: 'demo.agent3', supervisor: false })).status).toBe(204);
    expect((await call(agent3, 'PUT', SUBSCRIPTION)).status).toBe(403);
    expect((await control('POST', 'supervisors', { userId: 'nobody', supervisor: true })).status).toBe(404);
  });
});

describe('ICWS simulator: user statuses', () => {
  it('a full list then changes; one user now; a refused or unknown user refuses the whole subscription', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const s = await connect(sim.url, sim.user);
    expect((await call(s, 'PUT', 'messaging/subscriptions/status/user-statuses', { body: {} })).status).toBe(400);
    expect((await call(s, 'PUT', 'messaging/subscriptions/status/user-statuses', { body: { userIds: ['demo.agent2'] } })).status).toBe(204);
    const statusChanged = expect.stringMatching(/^\d{8}T\d{6}Z$/);
    expect(await poll(s)).toEqual([{ __type: STATUS, isDelta: false, userStatusList: [{ userId: 'demo.agent2', statusId: 'Available', loggedIn: true, onPhone: false, statusChanged }] }]);
    expect((await control('POST', 'users/status', { userId: 'demo.agent2', statusId: 'At Lunch' })).status).toBe(204);
    expect((await control('POST', 'users/status', { userId: 'demo.agent3', onPhone: true })).status).toBe(204);
    expect(await poll(s)).toEqual([{ __type: STATUS, isDelta: true, userStatusList: [{ userId: 'demo.agent2', statusId: 'At Lunch', loggedIn: true, onPhone: false, statusChanged }] }]);

    const one = await call(s, 'GET', 'status/user-statuses/demo.agent3');
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ userId: 'demo.agent3', statusId: 'Available', onPhone: true });
    expect((await call(s, 'GET', 'status/user-statuses/ghost')).status).toBe(404);
    await control('POST', 'users/status', { userId: 'demo.agent3', hidden: true });
    expect((await call(s, 'GET', 'status/user-statuses/demo.agent3')).status).toBe(403);
    expect((await call(s, 'PUT', 'messaging/subscriptions/status/user-statuses', { body: { userIds: ['demo.agent2', 'demo.agent3'] } })).status).toBe(403);
    expect((await call(s, 'PUT', 'messaging/subscriptions/status/user-statuses', { body: { userIds: ['ghost'] } })).status).toBe(404);
    expect((await call(s, 'DELETE', 'messaging/subscriptions/status/user-statuses')).status).toBe(204);
  });
});
