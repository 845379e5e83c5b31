// Issue 9: a packaged build has no Reload and no DevTools, neither in the menu nor as a key,
// so the force-end confirmation cannot be skipped from a console or lost to a reload.
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { DEVELOPER_ROLES, followLanguage, menuTemplate, shouldBlockInput } from '../../../main/app/menu';
import type { EventSink } from '../../../main/services/dispatch';

const PLATFORMS = ['linux', 'win32', 'darwin'] as const;

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

/** Everything that reloads or opens DevTools: by role, by label or by accelerator. */
function developerItems(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return flatten(items).filter(
    (item) =>
      (item.role !== undefined && ([...DEVELOPER_ROLES, 'viewMenu', 'fileMenu', 'windowMenu', 'appMenu'] as string[]).includes(item.role)) ||
      /reload|yükle|developer|geliştirici/i.test(item.label ?? '') ||
      /(^|\+)(R|F5|F12|I)$/i.test(String(item.accelerator ?? '')) ||
      typeof item.click === 'function',
  );
}

describe('menuTemplate', () => {
  it.each(PLATFORMS)('packaged on %s: no Reload, Force Reload or DevTools, in either language', (platform) => {
    for (const language of ['en', 'tr'] as const) {
      const template = menuTemplate({ packaged: true, platform, language });
      expect(developerItems(template), `${platform} ${language}`).toEqual([]);
      // Still a usable menu: quit, copy and paste are there.
      const roles = flatten(template).map((item) => item.role);
      expect(roles).toEqual(expect.arrayContaining(['quit', 'copy', 'paste', 'selectAll', 'undo']));
    }
  });

  it.each(PLATFORMS)('in development on %s: Reload and DevTools stay', (platform) => {
    const roles = flatten(menuTemplate({ packaged: false, platform, language: 'en' })).map((item) => item.role);
    expect(roles).toEqual(expect.arrayContaining([...DEVELOPER_ROLES]));
  });

  it('labels every item in Turkish and in English', () => {
    for (const platform of PLATFORMS) {
      const en = flatten(menuTemplate({ packaged: false, platform, language: 'en' }));
      const tr = flatten(menuTemplate({ packaged: false, platform, language: 'tr' }));
      for (const item of [...en, ...tr]) if (item.type !== 'separator') expect(item.label, JSON.stringify(item)).toMatch(/\S/);
      expect(tr.map((i) => i.role)).toEqual(en.map((i) => i.role));
      const top = (items: MenuItemConstructorOptions[]) => items.filter((i) => Array.isArray(i.submenu)).map((i) => i.label);
      expect(top(tr)).not.toEqual(top(en));
    }
    expect(menuTemplate({ packaged: true, platform: 'linux', language: 'tr' }).map((i) => i.label)).toEqual(['Dosya', 'Düzen', 'Görünüm', 'Pencere', 'Yardım']);
    expect(menuTemplate({ packaged: true, platform: 'darwin', language: 'en' })[0]?.label).toBe('Agent Companion');
  });
});

describe('shouldBlockInput (before-input-event)', () => {
  const key = (key: string, code: string, mods: Partial<Record<'control' | 'meta' | 'shift' | 'alt', boolean>> = {}, type = 'keyDown') => ({
    type,
    key,
    code,
    control: false,
    meta: false,
    shift: false,
    alt: false,
    ...mods,
  });
  const reloadKeys = {
    linux: [key('r', 'KeyR', { control: true }), key('R', 'KeyR', { control: true, shift: true }), key('F5', 'F5'), key('F5', 'F5', { control: true }), key('F5', 'F5', { shift: true })],
    win32: [key('r', 'KeyR', { control: true }), key('F5', 'F5'), key('BrowserRefresh', 'BrowserRefresh')],
    darwin: [key('r', 'KeyR', { meta: true }), key('R', 'KeyR', { meta: true, shift: true })],
  };
  const devtoolsKeys = {
    linux: [key('F12', 'F12'), key('I', 'KeyI', { control: true, shift: true }), key('J', 'KeyJ', { control: true, shift: true }), key('C', 'KeyC', { control: true, shift: true })],
    win32: [key('F12', 'F12'), key('I', 'KeyI', { control: true, shift: true })],
    // Option turns the letter into a symbol on a Mac; the physical key still says KeyI.
    darwin: [key('ˆ', 'KeyI', { meta: true, alt: true }), key('i', 'KeyI', { meta: true, alt: true }), key('F12', 'F12')],
  };

  it.each(PLATFORMS)('packaged on %s: reload and DevTools keys are swallowed', (platform) => {
    for (const input of [...reloadKeys[platform], ...devtoolsKeys[platform]]) {
      expect(shouldBlockInput(input, { packaged: true, platform }), JSON.stringify(input)).toBe(true);
    }
  });

  it.each(PLATFORMS)('in development on %s: nothing is swallowed', (platform) => {
    for (const input of [...reloadKeys[platform], ...devtoolsKeys[platform]]) {
      expect(shouldBlockInput(input, { packaged: false, platform })).toBe(false);
    }
  });

  it('lets ordinary typing, copy and paste, and key releases through', () => {
    const ordinary = [
      key('r', 'KeyR'),
      key('R', 'KeyR', { shift: true }),
      key('c', 'KeyC', { control: true }),
      key('v', 'KeyV', { control: true }),
      key('i', 'KeyI', { control: true }),
      key('Enter', 'Enter'),
      key('F5', 'F5', {}, 'keyUp'),
      key('r', 'KeyR', { control: true }, 'keyUp'),
    ];
    for (const input of ordinary) expect(shouldBlockInput(input, { packaged: true, platform: 'linux' }), JSON.stringify(input)).toBe(false);
    // Ctrl+R on a Mac is not a reload there (Cmd+R is).
    expect(shouldBlockInput(key('r', 'KeyR', { control: true }), { packaged: true, platform: 'darwin' })).toBe(false);
  });
});

describe('followLanguage', () => {
  it("builds the menu in the companion's language at once, again when it changes, never twice for the same", () => {
    let sink: EventSink | undefined;
    const unsubscribe = vi.fn();
    const companion = {
      language: () => 'tr' as const,
      subscribe: (s: EventSink) => {
        sink = s;
        return unsubscribe;
      },
    };
    const apply = vi.fn();
    const stop = followLanguage(companion, apply);
    expect(apply.mock.calls).toEqual([['tr']]);
    const status = (language: 'tr' | 'en') => ({ language }) as never;
    sink?.('status.changed', status('tr'));
    sink?.('status.changed', status('en'));
    sink?.('assistance.alert', status('tr'));
    expect(apply.mock.calls).toEqual([['tr'], ['en']]);
    stop();
    expect(unsubscribe).toHaveBeenCalled();
  });
});
