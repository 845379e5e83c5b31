// Builds the Node-side entry points with esbuild. Dependencies stay external:
// they are resolved from node_modules at run time (keytar is a native addon).
import { build } from 'esbuild';

const entries = {
  'cli/companion': 'main/cli/companion.ts',
};

await build({
  entryPoints: entries,
  outdir: 'out',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  packages: 'external',
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
