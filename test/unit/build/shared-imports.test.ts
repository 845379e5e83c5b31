// shared/ has no import loop: its modules form a tree of layers (language.ts and errors.ts at
// the bottom, the contract at the top), so any one of them can be read, tested and loaded
// alone. Every import counts, `import type`, `export … from` and `import()` included: a loop of
// types is still a loop for whoever reads the code.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Module name (relative to the root, no extension) → the relative modules it imports. */
type Graph = Map<string, string[]>;

function moduleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return moduleFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The module a relative specifier lands on, as `npm run typecheck` resolves it (bundler). */
function resolveModule(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier).replace(/\.[cm]?[jt]s$/, '');
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
}

function graphOf(files: readonly string[], read: (file: string) => string): Graph {
  const name = (file: string) => relative(root, file).replace(/\.ts$/, '');
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(read(file), true, true);
      const targets = importedFiles
        .map((i) => i.fileName)
        .filter((specifier) => specifier.startsWith('.'))
        .map((specifier) => resolveModule(file, specifier))
        .filter((target): target is string => target !== undefined)
        .map(name);
      return [name(file), [...new Set(targets)].sort()];
    }),
  );
}

/** Each loop once, as the path around it (first module repeated at the end). */
function loopsIn(graph: Graph): string[][] {
  const loops: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (module: string): void => {
    if (done.has(module)) return;
    const at = stack.indexOf(module);
    if (at >= 0) {
      loops.push([...stack.slice(at), module]);
      return;
    }
    stack.push(module);
    for (const next of graph.get(module) ?? []) visit(next);
    stack.pop();
    done.add(module);
  };
  for (const module of [...graph.keys()].sort()) visit(module);
  return loops;
}

describe('shared/ imports', () => {
  it('form no loop', () => {
    const graph = graphOf(moduleFiles(join(root, 'shared')), (file) => readFileSync(file, 'utf8'));
    expect(graph.size).toBeGreaterThan(10);
    expect(loopsIn(graph).map((loop) => loop.join(' → '))).toEqual([]);
  });

  it('the language and the error codes sit at the bottom: they import nothing of shared/', () => {
    const graph = graphOf(moduleFiles(join(root, 'shared')), (file) => readFileSync(file, 'utf8'));
    expect(graph.get('shared/language')).toEqual([]);
    expect(graph.get('shared/errors')).toEqual([]);
  });

  it('a loop is found, through a type-only import too (the check can fail)', () => {
    const sources: Record<string, string> = {
      [join(root, 'shared/contract.ts')]: "import { settingsSchema } from './settings';\n",
      [join(root, 'shared/settings.ts')]: "import { idSchema } from './validation';\n",
      [join(root, 'shared/validation.ts')]: "import type { Language } from './contract';\nimport { translate } from './i18n';\n",
      [join(root, 'shared/i18n/index.ts')]: "import type { Language } from '../contract';\n",
      [join(root, 'shared/errors.ts')]: '',
    };
    const loops = loopsIn(graphOf(Object.keys(sources), (file) => sources[file] ?? ''));
    expect(loops.map((loop) => loop.join(' → '))).toEqual([
      'shared/contract → shared/settings → shared/validation → shared/contract',
      'shared/contract → shared/settings → shared/validation → shared/i18n/index → shared/contract',
    ]);
  });
});
