// The one composition root of the app, for the Electron shell and the browser host alike:
// the settings of the data dir with this run's COMPANION_* overrides, demo mode when no
// server is configured anywhere, and the services over them.

import { CALL_NAMES } from '../../shared/contract-names';
import { AppError } from '../../shared/errors';
import type { FetchLike } from '../http';
import { loadPolicy, policyFilePath } from '../store/policy';
import { SettingsStore } from '../store/settings';
import { createCompanion, type Companion } from './companion';
import type { LeaveDemoRequest } from './settings-feature';
import { collectOverrides, Configuration, overridePatch } from './configuration';
import { shouldStartDemo, startDemo, type Demo, type DemoOptions } from './demo';
import type { EventSink, Handlers } from './dispatch';
import { Secrets, type SecretStore } from './secrets';

export interface LaunchOptions {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** Electron: net.fetch. Node: absent (clients then trust Node's CAs, the OS store and tls.caFile). */
  fetch?: FetchLike | undefined;
  /** The OS keychain; demo mode uses memory instead and never touches it. */
  keychain: () => SecretStore;
  version: string;
  osLocale: string;
  openExternal?: (url: string) => Promise<void>;
}

export interface Launched {
  /** Stays the same object across a switch from demo to the user's servers: the shell wires it once. */
  companion: Companion;
  /** Set in demo mode: the simulators' addresses (null once the app switched to real servers). */
  readonly demo: Pick<Demo, 'diyalog' | 'icws'> | null;
  stop(): Promise<void>;
}

/** One start over the data dir: demo mode or the configured servers. */
interface Run {
  companion: Companion;
  demo: Demo | null;
}

export async function launchCompanion(options: LaunchOptions): Promise<Launched> {
  // A bad variable is refused before anything starts, naming the variable.
  overridePatch(collectOverrides(options.env));
  // The administrator's policy, before anything starts: one that cannot be used stops the app (fail closed).
  const policy = await loadPolicy(policyFilePath(options.env));
  const sinks = new Set<EventSink>();
  const forward: EventSink = (event, payload) => {
    for (const sink of sinks) sink(event, payload);
  };
  let visible = true;

  async function open(): Promise<Run> {
    const loaded = await new SettingsStore(options.dataDir).load();
    const { recovered } = loaded;
    // Demo only for a data dir that never had servers: a reset one starts unconfigured and says so.
    // A policy that names a server is a deployment, never a demo.
    const policyServers = Boolean(policy?.settings.diyalog?.baseUrl || policy?.settings.icws?.baseUrl);
    const demo = !policyServers && shouldStartDemo(loaded, options.env) ? await startDemo(options.dataDir, demoOptions(options.env)) : null;
    const companion = await createCompanion({
      dataDir: demo?.dataDir ?? options.dataDir,
      fetch: options.fetch,
      secrets: demo?.secrets ?? options.keychain(),
      demo: demo !== null,
      version: options.version,
      osLocale: options.osLocale,
      // Demo mode runs on the simulators whatever the variables say (none names a server).
      ...(demo ? { initialSettings: demo.settings, leaveDemo: useServers } : { env: options.env }),
      ...(!demo && recovered && { recovered }),
      ...(options.openExternal && { openExternal: options.openExternal }),
      policy,
    });
    companion.subscribe(forward);
    companion.setVisible(visible);
    return { companion, demo };
  }

  /**
   * Leaves demo mode for the user's servers: their settings go to the real settings file and
   * their secrets to the OS keychain (never to the demo's), then the services start again on
   * them in this process, so the window and the browser host carry on over the same wiring.
   * From then on the data dir has servers and never starts in demo again.
   */
  async function useServers(request: LeaveDemoRequest): Promise<void> {
    const store = new SettingsStore(options.dataDir);
    const { settings: current } = await store.load();
    // Checked before anything is written: without a server the next start would be demo again.
    const server = (service: 'diyalog' | 'icws') => (request.settings[service]?.baseUrl !== undefined ? request.settings[service]?.baseUrl : current[service].baseUrl);
    if (!server('diyalog') && !server('icws')) {
      throw new AppError('invalid_input', 'Give at least one server (Diyalog or ICWS): without one the app would start in demo again.');
    }
    // Through the policy like any change: a locked setting is refused here too.
    const config = new Configuration(store, [], policy);
    await config.update(request.settings);
    const saved = config.file();
    const secrets = new Secrets(options.keychain(), {}, () => saved);
    for (const kind of ['diyalog', 'icws'] as const) {
      const secret = request.secrets[kind];
      if (secret !== undefined && secrets.accountOf(kind) !== null) await secrets.store(kind, secret);
    }
    if (stopped) return;
    const before = run;
    switching = (async () => {
      await before.companion.stop();
      await before.demo?.stop();
      run = await open();
    })();
    // Answered once the services run on the new servers: the window then loads afresh.
    await switching;
  }

  let run = await open();
  let switching: Promise<void> = Promise.resolve();
  let stopped = false;
  /** Calls wait while a switch is under way, then go to the services that run now. */
  const current = async (): Promise<Companion> => {
    await switching;
    return run.companion;
  };
  const handlers = Object.fromEntries(
    CALL_NAMES.map((name) => [name, async (input: never) => ((await current()).handlers[name] as (input: never) => Promise<unknown>)(input)]),
  ) as unknown as Handlers;
  const companion: Companion = {
    handlers,
    subscribe(sink) {
      sinks.add(sink);
      return () => sinks.delete(sink);
    },
    setVisible(seen) {
      visible = seen;
      run.companion.setVisible(seen);
    },
    settings: () => run.companion.settings(),
    language: () => run.companion.language(),
    stop: async () => {
      stopped = true;
      await switching.catch(() => undefined);
      await run.companion.stop();
      await run.demo?.stop();
    },
  };
  return {
    companion,
    get demo() {
      return run.demo;
    },
    stop: () => companion.stop(),
  };
}

/** COMPANION_DEMO_SIGNING=pseudocode starts the demo server checking the other canonical form. */
export function demoOptions(env: NodeJS.ProcessEnv): DemoOptions {
  const form = env.COMPANION_DEMO_SIGNING;
  if (form === undefined || form === '') return {};
  if (form !== 'example' && form !== 'pseudocode') {
    throw new AppError('invalid_input', `COMPANION_DEMO_SIGNING must be example or pseudocode, not "${form}".`);
  }
  return { signingForm: form };
}
