// DESIGN.md: three environments, enforced by the compiler. Each real project (its tsconfig's
// files and options, as `npm run typecheck` compiles it; that it compiles clean is the
// typecheck's to prove, so it is not checked twice here) is loaded, and renderer/ and
// shared/ must hold no Node-typed file: a package whose types reference Node's would bring
// `process`, `Buffer` and `node:fs` to every file of the program without any file importing Node.
// Then one probe file is added to the same program, each line of it a crossing, and each line
// must be refused with the diagnostic that names it (main/ is the control: what it may do, it
// compiles). The Node packages probed are the ones eslint.config.js classifies as 'node'.
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const configUrl = new URL('../../../eslint.config.js', import.meta.url).href;

type Environment = 'node' | 'dom' | 'either';
let nodePackages: string[] = [];

beforeAll(async () => {
  const { packageEnvironments } = (await import(configUrl)) as { packageEnvironments: Record<string, Environment> };
  nodePackages = Object.keys(packageEnvironments).filter((name) => packageEnvironments[name] === 'node');
  expect(nodePackages).toEqual(expect.arrayContaining(['keytar', 'ws', 'proper-lockfile']));
}, 120_000);

/** One line of a probe, and what the project's compiler must say about it (null: nothing). */
type Line = [code: string, refusal: RegExp | null];

const nodeGlobals: Line[] = [
  ['export const pid = process.pid;', /Cannot find name 'process'/],
  ["export const bytes = Buffer.from('x');", /Cannot find name 'Buffer'/],
  ['export const later = setImmediate(() => undefined);', /Cannot find name 'setImmediate'/],
];
const nodeBuiltins: Line[] = [
  ["import { readFileSync } from 'node:fs'; export const read = readFileSync;", /Cannot find (?:module|name) 'node:fs'/],
  ["import * as path from 'path'; export const join = path.join;", /Cannot find (?:module|name) 'path'/],
];
/** Every package eslint.config.js calls a Node package, imported: refused by the tsconfig's paths. */
const nodePackageLines = (refusal: RegExp | null): Line[] =>
  nodePackages.map((name, i) => [`import * as package${i} from '${name}'; export const used${i} = package${i};`, refusal]);
const notAModule = /node-only-package\.d\.ts' is not a module/;
const dom: Line[] = [
  ['export const title = document.title;', /Cannot find name 'document'/],
  ['export const width = window.innerWidth;', /Cannot find name 'window'/],
];

interface Compiled {
  program: ts.Program;
}

/** The project's program as its tsconfig makes it (files resolved, nothing checked yet: the probes check only themselves). */
function compileProject(project: string): Compiled {
  const configPath = resolve(root, project, 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, dirname(configPath));
  expect(config.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, projectReferences: config.projectReferences ?? [] });
  return { program };
}

/** The project's program with the probe added: what the compiler says about each probe line. */
function probe(project: string, clean: Compiled, lines: readonly Line[]): { code: string; refusal: RegExp | null; said: string[] }[] {
  const fileName = resolve(root, project, '__crossing_probe__.ts');
  const source = lines.map(([code]) => code).join('\n') + '\n';
  const options = clean.program.getCompilerOptions();
  const host = ts.createCompilerHost(options);
  const { readFile, fileExists, getSourceFile } = host;
  host.readFile = (f) => (resolve(f) === fileName ? source : readFile.call(host, f));
  host.fileExists = (f) => resolve(f) === fileName || fileExists.call(host, f);
  host.getSourceFile = (f, language, ...rest) =>
    resolve(f) === fileName ? ts.createSourceFile(f, source, language, true) : getSourceFile.call(host, f, language, ...rest);
  const program = ts.createProgram({ rootNames: [...clean.program.getRootFileNames(), fileName], options, host, oldProgram: clean.program });
  const file = program.getSourceFile(fileName);
  if (!file) throw new Error(`${project}: the probe is not in the program`);
  const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
  return lines.map(([code, refusal], index) => ({
    code,
    refusal,
    said: diagnostics
      .filter((d) => d.start !== undefined && file.getLineAndCharacterOfPosition(d.start).line === index)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  }));
}

function expectEachLine(results: ReturnType<typeof probe>): void {
  expect(results.map(({ code, said }) => ({ code, said: said.join('\n') }))).toEqual(
    results.map(({ code, refusal }) => ({ code, said: refusal === null ? '' : expect.stringMatching(refusal) })),
  );
}

/** Files of the program that bring Node's types: @types/node itself, or a Node package's types. */
function nodeTyped(program: ts.Program): string[] {
  const modules = `${sep}node_modules${sep}`;
  return program
    .getSourceFiles()
    .map((f) => resolve(f.fileName))
    .filter((f) => {
      const at = f.lastIndexOf(modules);
      if (at < 0) return false;
      const [scope = '', name = ''] = f.slice(at + modules.length).split(sep);
      const pkg = scope === '@types' ? name : scope.startsWith('@') ? `${scope}/${name}` : scope;
      return pkg === 'node' || pkg === 'undici-types' || nodePackages.includes(pkg);
    })
    .map((f) => relative(root, f));
}

// Each project is loaded once; the probes reuse its program and check only themselves.
const slow = 300_000;

describe('renderer/ sees the DOM only', () => {
  let clean: Compiled;
  beforeAll(() => {
    clean = compileProject('renderer');
  }, slow);

  it('has no Node-typed file in its program', () => {
    expect(nodeTyped(clean.program)).toEqual([]);
  });

  it("refuses Node's globals, its built-in modules and every Node package, and sees the DOM", () => {
    expectEachLine(probe('renderer', clean, [...nodeGlobals, ...nodeBuiltins, ...nodePackageLines(notAModule), ...dom.map(([code]): Line => [code, null])]));
  }, slow);
});

describe('shared/ sees neither the DOM nor Node', () => {
  let clean: Compiled;
  beforeAll(() => {
    clean = compileProject('shared');
  }, slow);

  it('has no Node-typed file in its program', () => {
    expect(nodeTyped(clean.program)).toEqual([]);
  });

  it("refuses Node's globals, its built-in modules, every Node package and the DOM", () => {
    expectEachLine(probe('shared', clean, [...nodeGlobals, ...nodeBuiltins, ...nodePackageLines(notAModule), ...dom]));
  }, slow);
});

describe('main/ sees Node but not the DOM (the control)', () => {
  let clean: Compiled;
  beforeAll(() => {
    clean = compileProject('main');
  }, slow);

  it("has Node's types in its program", () => {
    expect(nodeTyped(clean.program)).toEqual(expect.arrayContaining([expect.stringMatching(/@types[\\/]node[\\/]index\.d\.ts$/)]));
  });

  it('accepts every line the others refuse, except the DOM', () => {
    expectEachLine(probe('main', clean, [...nodeGlobals, ...nodeBuiltins, ...nodePackageLines(null)].map(([code]): Line => [code, null]).concat(dom)));
  }, slow);
});
