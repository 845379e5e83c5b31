// Only main/cli/bin.ts touches the process: every command reaches stdout, stderr, stdin and
// Ctrl-C through the io runCli is handed, and reads only the env it is handed. That is what
// lets the other suites here run commands in-process; a command that wrote to process.stdout
// would print into the test runner instead of failing.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI_DIR = fileURLToPath(new URL('../../../main/cli/', import.meta.url));
const ENTRY = 'bin.ts';
const PROCESS_USE = /\bprocess\.(stdout|stderr|stdin|exit|exitCode|on|once|off|addListener|kill|argv|env)\b/g;
/** findElectronBinary's default, for callers outside the command (the Electron e2e test); `start` passes its env. */
const ALLOWED: Record<string, string[]> = { 'electron-binary.ts': ['process.env'] };

const withoutComments = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

describe('main/cli and the process', () => {
  it('no file but the entry uses process.stdout, stderr, stdin, exit, signals or env', async () => {
    const files = (await readdir(CLI_DIR, { recursive: true })).filter((f) => f.endsWith('.ts') && f !== ENTRY);
    expect(files.length).toBeGreaterThan(5);
    const found: Record<string, string[]> = {};
    for (const file of files) {
      const uses = [...withoutComments(await readFile(join(CLI_DIR, file), 'utf8')).matchAll(PROCESS_USE)].map((m) => m[0]);
      const unexpected = uses.filter((u) => !(ALLOWED[file] ?? []).includes(u));
      if (unexpected.length > 0) found[file] = unexpected;
    }
    expect(found).toEqual({});
  });

  it('the entry does', async () => {
    const entry = await readFile(join(CLI_DIR, ENTRY), 'utf8');
    for (const use of ['process.stdout', 'process.stderr', 'process.stdin', 'process.env', 'process.exitCode', "process.once('SIGINT'", "process.once('SIGTERM'"]) {
      expect(entry).toContain(use);
    }
  });
});
