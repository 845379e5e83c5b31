// The one window's options. Pure (Electron's types only), so what hardens it is tested in Node.
//
// The renderer is a sandboxed page with context isolation and no Node: it reaches main only
// through the preload's one frozen object. Whatever a page could use to leave that box (Node
// in a worker or a subframe, a <webview>, insecure content, a file dropped on the window) is
// switched off here, and navigation-policy.ts refuses the rest at run time.

import type { BrowserWindowConstructorOptions } from 'electron';
import { isAbsolute } from 'node:path';
import { MIN_SIZE, type RestoredBounds } from './window-geometry';

export const WINDOW_TITLE = 'Agent Companion';

export interface WindowOptionsInput {
  /** The built preload (out/app/preload.cjs): an absolute path, as Electron requires. */
  preload: string;
  /** From boundsToRestore (window-geometry.ts). `maximized` is applied after creation. */
  bounds: RestoredBounds;
}

export function windowOptions({ preload, bounds }: WindowOptionsInput): BrowserWindowConstructorOptions {
  if (!isAbsolute(preload)) throw new Error(`The preload path must be absolute: ${preload}`);
  return {
    width: bounds.width,
    height: bounds.height,
    ...(bounds.x !== undefined && bounds.y !== undefined && { x: bounds.x, y: bounds.y }),
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: WINDOW_TITLE,
    // Shown on ready-to-show: no white flash, and no half-drawn page to click on.
    show: false,
    webPreferences: {
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
    },
  };
}
