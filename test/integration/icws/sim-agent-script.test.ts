// Demo mode's scripted agents (the simulator's knob): while the demo user's supervisor desk
// is open, its agents raise requests; an answer is thanked and the request completed; their
// statuses move. What demo mode relies on for the two halves of assistance to meet.

import { afterEach, describe, expect, it } from 'vitest';
import type { AgentStatusRow } from '../../../shared/supervisor';
import { SupervisorAssistanceClient } from '../../../main/icws/supervisor-assistance';
import { UserStatusesClient } from '../../../main/icws/user-statuses';
import { startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim } from '../../../main/sim/icws/server';
import { makeClient, waitFor } from './client-harness';
import type { Client } from './client-harness';

let sim: IcwsSim | undefined;
let client: Client | undefined;
let desk: SupervisorAssistanceClient | undefined;
let statuses: UserStatusesClient | undefined;

afterEach(async () => {
  await desk?.stop();
  await statuses?.stop();
  await client?.shutdown();
  await sim?.close();
  desk = statuses = client = sim = undefined;
});

describe('scripted agents', () => {
  it('raise a request only while the desk is open, thank the answer and press Done; statuses move', async () => {
    sim = await startIcwsSim({ supervisor: false, agentScript: { supervisor: 'demo.agent', statusEveryMs: 30, raiseEveryMs: 40, replyAfterMs: 20 } });
    client = makeClient(sim);
    statuses = new UserStatusesClient(client.session, client.pump);
    const seen: AgentStatusRow[][] = [];
    statuses.onChange((rows) => seen.push(rows));
    await statuses.watch(['demo.agent2', 'demo.agent3']);
    await waitFor('a status change', () => seen.some((rows) => rows.some((r) => r.statusId !== null && r.statusId !== 'Available')));
    // Nobody's desk is open yet: nobody asked.
    expect(sim.control.requests.some((r) => r.path.includes('supervisor-assistance'))).toBe(false);

    desk = new SupervisorAssistanceClient(client.session, client.pump, { userId: 'demo.agent' });
    await desk.start();
    const request = await waitFor('a scripted request', () => desk!.list()[0]);
    expect(request).toMatchObject({ state: 'open', workgroup: 'Mobil Bankacılık', initiator: { userId: expect.stringMatching(/^demo\.agent[23]$/) } });
    await desk.answer(request.assistanceId, 'Onaylandı');
    await waitFor('the agent\'s thanks', () => desk!.list().find((r) => r.assistanceId === request.assistanceId)?.messages.some((m) => m.text.startsWith('Teşekkürler')));
    await waitFor('Done', () => !desk!.list().some((r) => r.assistanceId === request.assistanceId));
  });
});
