// The data dir the app (Electron's userData) and `companion` share, per platform: the same
// folder from either, or settings saved in the window would not reach the command.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../../electron.config';
import { PRODUCT_NAME, defaultDataDir } from '../../../main/store/paths';

describe('defaultDataDir', () => {
  it('is %APPDATA%\\Agent Companion on Windows, with the roaming default when APPDATA is unset', () => {
    expect(defaultDataDir({ APPDATA: join('C:', 'Users', 'ayse', 'AppData', 'Roaming') }, 'win32')).toBe(join('C:', 'Users', 'ayse', 'AppData', 'Roaming', PRODUCT_NAME));
    expect(defaultDataDir({}, 'win32')).toBe(join(homedir(), 'AppData', 'Roaming', PRODUCT_NAME));
  });

  it('is ~/Library/Application Support/Agent Companion on macOS, whatever XDG says', () => {
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/elsewhere' }, 'darwin')).toBe(join(homedir(), 'Library', 'Application Support', PRODUCT_NAME));
  });

  it('follows XDG_CONFIG_HOME on Linux, else ~/.config', () => {
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/srv/config' }, 'linux')).toBe(join('/srv/config', PRODUCT_NAME));
    expect(defaultDataDir({}, 'linux')).toBe(join(homedir(), '.config', PRODUCT_NAME));
  });

  it('is named as Electron names userData: the packaged productName', () => {
    expect(PRODUCT_NAME).toBe(config.productName);
  });
});
