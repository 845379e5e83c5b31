// The supervisor side of agent assistance (§2.5), client and simulator together over real
// HTTP: an agent's request fans out to both supervisors of the workgroup; the first accept
// changes it for both and the agent sees who accepted; an ignore changes only the ignoring
// supervisor's own action; answers reach the agent and the other supervisor; the agent's
// Done completes and removes it; a non-supervisor's 403 is said once; the action path is
// the inferred one or, by the setting, another.

import { afterEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../../shared/errors';
import type { SupervisorRequest } from '../../../shared/supervisor';
import { SUPERVISOR_LIST_SUBSCRIPTION, SupervisorAssistanceClient } from '../../../main/icws/supervisor-assistance';
import { SUPERVISOR_ASSISTANCE_TYPE } from '../../../main/icws/supervisor-view';
import { DEMO_ICWS_AGENTS, DEMO_ICWS_SUPERVISOR, DEMO_ICWS_SUPERVISOR_2, startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim } from '../../../main/sim/icws/server';
import type { SimUser } from '../../../main/sim/icws/state';
import { makeClient, rejection, waitFor } from './client-harness';
import type { Client } from './client-harness';

let sim: IcwsSim | undefined;
const clients: Client[] = [];
const desks: SupervisorAssistanceClient[] = [];

afterEach(async () => {
  for (const desk of desks.splice(0)) await desk.stop();
  for (const client of clients.splice(0)) await client.shutdown();
  await sim?.close();
  sim = undefined;
});

interface Desk {
  client: Client;
  desk: SupervisorAssistanceClient;
  changes: SupervisorRequest[][];
  errors: AppError[];
}

function connect(s: IcwsSim, user: Readonly<SimUser>, mode: 'auto' | 'poll' = 'auto'): Client {
  const client = makeClient({ url: s.url, user: { ...user } }, {}, { mode, pollIntervalMs: 20 });
  clients.push(client);
  return client;
}

function deskOf(s: IcwsSim, user: Readonly<SimUser>, options: { actionPath?: string | null; mode?: 'auto' | 'poll' } = {}): Desk {
  const client = connect(s, user, options.mode);
  const desk = new SupervisorAssistanceClient(client.session, client.pump, { userId: user.userId, actionPath: options.actionPath ?? null });
  desks.push(desk);
  const changes: SupervisorRequest[][] = [];
  const errors: AppError[] = [];
  desk.onChange((list) => changes.push(list));
  desk.onError((e) => errors.push(e));
  return { client, desk, changes, errors };
}

const one = (d: Desk, id: string) => d.desk.list().find((r) => r.assistanceId === id);

describe.each([
  ['server-sent events', 'auto' as const],
  ['short polling', 'poll' as const],
])('supervisor assistance over %s', (_name, mode) => {
  it('fans an agent\'s request out to both supervisors; the first accept changes it for both, the answer reaches the agent; Done completes and removes it', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const s = sim;
    const first = deskOf(s, DEMO_ICWS_SUPERVISOR, { mode });
    const second = deskOf(s, DEMO_ICWS_SUPERVISOR_2, { mode });
    await Promise.all([first.desk.start(), second.desk.start()]);
    await Promise.all([first.desk.whenSynced(), second.desk.whenSynced()]);
    expect(first.desk.list()).toEqual([]);
    // The first (empty) list is announced, so what comes after it is news.
    expect(first.changes).toEqual([[]]);

    const agent = connect(s, s.user, mode);
    await agent.assistance.start();
    const assistanceId = await agent.assistance.request(s.interactionIds[0]!, 'Limit artışı onayı?');

    for (const d of [first, second]) {
      const seen = await waitFor('the request and its conversation on both desks', () => {
        const r = one(d, assistanceId);
        return r && r.messages.length === 1 ? r : undefined;
      });
      expect(seen).toEqual({
        assistanceId,
        interactionId: s.interactionIds[0],
        problemDescription: 'Limit artışı onayı?',
        workgroup: 'Bireysel Bankacılık',
        initiator: { userId: 'demo.agent', displayName: 'Deniz Yılmaz' },
        state: 'open',
        myAction: 'none',
        acceptedBy: null,
        messages: [{ text: 'Limit artışı onayı?', participantId: 'demo.agent', timeAdded: expect.stringMatching(/Z$/) }],
        participants: [{ userId: 'demo.agent', displayName: 'Deniz Yılmaz', action: 'initiated' }],
      });
    }

    expect(await first.desk.accept(assistanceId)).toEqual({ assistanceId, action: 'accepted' });
    const selin = { userId: 'demo.supervisor', displayName: 'Selin Kaya' };
    await waitFor('accepted by Selin on her desk', () => one(first, assistanceId)?.acceptedBy?.displayName === 'Selin Kaya');
    await waitFor('accepted by Selin on the other desk', () => one(second, assistanceId)?.acceptedBy?.displayName === 'Selin Kaya');
    expect(one(first, assistanceId)).toMatchObject({ state: 'accepted', myAction: 'accepted', acceptedBy: selin });
    expect(one(second, assistanceId)).toMatchObject({ state: 'accepted', myAction: 'none', acceptedBy: selin });
    await waitFor('the agent sees Selin accept', () => agent.assistance.list()[0]?.participants.find((p) => p.userId === 'demo.supervisor')?.action === 'accepted');
    expect(agent.assistance.list()[0]?.state).toBe('accepted');

    // The other supervisor comes too late: the server says so in its own words.
    const late = await rejection(second.desk.accept(assistanceId));
    expect(late).toMatchObject({ code: 'operation_failed', message: expect.stringContaining('already accepted') });

    expect(await first.desk.answer(assistanceId, 'Onaylıyorum, devam edin.')).toEqual({ assistanceId, action: 'answered' });
    await waitFor('the answer at the agent', () => agent.assistance.list()[0]?.messages.some((m) => m.text === 'Onaylıyorum, devam edin.' && m.participantId === 'demo.supervisor'));
    await waitFor('the answer on the other desk', () => one(second, assistanceId)?.messages.some((m) => m.text === 'Onaylıyorum, devam edin.'));

    await agent.assistance.addMessage(assistanceId, 'Teşekkürler');
    await waitFor('the agent\'s reply on the desk', () => one(first, assistanceId)?.messages.at(-1)?.text === 'Teşekkürler');

    const completedSeen = new Promise<void>((resolve) => {
      const off = first.desk.onChange((list) => {
        if (list.find((r) => r.assistanceId === assistanceId)?.state === 'completed') {
          off();
          resolve();
        }
      });
    });
    await agent.assistance.complete(assistanceId);
    await completedSeen;
    await waitFor('the request gone from both desks', () => first.desk.list().length === 0 && second.desk.list().length === 0);
    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
  });
});

describe('supervisor assistance', () => {
  it('an ignore changes only the ignoring supervisor\'s own action; the request stays open for the other', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const s = sim;
    const first = deskOf(s, DEMO_ICWS_SUPERVISOR);
    const second = deskOf(s, DEMO_ICWS_SUPERVISOR_2);
    await Promise.all([first.desk.start(), second.desk.start()]);
    const { assistanceId } = s.control.raiseRequest('demo.agent', 'Faiz indirimi?', 'Kredi Kartları');
    await waitFor('on both desks', () => one(first, assistanceId) && one(second, assistanceId));

    const changesBefore = first.changes.length;
    expect(await second.desk.ignore(assistanceId)).toEqual({ assistanceId, action: 'ignored' });
    await waitFor('ignored on the ignoring desk', () => one(second, assistanceId)?.myAction === 'ignored');
    expect(one(second, assistanceId)).toMatchObject({ state: 'open', acceptedBy: null, workgroup: 'Kredi Kartları' });
    // The other desk hears nothing of it in the list: only the agent's conversation gains Can (ignored).
    await waitFor('the conversation shows the ignore', () => one(first, assistanceId)?.participants.find((p) => p.userId === 'demo.supervisor2')?.action === 'ignored');
    expect(one(first, assistanceId)).toMatchObject({ state: 'open', myAction: 'none', acceptedBy: null });
    expect(first.changes.slice(changesBefore).every((list) => list[0]?.myAction === 'none' && list[0]?.state === 'open')).toBe(true);
    // And the one who ignored may still accept.
    await second.desk.accept(assistanceId);
    await waitFor('accepted for both', () => one(first, assistanceId)?.state === 'accepted' && one(second, assistanceId)?.myAction === 'accepted');
  });

  it('the first full list brings the requests already open; another workgroup\'s stay out', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const s = sim;
    const mine = s.control.raiseRequest('demo.agent', 'Açık istek', 'Dijital Kanallar');
    // The demo agent supervises Mobil Bankacılık only: Selin does not see its agents' requests.
    s.control.raiseRequest('demo.agent2', 'Başka grup', 'Mobil Bankacılık');
    const d = deskOf(s, DEMO_ICWS_SUPERVISOR);
    await d.desk.start();
    await d.desk.whenSynced();
    expect(d.desk.list().map((r) => r.assistanceId)).toEqual([mine.assistanceId]);
    await waitFor('its conversation', () => one(d, mine.assistanceId)?.messages.length === 1);
  });

  it('a user who supervises no workgroup gets not_supervisor once: the subscription is not kept, nor tried again after a new login', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const s = sim;
    const d = deskOf(s, DEMO_ICWS_AGENTS[0]!);
    const error = await rejection(d.desk.start());
    expect(error).toMatchObject({ code: 'not_supervisor', details: { status: 403 } });
    expect(error.message).toContain('not a workgroup supervisor');
    expect(d.client.session.subscriptions).not.toContain(SUPERVISOR_LIST_SUBSCRIPTION);
    // A new session re-creates what the old one held: not the refused subscription.
    s.control.expireSession();
    await d.client.session.renew();
    const puts = s.control.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/supervisor-assistance'));
    expect(puts.map((r) => r.status)).toEqual([403]);
  });

  it('a user made supervisor by the knob is served; a 404 for an unknown request is said in plain words', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const s = sim;
    s.control.setSupervisor('demo.agent3', true, 'Bireysel Bankacılık');
    const d = deskOf(s, DEMO_ICWS_AGENTS[1]!);
    await d.desk.start();
    await d.desk.whenSynced();
    const error = await rejection(d.desk.accept('no-such-request'));
    expect(error).toMatchObject({ code: 'not_found', details: { status: 404 } });
    expect(error.message).toContain('icws.supervisorAssistanceActionPath');
  });

  it('takes actions at the inferred path by default, and at another path where the setting names the server\'s', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const s = sim;
    const inferred = deskOf(s, DEMO_ICWS_SUPERVISOR);
    await inferred.desk.start();
    const a = s.control.raiseRequest('demo.agent', 'Birinci', 'Bireysel Bankacılık');
    await waitFor('listed', () => one(inferred, a.assistanceId));
    await inferred.desk.accept(a.assistanceId);
    expect(s.control.requests.filter((r) => r.method === 'POST' && r.path.includes('/interactions/supervisor-assistance/')).map((r) => [r.path.split('/').slice(3).join('/'), r.status])).toEqual([
      [`interactions/supervisor-assistance/${a.assistanceId}`, 204],
    ]);

    // A server that takes them elsewhere: the inferred path is a 404 there, the setting meets it.
    const other = 'interactions/supervisor-assistance-requests/{assistanceId}/actions';
    s.control.setSupervisorActionPath(other);
    const b = s.control.raiseRequest('demo.agent', 'İkinci', 'Dijital Kanallar');
    await waitFor('listed', () => one(inferred, b.assistanceId));
    expect(await rejection(inferred.desk.ignore(b.assistanceId))).toMatchObject({ code: 'not_found' });
    const configured = deskOf(s, DEMO_ICWS_SUPERVISOR_2, { actionPath: `/${other}` });
    await configured.desk.start();
    await waitFor('listed on the configured desk', () => one(configured, b.assistanceId));
    expect(configured.desk.actionPathOf(b.assistanceId)).toBe(`interactions/supervisor-assistance-requests/${b.assistanceId}/actions`);
    await configured.desk.answer(b.assistanceId, 'Bakıyorum');
    await waitFor('the answer in the conversation', () => one(inferred, b.assistanceId)?.messages.some((m) => m.text === 'Bakıyorum' && m.participantId === 'demo.supervisor2'));
  });

  it('reads a newer server\'s numbers as unknown and keeps the rest of the request', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const s = sim;
    const d = deskOf(s, DEMO_ICWS_SUPERVISOR);
    await d.desk.start();
    await d.desk.whenSynced();
    s.control.publish({
      __type: SUPERVISOR_ASSISTANCE_TYPE,
      isDelta: true,
      requestsAdded: [
        { assistanceId: 'x-1', interactionId: '77', problemDescription: 'Yeni sürüm', workgroup: 'W', initiator: { userId: 'a', displayName: 'A', action: 1 }, action: 9, state: 7 },
        { interactionId: 'no id' },
      ],
    });
    await waitFor('the odd request', () => one(d, 'x-1'));
    expect(one(d, 'x-1')).toMatchObject({ problemDescription: 'Yeni sürüm', workgroup: 'W', initiator: { userId: 'a', displayName: 'A' }, state: 'unknown', myAction: 'unknown' });
    expect(d.errors.map((e) => e.message).join(' ')).toMatch(/state: 7 .*unknown.*no assistanceId, left out|no assistanceId, left out/);
  });

  it('checks ids before anything is sent', async () => {
    sim = await startIcwsSim({ supervisor: false });
    const d = deskOf(sim, DEMO_ICWS_SUPERVISOR);
    expect(await rejection(d.desk.accept('a/b'))).toMatchObject({ code: 'invalid_input' });
    expect(await rejection(d.desk.answer('a-1', '   '))).toMatchObject({ code: 'invalid_input' });
    expect(sim.control.requestCount).toBe(0);
  });
});
