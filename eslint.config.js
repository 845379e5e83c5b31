// @ts-check
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';

const root = fileURLToPath(new URL('.', import.meta.url));
const skipped = new Set(['node_modules', 'out', 'dist', 'release', 'test-results', 'coverage']);

// ---------------------------------------------------------------------------------------------
// DESIGN.md, "Layers the linter enforces": what each room may import besides itself. Inside
// main/ imports point down. npm packages are free, except `electron` (main/app/ only) and Node's
// built-ins where the room runs without Node. test/ may import anything; nothing imports test/.
// ---------------------------------------------------------------------------------------------
const clientsAndBelow = ['main/diyalog', 'main/icws', 'main/http.ts', 'shared'];
/** @type {Record<string, { may: string[]; why: string; electron?: boolean; node?: false }>} */
const rooms = {
  'main/app': { may: ['main', 'shared'], electron: true, why: 'the Electron shell may import anything in main/' },
  // cli/ also starts the browser host (`companion start --browser`), so it may import host/.
  'main/cli': { may: ['main/services', 'main/store', 'main/sim', 'main/host', 'main/tls.ts', ...clientsAndBelow], why: 'cli/ never imports app/ or electron' },
  'main/host': { may: ['main/services', 'main/store', 'main/sim', 'main/tls.ts', ...clientsAndBelow], why: 'host/ never imports app/, cli/ or electron' },
  'main/services': { may: ['main/store', 'main/tls.ts', ...clientsAndBelow], why: 'services/ never import electron, app/, host/ or cli/; only demo.ts may start the simulators' },
  // Demo mode is the one service that starts the simulators.
  'main/services/demo.ts': { may: ['main/store', 'main/sim', 'main/tls.ts', ...clientsAndBelow], why: 'services/ never import electron, app/, host/ or cli/' },
  'main/store': { may: ['main/http.ts', 'shared'], why: 'store/ imports only main/http.ts and shared/' },
  'main/diyalog': { may: ['main/http.ts', 'shared'], why: 'diyalog/ speaks the protocol: it imports only main/http.ts and shared/' },
  'main/icws': { may: ['main/http.ts', 'shared'], why: 'icws/ speaks the protocol: it imports only main/http.ts and shared/' },
  // The simulators check signatures their own way, written from the spec, so a client bug
  // cannot pass both: they never import the clients.
  'main/sim': { may: ['main/http.ts', 'shared'], why: 'sim/ imports only main/http.ts and shared/, never the clients' },
  'main/http.ts': { may: ['shared'], why: 'main/http.ts imports only shared/' },
  // Which certificates this process trusts (the OS store, an administrator's CA file), for every
  // room that opens connections: the services' fetch, the audit forwarder, the CLI.
  'main/tls.ts': { may: ['main/http.ts', 'shared'], why: 'main/tls.ts imports only main/http.ts and shared/' },
  renderer: { may: ['shared'], node: false, why: 'renderer/ imports only renderer/ and shared/: it knows nothing but the contract' },
  shared: { may: [], node: false, why: 'shared/ is imported by both sides: it sees neither Node, Electron, main/ nor renderer/' },
};

// ---------------------------------------------------------------------------------------------
// Where each package the product imports can run: 'node' (main/ only), 'dom' (renderer/ only) or
// 'either'. Every entry of package.json `dependencies` is here, or lint refuses to start: a new
// dependency is classified the day it arrives. Lint refuses a Node package in renderer/ and
// shared/, and a DOM package outside renderer/; renderer/ and shared/tsconfig.json map each
// Node package to node-only-package.d.ts, so the compiler refuses it too (test/unit/build/).
// ---------------------------------------------------------------------------------------------
/** @type {Record<string, 'node' | 'dom' | 'either'>} */
export const packageEnvironments = {
  'd3-array': 'either',
  'd3-scale': 'either',
  'eventsource-parser': 'either',
  keytar: 'node',
  'node-forge': 'node',
  'proper-lockfile': 'node',
  undici: 'node',
  ws: 'node',
  zod: 'either',
  // devDependencies the product imports: Electron provides itself (main/app/ only, below),
  // and svelte is bundled into the renderer.
  electron: 'node',
  svelte: 'dom',
};
{
  /** @type {{ dependencies?: Record<string, string>; devDependencies?: Record<string, string> }} */
  const manifest = JSON.parse(readFileSync(posix.join(root, 'package.json'), 'utf8'));
  const unclassified = Object.keys(manifest.dependencies ?? {}).filter((name) => !(name in packageEnvironments));
  const gone = Object.keys(packageEnvironments).filter((name) => !(name in { ...manifest.dependencies, ...manifest.devDependencies }));
  if (unclassified.length > 0 || gone.length > 0) {
    throw new Error(
      `eslint.config.js, packageEnvironments: ${[...unclassified.map((n) => `classify ${n} ('node', 'dom' or 'either')`), ...gone.map((n) => `${n} is no longer in package.json`)].join('; ')}.`,
    );
  }
}
/** @param {'node' | 'dom'} environment */
const packagesFor = (environment) => Object.keys(packageEnvironments).filter((name) => packageEnvironments[name] === environment);

/** @param {string} path @param {string} unit */
const within = (path, unit) => path === unit || path.startsWith(`${unit}/`);
/** @param {string} text */
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The room a file or folder belongs to: the longest room path that contains it. */
function roomOf(/** @type {string} */ path) {
  return Object.keys(rooms).filter((room) => within(path, room)).sort((a, b) => b.length - a.length)[0];
}

/**
 * Every project folder outside test/, relative to the root ('.' for the root itself), read when
 * lint starts: a relative import means something different at each depth, so each folder gets
 * its own rules, and a new folder is ruled the moment it exists.
 */
function sourceFolders(dir = '.') {
  const below = readdirSync(posix.join(root, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !skipped.has(e.name) && !(dir === '.' && e.name === 'test'))
    .flatMap((e) => sourceFolders(dir === '.' ? e.name : `${dir}/${e.name}`));
  return [dir, ...below];
}

// What an import can land on: each entry of main/ and each top-level folder.
const mainUnits = readdirSync(posix.join(root, 'main'), { withFileTypes: true })
  .filter((e) => e.isDirectory() || /\.ts$/.test(e.name))
  .map((e) => `main/${e.name}`);
const topUnits = ['main', 'renderer', 'shared', 'test', 'build'];

/** A regex for relative specifiers, written from `folder`, that land in `unit`. */
function landsIn(/** @type {string} */ folder, /** @type {string} */ unit) {
  const rel = posix.relative(folder, unit);
  const spec = rel.startsWith('.') ? rel : `./${rel}`;
  return unit.endsWith('.ts') ? `^${escape(spec.slice(0, -3))}(?:\\.[cm]?[jt]s)?$` : `^${escape(spec)}(?:/|$)`;
}

// Node's globals, refused by name where Node is not (renderer/, shared/).
const nodeGlobals = ['process', 'Buffer', 'setImmediate', 'clearImmediate', 'global', '__dirname', '__filename', 'require', 'module'];
const nodeBuiltins = `^(?:node:|(?:${builtinModules.filter((m) => !m.startsWith('_')).map(escape).join('|')})(?:/|$))`;
// `../icws/../services` would slip past the regexes below, which read the specifier as written.
const unnormalized = '^(?:\\.\\.?/)+[^./][^]*?/\\.\\.?(?:/|$)|^\\./\\.\\.?(?:/|$)|^(?:\\.\\./)+\\./';

/** The import rules for the files directly in `folder` (or for one file, `only`). */
function layerRules(/** @type {string} */ folder, /** @type {string | undefined} */ only) {
  const room = roomOf(only ?? folder);
  const rule = room ? rooms[room] : undefined;
  /** @type {{ regex: string; message: string }[]} */
  const patterns = [{ regex: unnormalized, message: 'Write relative imports in normal form, so the layer rules can read them.' }];
  const units = room?.startsWith('main/') ? [...mainUnits, ...topUnits.filter((u) => u !== 'main')] : topUnits;
  for (const unit of units) {
    if (unit === 'test') {
      patterns.push({ regex: landsIn(folder, unit), message: 'Nothing outside test/ imports test/ (DESIGN.md: the product never ships test code).' });
      continue;
    }
    if (!rule || within(folder, unit) || (room && within(room, unit)) || within(unit, room ?? '\0')) continue;
    if (rule.may.some((allowed) => within(unit, allowed))) continue;
    patterns.push({ regex: landsIn(folder, unit), message: `${rule.why} (DESIGN.md, "Layers the linter enforces"): not ${unit}.` });
  }
  if (rule && !rule.electron) {
    patterns.push({ regex: '^electron(?:/|$)', message: `electron is imported only in main/app/; ${rule.why}.` });
  }
  if (rule?.node === false) {
    patterns.push({ regex: nodeBuiltins, message: rule.why });
    // electron has its own rule above.
    for (const name of packagesFor('node').filter((n) => n !== 'electron')) {
      patterns.push({ regex: `^${escape(name)}(?:/|$)`, message: `${name} is a Node package (packageEnvironments, eslint.config.js): ${rule.why}.` });
    }
  }
  if (rule && room !== 'renderer') {
    for (const name of packagesFor('dom')) {
      patterns.push({ regex: `^${escape(name)}(?:/|$)`, message: `${name} is a DOM package (packageEnvironments, eslint.config.js): only renderer/ imports it.` });
    }
  }
  return {
    'no-restricted-imports': ['error', { patterns }],
    // no-restricted-imports does not look at import(): the same rules for dynamic imports.
    'no-restricted-syntax': [
      'error',
      ...patterns.map(({ regex, message }) => ({
        // esquery reads a regex up to the next '/', so the slashes inside are written \x2F.
        selector: `ImportExpression > Literal.source[value=/${regex.replaceAll('/', '\\x2F')}/]`,
        message,
      })),
    ],
  };
}

const layers = [
  ...sourceFolders().map((folder) => ({
    files: [folder === '.' ? '*.{ts,js,mjs}' : `${folder}/*.{ts,svelte,js,mjs}`],
    rules: layerRules(folder),
  })),
  ...Object.keys(rooms)
    .filter((room) => room.endsWith('.ts'))
    .map((file) => ({ files: [file], rules: layerRules(posix.dirname(file), file) })),
];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'test-results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  {
    files: ['main/**/*.ts', 'test/**/*.ts', 'build/**/*.{ts,mjs}', '*.{js,mjs,ts}'],
    languageOptions: { globals: globals.node },
  },
  {
    // The compiler refuses Node's types in renderer/ (test/unit/build/environments.test.ts);
    // lint names Node's globals too, so the mistake is caught in the editor before a typecheck.
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-globals': ['error', ...nodeGlobals.map((name) => ({ name, message: 'renderer/ runs in a sandboxed page: it sees the DOM, never Node.' }))],
    },
  },
  {
    // The compiler refuses the DOM and Node's types in shared/; lint names the common globals
    // too, so the mistake is caught in the editor before a typecheck runs.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...['window', 'document', 'navigator', 'localStorage', ...nodeGlobals]
        .map((name) => ({ name, message: 'shared/ sees neither Node nor the DOM.' }))],
    },
  },
  ...layers,
  {
    // Type-aware checks: a promise nobody awaits loses its error, and a promise passed where a
    // void callback is expected (an event handler, a timer) does the same. Product code only:
    // type information for test/ means building its program (every side at once), the largest
    // part of a lint run (in a test, a rejection nobody handles still fails the vitest run).
    files: ['main/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.svelte'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // DESIGN.md, "The one contract": raw IPC lives in two files, main/app/ipc.ts (ipcMain, and
    // sending to a window) and main/app/preload.ts (ipcRenderer). Every other file goes through
    // registerIpc and sendEvent, so no handler skips the sender check and the schema, and no
    // event skips checkEvent. Outside main/app/ electron cannot be imported at all (the layer
    // rules above). A later block's options replace an earlier one's for the same rule: the
    // layer selectors of main/app/ are restated first (test/unit/build/layers.test.ts proves both).
    files: ['main/app/*.ts'],
    ignores: ['main/app/ipc.ts', 'main/app/preload.ts'],
    rules: {
      'no-restricted-syntax': [
        ...layerRules('main/app')['no-restricted-syntax'],
        ...[
          // import { ipcMain } from 'electron', export { ipcRenderer } from …, const { ipcMain } = electron
          'ImportSpecifier:matches([imported.name=/^ipc(Main|Renderer)$/], [imported.value=/^ipc(Main|Renderer)$/])',
          'ExportSpecifier[local.name=/^ipc(Main|Renderer)$/]',
          'ObjectPattern > Property:matches([key.name=/^ipc(Main|Renderer)$/], [key.value=/^ipc(Main|Renderer)$/])',
          // electron.ipcMain, (await import('electron'))['ipcRenderer']
          'MemberExpression:matches([property.name=/^ipc(Main|Renderer)$/], [property.value=/^ipc(Main|Renderer)$/])',
          // window.webContents.send(…), contents.mainFrame.postMessage(…), webContents.sendToFrame(…)
          'CallExpression > MemberExpression.callee[property.name=/^(send|sendToFrame|postMessage)$/]:matches([object.name=/^(webContents|mainFrame)$/], [object.property.name=/^(webContents|mainFrame)$/])',
        ].map((selector) => ({
          selector,
          message: 'Raw IPC lives in main/app/ipc.ts (ipcMain, sending to a window) and main/app/preload.ts (ipcRenderer): use registerIpc and sendEvent (DESIGN.md, "The one contract").',
        })),
      ],
    },
  },
);
