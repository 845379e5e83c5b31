// The thin files that import electron (ipc.ts, preload.ts, renderer-protocol.ts), run in Node
// against a stand-in for the electron module: each hands Electron's calls to the tested
// decisions and adds nothing of its own. The real binary is exercised by test/e2e/electron.test.ts
// where it exists.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CALL_NAMES } from '../../../shared/contract-names';
import type { Handlers } from '../../../main/services/dispatch';

const electron = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown;
  return {
    ipcMain: { handlers: new Map<string, Listener>(), handle: vi.fn(), removeHandler: vi.fn() },
    ipcRenderer: { invoke: vi.fn(), on: vi.fn(), off: vi.fn() },
    contextBridge: { exposeInMainWorld: vi.fn() },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    net: { fetch: vi.fn() },
  };
});
vi.mock('electron', () => electron);

beforeEach(() => {
  electron.ipcMain.handle.mockImplementation((channel: string, listener: (...args: unknown[]) => unknown) => electron.ipcMain.handlers.set(channel, listener));
  electron.ipcMain.removeHandler.mockImplementation((channel: string) => electron.ipcMain.handlers.delete(channel));
});

describe('ipc.ts', () => {
  const handlers = { 'secret.clear': vi.fn(async () => ({ ok: true })) } as unknown as Handlers;
  const topFrame = (url: string) => ({ senderFrame: { url, parent: null } });

  it('registers one handler per contract call, and removes them all', async () => {
    const { registerIpc } = await import('../../../main/app/ipc');
    const unregister = registerIpc(handlers, () => 'en');
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual(CALL_NAMES.map((n) => `companion:call:${n}`).sort());
    unregister();
    expect(electron.ipcMain.handlers.size).toBe(0);
  });

  it('answers our page through dispatch (input parsed, refusals in the user\'s language) and refuses any other sender', async () => {
    const { registerIpc } = await import('../../../main/app/ipc');
    const unregister = registerIpc(handlers, () => 'tr');
    const call = electron.ipcMain.handlers.get('companion:call:secret.clear');
    expect(await call?.(topFrame('app://companion/index.html'), { kind: 'diyalog' })).toEqual({ ok: true, value: { ok: true } });
    const bad = (await call?.(topFrame('app://companion/index.html'), { kind: 'nope' })) as { ok: boolean; error: { code: string } };
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

    for (const event of [topFrame('https://example.com/'), { senderFrame: { url: 'app://companion/index.html', parent: {} } }, { senderFrame: null }]) {
      expect(await call?.(event, { kind: 'diyalog' })).toEqual({ ok: false, error: { code: 'invalid_input', message: 'Calls are accepted from the companion window only.' } });
    }
    expect(handlers['secret.clear']).toHaveBeenCalledTimes(1);
    unregister();
  });

  it('sends an event only when it matches the contract and the window is still there', async () => {
    const { sendEvent } = await import('../../../main/app/ipc');
    const contents = { destroyed: false, isDestroyed: () => contents.destroyed, send: vi.fn() };
    const alert = { assistanceId: '1', interactionId: 'i-1', from: 'Selin Kaya', text: 'Geliyorum', at: '2026-12-01T10:00:00Z' };
    const send = sendEvent as (c: unknown, e: string, p: unknown) => void;
    send(contents, 'assistance.alert', alert);
    expect(contents.send).toHaveBeenCalledWith('companion:event', 'assistance.alert', alert);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    send(contents, 'assistance.alert', { ...alert, text: 42 });
    expect(error).toHaveBeenCalled();
    error.mockRestore();
    contents.destroyed = true;
    send(contents, 'assistance.alert', alert);
    expect(contents.send).toHaveBeenCalledTimes(1);
  });
});

describe('preload.ts', () => {
  type Api = { call(name: string, input: unknown): Promise<unknown>; on(event: string, listener: (p: unknown) => void): () => void };
  // The preload runs once, when it is loaded (mock calls are cleared between tests: kept here).
  let loaded: Api | undefined;
  const exposed = async (): Promise<Api> => {
    if (loaded) return loaded;
    await import('../../../main/app/preload');
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    const [key, api] = electron.contextBridge.exposeInMainWorld.mock.calls[0] as [string, Api];
    expect(key).toBe('companion');
    return (loaded = api);
  };

  it('exposes one frozen object, never ipcRenderer', async () => {
    const api = await exposed();
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.keys(api).sort()).toEqual(['call', 'on']);
    expect(Object.values(api)).not.toContain(electron.ipcRenderer);
  });

  it('call: a contract call goes to its channel; an unknown one never reaches main', async () => {
    const api = await exposed();
    electron.ipcRenderer.invoke.mockResolvedValue({ ok: true, value: 1 });
    expect(await api.call('status.get', {})).toEqual({ ok: true, value: 1 });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('companion:call:status.get', {});
    electron.ipcRenderer.invoke.mockClear();
    expect(await api.call('shell.exec', {})).toEqual({ ok: false, error: { code: 'invalid_input', message: 'Unknown call: shell.exec' } });
    expect(electron.ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it('on: one event\'s payloads only, without the IPC event object; unsubscribing removes the listener', async () => {
    const api = await exposed();
    expect(() => api.on('nope', () => undefined)).toThrow(/Unknown event/);
    const listener = vi.fn();
    const off = api.on('assistance.alert', listener);
    const [channel, handler] = electron.ipcRenderer.on.mock.calls.at(-1) as [string, (e: unknown, name: string, payload: unknown) => void];
    expect(channel).toBe('companion:event');
    handler({ sender: 'ipc event' }, 'status.changed', { a: 1 });
    handler({ sender: 'ipc event' }, 'assistance.alert', { b: 2 });
    expect(listener.mock.calls).toEqual([[{ b: 2 }]]);
    off();
    expect(electron.ipcRenderer.off).toHaveBeenCalledWith('companion:event', handler);
  });
});

describe('renderer-protocol.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'companion-protocol-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('registers app:// as a secure standard scheme', async () => {
    const { registerRendererScheme } = await import('../../../main/app/renderer-protocol');
    registerRendererScheme();
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
    ]);
  });

  it('serves the folder through net.fetch of the file URL, with the CSP; refuses the rest without reading', async () => {
    const { serveRenderer } = await import('../../../main/app/renderer-protocol');
    electron.net.fetch.mockImplementation(async (url: string) => new Response(readFileSync(fileURLToPath(url)), { headers: { 'Content-Type': 'text/html' } }));
    serveRenderer(dir);
    const [scheme, handler] = electron.protocol.handle.mock.calls.at(-1) as [string, (r: Request) => Promise<Response>];
    expect(scheme).toBe('app');
    const ok = await handler(new Request('app://companion/'));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('<!doctype html>');
    expect(ok.headers.get('Content-Security-Policy')).toMatch(/default-src 'self'/);
    expect(electron.net.fetch).toHaveBeenCalledWith(expect.stringMatching(/^file:\/\/.*index\.html$/));
    electron.net.fetch.mockClear();
    expect((await handler(new Request('app://companion/..%2f..%2fetc%2fpasswd'))).status).toBe(404);
    expect(electron.net.fetch).not.toHaveBeenCalled();
  });
});
