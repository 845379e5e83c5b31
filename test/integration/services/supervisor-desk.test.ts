// The supervisor desk through the composition root, against the ICWS simulator: an agent's
// companion and a supervisor's companion working against each other (request, alert, accept,
// answer, the agent's reply, Done), a non-supervisor's desk refused once, and the agents
// board with one agent's interactions. Run under `sh test/with-keyring.sh`.

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallInput, CallName, CallOutput, EventName, EventPayload } from '../../../shared/contract';
import { checkEvent, dispatch } from '../../../main/services/dispatch';
import { launchCompanion, type Launched } from '../../../main/services/launch';
import { DEMO_ICWS_AGENTS, DEMO_ICWS_SUPERVISOR, startIcwsSim, type IcwsSim } from '../../../main/sim/icws/server';
import type { SimUser } from '../../../main/sim/icws/state';
import { Keychain } from '../../../main/store/keychain';
import { waitUntil } from '../../support/wait';

interface Opened {
  launched: Launched;
  dataDir: string;
  events: { event: EventName; payload: unknown }[];
}

let sim: IcwsSim;
const opened: Opened[] = [];
let agent: Opened;
let supervisor: Opened;

async function open(user: Readonly<SimUser>): Promise<Opened> {
  const dataDir = await mkdtemp(join(tmpdir(), 'companion-supervisor-'));
  const env = { COMPANION_ICWS_URL: sim.url, COMPANION_ICWS_USER: user.userId, COMPANION_ICWS_PASSWORD: user.password };
  const keychain = new Keychain(`agent-companion-test-${randomUUID()}`);
  const launched = await launchCompanion({ dataDir, env, fetch, keychain: () => keychain, version: '0.0.0-test', osLocale: 'en-US' });
  const o: Opened = { launched, dataDir, events: [] };
  // Through the same check both transports apply: a payload the contract refuses is dropped.
  launched.companion.subscribe((event, payload) => o.events.push({ event, payload: checkEvent(event, payload) }));
  opened.push(o);
  return o;
}

beforeAll(async () => {
  sim = await startIcwsSim({ supervisor: false });
  agent = await open(sim.user);
  supervisor = await open(DEMO_ICWS_SUPERVISOR);
});

afterAll(async () => {
  for (const o of opened) {
    await o.launched.stop();
    await rm(o.dataDir, { recursive: true, force: true });
  }
  await sim?.close();
});

async function call<N extends CallName>(o: Opened, name: N, input: CallInput<N>): Promise<CallOutput<N>> {
  const result = await dispatch(o.launched.companion.handlers, name, input);
  if (!result.ok) throw Object.assign(new Error(`${name}: ${result.error.code}: ${result.error.message}`), { value: result.error });
  return result.value as CallOutput<N>;
}

function last<E extends EventName>(o: Opened, event: E): EventPayload<E> | undefined {
  return o.events.filter((e) => e.event === event).at(-1)?.payload as EventPayload<E> | undefined;
}
const all = <E extends EventName>(o: Opened, event: E) => o.events.filter((e) => e.event === event).map((e) => e.payload as EventPayload<E>);

describe('the supervisor desk against an agent\'s companion', () => {
  it('request → alert → accept → answer reaches the agent → the agent\'s reply alerts → Done removes it', async () => {
    await call(supervisor, 'supervise.list', {});
    await waitUntil('the desk live', () => last(supervisor, 'supervise.changed')?.state === 'live');
    expect(last(supervisor, 'supervise.changed')).toEqual({ state: 'live', requests: [], stale: false, error: null });

    const [interaction] = await waitUntil('the agent\'s queue', async () => {
      const l = await call(agent, 'interactions.list', {});
      return l.length > 0 && l;
    });
    const { assistanceId } = await call(agent, 'assistance.create', { interactionId: interaction!.interactionId, text: 'Limit onayı lazım' });

    const alert = await waitUntil('the new-request alert', () => all(supervisor, 'supervise.alert').find((a) => a.assistanceId === assistanceId));
    expect(alert).toMatchObject({ kind: 'request', from: 'Deniz Yılmaz', text: 'Limit onayı lazım', workgroup: 'Bireysel Bankacılık' });
    const desk = await call(supervisor, 'supervise.list', {});
    expect(desk.requests.map((r) => [r.assistanceId, r.state, r.myAction])).toEqual([[assistanceId, 'open', 'none']]);

    expect(await call(supervisor, 'supervise.accept', { assistanceId })).toEqual({ assistanceId, action: 'accepted' });
    expect(await call(supervisor, 'supervise.answer', { assistanceId, text: 'Onaylıyorum' })).toEqual({ assistanceId, action: 'answered' });
    const reply = await waitUntil('the answer as the agent\'s alert', () => all(agent, 'assistance.alert').find((a) => a.text === 'Onaylıyorum'));
    expect(reply).toMatchObject({ assistanceId, from: 'Selin Kaya' });
    await waitUntil('accepted by Selin on the desk', () => last(supervisor, 'supervise.changed')?.requests[0]?.acceptedBy?.displayName === 'Selin Kaya');

    await call(agent, 'assistance.addMessage', { assistanceId, text: 'Teşekkürler' });
    const back = await waitUntil('the agent\'s reply alert', () => all(supervisor, 'supervise.alert').find((a) => a.kind === 'message'));
    expect(back).toMatchObject({ assistanceId, from: 'Deniz Yılmaz', text: 'Teşekkürler' });
    // The supervisor's own answer never alerts the supervisor.
    expect(all(supervisor, 'supervise.alert').filter((a) => a.text === 'Onaylıyorum')).toEqual([]);

    await call(agent, 'assistance.complete', { assistanceId });
    await waitUntil('the request gone from the desk', () => last(supervisor, 'supervise.changed')?.requests.length === 0);
  });

  it('a non-supervisor\'s desk is refused once (not_supervisor), and its actions say so', async () => {
    const plain = await open(DEMO_ICWS_AGENTS[0]!);
    const first = await call(plain, 'supervise.list', {});
    expect(['starting', 'refused']).toContain(first.state);
    const refused = await waitUntil('refused', () => last(plain, 'supervise.changed')?.state === 'refused' && last(plain, 'supervise.changed'));
    expect(refused.error?.code).toBe('not_supervisor');
    // Asked again, it says the same without asking the server again.
    expect((await call(plain, 'supervise.list', {})).state).toBe('refused');
    const puts = () => sim.control.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/supervisor-assistance'));
    const before = puts().length;
    const error = await dispatch(plain.launched.companion.handlers, 'supervise.accept', { assistanceId: 'a-1' });
    expect(error).toMatchObject({ ok: false, error: { code: 'not_supervisor' } });
    expect(puts().length).toBe(before);
    // The user's retry asks once more.
    await call(plain, 'supervise.retry', {});
    await waitUntil('refused again', () => puts().length === before + 1 && last(plain, 'supervise.changed')?.state === 'refused');
  });
});

describe('the agents board', () => {
  it('shows supervisor.agents live, and one agent\'s interactions; a queue without the right is no_queue_right', async () => {
    await call(supervisor, 'settings.update', { supervisor: { agents: ['demo.agent', 'ghost.user'] } });
    await call(supervisor, 'agents.list', {});
    const board = await waitUntil('the board', () => {
      const b = last(supervisor, 'agents.changed');
      return b && b.agents.length === 2 && b.agents[0]?.statusId !== null && b;
    });
    expect(board.agents.map((a) => [a.userId, a.statusId, a.error?.code ?? null])).toEqual([
      ['demo.agent', 'Available', null],
      ['ghost.user', null, 'not_found'],
    ]);
    sim.control.setUserStatus('demo.agent', { statusId: 'Do Not Disturb', onPhone: true });
    await waitUntil('the change on the board', () => last(supervisor, 'agents.changed')?.agents[0]?.statusId === 'Do Not Disturb');
    expect(last(supervisor, 'agents.changed')?.agents[0]).toMatchObject({ onPhone: true, loggedIn: true });

    const interactions = await call(supervisor, 'agents.interactions', { userId: 'demo.agent' });
    expect(interactions.error).toBeNull();
    expect(interactions.interactions.map((i) => i.interactionId)).toEqual(expect.arrayContaining(sim.interactionIds));
    const id = sim.control.addInteraction('demo.agent', { remoteName: 'Yeni Müşteri' });
    await waitUntil('the new interaction', () => all(supervisor, 'agents.interactionsChanged').some((e) => e.userId === 'demo.agent' && e.interactions.some((i) => i.interactionId === id)));
    expect(await call(supervisor, 'agents.closeInteractions', { userId: 'demo.agent' })).toEqual({ ok: true });

    const other = await call(supervisor, 'agents.interactions', { userId: 'demo.agent2' });
    expect(other).toMatchObject({ userId: 'demo.agent2', interactions: [], error: { code: 'no_queue_right' } });
  });
});

describe('the desk while ICWS is away', () => {
  it('says why while it keeps trying, and goes live without a word from the user once the server is back', async () => {
    const second = await open({ userId: 'demo.supervisor2', password: 'demo-supervisor2-pw', displayName: 'Can Öztürk' });
    sim.control.setAvailable(false);
    try {
      expect((await call(second, 'supervise.list', {})).state).toBe('starting');
      const down = await waitUntil('the reason on the desk', () => last(second, 'supervise.changed')?.error);
      expect(down.code).toBe('unavailable');
      expect(last(second, 'supervise.changed')?.state).toBe('starting');
    } finally {
      sim.control.setAvailable(true);
    }
    await waitUntil('live again', () => last(second, 'supervise.changed')?.state === 'live', { timeout: 15_000 });
    expect(last(second, 'supervise.changed')?.error).toBeNull();
  });
});
