import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Issue 7: below 90 % of lines in a protocol, service, store or shared folder fails `npm test`.
// main/app, the Electron shell, is held to 70 %: its decisions are plain modules and its
// electron-importing files run against a stand-in electron module (test/unit/app/), so the
// figure does not depend on the binary, which CI cannot download. Files a test never loads
// count as 0 % (coverage.include lists them all). main/cli is held to 80 %: its suites run
// runCli in-process (test/integration/cli/cli-harness.ts), and only what a process alone shows
// (the entry bin.ts, signals, the pseudo-terminal, a closed pipe) runs where v8 does not see it.
const held = { lines: 90 };

export default defineConfig({
  // The renderer's stores (renderer/stores/*.svelte.ts) use runes; their unit tests run in
  // Node, so they are compiled as the browser runs them (client), not as server-side render.
  plugins: [svelte({ configFile: false, dynamicCompileOptions: () => ({ generate: 'client' }) })],
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // A test file that leaves a timer, socket, server or child process running fails, naming it.
    setupFiles: ['./test/support/leaks.ts'],
    // Two cores: keep the pool small so simulator-backed tests are not starved.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
    // Enabled by `npm test` (--coverage), not here: a single test file run alone would miss
    // every threshold.
    coverage: {
      provider: 'v8',
      // The figures still print when a test fails, so a red run says how far coverage fell too.
      reportOnFailure: true,
      include: ['main/**/*.ts', 'shared/**/*.ts'],
      reporter: ['text-summary', fileURLToPath(new URL('./test/support/coverage-by-folder.ts', import.meta.url))],
      thresholds: {
        'main/app/**': { lines: 70 },
        'main/cli/**': { lines: 80 },
        'main/diyalog/**': held,
        'main/icws/**': held,
        'main/services/**': held,
        'main/store/**': held,
        'shared/**': held,
      },
    },
  },
});
