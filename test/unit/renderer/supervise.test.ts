// The supervisor desk's stores in Node, against a fake transport: the desk's lists as main
// pushes them, the unread count, accept / ignore / answer, a 403 said once and never retried
// by itself; the Agents board's filter, sort, live rows and an agent's interactions; and the
// Settings form's supervisor fields.

import { afterEach, describe, expect, it } from 'vitest';
import type { SettingsView } from '../../../shared/contract';
import { DEFAULT_SETTINGS, settingsUpdateSchema } from '../../../shared/settings';
import type { AgentBoard, AgentStatusRow, SupervisorAlert, SupervisorDesk, SupervisorRequest } from '../../../shared/supervisor';
import { AgentsStore, filterAgents, sortAgents } from '../../../renderer/stores/agents.svelte';
import { HistoryStore } from '../../../renderer/stores/history.svelte';
import { language } from '../../../renderer/stores/language.svelte';
import { RecoveryStore } from '../../../renderer/stores/recovery.svelte';
import { formOf, patchOf } from '../../../renderer/stores/settings.svelte';
import { SuperviseStore } from '../../../renderer/stores/supervise.svelte';
import { deferred, FakeTransport } from './fake-transport';

const stops: (() => void)[] = [];
afterEach(() => {
  stops.splice(0).forEach((stop) => stop());
  language.current = 'en';
});

/** Lets every answer already resolved reach the store. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const T0 = Date.parse('2026-12-07T09:00:00Z');

const request = (id: string, over: Partial<SupervisorRequest> = {}): SupervisorRequest => ({
  assistanceId: id,
  interactionId: `int-${id}`,
  problemDescription: `Question ${id}`,
  workgroup: 'Kredi Kartları',
  initiator: { userId: 'agent.ayse', displayName: 'Ayşe Yılmaz' },
  state: 'open',
  myAction: 'none',
  acceptedBy: null,
  messages: [{ text: `Question ${id}`, participantId: 'agent.ayse', timeAdded: new Date(T0).toISOString() }],
  participants: [{ userId: 'agent.ayse', displayName: 'Ayşe Yılmaz', action: 'initiated' }],
  ...over,
});

const desk = (requests: SupervisorRequest[], over: Partial<SupervisorDesk> = {}): SupervisorDesk => ({ state: 'live', requests, stale: false, error: null, ...over });

const settingsView = (over: Partial<SettingsView['settings']> = {}): SettingsView => ({
  settings: { ...structuredClone(DEFAULT_SETTINGS), ...over } as SettingsView['settings'],
  secrets: { diyalog: false, icws: false },
  recoveredFrom: null,
  overridden: [], locked: [], allowedRoles: ['agent', 'supervisor'],
});

function deskApi(first: SupervisorDesk): FakeTransport {
  return new FakeTransport()
    .handle('supervise.list', () => first)
    .handle('settings.get', () => settingsView({ icws: { ...DEFAULT_SETTINGS.icws, userId: 'sup.selin' } }));
}

function startDesk(api: FakeTransport, options: { clock?: () => number; alerts?: SupervisorAlert[] } = {}): SuperviseStore {
  const store = new SuperviseStore(api, {
    clock: options.clock ?? (() => T0 + 5 * 60_000),
    ...(options.alerts ? { notifySupervisor: (a: SupervisorAlert) => options.alerts?.push(a) } : {}),
  });
  stops.push(store.start());
  return store;
}

describe('SuperviseStore', () => {
  it('asks main for nothing until the user is a supervisor, then lists the desk once', async () => {
    const api = deskApi(desk([request('a1')]));
    const store = startDesk(api);
    await settle();
    expect(api.count('supervise.list')).toBe(0);
    expect(store.unread).toBe(0);
    store.activate();
    store.activate();
    await settle();
    expect(api.count('supervise.list')).toBe(1);
    expect(store.unanswered.map((r) => r.assistanceId)).toEqual(['a1']);
    expect(store.me).toBe('sup.selin');
  });

  it('sorts requests into unanswered, ignored, accepted and completed as main pushes the desk', async () => {
    const api = deskApi(desk([]));
    const store = startDesk(api);
    store.activate();
    await settle();
    api.emit(
      'supervise.changed',
      desk([
        request('new'),
        request('old', { messages: [{ text: 'old', participantId: 'agent.ayse', timeAdded: new Date(T0 - 60_000).toISOString() }] }),
        request('mine', { state: 'accepted', myAction: 'accepted', acceptedBy: { userId: 'sup.selin', displayName: 'Selin Kaya' } }),
        request('theirs', { state: 'accepted', acceptedBy: { userId: 'sup.murat', displayName: 'Murat Demir' } }),
        request('skipped', { myAction: 'ignored' }),
        request('done', { state: 'completed', myAction: 'accepted' }),
      ]),
    );
    // Oldest waiting first.
    expect(store.unanswered.map((r) => r.assistanceId)).toEqual(['old', 'new']);
    expect(store.ignored.map((r) => r.assistanceId)).toEqual(['skipped']);
    expect(store.accepted.map((r) => r.assistanceId)).toEqual(['mine', 'theirs']);
    expect(store.completedList.map((r) => r.assistanceId)).toEqual(['done']);
    expect(store.ageSeconds(store.unanswered[0]!)).toBe(6 * 60);

    // ICWS drops a completed request next: its conversation stays, read-only, until cleared.
    api.emit('supervise.changed', desk([request('new')]));
    expect(store.completedList.map((r) => r.assistanceId)).toEqual(['done']);
    store.open('done');
    expect(store.selected?.state).toBe('completed');
    store.clearCompleted();
    expect(store.completedList).toEqual([]);
    expect(store.selectedId).toBeNull();
  });

  it('another supervisor accepting takes a request out of the unanswered list and names them', async () => {
    const api = deskApi(desk([request('r1')]));
    const store = startDesk(api);
    store.activate();
    await settle();
    expect(store.unanswered).toHaveLength(1);
    api.emit('supervise.changed', desk([request('r1', { state: 'accepted', acceptedBy: { userId: 'sup.murat', displayName: 'Murat Demir' } })]));
    expect(store.unanswered).toEqual([]);
    expect(store.accepted[0]?.acceptedBy?.displayName).toBe('Murat Demir');
  });

  it('counts each unseen request and the agent’s new messages on requests this supervisor accepted; looking reads them', async () => {
    const api = deskApi(desk([request('r1'), request('r2')]));
    const store = startDesk(api);
    store.activate();
    await settle();
    // Requests waiting when the window opened are news to a supervisor: they need an answer.
    expect(store.unread).toBe(2);
    store.open('r1');
    expect(store.unread).toBe(1);
    store.markRead();
    expect(store.unread).toBe(0);

    const accepted = request('r1', { state: 'accepted', myAction: 'accepted', acceptedBy: { userId: 'sup.selin', displayName: 'Selin Kaya' } });
    const reply = { text: 'Bakıyorum', participantId: 'sup.selin', timeAdded: new Date(T0 + 1000).toISOString() };
    const more = { text: 'Limit 50.000 TL', participantId: 'agent.ayse', timeAdded: new Date(T0 + 2000).toISOString() };
    api.emit('supervise.changed', desk([{ ...accepted, messages: [...accepted.messages, reply, more] }, request('r2'), request('r3')]));
    // The agent's message and the new request; the supervisor's own reply is not news.
    expect(store.unread).toBe(2);
    store.markRead();
    expect(store.unread).toBe(0);
  });

  it('marks each row with what is new on it; back to agent, the desk counts and alerts nothing', async () => {
    const alerts: SupervisorAlert[] = [];
    const accepted = request('r1', { state: 'accepted', acceptedBy: { userId: 'SUP.SELIN', displayName: 'Selin Kaya' } });
    const api = deskApi(desk([request('r2'), { ...accepted, messages: [...accepted.messages, { text: 'Ek bilgi', participantId: 'agent.ayse', timeAdded: new Date(T0).toISOString() }] }]));
    const store = startDesk(api, { alerts });
    store.activate();
    await settle();
    // Accepted by this supervisor as the conversation says, in another case, before its own action is known.
    expect(store.acceptedByMe(store.requests[1]!)).toBe(true);
    expect(store.requests.map((r) => store.unreadOf(r))).toEqual([1, 2]);

    store.deactivate();
    expect(store.unread).toBe(0);
    api.emit('supervise.alert', { kind: 'request', assistanceId: 'r3', interactionId: 'i', workgroup: 'w', from: 'Ayşe', text: 't', at: new Date(T0).toISOString() });
    expect(alerts).toEqual([]);
    store.activate();
    await settle();
    expect(store.unread).toBe(3);
    expect(api.count('supervise.list')).toBe(2);
  });

  it('keeps a push that arrived while supervise.list was on its way', async () => {
    const answer = deferred<SupervisorDesk>();
    const api = new FakeTransport().handle('supervise.list', () => answer.promise).handle('settings.get', () => settingsView());
    const store = startDesk(api);
    store.activate();
    api.emit('supervise.changed', desk([request('pushed')]));
    answer.resolve(desk([]));
    await settle();
    expect(store.requests.map((r) => r.assistanceId)).toEqual(['pushed']);
  });

  it('accepts, ignores and answers through main; one action at a time per request; an error stays on that request', async () => {
    const api = deskApi(desk([request('r1'), request('r2')]));
    const held = deferred<{ assistanceId: string; action: 'accepted' }>();
    api.handle('supervise.accept', () => held.promise);
    api.handle('supervise.ignore', ({ assistanceId }) => ({ assistanceId, action: 'ignored' as const }));
    api.fail('supervise.answer', 'unavailable', 'ICWS is down');
    const store = startDesk(api);
    store.activate();
    await settle();

    const accepting = store.accept('r1');
    expect(store.chat('r1').busy).toBe('accept');
    // A second click while the first is on its way sends nothing.
    expect(await store.ignore('r1')).toBe(false);
    held.resolve({ assistanceId: 'r1', action: 'accepted' });
    expect(await accepting).toBe(true);
    expect(store.chat('r1').busy).toBeNull();

    expect(await store.ignore('r2')).toBe(true);
    expect(api.calls.filter((c) => c.name !== 'supervise.list' && c.name !== 'settings.get').map((c) => [c.name, c.input])).toEqual([
      ['supervise.accept', { assistanceId: 'r1' }],
      ['supervise.ignore', { assistanceId: 'r2' }],
    ]);

    store.setDraft('r1', '  Limit onaylandı.  ');
    expect(await store.answer('r1')).toBe(false);
    expect(store.chat('r1').error?.code).toBe('unavailable');
    // The text the user wrote stays for another try; r2 is untouched.
    expect(store.chat('r1').draft).toBe('  Limit onaylandı.  ');
    expect(store.chat('r2').error).toBeNull();
    store.dismissError('r1');
    expect(store.chat('r1').error).toBeNull();
  });

  it('an answer is checked before it is sent, trimmed, and clears only the text that went', async () => {
    const api = deskApi(desk([request('r1')]));
    const held = deferred<{ assistanceId: string; action: 'answered' }>();
    api.handle('supervise.answer', () => held.promise);
    const store = startDesk(api);
    store.activate();
    await settle();

    store.setDraft('r1', '   ');
    expect(await store.answer('r1')).toBe(false);
    expect(store.chat('r1').problem?.key).toBe('assist.empty');
    expect(api.count('supervise.answer')).toBe(0);
    store.setDraft('r1', 'Bad \u202E text');
    expect(await store.answer('r1')).toBe(false);
    expect(store.chat('r1').problem).not.toBeNull();

    store.setDraft('r1', ' Onaylıyorum. ');
    const sending = store.answer('r1');
    expect(api.calls.at(-1)?.input).toEqual({ assistanceId: 'r1', text: 'Onaylıyorum.' });
    store.setDraft('r1', ' Onaylıyorum. Ayrıca');
    held.resolve({ assistanceId: 'r1', action: 'answered' });
    expect(await sending).toBe(true);
    expect(store.chat('r1').draft).toBe(' Onaylıyorum. Ayrıca');

    store.setDraft('r1', 'İkinci');
    const second = deferred<{ assistanceId: string; action: 'answered' }>();
    api.handle('supervise.answer', () => second.promise);
    const again = store.answer('r1');
    second.resolve({ assistanceId: 'r1', action: 'answered' });
    expect(await again).toBe(true);
    expect(store.chat('r1').draft).toBe('');
  });

  it('a 403 is said once: the store never asks again by itself, only when the user presses Try again', async () => {
    const refused = desk([], { state: 'refused', error: { code: 'not_supervisor', message: 'HTTP 403' } });
    const api = deskApi(refused).handle('supervise.retry', () => desk([request('r1')]));
    const store = startDesk(api, { clock: () => T0 });
    store.activate();
    await settle();
    expect(store.refused).toBe(true);
    // A status change (the language, a reconnect of ICWS) does not make it ask again.
    api.emit('status.changed', {
      demo: false,
      version: '1',
      language: 'en',
      diyalog: { configured: true, hasSecret: true, health: { state: 'ok', lastSuccessAt: null, clockOffsetSeconds: 0, error: null } },
      icws: { state: 'up', host: 'ic1', sse: true },
      assistanceStale: false,
    });
    await settle();
    expect(api.count('supervise.list')).toBe(1);
    expect(api.count('supervise.retry')).toBe(0);

    await store.retry();
    expect(api.count('supervise.retry')).toBe(1);
    expect(store.refused).toBe(false);
    expect(store.unanswered).toHaveLength(1);
  });

  it('a failed list is kept as the load error; the link back asks again', async () => {
    const api = new FakeTransport().fail('supervise.list', 'unavailable').handle('settings.get', () => settingsView());
    const store = startDesk(api);
    store.activate();
    await settle();
    expect(store.loadError?.code).toBe('unavailable');
    api.handle('supervise.list', () => desk([request('r1')]));
    api.setLink(false);
    api.setLink(true);
    await settle();
    expect(store.loadError).toBeNull();
    expect(store.requests).toHaveLength(1);
  });

  it('hands alerts on only for a supervisor, and moves the ages on with its clock', async () => {
    let now = T0;
    const alerts: SupervisorAlert[] = [];
    const api = deskApi(desk([request('r1', { messages: [] })]));
    const store = new SuperviseStore(api, { clock: () => now, tickMs: 5, notifySupervisor: (a) => alerts.push(a) });
    stops.push(store.start());
    const alert: SupervisorAlert = { kind: 'request', assistanceId: 'r1', interactionId: 'i', workgroup: 'w', from: 'Ayşe', text: 'help', at: new Date(T0).toISOString() };
    api.emit('supervise.alert', alert);
    expect(alerts).toEqual([]);
    store.activate();
    await settle();
    api.emit('supervise.alert', alert);
    expect(alerts).toEqual([alert]);
    // No message yet: the age counts from when the window first listed it.
    expect(store.ageSeconds(store.requests[0]!)).toBe(0);
    now = T0 + 120_000;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(store.ageSeconds(store.requests[0]!)).toBe(120);
  });
});

const row = (userId: string, over: Partial<AgentStatusRow> = {}): AgentStatusRow => ({
  userId,
  statusId: 'Available',
  loggedIn: true,
  onPhone: false,
  since: new Date(T0).toISOString(),
  error: null,
  ...over,
});

describe('Agents board', () => {
  const rows = [
    row('zeynep', { statusId: 'Do Not Disturb', since: new Date(T0 - 3_600_000).toISOString() }),
    row('ali', { onPhone: true, since: new Date(T0 - 60_000).toISOString() }),
    row('ghost', { statusId: null, loggedIn: null, onPhone: null, since: null, error: { code: 'not_found', message: 'unknown user' } }),
    row('ışık', { statusId: 'Away from desk', loggedIn: false }),
  ];

  it('filters on the id or the status, in any case and in Turkish casing', () => {
    expect(filterAgents(rows, 'DISTURB', 'en').map((r) => r.userId)).toEqual(['zeynep']);
    expect(filterAgents(rows, 'IŞIK', 'tr').map((r) => r.userId)).toEqual(['ışık']);
    expect(filterAgents(rows, '  ', 'en')).toHaveLength(4);
  });

  it('sorts by each column, both ways, with a row that has no value (an error) last either way', () => {
    const ids = (key: Parameters<typeof sortAgents>[1], dir: 'ascending' | 'descending') => sortAgents(rows, key, dir, 'en').map((r) => r.userId);
    expect(ids('userId', 'ascending')).toEqual(['ali', 'ghost', 'ışık', 'zeynep']);
    expect(ids('status', 'ascending')).toEqual(['ali', 'ışık', 'zeynep', 'ghost']);
    expect(ids('status', 'descending')).toEqual(['zeynep', 'ışık', 'ali', 'ghost']);
    expect(ids('onPhone', 'descending')).toEqual(['ali', 'zeynep', 'ışık', 'ghost']);
    expect(ids('loggedIn', 'ascending')).toEqual(['ışık', 'zeynep', 'ali', 'ghost']);
    expect(ids('since', 'descending')).toEqual(['ışık', 'ali', 'zeynep', 'ghost']);
  });

  it('loads the board once a supervisor, follows pushes, and sorts a new column the useful way first', async () => {
    const api = new FakeTransport().handle('agents.list', () => ({ agents: rows, error: null }));
    const store = new AgentsStore(api, { clock: () => T0 });
    stops.push(store.start());
    await settle();
    expect(api.count('agents.list')).toBe(0);
    store.activate();
    await settle();
    // The settings' order until a column is sorted.
    expect(store.rows.map((r) => r.userId)).toEqual(['zeynep', 'ali', 'ghost', 'ışık']);
    store.toggleSort('userId');
    expect(store.rows.map((r) => r.userId)).toEqual(['ali', 'ghost', 'ışık', 'zeynep']);
    expect(store.rows.find((r) => r.userId === 'ghost')?.error?.code).toBe('not_found');
    expect(store.sinceSeconds(rows[0]!)).toBe(3600);

    store.toggleSort('since');
    expect(store.sortDirection).toBe('descending');
    store.toggleSort('since');
    expect(store.sortDirection).toBe('ascending');
    store.filter = 'ali';
    const pushed: AgentBoard = { agents: [row('ali', { statusId: 'On a call', onPhone: true })], error: null };
    api.emit('agents.changed', pushed);
    expect(store.rows.map((r) => r.statusId)).toEqual(['On a call']);
  });

  it('follows one agent’s interactions at a time: opening another closes the first; a 403 is that agent’s, said plainly', async () => {
    const api = new FakeTransport()
      .handle('agents.list', () => ({ agents: rows, error: null }))
      .handle('agents.interactions', ({ userId }) =>
        userId === 'zeynep' ? { userId, interactions: [], error: { code: 'no_queue_right' as const, message: 'HTTP 403' } } : { userId, interactions: [], error: null },
      )
      .handle('agents.closeInteractions', () => ({ ok: true as const }));
    const store = new AgentsStore(api);
    stops.push(store.start());
    store.activate();
    await store.showInteractions('ali');
    expect(store.interactions).toEqual({ userId: 'ali', interactions: [], error: null });
    await store.showInteractions('zeynep');
    expect(api.calls.filter((c) => c.name === 'agents.closeInteractions').map((c) => c.input)).toEqual([{ userId: 'ali' }]);
    expect(store.interactions?.error?.code).toBe('no_queue_right');

    // A push for the agent no longer open is not shown.
    api.emit('agents.interactionsChanged', { userId: 'ali', interactions: [], error: null });
    expect(store.interactions?.userId).toBe('zeynep');
    const call = {
      interactionId: '100',
      type: 'Call',
      state: 'connected' as const,
      stateText: 'Connected',
      remoteName: 'Zehra Koç',
      remoteAddress: '+90',
      direction: 'inbound' as const,
      workgroup: 'Kredi',
      initiatedAt: null,
    };
    api.emit('agents.interactionsChanged', { userId: 'zeynep', interactions: [call], error: null });
    expect(store.interactions?.interactions).toEqual([call]);

    await store.hideInteractions();
    expect(store.openUserId).toBeNull();
    expect(api.calls.filter((c) => c.name === 'agents.closeInteractions').map((c) => c.input)).toEqual([{ userId: 'ali' }, { userId: 'zeynep' }]);
  });

  it('an answer for an agent the user has left is dropped', async () => {
    const slow = deferred<{ userId: string; interactions: never[]; error: null }>();
    const api = new FakeTransport()
      .handle('agents.interactions', ({ userId }) => (userId === 'ali' ? slow.promise : { userId, interactions: [], error: null }))
      .handle('agents.closeInteractions', () => ({ ok: true as const }));
    const store = new AgentsStore(api);
    stops.push(store.start());
    const first = store.showInteractions('ali');
    await store.showInteractions('zeynep');
    slow.resolve({ userId: 'ali', interactions: [], error: null });
    await first;
    expect(store.interactions?.userId).toBe('zeynep');
  });
});

describe('from an agent to History and Recovery', () => {
  it('History searches that agent’s help, with nothing else narrowing it', async () => {
    const api = new FakeTransport().handle('history.start', () => ({ walkId: 'w1' }));
    const history = new HistoryStore(api, { clock: () => T0 });
    stops.push(history.start());
    history.customer = '123';
    history.filter = { state: 'x', agent: 'y', customer: 'z' };
    history.forAgent('agent.ayse');
    await settle();
    expect(history.agent).toBe('agent.ayse');
    expect(history.filter).toEqual({ state: '', agent: '', customer: '' });
    expect(api.calls.find((c) => c.name === 'history.start')?.input).toMatchObject({ agentId: 'agent.ayse' });
    expect(api.calls.find((c) => c.name === 'history.start')?.input).not.toHaveProperty('customerId');
  });

  it('Recovery finds that agent’s stuck sessions', async () => {
    const api = new FakeTransport().handle('recovery.find', () => ({ searchId: 's1' })).handle('recovery.result', () => ({ status: 'running' as const, progress: { phase: 'walk' as const, walked: 0, records: 0, candidates: 0, checked: 0, requests: 0 } }));
    const recovery = new RecoveryStore(api);
    stops.push(recovery.start());
    recovery.customer = '999';
    recovery.forAgent('45001');
    await settle();
    expect(api.calls.find((c) => c.name === 'recovery.find')?.input).toMatchObject({ agentId: '45001' });
    expect(api.calls.find((c) => c.name === 'recovery.find')?.input).not.toHaveProperty('customerId');
  });
});

describe('Settings form: the supervisor desk', () => {
  it('shows the agents one a line and the action path, and sends them back as the schema wants', () => {
    const view = settingsView({
      supervisor: { agents: ['agent.ayse', 'agent.mehmet'] },
      icws: { ...DEFAULT_SETTINGS.icws, supervisorAssistanceActionPath: 'interactions/help/{assistanceId}' },
    });
    const form = formOf(view);
    expect(form.supervisorAgents).toBe('agent.ayse\nagent.mehmet');
    expect(form.supervisorActionPath).toBe('interactions/help/{assistanceId}');

    const patch = patchOf({ ...form, supervisorAgents: ' agent.ayse, agent.zeynep\n\nagent.ali ', supervisorActionPath: '  ' });
    expect(patch.supervisor).toEqual({ agents: ['agent.ayse', 'agent.zeynep', 'agent.ali'] });
    expect(patch.icws?.supervisorAssistanceActionPath).toBeNull();
    expect(settingsUpdateSchema.safeParse(patch).success).toBe(true);
  });

  it('a path without the id’s place is refused by the same schema main uses', () => {
    const form = formOf(settingsView());
    const checked = settingsUpdateSchema.safeParse(patchOf({ ...form, supervisorActionPath: 'interactions/help' }));
    expect(checked.success).toBe(false);
  });
});
