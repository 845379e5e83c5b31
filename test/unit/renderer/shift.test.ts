// What a whole shift needs from the stores, in Node against a fake transport: honest
// freshness on the help watch (main's deadline), main's answer to a force-end, unread supervisor messages and
// completed conversations, Save storing a typed secret, tests of the form as it is, and the
// supervisor's Recovery screen.

import { afterEach, describe, expect, it } from 'vitest';
import type { AssistanceRequest } from '../../../shared/assistance';
import type { SettingsView, WatchEntry } from '../../../shared/contract';
import type { StuckSearchResult } from '../../../shared/recovery';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import { AssistanceStore } from '../../../renderer/stores/assistance.svelte';
import { AuditStore } from '../../../renderer/stores/audit.svelte';
import { parse } from 'csv-parse/sync';
import { RecoveryStore, WIDER_SEARCH_DAYS } from '../../../renderer/stores/recovery.svelte';
import { SettingsStore } from '../../../renderer/stores/settings.svelte';
import { WatchStore } from '../../../renderer/stores/watch.svelte';
import { FakeTransport } from './fake-transport';

const stops: (() => void)[] = [];
afterEach(() => {
  stops.splice(0).forEach((stop) => stop());
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const inHelp = (customerId: string, staffId: string, checkedAt: number, freshUntil: number | null = checkedAt + 10_000): WatchEntry => ({
  customerId,
  state: { customerId, isInHelp: true, helpType: 'inbound', staffId },
  error: null,
  checkedAt,
  confirmedAt: checkedAt,
  freshUntil,
});

describe('help watch freshness (main decides it, the store compares its clock)', () => {
  it('a row is fresh until main’s deadline, stale after it, and fresh again when main pushes a new one', async () => {
    let now = 1_000_000;
    const api = new FakeTransport().handle('watch.list', () => [inHelp('1', 's', now, now + 7_000)]);
    const store = new WatchStore(api, { clock: () => now });
    stops.push(store.start());
    await settle();
    expect(store.rows[0]).toMatchObject({ confirmedAt: 1_000_000, stale: false });

    now += 7_000;
    store.tick();
    expect(store.rows[0]!.stale).toBe(false);
    now += 1;
    store.tick();
    expect(store.rows[0]).toMatchObject({ confirmedAt: 1_000_000, stale: true });

    // A new check pushed by main: its deadline, whatever interval main polls at.
    api.emit('watch.changed', inHelp('1', 's', now, now + 60_000));
    expect(store.rows[0]).toMatchObject({ confirmedAt: now, stale: false });
    now += 59_000;
    store.tick();
    expect(store.rows[0]!.stale).toBe(false);
  });

  it('a failed check is stale at once: main gives no deadline, and the last confirmed state stays shown', async () => {
    const now = 1_000_000;
    const api = new FakeTransport().handle('watch.list', () => [inHelp('1', 's', now)]);
    const store = new WatchStore(api, { clock: () => now });
    stops.push(store.start());
    await settle();
    api.emit('watch.changed', { ...inHelp('1', 's', now), checkedAt: now + 1, error: { code: 'unavailable', message: 'down' }, freshUntil: null });
    expect(store.rows[0]).toMatchObject({ confirmedAt: now, stale: true, state: { staffId: 's' } });
  });

  it('a row never checked is pending, not stale; one whose only check failed is stale', async () => {
    const api = new FakeTransport().handle('watch.list', () => [
      { customerId: 'a', state: null, error: null, checkedAt: null, confirmedAt: null, freshUntil: null },
      { customerId: 'b', state: null, error: { code: 'auth_failed', message: 'no' }, checkedAt: 5, confirmedAt: null, freshUntil: null },
    ]);
    const store = new WatchStore(api);
    await store.load();
    expect(store.rows.map((r) => [r.customerId, r.stale])).toEqual([
      ['a', false],
      ['b', true],
    ]);
  });

  it('does not ask main again on a timer: the pushed entries carry freshness', async () => {
    const api = new FakeTransport().handle('watch.list', () => [inHelp('1', 's', 1)]);
    const store = new WatchStore(api);
    await store.load();
    store.tick();
    store.tick();
    expect(api.count('watch.list')).toBe(1);
  });
});

describe('the watch list changed elsewhere (another window, a command)', () => {
  it('shows the list main pushes, in its order, without asking again', async () => {
    const api = new FakeTransport().handle('watch.list', () => [inHelp('1', 's', 1)]);
    const store = new WatchStore(api);
    stops.push(store.start());
    await settle();
    api.emit('watch.listed', [inHelp('2', 's', 2), inHelp('1', 's', 1)]);
    await settle();
    expect(store.rows.map((r) => r.customerId)).toEqual(['2', '1']);
    api.emit('watch.listed', [inHelp('2', 's', 2)]);
    await settle();
    expect(store.rows.map((r) => r.customerId)).toEqual(['2']);
    expect(api.count('watch.list')).toBe(1);
  });
});

describe('force-end from the help watch', () => {
  it('opens the dialog without a check of its own and shows main’s answer when main found the session ended meanwhile', async () => {
    const api = new FakeTransport()
      .handle('recovery.forceEnd', ({ customerId, staffId }) => ({ customerId, staffId, outcome: 'already_ended', message: 'Customer 1 is no longer in help; nothing was sent.' }))
      .handle('watch.refresh', ({ customerId }) => ({ ...inHelp(customerId, 's', 10), state: { customerId, isInHelp: false, helpType: null, staffId: null } }));
    const store = new WatchStore(api);
    store.openForceEnd('1', 's');
    expect(store.forceEnd).toEqual({ customerId: '1', staffId: 's' });
    await store.confirmForceEnd('crashed');
    // One check, main's: it checks the state and sends nothing when it changed. The facts
    // asked for as the dialog opens are for the person to read, not a check.
    expect(api.calls.map((c) => c.name)).toEqual(['watch.sessionFacts', 'recovery.forceEnd', 'watch.refresh']);
    expect(store.outcome).toMatchObject({ kind: 'already_ended', result: { customerId: '1', staffId: 's' } });
    expect(store.forceEnd).toBeNull();
  });

  it('the dialog shows main’s facts of the session (names, since when), and “unknown” when main cannot say', async () => {
    const facts = { customerId: '1', staffId: 's', customerName: 'Ayşe Yılmaz', staffName: 'Can Demir', startedAt: '2026-01-01T08:00:00.000Z', minutes: 1620 };
    let answer: () => unknown = () => facts;
    const api = new FakeTransport().handle('watch.sessionFacts', () => answer() as typeof facts);
    const store = new WatchStore(api);
    store.openForceEnd('1', 's');
    expect(store.forceEndFacts).toEqual({ status: 'loading' });
    await settle();
    expect(api.calls.map((c) => [c.name, c.input])).toEqual([['watch.sessionFacts', { customerId: '1', staffId: 's' }]]);
    expect(store.forceEndFacts).toEqual({ status: 'known', facts });

    // Main could not read the history: the facts are unknown, the dialog still opens (it is not a check).
    answer = () => ({ ok: false, error: { code: 'unavailable', message: 'down' } });
    store.closeForceEnd();
    store.openForceEnd('1', 's');
    await settle();
    expect(store.forceEnd).toEqual({ customerId: '1', staffId: 's' });
    expect(store.forceEndFacts).toEqual({ status: 'unknown' });
  });

  it('an answer for a dialog closed or opened again meanwhile is not shown', async () => {
    const held: ((v: unknown) => void)[] = [];
    const api = new FakeTransport().handle('watch.sessionFacts', () => new Promise((resolve) => held.push(resolve as (v: unknown) => void)) as never);
    const store = new WatchStore(api);
    store.openForceEnd('1', 's');
    store.openForceEnd('2', 't');
    held[0]!({ customerId: '1', staffId: 's', customerName: 'Old', staffName: null, startedAt: null, minutes: null });
    await settle();
    expect(store.forceEndFacts).toEqual({ status: 'loading' });
    held[1]!({ customerId: '2', staffId: 't', customerName: 'New', staffName: null, startedAt: null, minutes: null });
    await settle();
    expect(store.forceEndFacts).toMatchObject({ status: 'known', facts: { customerName: 'New' } });
  });
});

describe('assistance over a shift', () => {
  const request = (id: string, messages: [string, string][], state: AssistanceRequest['state'] = 'accepted'): AssistanceRequest => ({
    assistanceId: id,
    interactionId: 'i',
    state,
    participants: [],
    messages: messages.map(([participantId, text], i) => ({ participantId, text, timeAdded: `2026-01-01T00:00:0${i}Z` })),
  });

  it('counts the supervisor’s messages not seen yet, never the agent’s own', async () => {
    const api = new FakeTransport()
      .handle('assistance.list', () => [request('a', [['me', 'q'], ['sup', 'old answer']])])
      .handle('settings.get', () => ({ settings: { ...structuredClone(DEFAULT_SETTINGS), icws: { ...DEFAULT_SETTINGS.icws, userId: 'me' } } }) as SettingsView);
    const store = new AssistanceStore(api);
    stops.push(store.start());
    await settle();
    // What was there when the window opened is not news.
    expect(store.unread).toBe(0);
    api.emit('assistance.changed', [request('a', [['me', 'q'], ['sup', 'old answer'], ['me', 'more?'], ['sup', 'yes'], ['sup', 'and…']])]);
    expect(store.unread).toBe(2);
    store.markRead();
    expect(store.unread).toBe(0);
  });

  it('Done moves the conversation to a read-only Completed list, kept when ICWS drops it', async () => {
    const api = new FakeTransport().handle('assistance.complete', () => ({ ok: true }));
    const store = new AssistanceStore(api);
    stops.push(store.start());
    api.emit('assistance.changed', [request('a', [['me', 'q']]), request('b', [])]);
    expect(await store.complete('a')).toBe(true);
    expect(store.ordered.map((r) => r.assistanceId)).toEqual(['b']);
    expect(store.completed.map((r) => [r.assistanceId, r.state, r.messages.length])).toEqual([['a', 'completed', 1]]);
    api.emit('assistance.changed', [request('b', [])]);
    expect(store.completed).toHaveLength(1);
    store.clearCompleted();
    expect(store.completed).toEqual([]);
  });
});

describe('the interaction picker and alerts', () => {
  const interaction = (interactionId: string) => ({
    interactionId,
    type: 'Call',
    state: 'connected' as const,
    stateText: 'Connected',
    remoteName: 'Ayşe',
    remoteAddress: '5551234',
    direction: 'inbound' as const,
    workgroup: 'Support',
    initiatedAt: null,
  });

  it('lists the agent’s interactions, follows changes, and picking one fills the id', async () => {
    const alerts: string[] = [];
    const api = new FakeTransport().handle('interactions.list', () => [interaction('100')]);
    const store = new AssistanceStore(api, { notify: (a) => alerts.push(a.text) });
    stops.push(store.start());
    await settle();
    expect(store.interactions.map((i) => i.interactionId)).toEqual(['100']);
    api.emit('interactions.changed', [interaction('100'), interaction('200')]);
    store.problems = { interaction: { key: 'id.empty' }, text: { key: 'assist.empty' } };
    store.pickInteraction('200');
    expect(store.interactionId).toBe('200');
    expect(store.problems).toEqual({ text: { key: 'assist.empty' } });
    api.emit('assistance.alert', { assistanceId: 'a', interactionId: '200', from: 'Selin Kaya', text: 'Geliyorum', at: '2026-01-01T00:00:00Z' });
    expect(alerts).toEqual(['Geliyorum']);
  });
});

describe('settings over a shift', () => {
  const view = (): SettingsView => ({ settings: structuredClone(DEFAULT_SETTINGS) as SettingsView['settings'], secrets: { diyalog: false, icws: false }, recoveredFrom: null, overridden: [], locked: [], allowedRoles: ['agent', 'supervisor'] });

  it('Save stores a secret that was typed but not stored', async () => {
    const api = new FakeTransport()
      .handle('settings.get', view)
      .handle('settings.update', view)
      .handle('secret.set', () => ({ ok: true }));
    const store = new SettingsStore(api);
    await store.load(true);
    store.secrets.diyalog.value = 's3cret';
    expect(store.pendingSecrets).toEqual(['diyalog']);
    await store.save();
    const order = api.calls.map((c) => c.name).filter((n) => n !== 'settings.get');
    expect(order).toEqual(['settings.update', 'secret.set']);
    expect(store.saved).toBe(true);
    expect(store.secrets.diyalog.value).toBe('');
  });

  it('tests what the form holds, with the typed secret, saved or not', async () => {
    const api = new FakeTransport()
      .handle('settings.get', view)
      .handle('connection.test', () => ({ ok: true, latencyMs: 3, host: 'h', clockOffsetSeconds: null, signing: null }));
    const store = new SettingsStore(api);
    await store.load(true);
    if (!store.form) throw new Error('no form');
    store.form.icwsUrl = 'https://ic.example';
    store.secrets.icws.value = 'pw';
    await store.test('icws');
    const input = api.calls.find((c) => c.name === 'connection.test')?.input as { draft: { settings: { icws: { baseUrl: string } }; secret: string } };
    expect(input.draft.settings.icws.baseUrl).toBe('https://ic.example');
    expect(input.draft.secret).toBe('pw');
    expect(store.tests.icws.outcome).toMatchObject({ ok: true });
  });

  it('saves the alert sound at once', async () => {
    const api = new FakeTransport().handle('settings.get', view).handle('settings.update', (patch) => {
      const v = view();
      return { ...v, settings: { ...v.settings, ...(patch as object) } };
    });
    const store = new SettingsStore(api);
    await store.load(true);
    expect(store.view?.settings.alertSound).toBe(false);
    await store.setAlertSound(true);
    expect(api.calls.at(-1)).toEqual({ name: 'settings.update', input: { alertSound: true } });
    expect(store.view?.settings.alertSound).toBe(true);
  });

  it('switches the theme at once and keeps the old one if main refuses', async () => {
    const api = new FakeTransport().handle('settings.get', view).fail('settings.update', 'unavailable');
    const store = new SettingsStore(api);
    await store.load(true);
    expect(store.theme).toBe('system');
    await store.setTheme('dark');
    expect(store.theme).toBe('system');
    expect(store.error?.code).toBe('unavailable');
  });
});

describe('RecoveryStore', () => {
  const result: StuckSearchResult = {
    window: { from: '2025-12-30T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' },
    sessions: [
      { customerId: 'c1', customerName: 'A', staffId: 's1', staffName: 'S', onlineHelpId: 1, startedAt: '2026-01-01T00:00:00Z', minutes: 90 },
      { customerId: 'c2', customerName: 'B', staffId: 's2', staffName: 'T', onlineHelpId: 2, startedAt: '2026-01-01T00:10:00Z', minutes: 80 },
    ],
    candidates: 4,
    dropped: { ended: 1, otherStaff: 1, unknown: 0 },
    requests: 9,
  };

  it('finds, selects, ends the selected with one reason, and shows each row’s outcome live', async () => {
    const api = new FakeTransport()
      .handle('recovery.find', () => ({ searchId: 'q' }))
      .handle('recovery.result', () => ({ status: 'done', result }))
      .handle('recovery.endMany', () => ({ jobId: 'j' }));
    const store = new RecoveryStore(api, { clock: () => Date.UTC(2026, 0, 2) });
    stops.push(store.start());
    await store.find();
    await settle();
    // No dates: main's default window, which the result names.
    expect(api.calls[0]?.input).toEqual({ olderThanMinutes: 15 });
    expect(store.sessions).toHaveLength(2);
    expect(store.window).toEqual(result.window);

    store.toggle(result.sessions[1]!);
    expect(store.chosen.map((s) => s.customerId)).toEqual(['c2']);
    store.askEnd(true);
    expect(store.confirming).toBe(true);
    await store.endSelected('   ');
    expect(api.count('recovery.endMany')).toBe(0);
    await store.endSelected('agent app crashed');
    expect(api.calls.at(-1)?.input).toEqual({ sessions: [{ customerId: 'c2', staffId: 's2' }], reason: 'agent app crashed', confirmed: true });
    expect(store.confirming).toBe(false);

    api.emit('recovery.outcome', { jobId: 'j', row: { customerId: 'c2', staffId: 's2', outcome: 'unknown', message: '', recheck: null }, done: 1, total: 1 });
    expect(store.outcomes[`c2\u0000s2`]?.outcome).toBe('unknown');
    expect(store.unsettled).toBe(1);
    api.emit('recovery.ended', { jobId: 'j', results: [{ customerId: 'c2', staffId: 's2', outcome: 'ended', message: '', recheck: { isInHelp: false, staffId: null } }], error: null });
    expect(store.unsettled).toBe(0);
    expect(store.ending).toBe(false);
  });

  it('offers “Search 7 days” after a shorter search: the last 7 days up to now, the other filters kept', async () => {
    const now = Date.UTC(2026, 0, 2, 12);
    let window = result.window;
    let searches = 0;
    const api = new FakeTransport()
      .handle('recovery.find', () => ({ searchId: `q${++searches}` }))
      .handle('recovery.result', () => ({ status: 'done', result: { ...result, window } }));
    const store = new RecoveryStore(api, { clock: () => now });
    stops.push(store.start());
    store.customer = '70022';
    await store.find();
    await settle();
    expect(store.canWiden).toBe(true);

    window = { from: new Date(now - 7 * 86_400_000).toISOString(), to: new Date(now).toISOString() };
    await store.findWider();
    await settle();
    expect(WIDER_SEARCH_DAYS).toBe(7);
    expect(api.calls.filter((c) => c.name === 'recovery.find').at(-1)?.input).toEqual({ startDate: now - 7 * 86_400_000, customerId: '70022', olderThanMinutes: 15 });
    expect(store.canWiden).toBe(false);
  });

  it('after a bulk end, ended rows leave the selection and “End selected” counts only what can still be ended', async () => {
    let jobs = 0;
    const api = new FakeTransport()
      .handle('recovery.find', () => ({ searchId: 'q' }))
      .handle('recovery.result', () => ({ status: 'done', result }))
      .handle('recovery.endMany', () => ({ jobId: `j${++jobs}` }));
    const store = new RecoveryStore(api);
    stops.push(store.start());
    await store.find();
    await settle();
    store.toggleAll();
    expect(store.chosen).toHaveLength(2);
    await store.endSelected('agent app crashed');

    const row = (customerId: string, staffId: string, outcome: 'ended' | 'not_ended') => ({ customerId, staffId, outcome, message: '', recheck: null });
    api.emit('recovery.outcome', { jobId: 'j1', row: row('c1', 's1', 'ended'), done: 1, total: 2 });
    api.emit('recovery.outcome', { jobId: 'j1', row: row('c2', 's2', 'not_ended'), done: 2, total: 2 });
    api.emit('recovery.ended', { jobId: 'j1', results: [row('c1', 's1', 'ended'), row('c2', 's2', 'not_ended')], error: null });
    // c1 is over: out of the selection, and cannot be chosen again; c2 can still be ended.
    expect(store.chosen.map((s) => s.customerId)).toEqual(['c2']);
    expect(store.endable.map((s) => s.customerId)).toEqual(['c2']);
    store.toggle(result.sessions[0]!);
    expect(store.chosen.map((s) => s.customerId)).toEqual(['c2']);
    store.toggleAll();
    expect(store.chosen).toEqual([]);
    store.toggleAll();
    expect(store.allSelected).toBe(true);
    expect(store.chosen.map((s) => s.customerId)).toEqual(['c2']);

    // A second run ends c2: nothing is left to choose (the button counts 0 and is disabled).
    await store.endSelected('agent app crashed');
    expect(api.calls.at(-1)?.input).toMatchObject({ sessions: [{ customerId: 'c2', staffId: 's2' }] });
    api.emit('recovery.ended', { jobId: 'j2', results: [row('c2', 's2', 'ended')], error: null });
    expect(store.chosen).toEqual([]);
    expect(store.endable).toEqual([]);
    expect(store.outcomes[`c1\u0000s1`]?.outcome).toBe('ended');
    store.askEnd(true);
    expect(store.confirming).toBe(false);
  });

  it('a row stopped mid-batch shows main’s word: not sent, or unknown while main checks; never inferred', async () => {
    const api = new FakeTransport()
      .handle('recovery.find', () => ({ searchId: 'q' }))
      .handle('recovery.result', () => ({ status: 'done', result }))
      .handle('recovery.endMany', () => ({ jobId: 'j' }))
      .handle('recovery.cancelEnd', () => ({ ok: true }));
    const store = new RecoveryStore(api);
    stops.push(store.start());
    await store.find();
    await settle();
    store.toggleAll();
    await store.endSelected('agent app crashed');
    await store.stopEnding();
    api.emit('recovery.outcome', { jobId: 'j', row: { customerId: 'c2', staffId: 's2', outcome: 'not_sent', code: 'cancelled', message: 'Stopped before its turn; nothing was sent.', recheck: null }, done: 1, total: 2 });
    api.emit('recovery.outcome', { jobId: 'j', row: { customerId: 'c1', staffId: 's1', outcome: 'unknown', code: 'cancelled', message: 'Checking.', recheck: null, checking: true }, done: 1, total: 2 });
    expect(store.outcomes[`c2\u0000s2`]?.outcome).toBe('not_sent');
    expect(store.outcomes[`c1\u0000s1`]).toMatchObject({ outcome: 'unknown', checking: true });
    expect(store.endProgress).toEqual({ done: 1, total: 2 });
    // Neither is over: both stay selected, to be ended again.
    expect(store.chosen.map((s) => s.customerId)).toEqual(['c1', 'c2']);
    api.emit('recovery.outcome', { jobId: 'j', row: { customerId: 'c1', staffId: 's1', outcome: 'ended', message: 'Ended (settled by check).', recheck: null }, done: 2, total: 2 });
    expect(store.outcomes[`c1\u0000s1`]).not.toHaveProperty('checking');
    expect(store.chosen.map((s) => s.customerId)).toEqual(['c2']);
  });

  it('refuses bad filters without asking main, and shows a refusal of the call', async () => {
    const api = new FakeTransport();
    const store = new RecoveryStore(api);
    store.olderThan = '-3';
    await store.find();
    expect(store.problems.olderThan).toEqual({ key: 'recovery.badMinutes' });
    expect(api.calls).toEqual([]);
    store.olderThan = '15';
    await store.find();
    expect(store.error?.code).toBe('internal');
    expect(store.running).toBe(false);
  });
});

describe('the audit screen', () => {
  const entry = (id: string, over: Record<string, unknown> = {}) => ({
    id,
    at: '2026-01-01T10:00:00.000Z',
    actor: 'sup',
    customerId: 'c1',
    staffId: 's1',
    reason: 'crash',
    outcome: 'ended' as const,
    ...over,
  });

  it('says whether the chain holds, filters by outcome, staff, customer and date, and exports what is shown', async () => {
    const files: string[] = [];
    const api = new FakeTransport()
      .handle('audit.entries', () => [
        entry('1'),
        entry('2', { outcome: 'unknown', staffId: 's2', at: '2026-01-02T10:00:00.000Z', reason: '=cmd|calc' }),
        entry('3', { customerId: 'c9', at: '2026-01-03T10:00:00.000Z' }),
      ])
      .handle('audit.verify', () => ({ ok: false, entries: 3, brokenAt: 2, reason: 'hash mismatch' }));
    const store = new AuditStore(api, { download: (_, text) => files.push(text) });
    await store.load();
    expect(store.verification).toEqual({ ok: false, entries: 3, brokenAt: 2, reason: 'hash mismatch' });
    expect(store.rows.map((r) => r.id)).toEqual(['3', '2', '1']);
    store.filter.outcome = 'ended';
    expect(store.rows.map((r) => r.id)).toEqual(['3', '1']);
    store.filter.customer = 'C9';
    expect(store.rows.map((r) => r.id)).toEqual(['3']);
    store.clearFilter();
    store.filter.staff = 's2';
    await store.exportCsv();
    const rows = parse(files[0]?.slice(1) ?? '', { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([expect.objectContaining({ staffId: 's2', outcome: 'unknown', reason: "'=cmd|calc" })]);
    store.clearFilter();
    store.filter.to = '2026-01-01T23:59';
    expect(store.rows.map((r) => r.id).includes('3')).toBe(false);
  });
});
