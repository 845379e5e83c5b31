// Builds every entry point. Node-side code is bundled by esbuild with its
// dependencies left external (resolved from node_modules at run time; keytar is a
// native addon). The preload is CommonJS with everything inlined: a sandboxed
// preload can require nothing but 'electron'. The renderer is built by Vite.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';

const node = { bundle: true, platform: 'node', target: 'node22', sourcemap: true, logLevel: 'warning' };

await Promise.all([
  build({ ...node, entryPoints: { 'cli/companion': 'main/cli/companion.ts' }, outdir: 'out', format: 'esm', packages: 'external', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...node, entryPoints: { 'app/main': 'main/app/main.ts' }, outdir: 'out', format: 'esm', packages: 'external' }),
  build({ ...node, entryPoints: ['main/app/preload.ts'], outfile: 'out/app/preload.cjs', format: 'cjs', external: ['electron'], minify: true }),
]);
if (!process.argv.includes('--node-only')) await viteBuild({ logLevel: 'warn' });
