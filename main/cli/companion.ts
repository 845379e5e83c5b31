import { parseArgs } from 'node:util';
import { AppError } from '../../shared/errors';
import { escapeForTerminal } from '../../shared/text';
import { toLocalizedErrorValue } from '../../shared/validation';
import type { CliIo, CliWritable, Command, CommandOutput } from './command';
import { GLOBAL_OPTION_SPECS, globalOptions, serviceOpener } from './config';
import { assistanceCommands } from './assistance-commands';
import { diyalogCommands } from './diyalog-commands';
import { recoveryCommands } from './recovery-commands';
import { auditCommands, flushBeforeExit } from './audit-commands';
import { EXIT, exitCodeFor } from './exit-codes';
import { cliLanguage, settingsLanguage, translatorFor, type Translate } from './language';
import { translateError } from '../../shared/i18n';
import { simCommands } from './sim-command';
import { SETTING_KEYS } from '../services/configuration';
import type { ServiceContext } from '../services/context';
import { settingsCommands } from './settings-commands';
import { superviseCommands } from './supervise-commands';
import { startCommands } from './start-command';

// `companion`: the same services the app uses, for scripts and for operators on a terminal.
// With --json every command prints exactly one JSON document on stdout; progress goes to stderr.
// runCli is the whole command over the io it is handed; main/cli/bin.ts hands it the process's
// (the only file that touches process.stdout, signals or the exit code), a test its own.

const COMMANDS: Command[] = [...diyalogCommands, ...recoveryCommands, ...auditCommands, ...assistanceCommands, ...superviseCommands, ...settingsCommands, ...simCommands, ...startCommands];

function overrideHelp(): string {
  return Object.entries(SETTING_KEYS)
    .flatMap(([key, spec]) => ('flag' in spec ? [`--${spec.flag} or ${spec.env} (${key})`] : []))
    .join(', ');
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: companion <command> [options] [--json]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Settings come from settings.json in the data dir (--data-dir, COMPANION_DATA_DIR); "companion settings" shows them.',
    `Overrides for one run (never saved): ${overrideHelp()}.`,
    'Secrets: COMPANION_DIYALOG_SECRET / COMPANION_ICWS_PASSWORD, else the keychain.',
    'Exit codes: 0 done, 1 refused or failed, 2 bad usage or input, 3 credentials or authentication, 4 unreachable or server error.',
  ].join('\n');
}

/** Longest command name that prefixes the positionals: 'login diyalog' before 'login'. */
function findCommand(positionals: string[]): { command: Command; rest: string[] } | undefined {
  const matches = COMMANDS.filter((c) => {
    const words = c.name.split(' ');
    return words.every((w, i) => positionals[i] === w);
  }).sort((a, b) => b.name.length - a.name.length);
  const command = matches[0];
  return command ? { command, rest: positionals.slice(command.name.split(' ').length) } : undefined;
}

function print(stdout: CliWritable, output: CommandOutput, json: boolean): void {
  if (output.textIsDocument || !json) stdout.write(output.text + '\n');
  else stdout.write(JSON.stringify(output.json) + '\n');
}

/**
 * Runs one `companion` invocation: `argv` without the node and script paths, `env` the only
 * environment it reads (never process.env). Resolves with the exit code; never rejects.
 */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const { stdout, stderr } = io;
  const wantsJson = argv.includes('--json');
  let lang = cliLanguage(env);
  const t: Translate = (key, params) => translatorFor(lang)(key, params);
  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new AppError('cancelled', 'Interrupted.'));
  if (io.interrupt.aborted) onInterrupt();
  else io.interrupt.addEventListener('abort', onInterrupt, { once: true });
  let opened: Promise<ServiceContext> | undefined;
  try {
    const loose = parseArgs({ args: argv, options: GLOBAL_OPTION_SPECS, allowPositionals: true, strict: false });
    const found = findCommand(loose.positionals);
    if (!found) {
      if (loose.positionals.length === 0 || loose.values.help) {
        stdout.write(usage() + '\n');
        return loose.positionals.length === 0 && !loose.values.help ? EXIT.usage : EXIT.ok;
      }
      throw new AppError('invalid_input', `Unknown command "${loose.positionals.join(' ')}". Run "companion --help".`);
    }
    const { command } = found;
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTION_SPECS, ...command.flags }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new AppError('invalid_input', `${(e as Error).message}\nUsage: ${command.usage}`);
    }
    if (parsed.values.help) {
      stdout.write(`Usage: ${command.usage}\n${command.summary}\n`);
      return EXIT.ok;
    }
    const options = globalOptions(parsed.values, env);
    lang = cliLanguage(env, await settingsLanguage(options.dataDir));
    const openServices = serviceOpener(options, parsed.values, env);
    const output = await command.run({
      args: parsed.positionals.slice(command.name.split(' ').length),
      flags: parsed.values as Record<string, string | boolean | undefined>,
      options,
      env,
      services: () =>
        (opened ??= openServices().then((services) => {
          // Whatever command logs in to ICWS: a password about to expire is worth a line on stderr (never in the JSON document).
          services.clients.onPasswordExpiry((days) => stderr.write(`companion: ${t('conn.passwordExpires', { days })}\n`));
          return services;
        })),
      io,
      progress: (line) => {
        if (stderr.isTTY) stderr.write(`\r\x1b[K${line}`);
      },
      signal: controller.signal,
      t,
      lang,
    });
    if (stderr.isTTY) stderr.write('\r\x1b[K');
    if (output) print(stdout, output, options.json);
    return output?.exitCode ?? EXIT.ok;
  } catch (e) {
    // A refusal from any layer is worded again in the operator's language.
    const error = toLocalizedErrorValue(controller.signal.aborted ? (controller.signal.reason ?? e) : e, lang);
    if (wantsJson) stdout.write(JSON.stringify({ error }) + '\n');
    else {
      // A message may carry a server's text: no escape sequence of it reaches the terminal
      // (our own messages' line breaks stay).
      const message = error.message.split('\n').map(escapeForTerminal).join('\n');
      stderr.write(`companion: ${t('cli.error', { text: translateError(lang, error.code), message, code: error.code })}\n`);
    }
    return exitCodeFor(error.code);
  } finally {
    // A write the command did not wait for (the signing a Diyalog server accepted, saved as it
    // is learned) lands before runCli resolves, as a process finishes it before exiting.
    await opened?.then((services) => services.config.settled()).catch(() => undefined);
    // Audit entries this command wrote go to the collector before it exits (a few seconds at most; otherwise they wait).
    await opened?.then((services) => flushBeforeExit(services)).catch(() => undefined);
    io.interrupt.removeEventListener('abort', onInterrupt);
  }
}
