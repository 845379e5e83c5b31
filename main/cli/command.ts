import type { ServiceContext } from '../services/context';
import type { GlobalOptions } from './config';
import type { Language } from '../../shared/contract';
import type { Translate } from './language';

/** What a command hands back: one JSON document for --json, and the same for people. */
export interface CommandOutput {
  json: unknown;
  text: string;
  /** The text is itself the document (CSV): printed as it is even with --json. */
  textIsDocument?: boolean;
  /** When the document reports something not done (a force-end that did not end): 1, say. Default 0. */
  exitCode?: number;
}

/** A stream the command writes to: the process's stdout or stderr, or a test's capture. */
export type CliWritable = NodeJS.WritableStream & { readonly isTTY?: boolean };

/** What the command reads from: the process's stdin (a terminal or a pipe), or a test's text. */
export type CliReadable = NodeJS.ReadableStream & { readonly isTTY?: boolean; setRawMode?(mode: boolean): unknown };

/** The process's streams as a command sees them: no command touches `process.stdout` and the like. */
export interface CliStreams {
  stdout: CliWritable;
  /** Progress, prompts, warnings and (without --json) errors. */
  stderr: CliWritable;
  stdin: CliReadable;
}

/**
 * Everything of the process a run of `companion` uses, handed in by the entry (main/cli/bin.ts)
 * or by a test that runs the command in-process: the streams, and a signal that aborts on
 * Ctrl-C or SIGTERM.
 */
export interface CliIo extends CliStreams {
  interrupt: AbortSignal;
}

export interface CommandContext {
  /** Positionals after the command name (and sub-command, where there is one). */
  args: string[];
  /** Parsed flags of this command. */
  flags: Record<string, string | boolean | undefined>;
  options: GlobalOptions;
  env: NodeJS.ProcessEnv;
  /**
   * The services over the settings file and this invocation's overrides (the same the app
   * uses), opened on first call. Call it after checking the command's own input.
   */
  services: () => Promise<ServiceContext>;
  /** Where the command reads and writes: never `process.stdin`, `process.stdout` or `process.stderr`. */
  io: CliStreams;
  /** Lines for a person while work goes on (stderr; never the JSON document). */
  progress: (line: string) => void;
  /** Aborts on Ctrl-C or SIGTERM (io's interrupt, worded as `cancelled`): long-running commands run until it does. */
  signal: AbortSignal;
  /** People's text in the operator's language (JSON documents stay as they are). */
  t: Translate;
  /** That language, for input errors worded by shared/validation (main/cli/parse.ts `languageOf`). */
  lang?: Language;
}

export interface Command {
  /** e.g. 'help-state' or 'assistance list' */
  name: string;
  usage: string;
  summary: string;
  flags: Record<string, { type: 'string' | 'boolean'; short?: string }>;
  /** Long-running commands (sim, watch) print on their own and resolve when done. */
  run(ctx: CommandContext): Promise<CommandOutput | void>;
}

/** Resolves when the signal aborts (Ctrl-C, SIGTERM): how long-running commands wait. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}
