// main.ts run in Node against a stand-in for the electron module and the launcher: it only
// wires, so what is checked here is that each piece reaches Electron (the window is built
// from windowOptions and the saved geometry, every web contents is hardened, the contract is
// registered, the geometry is saved by main, quitting stops the companion once).
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CALL_NAMES } from '../../../shared/contract-names';

// Hoisted above the imports (vi.mock needs it), so it loads what it uses itself.
const fake = await vi.hoisted(async () => {
  const { EventEmitter } = await import('node:events');
  class FakeWindow extends EventEmitter {
    static all: FakeWindow[] = [];
    options: Record<string, unknown>;
    webContents = { isDestroyed: () => false, send: vi.fn() };
    destroyed = false;
    minimized = false;
    bounds = { x: 0, y: 0, width: 0, height: 0 };
    maximize = vi.fn();
    show = vi.fn();
    focus = vi.fn();
    restore = vi.fn();
    flashFrame = vi.fn();
    loadURL = vi.fn(() => Promise.resolve());
    isDestroyed = () => this.destroyed;
    isMinimized = () => this.minimized;
    isMaximized = () => false;
    isFullScreen = () => false;
    isFocused = () => false;
    getNormalBounds = () => this.bounds;
    constructor(options: Record<string, unknown>) {
      super();
      this.options = options;
      this.bounds = { x: options.x as number, y: options.y as number, width: options.width as number, height: options.height as number };
      FakeWindow.all.push(this);
    }
  }
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    lock: true,
    requestSingleInstanceLock: () => app.lock,
    whenReady: () => Promise.resolve(),
    getPath: vi.fn(() => '/nonexistent/userData'),
    getVersion: () => '9.9.9',
    getLocale: () => 'tr-TR',
    quit: vi.fn(),
    exit: vi.fn(),
    setBadgeCount: vi.fn(),
  });
  const display = { workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
  return {
    FakeWindow,
    electron: {
      app,
      BrowserWindow: FakeWindow,
      Menu: { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn((template: unknown) => ({ template })) },
      Notification: Object.assign(vi.fn(), { isSupported: () => false }),
      net: { fetch: vi.fn() },
      shell: { openExternal: vi.fn() },
      dialog: { showErrorBox: vi.fn() },
      screen: { getAllDisplays: () => [display], getPrimaryDisplay: () => display },
      session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn(), setDevicePermissionHandler: vi.fn() } },
      protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
      ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
    },
    launchCompanion: vi.fn(),
  };
});
vi.mock('electron', () => fake.electron);
vi.mock('../../../main/services/launch', () => ({ launchCompanion: fake.launchCompanion }));
vi.mock('../../../main/store/keychain', () => ({ Keychain: class {} }));

const { app } = fake.electron;
const dataDir = mkdtempSync(join(tmpdir(), 'companion-main-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function fakeCompanion() {
  const sinks = new Set<(event: string, payload: unknown) => void>();
  return {
    sinks,
    handlers: {},
    subscribe: vi.fn((sink: (event: string, payload: unknown) => void) => {
      sinks.add(sink);
      return () => sinks.delete(sink);
    }),
    setVisible: vi.fn(),
    language: () => 'tr' as const,
    emit: (event: string, payload: unknown) => sinks.forEach((sink) => sink(event, payload)),
  };
}

async function loadMain() {
  vi.resetModules();
  app.removeAllListeners();
  fake.FakeWindow.all = [];
  await import('../../../main/app/main');
}

beforeEach(() => {
  process.env.COMPANION_DATA_DIR = dataDir;
});

describe('main.ts', () => {
  it('wires one hardened window over the launched companion, and quits through the companion', async () => {
    writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ window: { width: 1000, height: 700, x: 40, y: 30, maximized: true } }));
    const companion = fakeCompanion();
    const stop = vi.fn(() => Promise.resolve());
    fake.launchCompanion.mockResolvedValue({ companion, demo: null, stop });
    await loadMain();
    await vi.waitFor(() => expect(fake.FakeWindow.all).toHaveLength(1));
    const window = fake.FakeWindow.all[0]!;

    // Before anything loads: app:// registered, the session refuses permissions, app:// served.
    expect(fake.electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalled();
    expect(fake.electron.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled();
    expect(fake.electron.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(fake.launchCompanion).toHaveBeenCalledWith(expect.objectContaining({ dataDir, version: '9.9.9', osLocale: 'tr-TR' }));
    expect(fake.electron.ipcMain.handle).toHaveBeenCalledTimes(CALL_NAMES.length);
    expect(fake.electron.Menu.buildFromTemplate.mock.calls[0]?.[0]).toEqual(expect.arrayContaining([expect.objectContaining({ label: 'Dosya' })]));

    // The window: windowOptions with the saved geometry, maximized again, our page loaded.
    const prefs = window.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(isAbsolute(prefs.preload as string) && (prefs.preload as string).endsWith('preload.cjs')).toBe(true);
    expect(window.options).toMatchObject({ width: 1000, height: 700, x: 40, y: 30, show: false });
    expect(window.maximize).toHaveBeenCalled();
    expect(window.loadURL).toHaveBeenCalledWith('app://companion/index.html');
    window.emit('ready-to-show');
    expect(window.show).toHaveBeenCalled();

    // Every web contents is hardened as it is created.
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn(), closeDevTools: vi.fn() });
    app.emit('web-contents-created', {}, contents);
    const navigation = { preventDefault: vi.fn() };
    contents.emit('will-navigate', navigation, 'https://example.com/');
    expect(navigation.preventDefault).toHaveBeenCalled();

    // Events reach the page; visibility reaches the watcher; a second launch focuses the window.
    companion.emit('assistance.alert', { assistanceId: '1', interactionId: 'i-1', from: 'Selin', text: 'Merhaba', at: '2026-12-01T10:00:00Z' });
    expect(window.webContents.send).toHaveBeenCalledWith('companion:event', 'assistance.alert', expect.objectContaining({ text: 'Merhaba' }));
    expect(app.setBadgeCount).toHaveBeenLastCalledWith(1);
    window.emit('hide');
    window.emit('show');
    expect(companion.setVisible.mock.calls).toEqual([[false], [true]]);
    app.emit('second-instance');
    expect(window.focus).toHaveBeenCalled();

    // Main saves the geometry itself, in the data dir's settings file.
    window.bounds = { x: 200, y: 100, width: 900, height: 600 };
    window.emit('move');
    await vi.waitFor(() => expect(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).window).toEqual({ x: 200, y: 100, width: 900, height: 600, maximized: false }), { timeout: 3_000 });

    // Quitting: held once, the companion stopped, then the real quit.
    const quit = { preventDefault: vi.fn() };
    app.emit('before-quit', quit);
    expect(quit.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalled());
    expect(stop).toHaveBeenCalledTimes(1);
    const again = { preventDefault: vi.fn() };
    app.emit('before-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();

    // Closed: the page's events and the alerts stop; the menu's language outlives the window.
    expect(companion.sinks.size).toBe(3);
    window.destroyed = true;
    window.emit('closed');
    expect(companion.sinks.size).toBe(1);
    app.quit.mockClear();
    app.emit('window-all-closed');
    expect(app.quit).toHaveBeenCalled();
  });

  it('a second instance hands over to the first and does nothing else', async () => {
    app.lock = false;
    app.quit.mockClear();
    fake.launchCompanion.mockClear();
    try {
      await loadMain();
      expect(app.quit).toHaveBeenCalledTimes(1);
      expect(app.listenerCount('before-quit')).toBe(0);
      expect(fake.launchCompanion).not.toHaveBeenCalled();
    } finally {
      app.lock = true;
    }
  });

  it('a start that fails is reported and exits with 1', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    fake.launchCompanion.mockRejectedValue(new Error('COMPANION_ICWS_URL must be an http or https URL'));
    await loadMain();
    await vi.waitFor(() => expect(app.exit).toHaveBeenCalledWith(1));
    expect(error).toHaveBeenCalledWith('companion: could not start:', 'COMPANION_ICWS_URL must be an http or https URL');
    // No window, no terminal: the person who started it is told in a dialog, in the OS language.
    expect(fake.electron.dialog.showErrorBox).toHaveBeenCalledWith('Agent Companion başlatılamıyor', 'COMPANION_ICWS_URL must be an http or https URL');
    expect(fake.FakeWindow.all).toHaveLength(0);
    error.mockRestore();
  });
});
