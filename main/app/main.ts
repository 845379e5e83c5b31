// The Electron shell: one hardened window over the services. Everything with secrets,
// network or disk lives in main/services and below; what the shell decides (window options,
// geometry, navigation and permissions, the IPC sender check, app://, quitting) lives in the
// plain modules beside this one, tested in Node. This file only wires them to Electron.
import { app, BrowserWindow, dialog, Menu, net, Notification, screen, session, shell } from 'electron';
import { fileURLToPath } from 'node:url';
import type { FetchLike } from '../http';
import type { Companion } from '../services/companion';
import { launchCompanion, type Launched } from '../services/launch';
import { Keychain } from '../store/keychain';
import { bringToFront, followAlerts } from './alert-presenter';
import { APP_ORIGIN } from './channels';
import { registerIpc, sendEvent } from './ipc';
import { followLanguage, menuTemplate } from './menu';
import { hardenSession, hardenWebContents } from './navigation-policy';
import { createQuitSequence } from './quit-sequence';
import { startupFailure } from './startup-failure';
import { registerRendererScheme, serveRenderer } from './renderer-protocol';
import { boundsToRestore, followGeometry, type GeometrySaver } from './window-geometry';
import { windowGeometryStore, type WindowGeometryStore } from './window-geometry-store';
import { windowOptions } from './window-options';

const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const RENDERER_DIR = fileURLToPath(new URL('../renderer/', import.meta.url));
const facts = { packaged: app.isPackaged, platform: process.platform };
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

registerRendererScheme();

let mainWindow: BrowserWindow | null = null;
let geometry: GeometrySaver | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) bringToFront(mainWindow);
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, facts));
  const launching = start();
  const quitting = createQuitSequence({
    // ICWS logout and pollers stopped, the window's last geometry written, before the process goes.
    stop: async () => {
      const launched = await launching.catch(() => null);
      await Promise.all([geometry?.flush(), launched?.stop()]);
    },
    quit: () => app.quit(),
    onError: (e) => console.error('companion: stopping did not finish cleanly:', message(e)),
  });
  app.on('window-all-closed', () => quitting.windowAllClosed());
  app.on('before-quit', (event) => quitting.beforeQuit(event));
  launching.catch((e: unknown) => {
    console.error('companion: could not start:', message(e));
    // No window and no terminal: a dialog says why (a policy that fails closed names its file and key).
    const failure = startupFailure(e, app.getLocale().toLowerCase().startsWith('tr') ? 'tr' : 'en');
    dialog.showErrorBox(failure.title, failure.body);
    app.exit(1);
  });
}

async function start(): Promise<Launched> {
  await app.whenReady();
  hardenSession(session.defaultSession);
  serveRenderer(RENDERER_DIR);

  const dataDir = process.env.COMPANION_DATA_DIR || app.getPath('userData');
  const launched = await launchCompanion({
    dataDir,
    env: process.env,
    // net.fetch: the system proxy and the OS certificate store apply, as bank networks need.
    fetch: net.fetch as unknown as FetchLike,
    keychain: () => new Keychain(),
    version: app.getVersion(),
    osLocale: app.getLocale(),
    openExternal: (url) => shell.openExternal(url),
  });
  const { companion } = launched;
  registerIpc(companion.handlers, () => companion.language());
  // Our own menu (menu.ts), in the app's language, rebuilt when the language changes.
  followLanguage(companion, (language) => Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ ...facts, language }))));
  mainWindow = await createWindow(companion, windowGeometryStore(dataDir));
  return launched;
}

async function createWindow(companion: Companion, store: WindowGeometryStore): Promise<BrowserWindow> {
  const saved = await store.load();
  const bounds = boundsToRestore(saved, screen.getAllDisplays(), screen.getPrimaryDisplay());
  const window = new BrowserWindow(windowOptions({ preload: PRELOAD, bounds }));
  if (bounds.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());

  const unsubscribe = companion.subscribe((event, payload) => sendEvent(window.webContents, event, payload));
  const stopAlerts = followAlerts(window, companion, {
    notify(notification, onClick) {
      if (!Notification.isSupported()) return;
      const shown = new Notification({ ...notification, silent: false });
      shown.on('click', onClick);
      shown.show();
    },
    setBadge: (count) => app.setBadgeCount(count),
  });
  // The watcher polls slower while nobody can see the window.
  window.on('show', () => companion.setVisible(true));
  window.on('restore', () => companion.setVisible(true));
  window.on('hide', () => companion.setVisible(false));
  window.on('minimize', () => companion.setVisible(false));
  geometry = followGeometry(window, {
    saved,
    write: (g) => store.save(g),
    onError: (e) => console.error('companion: the window geometry was not saved:', message(e)),
  });
  window.on('closed', () => {
    unsubscribe();
    stopAlerts();
    mainWindow = null;
  });

  // A page that fails to load is reported, not left as an unhandled rejection in the main process.
  window.loadURL(`${APP_ORIGIN}/index.html`).catch((e: unknown) => console.error('companion: the window did not load:', e));
  return window;
}
