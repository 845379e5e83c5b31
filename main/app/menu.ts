// The application menu, and which keys a packaged build swallows. Pure: no Electron at run
// time (only its types), so the decisions are unit-tested without the binary.
//
// Why a menu of our own: Electron's default menu carries Reload and Toggle Developer Tools
// with their accelerators. In a packaged build a console could call the contract directly
// (`recovery.forceEnd` with `confirmed: true`) and skip the confirmation dialog, and a
// reload drops a confirmation half-way; so neither exists there, not even as a key.

import type { Input, MenuItemConstructorOptions } from 'electron';
import type { Language, Status } from '../../shared/contract';
import { translate, type MessageKey } from '../../shared/i18n';
import type { Companion } from '../services/companion';

export interface MenuOptions {
  /** app.isPackaged: an installed build, as opposed to `npm start` from the sources. */
  packaged: boolean;
  platform: NodeJS.Platform;
  language: Language;
}

/** The roles a packaged build must not offer: each reloads the page or opens DevTools. */
export const DEVELOPER_ROLES = ['reload', 'forceReload', 'toggleDevTools'] as const;

export function menuTemplate({ packaged, platform, language }: MenuOptions): MenuItemConstructorOptions[] {
  const t = (key: MessageKey, params?: Record<string, string>) => translate(language, key, params);
  const mac = platform === 'darwin';
  const item = (role: NonNullable<MenuItemConstructorOptions['role']>, key: MessageKey): MenuItemConstructorOptions => ({ role, label: t(key) });
  const separator: MenuItemConstructorOptions = { type: 'separator' };

  const view: MenuItemConstructorOptions[] = [
    item('resetZoom', 'menu.resetZoom'),
    item('zoomIn', 'menu.zoomIn'),
    item('zoomOut', 'menu.zoomOut'),
    separator,
    item('togglefullscreen', 'menu.toggleFullScreen'),
  ];
  if (!packaged) {
    view.push(separator, item('reload', 'menu.reload'), item('forceReload', 'menu.forceReload'), item('toggleDevTools', 'menu.toggleDevTools'));
  }

  const appName = t('app.title');
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    // macOS puts the app's own menu first, named after the app.
    template.push({
      label: appName,
      submenu: [
        { role: 'about', label: t('menu.about', { name: appName }) },
        separator,
        { role: 'hide', label: t('menu.hide', { name: appName }) },
        item('hideOthers', 'menu.hideOthers'),
        item('unhide', 'menu.unhide'),
        separator,
        { role: 'quit', label: t('menu.quit', { name: appName }) },
      ],
    });
  } else {
    template.push({ label: t('menu.file'), submenu: [{ role: 'quit', label: t('menu.quit', { name: appName }) }] });
  }
  template.push(
    {
      // Without an Edit menu, copy and paste stop working in text fields on macOS.
      label: t('menu.edit'),
      submenu: [
        item('undo', 'menu.undo'),
        item('redo', 'menu.redo'),
        separator,
        item('cut', 'menu.cut'),
        item('copy', 'menu.copy'),
        item('paste', 'menu.paste'),
        item('selectAll', 'menu.selectAll'),
      ],
    },
    { label: t('menu.view'), submenu: view },
    {
      label: t('menu.window'),
      submenu: mac ? [item('minimize', 'menu.minimize'), item('zoom', 'menu.zoom'), separator, item('front', 'menu.front')] : [item('minimize', 'menu.minimize'), item('close', 'menu.close')],
    },
  );
  if (!mac) template.push({ label: t('menu.help'), submenu: [{ role: 'about', label: t('menu.about', { name: appName }) }] });
  return template;
}

/** The keys that reload the page or open DevTools, as Chromium and Electron know them. */
export function isReloadOrDevToolsKey(input: Pick<Input, 'type' | 'key' | 'code' | 'control' | 'meta' | 'shift' | 'alt'>, platform: NodeJS.Platform): boolean {
  if (input.type !== 'keyDown') return false;
  const key = input.key.toLowerCase();
  const mod = platform === 'darwin' ? input.meta : input.control;
  // F5 and Ctrl/Shift+F5 reload; F12 opens DevTools, whatever the modifiers.
  if (key === 'f5' || key === 'f12' || key === 'browserrefresh') return true;
  // Matched by the physical key too, so a Turkish or other layout cannot slip past.
  const letter = /^Key([A-Z])$/.exec(input.code)?.[1]?.toLowerCase() ?? key;
  if (mod && (key === 'r' || letter === 'r')) return true;
  // Ctrl+Shift+I / J / C open DevTools; Cmd+Alt+I / J / C on macOS.
  const devtoolsModifier = platform === 'darwin' ? input.meta && input.alt : input.control && input.shift;
  if (devtoolsModifier && ['i', 'j', 'c'].some((k) => key === k || letter === k)) return true;
  return false;
}

/** What `before-input-event` decides: a packaged build swallows reload and DevTools keys. */
export function shouldBlockInput(input: Parameters<typeof isReloadOrDevToolsKey>[0], options: { packaged: boolean; platform: NodeJS.Platform }): boolean {
  return options.packaged && isReloadOrDevToolsKey(input, options.platform);
}

/**
 * Calls `apply` with the user's language now and again each time it changes (Settings, or the
 * OS locale while none is chosen: the companion decides); returns the unsubscribe.
 */
export function followLanguage(companion: Pick<Companion, 'subscribe' | 'language'>, apply: (language: Language) => void): () => void {
  let current: Language | null = null;
  const set = (language: Language) => {
    if (language === current) return;
    current = language;
    apply(language);
  };
  set(companion.language());
  return companion.subscribe((event, payload) => {
    if (event === 'status.changed') set((payload as Status).language);
  });
}
