// The Electron shell: one hardened window over the services. Everything with secrets,
// network or disk lives in main/services and below; this file only wires them to Electron.
import { app, BrowserWindow, Menu, net, Notification, session, shell } from 'electron';
import { fileURLToPath } from 'node:url';
import type { AssistanceAlert, Language, Status } from '../../shared/contract';
import type { FetchLike } from '../http';
import type { Companion } from '../services/companion';
import { launchCompanion, type Launched } from '../services/launch';
import { Keychain } from '../store/keychain';
import { onAlert, onFocus, type AlertActions, type AlertState } from './alerts';
import { APP_ORIGIN } from './channels';
import { registerIpc, sendEvent } from './ipc';
import { menuTemplate, shouldBlockInput } from './menu';
import { registerRendererScheme, serveRenderer } from './renderer-protocol';

const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const RENDERER_DIR = fileURLToPath(new URL('../renderer/', import.meta.url));

registerRendererScheme();

let mainWindow: BrowserWindow | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (e) => e.preventDefault());
    // Also fires for subframes, which will-navigate does not cover.
    contents.on('will-frame-navigate', (e) => e.preventDefault());
    // The menu carries no Reload or DevTools in a packaged build; the keys are swallowed
    // too, so a confirmation cannot be reloaded away or skipped from a console.
    contents.on('before-input-event', (e, input) => {
      if (shouldBlockInput(input, { packaged: app.isPackaged, platform: process.platform })) e.preventDefault();
    });
    if (app.isPackaged) contents.on('devtools-opened', () => contents.closeDevTools());
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  void start().catch((e: unknown) => {
    console.error('companion: could not start:', e instanceof Error ? e.message : e);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  serveRenderer(RENDERER_DIR);

  const launched = await launchCompanion({
    dataDir: process.env.COMPANION_DATA_DIR || app.getPath('userData'),
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
  installMenu(companion);
  mainWindow = createWindow(companion);
  quitCleanly(launched);
}

/** Our own menu (see menu.ts), in the app's language, rebuilt when the language changes. */
function installMenu(companion: Companion): void {
  let current: Language | null = null;
  const apply = (language: Language) => {
    if (language === current) return;
    current = language;
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ packaged: app.isPackaged, platform: process.platform, language })));
  };
  apply(app.getLocale().toLowerCase().startsWith('tr') ? 'tr' : 'en');
  void companion.handlers['status.get']({}).then((status) => apply(status.language), () => undefined);
  companion.subscribe((event, payload) => {
    if (event === 'status.changed') apply((payload as Status).language);
  });
}

/** A supervisor's message while the user looks elsewhere: a notification, a flashing taskbar entry, a badge (alerts.ts decides). */
function followAlerts(window: BrowserWindow, companion: Companion): () => void {
  let state: AlertState = { unread: 0 };
  const apply = (actions: AlertActions) => {
    state = actions.next;
    if (actions.notification && Notification.isSupported()) {
      const notification = new Notification({ ...actions.notification, silent: false });
      notification.on('click', () => {
        if (window.isMinimized()) window.restore();
        window.focus();
      });
      notification.show();
    }
    window.flashFrame(actions.flash);
    app.setBadgeCount(actions.badge);
  };
  const language = (): Language => companion.settings().language ?? (app.getLocale().toLowerCase().startsWith('tr') ? 'tr' : 'en');
  window.on('focus', () => apply(onFocus()));
  return companion.subscribe((event, payload) => {
    if (event === 'assistance.alert' && !window.isDestroyed()) apply(onAlert(payload as AssistanceAlert, window.isFocused(), state, language()));
  });
}

function createWindow(companion: Companion): BrowserWindow {
  const saved = companion.settings().window;
  const window = new BrowserWindow({
    width: saved?.width ?? 1200,
    height: saved?.height ?? 800,
    ...(saved?.x !== undefined && saved?.y !== undefined && { x: saved.x, y: saved.y }),
    minWidth: 720,
    minHeight: 480,
    title: 'Agent Companion',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  if (saved?.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());

  const unsubscribe = companion.subscribe((event, payload) => sendEvent(window.webContents, event, payload));
  const stopAlerts = followAlerts(window, companion);
  const visible = (v: boolean) => () => companion.setVisible(v);
  window.on('show', visible(true));
  window.on('restore', visible(true));
  window.on('hide', visible(false));
  window.on('minimize', visible(false));

  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  const saveBounds = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      if (window.isDestroyed() || window.isMinimized()) return;
      const b = window.getNormalBounds();
      void companion.handlers['settings.update']({ window: { ...b, maximized: window.isMaximized() } }).catch(() => undefined);
    }, 500);
  };
  window.on('resize', saveBounds);
  window.on('move', saveBounds);
  window.on('closed', () => {
    clearTimeout(saveTimer);
    unsubscribe();
    stopAlerts();
    mainWindow = null;
  });

  // A page that fails to load is reported, not left as an unhandled rejection in the main process.
  window.loadURL(`${APP_ORIGIN}/index.html`).catch((e: unknown) => console.error('companion: the window did not load:', e));
  return window;
}

function quitCleanly(launched: Launched): void {
  let stopping = false;
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (stopping) return;
    stopping = true;
    event.preventDefault();
    // ICWS logout and pollers stopped before the process goes; bounded so quitting never hangs.
    const cleanup = launched.stop();
    const limit = new Promise((resolve) => setTimeout(resolve, 3_000));
    // A logout that fails still quits (and its rejection is not left unhandled).
    void Promise.race([cleanup, limit]).catch(() => undefined).finally(() => app.quit());
  });
}
