// A supervisor's agents (§2.5), client and simulator together: their statuses from the
// user-statuses subscription, live; a user the server refuses (403) or does not know is a
// row with its error while the others stay live; an agent's interactions from a queue
// subscription on that agent's user queue, and the 403 without the queue-monitoring right.

import { afterEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../../shared/errors';
import type { AgentStatusRow } from '../../../shared/supervisor';
import { InteractionsClient } from '../../../main/icws/interactions';
import { USER_STATUS_SUBSCRIPTION, UserStatusesClient } from '../../../main/icws/user-statuses';
import { DEMO_ICWS_AGENTS, startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim } from '../../../main/sim/icws/server';
import { makeClient, rejection, waitFor } from './client-harness';
import type { Client } from './client-harness';

let sim: IcwsSim | undefined;
let client: Client | undefined;
const stoppers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const stop of stoppers.splice(0)) await stop();
  await client?.shutdown();
  await sim?.close();
  client = undefined;
  sim = undefined;
});

async function board(): Promise<{ sim: IcwsSim; statuses: UserStatusesClient; changes: AgentStatusRow[][]; errors: AppError[] }> {
  sim = await startIcwsSim({ supervisor: false });
  // The demo agent supervises Mobil Bankacılık: demo.agent2 and demo.agent3.
  client = makeClient(sim);
  const statuses = new UserStatusesClient(client.session, client.pump);
  stoppers.push(() => statuses.stop());
  const changes: AgentStatusRow[][] = [];
  const errors: AppError[] = [];
  statuses.onChange((rows) => changes.push(rows));
  statuses.onError((e) => errors.push(e));
  return { sim, statuses, changes, errors };
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('agents\' statuses', () => {
  it('one row per agent in the order asked, then each change as it comes', async () => {
    const { sim, statuses } = await board();
    await statuses.watch(['demo.agent2', 'demo.agent3']);
    await waitFor('both statuses', () => statuses.rows().every((r) => r.statusId !== null));
    expect(statuses.rows()).toEqual([
      { userId: 'demo.agent2', statusId: 'Available', loggedIn: true, onPhone: false, since: expect.stringMatching(ISO), error: null },
      { userId: 'demo.agent3', statusId: 'Available', loggedIn: true, onPhone: false, since: expect.stringMatching(ISO), error: null },
    ]);
    sim.control.setUserStatus('demo.agent3', { statusId: 'At Lunch', onPhone: true });
    await waitFor('the change', () => statuses.rows()[1]?.statusId === 'At Lunch');
    expect(statuses.rows()[1]).toMatchObject({ onPhone: true, loggedIn: true, error: null });
    expect(statuses.rows()[0]?.statusId).toBe('Available');
  });

  it('a user the server refuses (403) or does not know is a row with its error; the others stay live', async () => {
    const { sim, statuses, errors } = await board();
    sim.control.setUserStatus('demo.agent3', { hidden: true });
    await statuses.watch(['demo.agent2', 'ghost.user', 'demo.agent3']);
    const rows = statuses.rows();
    expect(rows.map((r) => [r.userId, r.error?.code ?? null])).toEqual([
      ['demo.agent2', null],
      ['ghost.user', 'not_found'],
      ['demo.agent3', 'no_status_right'],
    ]);
    expect(rows[1]).toMatchObject({ statusId: null, loggedIn: null, onPhone: null, since: null });
    expect(rows[1]?.error?.message).toContain('ghost.user');
    // The allowed one is subscribed after the refused list: changes still come.
    sim.control.setUserStatus('demo.agent2', { statusId: 'Follow Up' });
    await waitFor('the live row', () => statuses.rows()[0]?.statusId === 'Follow Up');
    const puts = sim.control.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(`/${USER_STATUS_SUBSCRIPTION}`));
    // The simulator refuses the whole list for its first bad user (ghost.user: 404).
    expect(puts.map((r) => r.status)).toEqual([404, 204]);
    expect(errors).toEqual([]);
  });

  it('an empty list unsubscribes and shows nothing', async () => {
    const { statuses } = await board();
    await statuses.watch(['demo.agent2']);
    await statuses.watch([]);
    expect(statuses.rows()).toEqual([]);
    expect(client!.session.subscriptions).not.toContain(USER_STATUS_SUBSCRIPTION);
  });

  it('checks the ids before anything is sent', async () => {
    const { sim, statuses } = await board();
    expect(await rejection(statuses.watch(['demo/agent2']))).toMatchObject({ code: 'invalid_input' });
    expect(sim.control.requestCount).toBe(0);
  });
});

describe('an agent\'s interactions', () => {
  it('follows the agent\'s user queue with the queue-monitoring right', async () => {
    sim = await startIcwsSim({ supervisor: false });
    client = makeClient(sim);
    const queue = new InteractionsClient(client.session, client.pump, { userId: 'demo.agent2', subscriptionId: 'agent-companion-queue-demo.agent2' });
    stoppers.push(() => queue.stop());
    const mine = new InteractionsClient(client.session, client.pump, { userId: sim.user.userId });
    stoppers.push(() => mine.stop());
    await Promise.all([queue.start(), mine.start()]);
    await queue.whenSynced();
    expect(queue.list()).toEqual([]);
    const id = sim.control.addInteraction('demo.agent2', { remoteName: 'Müşteri', workgroup: 'Mobil Bankacılık' });
    await waitFor('the agent\'s new interaction', () => queue.list().some((i) => i.interactionId === id));
    expect(queue.list()[0]).toMatchObject({ interactionId: id, remoteName: 'Müşteri', workgroup: 'Mobil Bankacılık', state: 'connected' });
    // Two views on one session never mix: the supervisor's own queue does not show it.
    await mine.whenSynced();
    expect(mine.list().some((i) => i.interactionId === id)).toBe(false);
    sim.control.setInteractionState(id, 'held');
    await waitFor('the change', () => queue.list()[0]?.state === 'held');
  });

  it('without the right the server answers 403 and nothing is kept', async () => {
    sim = await startIcwsSim({ supervisor: false });
    client = makeClient({ url: sim.url, user: { ...DEMO_ICWS_AGENTS[0]! } });
    const queue = new InteractionsClient(client.session, client.pump, { userId: 'demo.agent3', subscriptionId: 'agent-companion-queue-demo.agent3' });
    stoppers.push(() => queue.stop());
    const error = await rejection(queue.start());
    expect(error).toMatchObject({ details: { status: 403 } });
    expect(client.session.subscriptions).not.toContain(queue.path);
  });
});
