import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startBrowserHost } from '../host/server';
import { createCompanion } from '../services/companion';
import { needsDemo, startDemo } from '../services/demo';
import { Keychain } from '../store/keychain';
import { SettingsStore } from '../store/settings';
import { untilAborted, type Command } from './command';
import { dataDirOf } from './config';
import { findElectronBinary } from './electron-binary';

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
  async run({ flags, options, env, signal }) {
    const dataDir = dataDirOf(options);
    const electron = flags.browser === true ? { missing: '--browser was given' } : findElectronBinary(env);
    if ('path' in electron) {
      const child = spawn(electron.path, [APP_MAIN], { stdio: 'inherit', env: { ...env, COMPANION_DATA_DIR: dataDir } });
      signal.addEventListener('abort', () => child.kill('SIGTERM'), { once: true });
      await new Promise<void>((resolve) => child.on('exit', () => resolve()));
      return;
    }
    process.stderr.write(`Electron is not available (${electron.missing}); starting the browser host instead.\n`);

    const { settings } = await new SettingsStore(dataDir).load();
    const demo = needsDemo(settings, env) ? await startDemo(dataDir) : null;
    const companion = await createCompanion({
      dataDir: demo?.dataDir ?? dataDir,
      fetch: globalThis.fetch,
      secrets: demo?.secrets ?? new Keychain(),
      demo: demo !== null,
      version: appVersion(),
      osLocale: Intl.DateTimeFormat().resolvedOptions().locale,
      ...(demo && { initialSettings: demo.settings }),
    });
    const port = typeof flags.port === 'string' ? Number(flags.port) : 0;
    const host = await startBrowserHost({ handlers: companion.handlers, rendererDir: RENDERER_DIR, port });
    companion.subscribe(host.emit);
    if (demo) process.stderr.write(`Demo mode: Diyalog simulator ${demo.diyalog.url}, ICWS simulator ${demo.icws.url}.\n`);
    process.stderr.write('Open this address in a browser (Ctrl-C stops):\n');
    process.stdout.write(`${host.url}\n`);
    await untilAborted(signal);
    await host.close();
    await companion.stop();
    await demo?.stop();
  },
};

export const startCommands: Command[] = [start];
