// Builds every entry point. Node-side code is bundled by esbuild with its
// dependencies left external (resolved from node_modules at run time; keytar is a
// native addon). The preload is CommonJS with everything inlined: a sandboxed
// preload can require nothing but 'electron'. The renderer is built by Vite.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';

// Chunk names carry a hash: the last build's chunks would otherwise stay beside this one's (and be packaged).
rmSync('out/chunks', { recursive: true, force: true });

const node = { bundle: true, platform: 'node', target: 'node22', sourcemap: true, logLevel: 'warning' };

await Promise.all([
  // One build for both entry points, split: what they share is one chunk, and the
  // simulators (imported dynamically, demo mode and `companion sim` only) are chunks of
  // their own that a configured app never loads.
  build({
    ...node,
    entryPoints: { 'cli/companion': 'main/cli/bin.ts', 'app/main': 'main/app/main.ts' },
    outdir: 'out',
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    packages: 'external',
    // The shebang only matters for the command; in the app's entry it is an ignored comment line.
    banner: { js: '#!/usr/bin/env node' },
  }),
  build({ ...node, entryPoints: ['main/app/preload.ts'], outfile: 'out/app/preload.cjs', format: 'cjs', external: ['electron'], minify: true }),
]);
if (!process.argv.includes('--node-only')) await viteBuild({ logLevel: 'warn' });
