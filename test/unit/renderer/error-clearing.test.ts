// No dead ends: an error a store shows for a service goes by itself once that service answers
// again (main says so, or the next call succeeds), and one that no service settles has a
// Dismiss. In Node, against a fake transport.

import { afterEach, describe, expect, it } from 'vitest';
import type { DiyalogHealth, Status } from '../../../shared/contract';
import { AssistanceStore } from '../../../renderer/stores/assistance.svelte';
import { AuditStore } from '../../../renderer/stores/audit.svelte';
import { HistoryStore } from '../../../renderer/stores/history.svelte';
import { StatusStore } from '../../../renderer/stores/status.svelte';
import { FakeTransport } from './fake-transport';

const stops: (() => void)[] = [];
afterEach(() => {
  stops.splice(0).forEach((stop) => stop());
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const health = (state: DiyalogHealth['state']): DiyalogHealth => ({
  state,
  lastSuccessAt: 1_700_000_000_000,
  clockOffsetSeconds: 0,
  error: state === 'failing' ? { code: 'unavailable', message: 'down' } : null,
});

const status = (diyalog: DiyalogHealth['state'] = 'ok'): Status => ({
  demo: false,
  version: '1.2.3',
  language: 'en',
  diyalog: { configured: true, hasSecret: true, health: health(diyalog) },
  icws: { state: 'up', host: 'ic1', sse: true },
  assistanceStale: false,
});

describe('AssistanceStore: an ICWS error clears once ICWS answers', () => {
  function started() {
    const api = new FakeTransport()
      .handle('assistance.list', () => [])
      .handle('interactions.list', () => [])
      .handle('settings.get', () => ({ ok: false, error: { code: 'unavailable', message: 'not now' } }));
    const store = new AssistanceStore(api);
    stops.push(store.start());
    return { api, store };
  }

  it('the form’s "not reachable" goes when main says the connection is up', async () => {
    const { api, store } = started();
    await settle();
    api.fail('assistance.create', 'unavailable', 'ICWS is not reachable');
    store.interactionId = '1001';
    store.text = 'Limit?';
    expect(await store.ask()).toBe(false);
    expect(store.error?.code).toBe('unavailable');

    api.emit('connection.changed', { state: 'switching', host: 'ic2' });
    expect(store.error?.code, 'still down: still said').toBe('unavailable');
    api.emit('connection.changed', { state: 'up', host: 'ic2', sse: true });
    expect(store.error).toBeNull();
    // What was typed is kept for the next try.
    expect(store.text).toBe('Limit?');
  });

  it('or when the next call to ICWS succeeds, and it can be dismissed', async () => {
    const { api, store } = started();
    await settle();
    api.fail('assistance.create', 'unavailable');
    store.interactionId = '1001';
    store.text = 'Limit?';
    await store.ask();
    expect(store.error).not.toBeNull();
    await store.load();
    expect(store.error, 'the list was read: ICWS answers').toBeNull();

    await store.ask();
    store.dismissError();
    expect(store.error).toBeNull();
  });

  it('a list that could not be read is read again when the connection is up, and its error goes', async () => {
    const { api, store } = started();
    api.fail('assistance.list', 'unavailable');
    await store.load();
    expect(store.loadError?.code).toBe('unavailable');
    api.handle('assistance.list', () => []);
    const before = api.count('assistance.list');
    api.emit('connection.changed', { state: 'up', host: 'ic1', sse: true });
    expect(store.loadError).toBeNull();
    await settle();
    expect(api.count('assistance.list')).toBe(before + 1);
  });

  it('a chat’s send error goes when the connection is up', async () => {
    const { api, store } = started();
    api.emit('assistance.changed', [{ assistanceId: 'a', interactionId: 'i', state: 'accepted', messages: [], participants: [] }]);
    api.fail('assistance.addMessage', 'unavailable');
    store.setDraft('a', 'Teşekkürler');
    expect(await store.send('a')).toBe(false);
    expect(store.chat('a').error?.code).toBe('unavailable');
    api.emit('connection.changed', { state: 'up', host: 'ic1', sse: true });
    expect(store.chat('a').error).toBeNull();
    expect(store.chat('a').draft).toBe('Teşekkürler');
  });
});

describe('HistoryStore: a Diyalog error clears once main says Diyalog answers again', () => {
  const NOW = new Date(2026, 10, 20, 12, 0).getTime();

  function started() {
    const api = new FakeTransport();
    const store = new HistoryStore(api, { clock: () => NOW });
    stops.push(store.start());
    return { api, store };
  }

  it('a search that failed outright: its error goes when the health turns ok', async () => {
    const { api, store } = started();
    api.emit('status.changed', status('ok'));
    api.handle('history.start', () => ({ walkId: 'w1' }));
    await store.search();
    api.emit('history.done', { walkId: 'w1', result: null, error: { code: 'server_error', message: '500' } });
    expect(store.error?.code).toBe('server_error');

    api.emit('status.changed', status('failing'));
    expect(store.error?.code).toBe('server_error');
    api.emit('status.changed', status('ok'));
    expect(store.error).toBeNull();
  });

  it('a status push that only repeats ok does not clear an error met since', async () => {
    const { api, store } = started();
    api.emit('status.changed', status('ok'));
    api.fail('history.start', 'invalid_input', 'refused');
    await store.search();
    expect(store.error?.code).toBe('invalid_input');
    api.emit('status.changed', status('ok'));
    expect(store.error?.code).toBe('invalid_input');
  });

  it('a partial result keeps its note: it says what is missing from the rows', async () => {
    const { api, store } = started();
    api.emit('status.changed', status('failing'));
    api.handle('history.start', () => ({ walkId: 'w2' }));
    await store.search();
    const item = { onlineHelpId: 1, customerNo: 'c1', customerName: 'N', helpState: 'onlinehelp_started', helpRequestedAt: NOW - 1000 };
    api.emit('history.done', { walkId: 'w2', result: { items: [item], requests: 2, warnings: [] }, error: { code: 'unavailable', message: 'down' } });
    expect(store.partial).toBe(true);
    api.emit('status.changed', status('ok'));
    expect(store.partial).toBe(true);
    expect(store.error?.code).toBe('unavailable');
  });

  it('a transcript that could not be opened: its error goes with the health, or by Dismiss; an export error by Dismiss', async () => {
    const { api, store } = started();
    api.emit('status.changed', status('failing'));
    api.fail('transcript.open', 'unavailable');
    const record = { onlineHelpId: 1, customerNo: 'c1', customerName: 'N', helpState: 'onlinehelp_started', helpRequestedAt: NOW, conversationDetailLink: 'https://x.example/t' };
    await store.openTranscript(record);
    expect(store.transcriptError?.code).toBe('unavailable');
    api.emit('status.changed', status('ok'));
    expect(store.transcriptError).toBeNull();

    await store.openTranscript(record);
    store.dismissTranscriptError();
    expect(store.transcriptError).toBeNull();

    store.exportError = { code: 'internal', message: 'disk full' };
    store.dismissExportError();
    expect(store.exportError).toBeNull();
  });
});

describe('StatusStore and AuditStore', () => {
  it('a status main could not give goes with main’s next push', async () => {
    const api = new FakeTransport().fail('status.get', 'unavailable').handle('ui.visibility', () => ({ ok: true }));
    const store = new StatusStore(api);
    stops.push(store.start());
    await settle();
    expect(store.error?.code).toBe('unavailable');
    api.emit('status.changed', status('ok'));
    expect(store.error).toBeNull();
  });

  it('an audit export error can be dismissed', () => {
    const store = new AuditStore(new FakeTransport());
    store.exportError = { code: 'internal', message: 'disk full' };
    store.dismissExportError();
    expect(store.exportError).toBeNull();
  });
});
