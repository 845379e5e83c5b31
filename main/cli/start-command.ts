import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startBrowserHost } from '../host/server';
import { launchCompanion } from '../services/launch';
import { Keychain } from '../store/keychain';
import { untilAborted, type Command } from './command';
import { findElectronBinary } from './electron-binary';
import { languageOf, portFlag } from './parse';

// Built layout: out/cli/companion.js beside out/app/main.js and out/renderer/.
const APP_MAIN = fileURLToPath(new URL('../app/main.js', import.meta.url));
const RENDERER_DIR = fileURLToPath(new URL('../renderer/', import.meta.url));
const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));

function appVersion(): string {
  try {
    return (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const start: Command = {
  name: 'start',
  usage: 'companion start [--browser] [--port P]',
  summary: 'Run the app: the Electron window, or the browser host where Electron is not installed. Demo mode when no servers are configured.',
  flags: { browser: { type: 'boolean' }, port: { type: 'string' } },
  async run({ flags, options, env, lang, io, signal }) {
    // Checked before anything starts: `--port abc` is a usage error (exit 2), not a NaN that fails later.
    const port = portFlag(flags.port, '--port', 0, { lang: languageOf({ env, lang }), usage: start.usage });
    const dataDir = options.dataDir;
    const electron = flags.browser === true ? { missing: '--browser was given' } : findElectronBinary(env);
    if ('path' in electron) {
      // The app reads the same variables itself (launchCompanion); --data-dir travels as one.
      const child = spawn(electron.path, [APP_MAIN], { stdio: 'inherit', env: { ...env, COMPANION_DATA_DIR: dataDir } });
      signal.addEventListener('abort', () => child.kill('SIGTERM'), { once: true });
      await new Promise<void>((resolve) => child.on('exit', () => resolve()));
      return;
    }
    io.stderr.write(`Electron is not available (${electron.missing}); starting the browser host instead.\n`);

    const launched = await launchCompanion({
      dataDir,
      env,
      keychain: () => new Keychain(),
      version: appVersion(),
      osLocale: Intl.DateTimeFormat().resolvedOptions().locale,
    });
    let host;
    try {
      host = await startBrowserHost({ handlers: launched.companion.handlers, language: () => launched.companion.language(), rendererDir: RENDERER_DIR, port });
    } catch (e) {
      // No window to serve (a port taken, no built renderer): stop what started, the simulators too, so the command ends.
      await launched.stop();
      throw e;
    }
    launched.companion.subscribe(host.emit);
    const { demo } = launched;
    if (demo) io.stderr.write(`Demo mode: Diyalog simulator ${demo.diyalog.url}, ICWS simulator ${demo.icws.url}.\n`);
    io.stderr.write('Open this address in a browser (Ctrl-C stops):\n');
    io.stdout.write(`${host.url}\n`);
    await untilAborted(signal);
    await host.close();
    await launched.stop();
  },
};

export const startCommands: Command[] = [start];
