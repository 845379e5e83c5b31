// Builds the renderer. Served from app:// by Electron and from http://127.0.0.1 by the
// browser host, so asset URLs are relative; the CSP (script-src 'self') allows no inline
// script, hence modulePreload's inline polyfill is off.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [svelte({ configFile: fileURLToPath(new URL('./svelte.config.js', import.meta.url)) })],
  build: {
    outDir: fileURLToPath(new URL('./out/renderer', import.meta.url)),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    target: 'chrome130',
    sourcemap: true,
  },
});
