// The one window is a sandboxed page with context isolation and no Node (DESIGN.md, "What
// none of them does and we do"), sized from the saved geometry.
import { describe, expect, it } from 'vitest';
import { MIN_SIZE } from '../../../main/app/window-geometry';
import { windowOptions } from '../../../main/app/window-options';

const preload = '/opt/companion/out/app/preload.cjs';

describe('windowOptions', () => {
  it('isolates the page: sandbox, context isolation, no Node anywhere, web security on', () => {
    const { webPreferences } = windowOptions({ preload, bounds: { width: 1200, height: 800, maximized: false } });
    expect(webPreferences).toEqual({
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    });
  });

  it('opens hidden (shown when ready) at the restored size, no smaller than the minimum', () => {
    const options = windowOptions({ preload, bounds: { width: 1000, height: 700, x: -1500, y: 20, maximized: true } });
    expect(options).toMatchObject({ width: 1000, height: 700, x: -1500, y: 20, minWidth: MIN_SIZE.width, minHeight: MIN_SIZE.height, show: false, title: 'Agent Companion' });
    // maximized is applied to the window after it exists; there is no such option.
    expect(options).not.toHaveProperty('maximized');
  });

  it('without a position Electron centres the window', () => {
    const options = windowOptions({ preload, bounds: { width: 1000, height: 700, maximized: false } });
    expect(options).not.toHaveProperty('x');
    expect(options).not.toHaveProperty('y');
  });

  it('refuses a relative preload path (Electron would silently load no preload)', () => {
    expect(() => windowOptions({ preload: 'out/app/preload.cjs', bounds: { width: 1000, height: 700, maximized: false } })).toThrow(/absolute/);
  });
});
