// The update schema is derived from the settings schema (shared/settings.ts): a setting is
// written once. What the derivation must keep: no default ever fills a missing field (an
// update would reset what the user set), every level strict, only the optional window nullable,
// and `settings.update` (the window's) without the window's geometry.

import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SETTINGS_KEYS, settingsPatchSchema, settingsUpdateSchema } from '../../shared/settings';

describe('the settings update schema, derived from the settings schema', () => {
  it('fills nothing in: an empty update and empty nested objects stay empty', () => {
    expect(settingsPatchSchema.parse({})).toEqual({});
    expect(settingsPatchSchema.parse({ diyalog: {}, icws: {} })).toEqual({ diyalog: {}, icws: {} });
    expect(settingsPatchSchema.parse({ diyalog: { keyId: 'K' } })).toEqual({ diyalog: { keyId: 'K' } });
  });

  it('accepts every setting the file has, at its own value', () => {
    const { window: _window, ...everything } = structuredClone(DEFAULT_SETTINGS);
    expect(settingsPatchSchema.parse(everything)).toEqual(everything);
    expect(Object.keys(everything).sort()).toEqual(SETTINGS_KEYS.filter((k) => k !== 'window').sort());
  });

  it('refuses what the settings do not know, at any level', () => {
    for (const bad of [{ secret: 'x' }, { diyalog: { secret: 'x' } }, { icws: { password: 'x' } }, { window: { depth: 3 } }]) {
      expect(settingsPatchSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('lets only the optional window be forgotten with null, not a nested object with defaults', () => {
    expect(settingsPatchSchema.safeParse({ window: null }).success).toBe(true);
    expect(settingsPatchSchema.safeParse({ diyalog: null }).success).toBe(false);
    expect(settingsPatchSchema.safeParse({ icws: null }).success).toBe(false);
    // A nullable setting stays nullable; a plain one does not become so.
    expect(settingsPatchSchema.safeParse({ staffId: null }).success).toBe(true);
    expect(settingsPatchSchema.safeParse({ role: null }).success).toBe(false);
  });

  it('keeps each field’s rules (a window size is an integer, a role one of the roles)', () => {
    expect(settingsPatchSchema.safeParse({ window: { width: 10.5 } }).success).toBe(false);
    expect(settingsPatchSchema.safeParse({ window: { width: 900 } }).success).toBe(true);
    expect(settingsPatchSchema.safeParse({ role: 'admin' }).success).toBe(false);
  });

  it('settings.update (the page’s) takes every setting but the window’s geometry, which main saves itself', () => {
    expect(settingsUpdateSchema.safeParse({ window: { width: 900 } }).success).toBe(false);
    expect(settingsUpdateSchema.safeParse({ window: null }).success).toBe(false);
    expect(settingsUpdateSchema.parse({ staffId: 'S1', diyalog: { keyId: 'K' } })).toEqual({ staffId: 'S1', diyalog: { keyId: 'K' } });
  });
});
