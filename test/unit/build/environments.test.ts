// DESIGN.md: the environments are enforced by the compiler. A file in shared/ that touches
// Node or the DOM, or a renderer file that imports node:fs, must fail to typecheck under its
// own tsconfig. Compiled in memory with each project's real options.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

function diagnosticsFor(project: string, source: string): string[] {
  const configPath = resolve(project, 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(
    ts.parseConfigFileTextToJson(configPath, readFileSync(configPath, 'utf8')).config,
    ts.sys,
    dirname(configPath),
  );
  const fileName = resolve(project, '__crossing_probe__.ts');
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => (resolve(f) === fileName ? source : readFile(f));
  host.fileExists = (f) => resolve(f) === fileName || fileExists(f);
  const program = ts.createProgram({ rootNames: [fileName], options: config.options, host });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && resolve(d.file.fileName) === fileName)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('environment boundaries', () => {
  it('renderer/ may not import node:fs', () => {
    expect(diagnosticsFor('renderer', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n").join('\n')).toMatch(/node:fs/);
  });

  it('renderer/ may not use process', () => {
    expect(diagnosticsFor('renderer', 'export const pid = process.pid;\n').join('\n')).toMatch(/process/);
  });

  it('renderer/ sees the DOM', () => {
    expect(diagnosticsFor('renderer', 'export const title = document.title;\n')).toEqual([]);
  });

  it('shared/ sees neither the DOM nor Node', () => {
    expect(diagnosticsFor('shared', 'export const title = document.title;\n').join('\n')).toMatch(/document/);
    expect(diagnosticsFor('shared', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n").join('\n')).toMatch(/node:fs/);
  });

  it('main/ sees Node but not the DOM', () => {
    expect(diagnosticsFor('main', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n")).toEqual([]);
    expect(diagnosticsFor('main', 'export const title = document.title;\n').join('\n')).toMatch(/document/);
  });
});
