// The agent's own queue (InteractionsClient) against the ICWS simulator, over both message
// channels: the whole queue at once, deltas as interactions come, change and go, a
// re-subscription after the session expired, a faulted subscription, and stop.

import { afterEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../../shared/errors';
import type { AgentInteraction } from '../../../shared/interactions';
import { DEFAULT_QUEUE_SUBSCRIPTION_ID, InteractionsClient } from '../../../main/icws/interactions';
import { QUEUE_CONTENTS_TYPE, QUEUE_SUBSCRIPTION_STATE_TYPE } from '../../../main/icws/interactions-view';
import { startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim } from '../../../main/sim/icws/server';
import { makeClient, nextEvent, rejection, waitFor } from './client-harness';
import type { Client } from './client-harness';

let sim: IcwsSim | undefined;
let client: Client | undefined;
let interactions: InteractionsClient | undefined;

afterEach(async () => {
  await interactions?.stop();
  await client?.shutdown();
  await sim?.close();
  interactions = undefined;
  client = undefined;
  sim = undefined;
});

interface Started {
  sim: IcwsSim;
  client: Client;
  interactions: InteractionsClient;
  changes: AgentInteraction[][];
  errors: AppError[];
}

async function started(mode: 'auto' | 'poll', userId?: string): Promise<Started> {
  sim = await startIcwsSim({ supervisor: false });
  client = makeClient(sim, {}, { mode, pollIntervalMs: 20 });
  interactions = new InteractionsClient(client.session, client.pump, { userId: userId ?? sim.user.userId, resubscribe: { baseMs: 5, capMs: 50 } });
  const changes: AgentInteraction[][] = [];
  const errors: AppError[] = [];
  interactions.onChange((list) => changes.push(list));
  interactions.onError((e) => errors.push(e));
  return { sim, client, interactions, changes, errors };
}

const ids = (c: InteractionsClient) => c.list().map((i) => i.interactionId);
const find = (c: InteractionsClient, id: string) => c.list().find((i) => i.interactionId === id);
const queuePuts = (s: IcwsSim) => s.control.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(`/messaging/subscriptions/queues/${DEFAULT_QUEUE_SUBSCRIPTION_ID}`));
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each([
  ['server-sent events', 'auto' as const],
  ['short polling', 'poll' as const],
])('the agent\'s interactions over %s', (_name, mode) => {
  it('the whole queue first: the demo agent\'s live interactions, ACD and not', async () => {
    const { sim, client, interactions, changes } = await started(mode);
    await interactions.start();
    await interactions.whenSynced();
    expect(client.pump.channel).toBe(mode === 'auto' ? 'sse' : 'poll');

    const all = [...sim.interactionIds, sim.scenarios.ignored, sim.scenarios.unanswered, sim.scenarios.notAcd];
    expect(ids(interactions)).toEqual(all);
    expect(changes).toHaveLength(1);
    expect(find(interactions, sim.interactionIds[0]!)).toEqual({
      interactionId: sim.interactionIds[0],
      type: 'Call',
      state: 'connected',
      stateText: 'Connected',
      remoteName: 'Ayşe Yılmaz',
      remoteAddress: '+905321234567',
      direction: 'inbound',
      workgroup: 'Bireysel Bankacılık',
      initiatedAt: expect.stringMatching(ISO),
    });
    expect(find(interactions, sim.interactionIds[1]!)?.state).toBe('held');
    expect(find(interactions, sim.interactionIds[2]!)).toMatchObject({ type: 'Chat', workgroup: 'Dijital Kanallar' });
    expect(find(interactions, sim.scenarios.unanswered)?.state).toBe('alerting');
    // The one not routed through a workgroup: assistance on it is refused.
    expect(find(interactions, sim.scenarios.notAcd)).toMatchObject({ direction: 'outbound', workgroup: '' });
    expect(interactions.stale).toBe(false);
  });

  it('follows interactions as they come, change and go', async () => {
    const { sim, interactions } = await started(mode);
    await interactions.start();
    await interactions.whenSynced();

    const added = nextEvent<AgentInteraction[]>('the new interaction', (l) => interactions.onChange(l), (list) => list.some((i) => i.remoteName === 'Yeni Müşteri'));
    const id = sim.control.addInteraction(sim.user.userId, { state: 'alerting', remoteName: 'Yeni Müşteri', remoteAddress: '+905550000000', workgroup: 'Kredi Kartları' });
    expect((await added).at(-1)).toMatchObject({ interactionId: id, state: 'alerting', workgroup: 'Kredi Kartları' });

    const connected = nextEvent<AgentInteraction[]>('connected', (l) => interactions.onChange(l), () => find(interactions, id)?.state === 'connected');
    sim.control.setInteractionState(id, 'connected');
    await connected;
    // A change names only what changed: the rest is kept.
    expect(find(interactions, id)).toMatchObject({ remoteName: 'Yeni Müşteri', remoteAddress: '+905550000000', stateText: 'Connected' });

    const disconnected = nextEvent<AgentInteraction[]>('disconnected', (l) => interactions.onChange(l), () => find(interactions, id)?.state === 'disconnected_remote');
    sim.control.setInteractionState(id, 'disconnected');
    await disconnected;

    const removed = nextEvent<AgentInteraction[]>('the interaction removed', (l) => interactions.onChange(l), (list) => !list.some((i) => i.interactionId === id));
    sim.control.removeInteraction(id);
    await removed;
    const demoRemoved = nextEvent<AgentInteraction[]>('a demo interaction removed', (l) => interactions.onChange(l), (list) => !list.some((i) => i.interactionId === sim.interactionIds[0]));
    sim.control.removeInteraction(sim.interactionIds[0]!);
    await demoRemoved;
    expect(ids(interactions)).toEqual([sim.interactionIds[1], sim.interactionIds[2], sim.scenarios.ignored, sim.scenarios.unanswered, sim.scenarios.notAcd]);
  });

  it('re-subscribes after the session expired, and the full list then says what changed meanwhile', async () => {
    const { sim, client, interactions, errors } = await started(mode);
    await interactions.start();
    await interactions.whenSynced();
    const before = client.session.sessionId;

    expect(sim.control.expireSession()).toBe(1);
    // While no session lives, the queue changes and nobody is told.
    const gone = sim.interactionIds[0]!;
    sim.control.removeInteraction(gone);
    const arrived = sim.control.addInteraction(sim.user.userId, { remoteName: 'Oturum Arası' });

    await waitFor('the queue after re-login', () => ids(interactions).includes(arrived) && !ids(interactions).includes(gone));
    expect(client.session.sessionId).not.toBe(before);
    expect(queuePuts(sim)).toHaveLength(2);
    expect(sim.control.requests.some((r) => r.status === 401)).toBe(true);

    // And deltas flow on the new session.
    sim.control.setInteractionState(arrived, 'held');
    await waitFor('a change on the new session', () => find(interactions, arrived)?.state === 'held');
    expect(interactions.stale).toBe(false);
    expect(errors).toEqual([]);
  });

  it('a faulted subscription is stale until re-subscribed; another subscription\'s messages are not ours', async () => {
    const { sim, interactions, errors } = await started(mode);
    await interactions.start();
    await interactions.whenSynced();
    const staleChanges: boolean[] = [];
    interactions.onStaleChange((s) => staleChanges.push(s));

    sim.control.publish({
      __type: QUEUE_SUBSCRIPTION_STATE_TYPE,
      isDelta: true,
      subscriptionId: DEFAULT_QUEUE_SUBSCRIPTION_ID,
      state: 3,
      error: { errorId: 'error.server.subscriptionFaulted', message: 'The subscription could not be kept up to date.' },
    });
    await waitFor('stale, then fresh after re-subscribing', () => staleChanges.length === 2);
    expect(staleChanges).toEqual([true, false]);
    expect(queuePuts(sim)).toHaveLength(2);
    expect(errors.map((e) => e.code)).toEqual(['server_error']);

    // Someone else's queue subscription on this session: left alone. The next real delta proves it came and went.
    sim.control.publish({ __type: QUEUE_CONTENTS_TYPE, isDelta: false, subscriptionId: 'someone-else', interactionsAdded: [] });
    const id = sim.control.addInteraction(sim.user.userId, { remoteName: 'Sonraki' });
    await waitFor('the next delta', () => find(interactions, id));
    expect(ids(interactions)).toHaveLength(7);
  });

  it('stop unsubscribes and empties the list', async () => {
    const { sim, client, interactions, changes } = await started(mode);
    await interactions.start();
    await interactions.whenSynced();
    await interactions.stop();
    expect(interactions.list()).toEqual([]);
    expect(changes.at(-1)).toEqual([]);
    expect(client.session.subscriptions).not.toContain(interactions.path);
    expect(sim.control.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(`/queues/${DEFAULT_QUEUE_SUBSCRIPTION_ID}`)).map((r) => r.status)).toEqual([204]);
  });
});

describe('the queue subscription', () => {
  it('is only for the user\'s own queue without the queue-monitoring right: the simulator refuses another user\'s with 403, and nothing is kept', async () => {
    const { client, interactions } = await started('auto', 'demo.supervisor');
    const error = await rejection(interactions.start());
    expect(error).toMatchObject({ code: 'operation_failed', details: { status: 403 }, message: expect.stringContaining('right to monitor') });
    expect(client.session.subscriptions).not.toContain(interactions.path);
  });
});
