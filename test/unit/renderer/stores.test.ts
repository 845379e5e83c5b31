// The renderer's stores in Node, against a fake transport: what each shows after answers,
// pushes, failures and a lost link. No browser and no DOM.

import { afterEach, describe, expect, it } from 'vitest';
import type { AssistanceRequest } from '../../../shared/assistance';
import type { SettingsView, Status, WatchEntry } from '../../../shared/contract';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import { AssistanceStore } from '../../../renderer/stores/assistance.svelte';
import { AuditStore } from '../../../renderer/stores/audit.svelte';
import { HistoryStore } from '../../../renderer/stores/history.svelte';
import { language } from '../../../renderer/stores/language.svelte';
import { SettingsStore } from '../../../renderer/stores/settings.svelte';
import { StatusStore } from '../../../renderer/stores/status.svelte';
import { WatchStore } from '../../../renderer/stores/watch.svelte';
import { deferred, FakeTransport } from './fake-transport';

const stops: (() => void)[] = [];
afterEach(() => {
  stops.splice(0).forEach((stop) => stop());
});

/** Lets every answer already resolved reach the store. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const status = (over: Partial<Status> = {}): Status => ({
  demo: false,
  version: '1.2.3',
  language: 'en',
  diyalog: { configured: true, hasSecret: true, health: { state: 'ok', lastSuccessAt: 1_700_000_000_000, clockOffsetSeconds: 0, error: null } },
  icws: { state: 'up', host: 'ic1', sse: true },
  assistanceStale: false,
  ...over,
});

const entry = (customerId: string, over: Partial<WatchEntry> = {}): WatchEntry => ({
  customerId,
  state: { customerId, isInHelp: false, helpType: null, staffId: null },
  error: null,
  checkedAt: 1000,
  confirmedAt: 1000,
  freshUntil: 11_000,
  ...over,
});

const settingsView = (over: Partial<SettingsView['settings']> = {}): SettingsView => ({
  settings: { ...structuredClone(DEFAULT_SETTINGS), ...over } as SettingsView['settings'],
  secrets: { diyalog: false, icws: false },
  recoveredFrom: null,
  overridden: [], locked: [], allowedRoles: ['agent', 'supervisor'],
});

describe('StatusStore', () => {
  it('loads the status, follows pushes, and says when the link is down', async () => {
    const api = new FakeTransport().handle('status.get', () => status({ language: 'tr', demo: true })).handle('ui.visibility', () => ({ ok: true }));
    const store = new StatusStore(api, { visible: () => false });
    stops.push(store.start());
    await settle();
    expect(store.status?.demo).toBe(true);
    expect(language.current).toBe('tr');
    expect(api.calls.find((c) => c.name === 'ui.visibility')?.input).toEqual({ visible: false });

    api.emit('connection.changed', { state: 'switching', host: 'ic2' });
    expect(store.connection).toEqual({ state: 'switching', host: 'ic2' });
    api.setLink(false);
    expect(store.linkDown).toBe(true);
    api.setLink(true);
    expect(store.linkDown).toBe(false);
    await settle();
    // After a reconnect it asks again, and tells main again whether the page is seen.
    expect(api.count('status.get')).toBe(2);
    expect(api.count('ui.visibility')).toBe(2);
  });

  it('keeps a push that arrived while status.get was on its way', async () => {
    const answer = deferred<Status>();
    const api = new FakeTransport().handle('status.get', () => answer.promise).handle('ui.visibility', () => ({ ok: true }));
    const store = new StatusStore(api);
    stops.push(store.start());
    api.emit('connection.changed', { state: 'down', reason: 'gone', code: 'unavailable' });
    answer.resolve(status());
    await settle();
    expect(store.status?.version).toBe('1.2.3');
    expect(store.connection).toEqual({ state: 'down', reason: 'gone', code: 'unavailable' });
  });

  it('offers "Log in again" only while the server-ended session waits for the user, and says why a try failed', async () => {
    const api = new FakeTransport().handle('status.get', () => status()).handle('ui.visibility', () => ({ ok: true })).fail('assistance.loginAgain', 'auth_failed');
    const store = new StatusStore(api);
    stops.push(store.start());
    await settle();
    api.emit('connection.changed', { state: 'down', reason: 'Server going down', code: 'unavailable' });
    expect(store.waitsForLogin).toBe(false);
    api.emit('connection.changed', { state: 'down', reason: 'An administrator ended it', code: 'session_ended' });
    expect(store.waitsForLogin).toBe(true);

    await store.loginAgain();
    expect(api.count('assistance.loginAgain')).toBe(1);
    expect(store.loginError?.code).toBe('auth_failed');
    expect(store.loggingIn).toBe(false);

    api.handle('assistance.loginAgain', () => ({ ok: true }));
    const again = store.loginAgain();
    expect(store.loggingIn).toBe(true);
    expect(store.loginError).toBeNull();
    await again;
    api.emit('connection.changed', { state: 'up', host: 'ic1', sse: true });
    expect(store.waitsForLogin).toBe(false);
    // A login the server refused (no licence, an expired password) is not retried by itself either.
    api.emit('connection.changed', { state: 'down', reason: 'Lisans yok.', code: 'connect_refused' });
    expect(store.waitsForLogin).toBe(true);
  });

  it('switches language at once and goes back when main refuses', async () => {
    language.current = 'en';
    const api = new FakeTransport().fail('language.set', 'unavailable');
    const store = new StatusStore(api);
    const switching = store.setLanguage('tr');
    expect(store.lang).toBe('tr');
    await switching;
    expect(store.lang).toBe('en');
    expect(store.error?.code).toBe('unavailable');
  });
});

describe('WatchStore', () => {
  it('checks the id before sending, then keeps the list in main’s order', async () => {
    const api = new FakeTransport()
      .handle('watch.list', () => [])
      .handle('watch.add', ({ customerId }) => [entry('1'), entry(customerId, { checkedAt: null, state: null })]);
    const store = new WatchStore(api);
    stops.push(store.start());
    await settle();
    await store.add();
    expect(store.problem).toEqual({ key: 'id.empty' });
    expect(api.count('watch.add')).toBe(0);

    store.setInput('  42 ');
    expect(store.problem).toBeNull();
    await store.add();
    expect(store.rows.map((r) => r.customerId)).toEqual(['1', '42']);
    expect(store.input).toBe('');
    expect(api.calls.at(-1)?.input).toEqual({ customerId: '42' });
  });

  it('takes the entry checked last, whether it came as a push or an answer', async () => {
    const api = new FakeTransport().handle('watch.list', () => [entry('7', { checkedAt: 2000 })]);
    const store = new WatchStore(api);
    stops.push(store.start());
    await settle();
    api.emit('watch.changed', entry('7', { checkedAt: 1500, state: { customerId: '7', isInHelp: true, helpType: 'inbound', staffId: 's' } }));
    expect(store.rows[0]?.state?.isInHelp).toBe(false);
    api.emit('watch.changed', entry('7', { checkedAt: 3000, state: { customerId: '7', isInHelp: true, helpType: 'inbound', staffId: 's' } }));
    expect(store.rows[0]?.state?.isInHelp).toBe(true);
  });

  it('lists again after a reconnect: what changed meanwhile was pushed to no one', async () => {
    let list = [entry('1')];
    const api = new FakeTransport().handle('watch.list', () => list);
    const store = new WatchStore(api);
    stops.push(store.start());
    await settle();
    api.setLink(false);
    list = [entry('1'), entry('2')];
    api.setLink(true);
    await settle();
    expect(store.rows.map((r) => r.customerId)).toEqual(['1', '2']);
  });

  it('runs one add or remove at a time, so answers land in order', async () => {
    const first = deferred<WatchEntry[]>();
    const api = new FakeTransport()
      .handle('watch.list', () => [])
      .handle('watch.add', () => first.promise)
      .handle('watch.remove', () => []);
    const store = new WatchStore(api);
    stops.push(store.start());
    await settle();
    store.setInput('5');
    const adding = store.add();
    const removing = store.remove('5');
    await settle();
    expect(api.count('watch.remove')).toBe(0);
    first.resolve([entry('5')]);
    await Promise.all([adding, removing]);
    expect(api.count('watch.remove')).toBe(1);
    expect(store.rows).toEqual([]);
  });

  it('force-ends through the dialog and reports the outcome or the error', async () => {
    const api = new FakeTransport()
      .handle('watch.list', () => [])
      .handle('recovery.forceEnd', ({ customerId, staffId }) => ({ customerId, staffId, outcome: 'ended', message: 'ok' }));
    const store = new WatchStore(api);
    store.openForceEnd('9', '45001');
    await store.confirmForceEnd('  crashed  ');
    expect(api.calls.find((c) => c.name === 'recovery.forceEnd')?.input).toEqual({ customerId: '9', staffId: '45001', reason: 'crashed', confirmed: true });
    expect(store.forceEnd).toBeNull();
    expect(store.outcome).toMatchObject({ kind: 'ended' });

    api.fail('recovery.forceEnd', 'auth_failed');
    store.openForceEnd('9', '45001');
    await store.confirmForceEnd('again');
    expect(store.outcome).toMatchObject({ kind: 'error', customerId: '9', error: { code: 'auth_failed' } });
  });

  it('a refusal goes once a call goes through, or when the user dismisses it', async () => {
    const api = new FakeTransport().handle('watch.list', () => [entry('7')]).fail('watch.refresh', 'unavailable');
    const store = new WatchStore(api);
    await store.load();
    await store.refresh('7');
    expect(store.callError?.code).toBe('unavailable');
    api.handle('watch.refresh', ({ customerId }) => entry(customerId));
    await store.refresh('7');
    expect(store.callError).toBeNull();

    api.fail('watch.remove', 'busy');
    await store.remove('7');
    expect(store.callError?.code).toBe('busy');
    store.dismissCallError();
    expect(store.callError).toBeNull();
  });

  it('turns a transport that throws into an error value', async () => {
    const api = new FakeTransport().handle('watch.list', () => {
      throw new Error('preload broke');
    });
    const store = new WatchStore(api);
    await store.load();
    expect(store.loadError).toEqual({ code: 'internal', message: 'preload broke' });
  });
});

describe('HistoryStore', () => {
  const NOW = new Date(2026, 10, 20, 12, 0).getTime();
  const record = (id: number, at: number) => ({ onlineHelpId: id, customerNo: `c${id}`, customerName: 'N', helpState: 'onlinehelp_started', helpRequestedAt: at });

  it('refuses a bad range without asking main', async () => {
    const api = new FakeTransport();
    const store = new HistoryStore(api, { clock: () => NOW });
    store.setFrom('2026-11-20T12:00');
    store.setTo('2026-11-19T12:00');
    store.customer = 'a\u0007';
    await store.search();
    expect(store.problems.to).toEqual({ key: 'history.badRange' });
    expect(store.problems.customer).toEqual({ key: 'rule.control', params: { char: 'U+0007' } });
    expect(api.calls).toEqual([]);
  });

  it('takes progress and the result even when they arrive before history.start answers', async () => {
    const api = new FakeTransport();
    api.handle('history.start', () => {
      api.emit('history.progress', { walkId: 'w1', progress: { slicesDone: 1, slicesTotal: 4, records: 2, requests: 1 } });
      api.emit('history.done', { walkId: 'w1', result: { items: [record(1, 10), record(2, 20)], requests: 3, warnings: [] }, error: null });
      api.emit('history.done', { walkId: 'other', result: { items: [], requests: 1, warnings: [] }, error: null });
      return { walkId: 'w1' };
    });
    const store = new HistoryStore(api, { clock: () => NOW });
    stops.push(store.start());
    await store.search();
    expect(store.running).toBe(false);
    expect(store.rows.map((r) => r.onlineHelpId)).toEqual([2, 1]);
    expect(store.progress).toEqual({ slicesDone: 4, slicesTotal: 4, records: 2, requests: 3 });
  });

  it('asks for the result after a reconnect, since history.done may have been lost', async () => {
    const api = new FakeTransport()
      .handle('history.start', () => ({ walkId: 'w2' }))
      .handle('history.result', () => ({ status: 'done', result: { items: [record(5, 1)], requests: 2, warnings: [] } }));
    const store = new HistoryStore(api, { clock: () => NOW });
    stops.push(store.start());
    await store.search();
    expect(store.running).toBe(true);
    api.setLink(false);
    api.setLink(true);
    await settle();
    expect(store.running).toBe(false);
    expect(store.rows).toHaveLength(1);
  });

  it('cancels the walk it started and opens a transcript where main cannot', async () => {
    const opened: string[] = [];
    const api = new FakeTransport()
      .handle('history.start', () => ({ walkId: 'w3' }))
      .handle('history.cancel', () => ({ ok: true }))
      .handle('transcript.open', ({ url }) => ({ opened: false, url }));
    const store = new HistoryStore(api, { clock: () => NOW, openWindow: (url) => opened.push(url) });
    stops.push(store.start());
    await store.search();
    await store.cancel();
    expect(api.calls.at(-1)).toEqual({ name: 'history.cancel', input: { walkId: 'w3' } });
    api.emit('history.done', { walkId: 'w3', result: null, error: { code: 'cancelled', message: 'cancelled' } });
    expect(store.error?.code).toBe('cancelled');
    await store.openTranscript({ ...record(1, 1), conversationDetailLink: 'https://t.example/1' });
    expect(opened).toEqual(['https://t.example/1']);
  });
});

describe('AssistanceStore', () => {
  const request = (id: string, over: Partial<AssistanceRequest> = {}): AssistanceRequest => ({
    assistanceId: id,
    interactionId: 'i1',
    state: 'accepted',
    messages: [],
    participants: [],
    ...over,
  });

  it('keeps a push over an older list answer, and lists again after a reconnect', async () => {
    const answer = deferred<AssistanceRequest[]>();
    let list = answer.promise;
    const api = new FakeTransport().handle('assistance.list', () => list).handle('settings.get', () => settingsView());
    const store = new AssistanceStore(api);
    stops.push(store.start());
    api.emit('assistance.changed', [request('a'), request('b', { state: 'completed' }), request('c')]);
    answer.resolve([]);
    await settle();
    expect(store.ordered.map((r) => r.assistanceId)).toEqual(['a', 'c', 'b']);
    list = Promise.resolve([]);
    api.setLink(false);
    api.setLink(true);
    await settle();
    expect(store.ordered).toEqual([]);
  });

  it('checks the question, sends it, and keeps each chat’s draft apart', async () => {
    const api = new FakeTransport()
      .handle('assistance.create', () => ({ assistanceId: 'new' }))
      .handle('assistance.addMessage', () => ({ ok: true }));
    const store = new AssistanceStore(api);
    store.text = '   ';
    expect(await store.ask()).toBe(false);
    expect(store.problems).toEqual({ interaction: { key: 'id.empty' }, text: { key: 'assist.empty' } });
    store.interactionId = 'i9';
    store.text = ' help ';
    expect(await store.ask()).toBe(true);
    expect(api.calls.at(-1)?.input).toEqual({ interactionId: 'i9', text: 'help' });
    expect(store.text).toBe('');

    store.requests = [request('a'), request('b')];
    store.setDraft('a', 'hello');
    expect(store.chat('b').draft).toBe('');
    expect(await store.send('a')).toBe(true);
    expect(store.chat('a').draft).toBe('');
  });
});

describe('SettingsStore', () => {
  it('checks the form with main’s schema and names the field', async () => {
    const api = new FakeTransport().handle('settings.get', () => settingsView()).handle('settings.update', () => settingsView());
    const store = new SettingsStore(api);
    await store.load(true);
    if (!store.form) throw new Error('no form');
    store.form.diyalogUrl = 'ftp://nope';
    await store.save();
    expect(Object.keys(store.fieldErrors)).toEqual(['diyalog.baseUrl']);
    expect(api.count('settings.update')).toBe(0);
    store.form.diyalogUrl = 'https://dlg.example';
    await store.save();
    expect(store.saved).toBe(true);
  });

  it('stores a secret and forgets the typed value', async () => {
    const api = new FakeTransport().handle('settings.get', () => settingsView()).handle('secret.set', () => ({ ok: true }));
    const store = new SettingsStore(api);
    await store.storeSecret('icws');
    expect(store.secrets.icws.message).toBe('settings.secretEmpty');
    store.secrets.icws.value = 'pw';
    await store.storeSecret('icws');
    expect(api.calls.find((c) => c.name === 'secret.set')?.input).toEqual({ kind: 'icws', secret: 'pw' });
    expect(store.secrets.icws.value).toBe('');
    expect(store.secrets.icws.message).toBe('settings.secretSaved');
  });
});

describe('SettingsStore choices saved at once', () => {
  it('an answer to an older choice does not undo a newer one (Dark, then System, quickly)', async () => {
    const answers: ((view: SettingsView) => void)[] = [];
    const api = new FakeTransport()
      .handle('settings.get', () => ({ settings: structuredClone(DEFAULT_SETTINGS), secrets: { diyalog: false, icws: false }, recoveredFrom: null, overridden: [], locked: [], allowedRoles: ['agent', 'supervisor'] }) as SettingsView)
      .handle('settings.update', (patch) => new Promise<SettingsView>((resolve) => answers.push(() => resolve({ settings: { ...structuredClone(DEFAULT_SETTINGS), ...patch }, secrets: { diyalog: false, icws: false }, recoveredFrom: null, overridden: [], locked: [], allowedRoles: ['agent', 'supervisor'] } as SettingsView))));
    const store = new SettingsStore(api);
    await store.load(true);
    const dark = store.setTheme('dark');
    const system = store.setTheme('system');
    expect(store.theme).toBe('system');
    answers[1]!({} as SettingsView);
    await system;
    answers[0]!({} as SettingsView);
    await dark;
    expect(store.theme).toBe('system');
  });
});

describe('AuditStore', () => {
  it('lists newest first', async () => {
    const at = (iso: string) => ({ id: iso, at: iso, actor: 'a', customerId: 'c', staffId: 's', reason: 'r', outcome: 'ended' as const });
    const api = new FakeTransport().handle('audit.entries', () => [at('2026-01-01T00:00:00Z'), at('2026-02-01T00:00:00Z')]);
    const store = new AuditStore(api);
    await store.load();
    expect(store.rows.map((r) => r.id)).toEqual(['2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z']);
  });
});
