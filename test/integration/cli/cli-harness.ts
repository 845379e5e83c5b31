// Runs `companion` two ways. In-process (runCompanion, startCompanion): runCli from the source
// over captured streams, with the env given and a stdin that is not a terminal; most tests, as
// each would otherwise be a cold Node start. As a process (runCompanionProcess, spawnCompanion,
// runOnTerminal): the built out/cli/companion.js, for what only a process shows: exit codes
// through the real entry, SIGINT and SIGTERM, stdin piped, a pseudo-terminal, a closed pipe.

import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough, Readable } from 'node:stream';
import { finished as streamFinished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { runCli } from '../../../main/cli/companion';
import type { ErrorValue } from '../../../shared/errors';
import { startDiyalogSim } from '../../../main/sim/diyalog/server';
import type { DiyalogSim, DiyalogSimOptions } from '../../../main/sim/diyalog/server';

export const COMPANION_JS = fileURLToPath(new URL('../../../out/cli/companion.js', import.meta.url));

/** A hung run fails its test rather than the whole run. */
const RUN_TIMEOUT_MS = 20_000;

export interface RunResult {
  code: number | null;
  /** The signal that ended a process; null in-process. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function assertBuilt(): void {
  if (!existsSync(COMPANION_JS)) throw new Error(`${COMPANION_JS} is missing: run "node build/build.mjs --node-only" first.`);
}

/**
 * The parent's environment without any COMPANION_* variable (a developer's own settings
 * must not leak in), plus `vars`. The rest stays: PATH, HOME and the D-Bus session the
 * keychain needs.
 */
export function cleanEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('COMPANION_') && v !== undefined) env[k] = v;
  return { ...env, ...vars };
}

/** A `companion` run in this process, still going: its output as streams, and Ctrl-C. */
export interface CompanionRun {
  stdout: Readable;
  stderr: Readable;
  /** What Ctrl-C or SIGTERM does to the process: aborts the run's interrupt signal. */
  interrupt(): void;
  finished: Promise<RunResult>;
}

/**
 * Keys for a run in this process that believes it is on a terminal (stdin, stdout and stderr
 * say isTTY): the prompts' own logic, fast. What only a real terminal shows (the pty's echo,
 * Ctrl-C as a terminal sends it) is runOnTerminal's.
 */
export class TerminalInput extends PassThrough {
  readonly isTTY = true;
  /** Whether the command last asked for raw mode (keys one by one, no echo). */
  raw = false;

  setRawMode(mode: boolean): this {
    this.raw = mode;
    return this;
  }

  /** Keys as a terminal sends them: '\r' Enter, '\x7f' Backspace, '\x03' Ctrl-C, '\x04' Ctrl-D. */
  type(keys: string): void {
    this.write(keys);
  }
}

/**
 * Starts runCli in this process, as the entry would start it. With text (or nothing) as
 * `input`, stdin gets it and ends, and no stream is a terminal; with a TerminalInput, every
 * stream is one. Only `env` is read. Interrupted after RUN_TIMEOUT_MS, so a hung command
 * fails its test.
 */
export function startCompanion(args: string[], env: NodeJS.ProcessEnv, input: string | TerminalInput = ''): CompanionRun {
  const onTerminal = input instanceof TerminalInput;
  const stdout = Object.assign(new PassThrough(), { isTTY: onTerminal });
  const stderr = Object.assign(new PassThrough(), { isTTY: onTerminal });
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const interrupt = new AbortController();
  const timer = setTimeout(() => {
    stderr.write(`[harness: no exit within ${RUN_TIMEOUT_MS} ms; interrupted]\n`);
    interrupt.abort();
  }, RUN_TIMEOUT_MS);
  const stdin = onTerminal ? input : Readable.from(input === '' ? [] : [Buffer.from(input)]);
  const run = async (): Promise<RunResult> => {
    try {
      const code = await runCli(args, env, { stdout, stderr, stdin, interrupt: interrupt.signal });
      stdout.end();
      stderr.end();
      await Promise.all([streamFinished(stdout), streamFinished(stderr)]);
      return { code, signal: null, stdout: out, stderr: err };
    } finally {
      clearTimeout(timer);
      stdin.destroy();
    }
  };
  return { stdout, stderr, interrupt: () => interrupt.abort(), finished: run() };
}

/** One `companion` run in this process (see startCompanion): its exit code, stdout and stderr. */
export function runCompanion(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<RunResult> {
  return startCompanion(args, env, input).finished;
}

/** Starts the built command as a process; stdin gets `input` (or nothing) and is closed, so it is never a terminal. */
export function spawnCompanion(args: string[], env: NodeJS.ProcessEnv, input = ''): ChildProcessWithoutNullStreams {
  assertBuilt();
  const child = spawn(process.execPath, [COMPANION_JS, ...args], { env, stdio: 'pipe' });
  child.stdin.end(input);
  return child;
}

/** Collects everything until the child exits (killed after RUN_TIMEOUT_MS). */
export function finished(child: ChildProcessWithoutNullStreams): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** One run of the built command as a process (see spawnCompanion). */
export function runCompanionProcess(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<RunResult> {
  return finished(spawnCompanion(args, env, input));
}

/** stdout holds exactly one JSON document (the --json promise). */
export function jsonOf<T>(result: RunResult): T {
  const lines = result.stdout.trim().split('\n');
  expect(lines, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toHaveLength(1);
  return JSON.parse(lines[0]!) as T;
}

/** Exit 0 and the one JSON document. */
export function okJson<T>(result: RunResult): T {
  expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
  return jsonOf<T>(result);
}

/** The documented failure: the exit code, and {"error":{"code","message"}} on stdout. */
export function expectError(result: RunResult, exitCode: number, code: ErrorValue['code']): ErrorValue {
  expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(exitCode);
  const { error } = jsonOf<{ error: ErrorValue }>(result);
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
  return error;
}

/** Reads a long-running run's stdout line by line (a child process, or startCompanion's run). */
export class LineReader {
  readonly #lines: string[] = [];
  readonly #waiters: (() => void)[] = [];
  #closed = false;
  stderr = '';

  constructor(run: { stdout: Readable; stderr: Readable }) {
    run.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    const rl = createInterface({ input: run.stdout });
    rl.on('line', (line) => {
      this.#lines.push(line);
      this.#wake();
    });
    rl.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** The next line, or a failure naming what stderr said when none comes in time. */
  async next(timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.#lines.shift();
      if (line !== undefined) return line;
      if (this.#closed) throw new Error(`stdout closed without another line; stderr: ${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line within ${timeoutMs} ms; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Lines already read and not yet taken. */
  drain(): string[] {
    return this.#lines.splice(0);
  }
}

/** Waits for the child to exit after `signal` (SIGKILL if it does not, so the test fails instead of hanging). */
export function stopWith(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig });
    });
    child.kill(signal);
  });
}

/** Polls `probe` until it returns a value (not undefined); fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `companion-cli-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}


/** A Diyalog simulator, a temp data folder and the env that points the command at both. */
export interface DiyalogFixture {
  sim: DiyalogSim;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** Agents' staff ids. */
  agents: string[];
  /** A customer with no live session, a different one on each call, so tests never share one. */
  idleCustomer(): string;
  close(): Promise<void>;
}

export async function startDiyalogFixture(options: DiyalogSimOptions): Promise<DiyalogFixture> {
  const [sim, dataDir] = await Promise.all([startDiyalogSim(options), tempDir('diyalog')]);
  const env = cleanEnv({
    COMPANION_DIYALOG_URL: sim.url,
    COMPANION_DIYALOG_KEY_ID: sim.credentials.keyId,
    COMPANION_DIYALOG_SECRET: sim.credentials.secret,
    COMPANION_STAFF_ID: sim.staffId,
    COMPANION_DATA_DIR: dataDir.path,
  });
  const live = new Set(sim.control.liveSessions().map((s) => s.customerId));
  const idle = sim.control.customers().map((c) => c.customerId).filter((id) => !live.has(id));
  return {
    sim,
    env,
    dataDir: dataDir.path,
    agents: sim.control.staff().filter((s) => s.role === 'agent').map((s) => s.staffId),
    idleCustomer: () => {
      const id = idle.shift();
      if (!id) throw new Error('the simulator ran out of idle customers');
      return id;
    },
    close: async () => {
      await sim.close();
      await dataDir.remove();
    },
  };
}

/** What a terminal showed (stdout and stderr together, with the terminal's \r\n) and the exit code. */
export interface TerminalResult {
  code: number | null;
  output: string;
}

/** A `companion` run whose stdin, stdout and stderr are a pseudo-terminal, as for an operator at a shell. */
export interface TerminalRun {
  /** Resolves once the terminal has shown `text`; fails when the run ends or stays silent first. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Keys as a terminal sends them: '\r' Enter, '\x7f' Backspace, '\x03' Ctrl-C, '\x04' Ctrl-D. */
  type(keys: string): void;
  /** Signals the command itself (not `script`), as `kill` from another shell would. */
  kill(signal: NodeJS.Signals): void;
  finished: Promise<TerminalResult>;
}

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Runs the command under util-linux `script` (Debian: bsdutils, an essential package), which
 * gives it a pty and relays our pipe to it. Keys typed before a prompt shows would be echoed by
 * the pty itself, so type only after waitFor(prompt).
 */
export function runOnTerminal(args: string[], env: NodeJS.ProcessEnv): TerminalRun {
  assertBuilt();
  // `exec`: the command is script's own child, whatever shell runs it.
  const command = `exec ${[process.execPath, COMPANION_JS, ...args].map(shellQuote).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: 'pipe' });
  let output = '';
  let scriptErrors = '';
  let ended = false;
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const l of listeners) l();
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    output += d;
    changed();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (scriptErrors += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const finished = new Promise<TerminalResult>((resolve, reject) => {
    child.once('error', (e) => {
      ended = true;
      changed();
      reject(new Error(`cannot run "script" (util-linux; Debian package bsdutils): ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      ended = true;
      changed();
      if (scriptErrors) return reject(new Error(`script: ${scriptErrors}`));
      resolve({ code, output });
    });
  });
  // A test that fails at waitFor never awaits this: no unhandled rejection on top of its failure.
  finished.catch(() => undefined);
  return {
    finished,
    type: (keys) => child.stdin.write(keys),
    kill: (signal) => {
      const pid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]);
      if (!pid) throw new Error('the command under script is not running');
      process.kill(pid, signal);
    },
    waitFor: (text, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => settle(new Error(`the terminal did not show ${JSON.stringify(text)}; it showed: ${JSON.stringify(output)}`)), timeoutMs);
        const settle = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (output.includes(text)) settle();
          else if (ended) settle(new Error(`the run ended without showing ${JSON.stringify(text)}; it showed: ${JSON.stringify(output)}`));
        };
        listeners.add(check);
        check();
      }),
  };
}

/**
 * The one JSON document among a terminal's lines (prompts are on other lines). Keys typed just
 * before a signal can reach the terminal after the command has left its no-echo prompt: the
 * terminal then echoes them at the start of the document's line, so the document is read
 * from its first brace.
 */
export function terminalJson<T>(result: TerminalResult): T {
  // eslint-disable-next-line no-control-regex -- the terminal's own control sequences
  const plain = result.output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replaceAll('\r', '');
  const docs = plain
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.includes('{"'))
    .map((l) => l.slice(l.indexOf('{"')));
  expect(docs, `terminal: ${JSON.stringify(result.output)}`).toHaveLength(1);
  return JSON.parse(docs[0]!) as T;
}
