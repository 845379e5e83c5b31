// DESIGN.md, "Layers the linter enforces": each rule is proved by making the crossing and
// expecting the project's real ESLint config to refuse it, and by the allowed imports passing.
// The probes are linted as if they sat at the given path; nothing is written to disk.
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

// The layer rules read only the import text. Type-aware parsing needs each probe to be a file
// its tsconfig lists, which a probe is not, so it is switched off here (and tested below).
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [
    {
      languageOptions: { parserOptions: { projectService: false } },
      rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
    },
  ],
});

const layerRules = new Set(['no-restricted-imports', 'no-restricted-syntax', 'no-restricted-globals']);

async function lint(filePath: string, code: string): Promise<{ layer: string[]; other: string[] }> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  const messages = result?.messages ?? [];
  return {
    layer: messages.filter((m) => m.ruleId !== null && layerRules.has(m.ruleId)).map((m) => m.message),
    other: messages.filter((m) => m.ruleId === null || !layerRules.has(m.ruleId)).map((m) => `${m.ruleId}: ${m.message}`),
  };
}

const importing = (specifier: string) => `import * as probe from '${specifier}';\nexport const used = probe;\n`;
const importingLater = (specifier: string) => `export const load = () => import('${specifier}');\n`;

/** [file the probe sits in, what it imports, what the refusal must mention] */
type Crossing = [file: string, specifier: string, says: RegExp];

async function expectRefused([file, specifier, says]: Crossing): Promise<void> {
  const { layer, other } = await lint(file, importing(specifier));
  expect(other).toEqual([]);
  expect(layer.join('\n')).toMatch(says);
  // The same crossing through import() is refused too.
  const later = await lint(file, importingLater(specifier));
  expect(later.layer.join('\n')).toMatch(says);
}

async function expectAllowed(file: string, specifiers: string[]): Promise<void> {
  for (const specifier of specifiers) {
    const { layer, other } = await lint(file, importing(specifier));
    expect({ specifier, layer, other }).toEqual({ specifier, layer: [], other: [] });
  }
}

describe('layers the linter enforces', () => {
  describe('electron only in main/app/', () => {
    const rooms = readdirSync(`${root}main`, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'app')
      .map((e) => e.name);

    it('knows every room in main/ (a new folder is not left unruled)', () => {
      expect(rooms).toEqual(expect.arrayContaining(['cli', 'diyalog', 'host', 'icws', 'services', 'sim', 'store']));
    });

    it.each(rooms)('main/%s/ may not import electron', async (room) => {
      await expectRefused([`main/${room}/probe.ts`, 'electron', /electron is imported only in main\/app\//]);
    });

    it.each([['main/http.ts'], ['main/sim/icws/probe.ts'], ['renderer/probe.ts'], ['shared/probe.ts']])('%s may not import electron', async (file) => {
      await expectRefused([file, 'electron', /electron/]);
    });

    it('main/app/ may import electron and anything in main/', async () => {
      await expectAllowed('main/app/probe.ts', ['electron', '../services/dispatch', '../store/settings', '../http', '../../shared/contract']);
    });
  });

  describe('main/diyalog/ and main/icws/ import only shared/ and main/http.ts', () => {
    const below = ['services', 'store', 'app', 'host', 'cli', 'sim'];
    it.each(below.map((room) => ['diyalog', room]).concat(below.map((room) => ['icws', room])))('main/%s/ may not import main/%s/', async (client, room) => {
      await expectRefused([`main/${client}/probe.ts`, `../${room}/x`, new RegExp(`${client}/ speaks the protocol.*not main/${room}`)]);
    });

    it('neither client imports the other', async () => {
      await expectRefused(['main/diyalog/probe.ts', '../icws/session', /not main\/icws/]);
      await expectRefused(['main/icws/probe.ts', '../diyalog/client', /not main\/diyalog/]);
    });

    it('the clients may import main/http.ts, shared/ and their own folder', async () => {
      await expectAllowed('main/diyalog/probe.ts', ['../http', '../http.ts', '../../shared/errors', './wire', 'zod']);
      await expectAllowed('main/icws/probe.ts', ['../http', '../../shared/assistance', './session', 'eventsource-parser']);
    });
  });

  describe('main/store/ imports only main/http.ts and shared/', () => {
    it.each(['diyalog', 'icws', 'services', 'app', 'host', 'cli', 'sim'])('main/store/ may not import main/%s/', async (room) => {
      await expectRefused(['main/store/probe.ts', `../${room}/x`, new RegExp(`store/ imports only.*not main/${room}`)]);
    });

    it('main/store/ may import main/http.ts and shared/', async () => {
      await expectAllowed('main/store/probe.ts', ['../http', '../../shared/settings', './paths', 'keytar', 'node:fs/promises']);
    });
  });

  describe('main/services/ never imports electron, main/app/, main/host/ or main/cli/', () => {
    it.each(['app', 'host', 'cli'])('main/services/ may not import main/%s/', async (room) => {
      await expectRefused(['main/services/probe.ts', `../${room}/x`, new RegExp(`services/ never import.*not main/${room}`)]);
    });

    it('only demo.ts may start the simulators', async () => {
      await expectRefused(['main/services/probe.ts', '../sim/diyalog/server', /only demo\.ts may start the simulators.*not main\/sim/]);
      await expectAllowed('main/services/demo.ts', ['../sim/diyalog/server', '../sim/icws/server']);
    });

    it('main/services/ may import the store, the clients, main/http.ts and shared/', async () => {
      await expectAllowed('main/services/probe.ts', ['../store/settings', '../diyalog/client', '../icws/session', '../http', '../../shared/contract', './dispatch']);
    });
  });

  describe('main/sim/ imports only shared/ and main/http.ts, never the clients', () => {
    it.each([
      ['main/sim/diyalog/probe.ts', '../../diyalog/signing', 'diyalog'],
      ['main/sim/icws/probe.ts', '../../icws/wire', 'icws'],
      ['main/sim/icws/probe.ts', '../../services/dispatch', 'services'],
      ['main/sim/diyalog/probe.ts', '../../store/settings', 'store'],
    ])('%s may not import %s', async (file, specifier, room) => {
      await expectRefused([file, specifier, new RegExp(`sim/ imports only.*never the clients.*not main/${room}`)]);
    });

    it('a simulator may import the other simulator, main/http.ts and shared/', async () => {
      await expectAllowed('main/sim/icws/probe.ts', ['../diyalog/data', './state', '../../http', '../../../shared/errors', 'node:http']);
    });
  });

  describe('main/cli/ and main/host/ never import main/app/ or electron', () => {
    it.each([['cli'], ['host']])('main/%s/ may not import main/app/', async (room) => {
      await expectRefused([`main/${room}/probe.ts`, '../app/ipc', /not main\/app/]);
    });

    it('they may import the services, store, simulators, clients, main/http.ts and shared/', async () => {
      await expectAllowed('main/cli/probe.ts', ['../services/dispatch', '../store/keychain', '../sim/icws/server', '../diyalog/client', '../icws/session', '../http', '../host/server', '../../shared/errors']);
      await expectAllowed('main/host/probe.ts', ['../services/dispatch', '../store/paths', '../http', '../../shared/contract', 'ws']);
    });
  });

  describe('nothing outside test/ imports test/', () => {
    it.each([
      ['main/services/probe.ts', '../../test/support/rejection'],
      ['main/sim/icws/probe.ts', '../../../test/support/icws-raw-client'],
      ['main/app/probe.ts', '../../test/support/rejection'],
      ['main/http.ts', '../test/support/rejection'],
      ['renderer/probe.ts', '../test/support/rejection'],
      ['renderer/stores/probe.svelte.ts', '../../test/support/rejection'],
      ['shared/probe.ts', '../test/support/rejection'],
      ['build/probe.mjs', '../test/support/rejection.ts'],
      ['vite.config.ts', './test/support/rejection'],
    ])('%s may not import %s', async (file, specifier) => {
      await expectRefused([file, specifier, /Nothing outside test\/ imports test\//]);
    });

    it('test/ may import anything', async () => {
      await expectAllowed('test/unit/probe.ts', ['../../main/app/ipc', '../../main/sim/icws/server', '../support/rejection', 'electron', 'node:fs']);
    });
  });

  describe('renderer/ imports only renderer/ and shared/', () => {
    it.each([
      ['renderer/probe.ts', '../main/http', /not main/],
      ['renderer/views/probe.ts', '../../main/services/dispatch', /not main/],
      ['renderer/probe.ts', '../build/build.mjs', /not build/],
      ['renderer/probe.ts', 'node:fs', /renderer\/ imports only/],
      ['renderer/probe.ts', 'fs', /renderer\/ imports only/],
      ['renderer/probe.ts', 'ws', /ws is a Node package.*renderer\/ imports only/],
      ['renderer/stores/probe.svelte.ts', 'keytar', /keytar is a Node package/],
      ['renderer/views/probe.ts', 'proper-lockfile', /proper-lockfile is a Node package/],
    ])('%s may not import %s', async (file, specifier, says) => {
      await expectRefused([file, specifier, says]);
    });

    it.each(['process', 'Buffer', 'setImmediate', 'clearImmediate', 'global', '__dirname', '__filename', 'require', 'module'])('renderer/ may not use %s', async (name) => {
      const { layer } = await lint('renderer/probe.ts', `export const probe = ${name};\n`);
      expect(layer.join('\n')).toMatch(/renderer\/ runs in a sandboxed page: it sees the DOM, never Node/);
    });

    it('a .svelte component may not use a Node global either', async () => {
      const { layer } = await lint('renderer/views/Probe.svelte', `<script lang="ts">\n  const pid = process.pid;\n</script>\n<p>{pid}</p>\n`);
      expect(layer.join('\n')).toMatch(/renderer\/ runs in a sandboxed page/);
    });

    it('a .svelte component is held to the same rule', async () => {
      const { layer } = await lint('renderer/views/Probe.svelte', `<script lang="ts">\n  import { x } from '../../main/http';\n</script>\n<p>{x}</p>\n`);
      expect(layer.join('\n')).toMatch(/renderer\/ imports only renderer\/ and shared\/.*not main/);
    });

    it('renderer/ may import renderer/, shared/ and packages that need no Node', async () => {
      await expectAllowed('renderer/stores/probe.svelte.ts', ['../bridge', '../../shared/contract', './watch.svelte', 'svelte', 'zod', 'd3-array']);
      const { layer } = await lint('renderer/probe.ts', 'export const probe = [document, window, globalThis];\n');
      expect(layer).toEqual([]);
    });
  });

  describe('shared/ sees neither Node nor the DOM', () => {
    it.each([
      ['node:fs', /shared\/ is imported by both sides/],
      ['path', /shared\/ is imported by both sides/],
      ['../main/http', /not main/],
      ['../renderer/bridge', /not renderer/],
      ['ws', /ws is a Node package.*shared\/ is imported by both sides/],
      ['keytar', /keytar is a Node package/],
      ['proper-lockfile', /proper-lockfile is a Node package/],
      ['svelte', /svelte is a DOM package/],
    ])('shared/ may not import %s', async (specifier, says) => {
      await expectRefused(['shared/i18n/probe.ts', specifier.startsWith('.') ? `../${specifier}` : specifier, says]);
    });

    it.each(['document', 'window', 'process', 'Buffer', 'setImmediate', 'clearImmediate', 'global', '__dirname', '__filename', 'require', 'module'])('shared/ may not use %s', async (name) => {
      const { layer } = await lint('shared/probe.ts', `export const probe = ${name};\n`);
      expect(layer.join('\n')).toMatch(/shared\/ sees neither Node nor the DOM/);
    });

    it('shared/ may import shared/ and zod', async () => {
      await expectAllowed('shared/probe.ts', ['./errors', './i18n/en', 'zod']);
    });
  });

  it.each([['main/services/probe.ts'], ['main/host/probe.ts'], ['main/app/probe.ts']])('%s may not import svelte (a DOM package)', async (file) => {
    await expectRefused([file, 'svelte', /svelte is a DOM package.*only renderer\/ imports it/]);
  });

  it('lint refuses to start while a dependency is not classified by environment', async () => {
    // The real config, beside a package.json with one dependency more: loading it must fail
    // and name the package.
    const dir = mkdtempSync(join(tmpdir(), 'lint-environments-'));
    try {
      const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { dependencies: Record<string, string> };
      manifest.dependencies['left-pad'] = '^1.3.0';
      writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
      copyFileSync(`${root}eslint.config.js`, join(dir, 'eslint.config.js'));
      symlinkSync(`${root}node_modules`, join(dir, 'node_modules'));
      await expect(import(pathToFileURL(join(dir, 'eslint.config.js')).href)).rejects.toThrow(/packageEnvironments: classify left-pad/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a relative import that wanders (../icws/../services) is refused, so no crossing hides in one', async () => {
    await expectRefused(['main/diyalog/probe.ts', '../icws/../services/dispatch', /normal form/]);
    await expectRefused(['main/diyalog/probe.ts', './../services/dispatch', /normal form/]);
  });
});

describe('type-aware lint', () => {
  // The real config, type information included; the probe replaces an existing file's text so
  // the project service finds it in shared/tsconfig.json (the smallest program).
  const typed = new ESLint({ cwd: root });
  const probe = `${root}shared/backoff.ts`;

  it('refuses a floating promise and a promise where a void callback is expected', async () => {
    const code = [
      'async function work(): Promise<number> { return 1; }',
      'export function floating(): void { work(); }',
      'export function misused(run: (f: () => void) => void): void { run(async () => { await work(); }); }',
      'export function deliberate(): void { void work(); }',
      '',
    ].join('\n');
    const [result] = await typed.lintText(code, { filePath: probe });
    const rules = (result?.messages ?? []).map((m) => `${m.line}:${m.ruleId}`);
    expect(rules).toEqual(['2:@typescript-eslint/no-floating-promises', '3:@typescript-eslint/no-misused-promises']);
  }, 120_000);
});

describe('raw IPC only in main/app/ipc.ts and main/app/preload.ts', () => {
  const says = /Raw IPC lives in main\/app\/ipc\.ts/;
  const typed = (code: string) => `import type { BrowserWindow, WebContents } from 'electron';\n${code}`;

  it.each([
    ['importing ipcMain', "import { ipcMain } from 'electron';\nipcMain.handle('companion:call:x', () => 1);\n"],
    ['importing ipcRenderer', "import { ipcRenderer } from 'electron';\nexport const r = ipcRenderer;\n"],
    ['reaching ipcMain through the namespace', "import * as electron from 'electron';\nelectron.ipcMain.handle('x', () => 1);\n"],
    ['destructuring ipcMain', "import electron from 'electron';\nconst { ipcMain } = electron;\nexport const m = ipcMain;\n"],
    ['ipcMain from a dynamic import', "export const m = async () => (await import('electron'))['ipcMain'];\n"],
    ['re-exporting ipcMain', "export { ipcMain } from 'electron';\n"],
    ['window.webContents.send(', typed("export const f = (w: BrowserWindow) => w.webContents.send('companion:event', 'x', {});\n")],
    ['webContents.send( on a WebContents', typed("export const f = (webContents: WebContents) => webContents.send('companion:event');\n")],
    ['postMessage to the main frame', typed("export const f = (w: BrowserWindow) => w.webContents.mainFrame.postMessage('x', {});\n")],
  ])('a file in main/app/ other than ipc.ts fails lint for %s', async (_what, code) => {
    const { layer } = await lint('main/app/probe.ts', code);
    expect(layer.join('\n')).toMatch(says);
  });

  it('ipc.ts may use ipcMain and send to a window; preload.ts may use ipcRenderer', async () => {
    expect(await lint('main/app/ipc.ts', "import { ipcMain } from 'electron';\nimport type { WebContents } from 'electron';\nipcMain.handle('x', () => 1);\nexport const f = (c: WebContents) => c.send('x');\n")).toEqual({ layer: [], other: [] });
    expect(await lint('main/app/preload.ts', "import { ipcRenderer } from 'electron';\nexport const r = ipcRenderer;\n")).toEqual({ layer: [], other: [] });
  });

  it('the rest of main/app/ still goes through ipc.ts, and keeps its layer rules', async () => {
    const viaIpc = "import type { BrowserWindow } from 'electron';\nimport { sendEvent } from './ipc';\nexport const f = (w: BrowserWindow) => sendEvent(w.webContents, 'status.changed', {} as never);\n";
    expect(await lint('main/app/probe.ts', viaIpc)).toEqual({ layer: [], other: [] });
    // The block that confines IPC restates main/app/'s own rules for dynamic imports.
    const later = await lint('main/app/probe.ts', importingLater('../../test/support/rejection'));
    expect(later.layer.join('\n')).toMatch(/Nothing outside test\/ imports test\//);
  });
});
