import { afterEach, describe, expect, it } from 'vitest';
import type { AssistanceRequest } from '../../../shared/assistance';
import { startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim, IcwsSimOptions } from '../../../main/sim/icws/server';
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

async function started(options: IcwsSimOptions = {}, mode: 'auto' | 'poll' = 'auto'): Promise<{ sim: IcwsSim; client: Client; changes: AssistanceRequest[][] }> {
  sim = await startIcwsSim({ supervisor: false, ...options });
  client = makeClient(sim, {}, { mode, pollIntervalMs: 20 });
  const changes: AssistanceRequest[][] = [];
  client.assistance.onChange((list) => changes.push(list));
  // start() starts the pump too: the assistance service relies on it.
  await client.assistance.start();
  return { sim, client, changes };
}

const find = (c: Client, id: string) => c.assistance.list().find((r) => r.assistanceId === id);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('agent assistance', () => {
  it('keeps a live view from request to completion', async () => {
    const { sim, client, changes } = await started();
    const interactionId = sim.interactionIds[0]!;
    const id = await client.assistance.request(interactionId, '  Customer asks for a limit increase.  ');

    const opened = await waitFor('the new request', () => find(client, id));
    expect(opened).toMatchObject({ interactionId, state: 'none' });
    expect(opened.messages).toEqual([{ text: 'Customer asks for a limit increase.', participantId: sim.user.userId, timeAdded: expect.stringMatching(ISO) }]);
    expect(opened.participants).toEqual([{ userId: sim.user.userId, displayName: sim.user.displayName, action: 'initiated' }]);

    sim.control.supervisorAccept(id);
    const accepted = await waitFor('accepted', () => find(client, id)?.state === 'accepted' && find(client, id));
    expect(accepted.participants[1]).toMatchObject({ action: 'accepted' });

    sim.control.supervisorMessage(id, 'Approve up to 50k.');
    await client.assistance.addMessage(id, 'Thanks!');
    const chat = await waitFor('both messages', () => (find(client, id)?.messages.length === 3 ? find(client, id) : undefined));
    expect(chat.messages.map((m) => m.text)).toEqual(['Customer asks for a limit increase.', 'Approve up to 50k.', 'Thanks!']);
    expect(chat.messages.every((m) => ISO.test(m.timeAdded))).toBe(true);

    await client.assistance.complete(id);
    await waitFor('the request gone', () => client.assistance.list().length === 0);
    expect(changes.at(-1)).toEqual([]);
    // Completed: the details subscription was dropped too.
    await waitFor('details unsubscribed', () => !client.session.subscriptions.some((p) => p.endsWith(id)));
  });

  it('removes a request the server drops without completing it', async () => {
    const { sim, client } = await started();
    const id = await client.assistance.request(sim.interactionIds[1]!, 'help');
    await waitFor('the new request', () => find(client, id));
    sim.control.removeRequest(id);
    await waitFor('the request gone', () => client.assistance.list().length === 0);
  });

  it('rides over a session expiry: calls succeed, subscriptions come back, the view keeps updating', async () => {
    const { sim, client } = await started();
    const id = await client.assistance.request(sim.interactionIds[0]!, 'first');
    await waitFor('the new request', () => find(client, id));
    const before = client.session.sessionId;

    expect(sim.control.expireSession()).toBe(1);
    await client.assistance.addMessage(id, 'after expiry');
    expect(client.session.sessionId).not.toBe(before);
    expect(sim.control.requests.some((r) => r.status === 401)).toBe(true);

    sim.control.supervisorMessage(id, 'seen it');
    await waitFor('the supervisor message on the new session', () => find(client, id)?.messages.some((m) => m.text === 'seen it'));
    expect(find(client, id)?.messages.map((m) => m.text)).toEqual(['first', 'after expiry', 'seen it']);

    sim.control.expireSession();
    const second = await client.assistance.request(sim.interactionIds[1]!, 'second');
    await waitFor('the second request', () => find(client, second));
    sim.control.expireSession();
    await client.assistance.complete(second);
    await waitFor('the second request gone', () => !find(client, second));
    expect(client.assistance.list().map((r) => r.assistanceId)).toEqual([id]);
    expect(client.errors.filter((e) => e.code !== 'unavailable')).toEqual([]);
  });

  it('loses nothing while the event stream is down', async () => {
    const { sim, client } = await started();
    const id = await client.assistance.request(sim.interactionIds[0]!, 'help');
    await waitFor('the new request', () => find(client, id));
    await waitFor('the event stream', () => sim.control.sessions()[0]?.streaming);

    expect(sim.control.dropStreams()).toBe(1);
    // Queued on the server while no stream is open.
    sim.control.supervisorMessage(id, 'while you were away');
    sim.control.supervisorMessage(id, 'and again');
    expect(sim.control.sessions()[0]?.streaming).toBe(false);

    const request = await waitFor('the queued messages', () => (find(client, id)?.messages.length === 3 ? find(client, id) : undefined));
    expect(request.messages.map((m) => m.text)).toEqual(['help', 'while you were away', 'and again']);
    expect(client.pump.channel).toBe('sse');
  });

  it('short-polls when the server has no server-sent events (messaging 1)', async () => {
    const { sim, client } = await started({ messagingVersion: 1 });
    expect(client.session.state).toMatchObject({ state: 'up', sse: false });
    const id = await client.assistance.request(sim.interactionIds[0]!, 'help');
    sim.control.supervisorMessage(id, 'polling works');
    await waitFor('the supervisor message', () => find(client, id)?.messages.some((m) => m.text === 'polling works'));
    expect(client.pump.channel).toBe('poll');
    expect(sim.control.requests.filter((r) => r.path.endsWith('/messaging/messages')).length).toBeGreaterThan(1);
  });

  it('refuses bad ids and text without sending anything', async () => {
    const { sim, client } = await started();
    const before = sim.control.requests.length;
    const cases: [string, Promise<unknown>][] = [
      ['empty text', client.assistance.request(sim.interactionIds[0]!, '   ')],
      ['long text', client.assistance.request(sim.interactionIds[0]!, 'x'.repeat(2001))],
      ['empty interaction id', client.assistance.request('', 'help')],
      ['slash in interaction id', client.assistance.request('1/../2', 'help')],
      ['control char in assistance id', client.assistance.addMessage('a\u0000b', 'help')],
      ['long assistance id', client.assistance.complete('x'.repeat(65))],
      ['empty added text', client.assistance.addMessage('abc', '')],
    ];
    for (const [what, call] of cases) expect((await rejection(call)).code, what).toBe('invalid_input');
    // Only the pump's own message fetches may have gone out meanwhile.
    expect(sim.control.requests.slice(before).filter((r) => !r.path.endsWith('/messaging/messages'))).toEqual([]);
  });

  it('maps server refusals: unknown request → not_found', async () => {
    const { client } = await started();
    const error = await rejection(client.assistance.complete('no-such-request'));
    expect(error.code).toBe('not_found');
    expect(error.details).toMatchObject({ status: 400, errorId: 'error.request.interactions.assistanceNotFound' });
  });

  it('says feature_unsupported when the server predates agent assistance (interactions 8)', async () => {
    sim = await startIcwsSim({ supervisor: false, interactionsVersion: 8 });
    client = makeClient(sim);
    expect((await rejection(client.assistance.start())).code).toBe('feature_unsupported');
    const error = await rejection(client.assistance.request(sim.interactionIds[0]!, 'help'));
    expect(error.code).toBe('feature_unsupported');
    expect(error.message).toMatch(/interactions version 9/);
    expect(sim.control.requests.filter((r) => r.path.includes('agent-assistance'))).toEqual([]);
  });

  it('logs out on shutdown', async () => {
    const { sim, client } = await started();
    const sessionId = client.session.sessionId;
    await client.shutdown();
    expect(sim.control.sessions()).toEqual([]);
    expect(sim.control.requests).toContainEqual(expect.objectContaining({ method: 'DELETE', path: `/icws/${sessionId}/connection`, status: 204 }));
    expect(client.pump.running).toBe(false);
  });
});
