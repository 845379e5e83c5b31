// Not a module, on purpose. renderer/tsconfig.json and shared/tsconfig.json send every package
// eslint.config.js classifies as 'node' (keytar, ws, proper-lockfile, electron) here, so such
// an import fails to compile ("…node-only-package.d.ts' is not a module") instead of bringing
// Node's types into the whole program, where `process` and `node:fs` would then compile in
// every file. What needs a Node package lives in main/ and reaches the renderer over the
// contract (DESIGN.md, "Three environments"). test/unit/build/environments.test.ts proves it.
