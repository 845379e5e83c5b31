import { parseArgs } from 'node:util';
import { AppError } from '../../shared/errors';
import { escapeForTerminal } from '../../shared/text';
import { toLocalizedErrorValue } from '../../shared/validation';
import type { Command, CommandOutput } from './command';
import { GLOBAL_OPTION_SPECS, globalOptions, serviceOpener } from './config';
import { assistanceCommands } from './assistance-commands';
import { diyalogCommands } from './diyalog-commands';
import { recoveryCommands } from './recovery-commands';
import { EXIT, exitCodeFor } from './exit-codes';
import { cliLanguage, settingsLanguage, translatorFor, type Translate } from './language';
import { translateError } from '../../shared/i18n';
import { simCommands } from './sim-command';
import { SETTING_KEYS } from '../services/configuration';
import { settingsCommands } from './settings-commands';
import { startCommands } from './start-command';

// `companion`: the same services the app uses, for scripts and for operators on a terminal.
// With --json every command prints exactly one JSON document on stdout; progress goes to stderr.

const COMMANDS: Command[] = [...diyalogCommands, ...recoveryCommands, ...assistanceCommands, ...settingsCommands, ...simCommands, ...startCommands];

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

function print(output: CommandOutput, json: boolean): void {
  if (output.textIsDocument || !json) process.stdout.write(output.text + '\n');
  else process.stdout.write(JSON.stringify(output.json) + '\n');
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const wantsJson = argv.includes('--json');
  let lang = cliLanguage(env);
  const t: Translate = (key, params) => translatorFor(lang)(key, params);
  const controller = new AbortController();
  const onSignal = () => controller.abort(new AppError('cancelled', 'Interrupted.'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const loose = parseArgs({ args: argv, options: GLOBAL_OPTION_SPECS, allowPositionals: true, strict: false });
    const found = findCommand(loose.positionals);
    if (!found) {
      if (loose.positionals.length === 0 || loose.values.help) {
        process.stdout.write(usage() + '\n');
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
      process.stdout.write(`Usage: ${command.usage}\n${command.summary}\n`);
      return EXIT.ok;
    }
    const options = globalOptions(parsed.values, env);
    lang = cliLanguage(env, await settingsLanguage(options.dataDir));
    const output = await command.run({
      args: parsed.positionals.slice(command.name.split(' ').length),
      flags: parsed.values as Record<string, string | boolean | undefined>,
      options,
      env,
      services: serviceOpener(options, parsed.values, env),
      progress: (line) => {
        if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
      },
      signal: controller.signal,
      t,
      lang,
    });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (output) print(output, options.json);
    return output?.exitCode ?? EXIT.ok;
  } catch (e) {
    // A refusal from any layer is worded again in the operator's language.
    const error = toLocalizedErrorValue(controller.signal.aborted ? (controller.signal.reason ?? e) : e, lang);
    if (wantsJson) process.stdout.write(JSON.stringify({ error }) + '\n');
    else {
      // A message may carry a server's text: no escape sequence of it reaches the terminal
      // (our own messages' line breaks stay).
      const message = error.message.split('\n').map(escapeForTerminal).join('\n');
      process.stderr.write(`companion: ${t('cli.error', { text: translateError(lang, error.code), message, code: error.code })}\n`);
    }
    return exitCodeFor(error.code);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// A reader that stops early (`| head`) is not an error of ours.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2), process.env);
