import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The renderer's stores (renderer/stores/*.svelte.ts) use runes; their unit tests run in
  // Node, so they are compiled as the browser runs them (client), not as server-side render.
  plugins: [svelte({ configFile: false, dynamicCompileOptions: () => ({ generate: 'client' }) })],
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: keep the pool small so simulator-backed tests are not starved.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
