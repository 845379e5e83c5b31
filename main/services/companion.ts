// The app's services: one feature module each (watch, recovery, history, assistance,
// settings and status, transcript) over one service context. This file only assembles
// them; a call's behaviour lives in its feature's module.

import type { Language } from '../../shared/contract';
import type { Settings, SettingsPatch } from '../../shared/settings';
import type { FetchLike } from '../http';
import type { SettingsLoadResult } from '../store/settings';
import { createAssistanceFeature } from './assistance-feature';
import { openServiceContext } from './context';
import type { EventSink, Handlers } from './dispatch';
import { createHistoryFeature } from './history-feature';
import { createRecoveryFeature } from './recovery-feature';
import type { SecretStore } from './secrets';
import type { Policy } from '../store/policy';
import { createSettingsFeature, type LeaveDemoRequest } from './settings-feature';
import { createSupervisorFeature } from './supervisor-feature';
import { createTranscriptFeature } from './transcript-feature';
import { createWatchFeature } from './watch-feature';

export { vetTranscriptUrl } from './transcript-feature';

export interface CompanionOptions {
  dataDir: string;
  /** Electron: net.fetch (system proxy, OS certificates). Node: absent (see ClientProviderOptions.fetch). */
  fetch?: FetchLike | undefined;
  secrets: SecretStore;
  /** Running against the built-in simulators. */
  demo: boolean;
  version: string;
  /** e.g. 'tr-TR'; picks the language while the user has not chosen one. */
  osLocale: string;
  /** COMPANION_* variables: settings overrides for this run and the two secret variables. */
  env?: NodeJS.ProcessEnv;
  /** Opens a vetted https URL in the system browser; absent where main cannot (the browser host). */
  openExternal?: (url: string) => Promise<void>;
  /** Applied at start (demo mode points the settings at the simulators). */
  initialSettings?: SettingsPatch;
  /** The least time between two connection tests of one server (default 5 s; tests use less). */
  connectionTestIntervalMs?: number;
  /** A recovery an earlier load of the settings file made (the launcher loads it first). */
  recovered?: SettingsLoadResult['recovered'];
  /** Demo mode: stores the user's servers and starts again on them (the launcher knows how). */
  leaveDemo?: (request: LeaveDemoRequest) => Promise<void>;
  /** The administrator's policy (the launcher loads it first, failing closed). */
  policy?: Policy | null;
}


export interface Companion {
  handlers: Handlers;
  /** Every event main pushes; returns the unsubscribe. */
  subscribe(sink: EventSink): () => void;
  setVisible(visible: boolean): void;
  /** The effective settings. */
  settings(): Settings;
  /** The user's language: chosen in Settings, else the OS locale's. */
  language(): Language;
  stop(): Promise<void>;
}

export async function createCompanion(options: CompanionOptions): Promise<Companion> {
  const sinks = new Set<EventSink>();
  const emit: EventSink = (event, payload) => {
    for (const sink of sinks) sink(event, payload);
  };

  const ctx = await openServiceContext({
    dataDir: options.dataDir,
    fetch: options.fetch,
    secrets: options.secrets,
    purpose: 'app',
    osLocale: options.osLocale,
    ...(options.env !== undefined && { env: options.env }),
    ...(options.recovered !== undefined && { recovered: options.recovered }),
    policy: options.policy ?? null,
  });
  if (options.initialSettings) await ctx.config.store.update(options.initialSettings);

  const deps = { ctx, emit };
  const watch = createWatchFeature(deps);
  const assistance = createAssistanceFeature(deps);
  const recovery = createRecoveryFeature({
    ...deps,
    refreshWatched: (customerId) => {
      if (ctx.config.get().watchList.includes(customerId)) void watch.watcher.refresh(customerId).catch(() => undefined);
    },
  });
  const history = createHistoryFeature(deps);
  const transcript = createTranscriptFeature({ ...deps, openExternal: options.openExternal });
  const supervisor = createSupervisorFeature(deps);
  // Last: its status event on a settings change reports what the others made of it.
  const settings = createSettingsFeature({
    ...deps,
    demo: options.demo,
    version: options.version,
    icwsConnection: () => assistance.connection(),
    assistanceStale: { get: () => assistance.stale(), onChange: (listener) => assistance.onStaleChange(listener) },
    // The supervisor desk has a session of its own under the same password.
    icwsSecretChanged: async () => {
      await assistance.reconfigure();
      await supervisor.reconfigure();
    },
    connectionTestIntervalMs: options.connectionTestIntervalMs,
    leaveDemo: options.leaveDemo,
  });

  const features = [watch, assistance, recovery, history, transcript, supervisor, settings];
  const handlers: Handlers = {
    ...watch.handlers,
    ...assistance.handlers,
    ...recovery.handlers,
    ...history.handlers,
    ...transcript.handlers,
    ...supervisor.handlers,
    ...settings.handlers,
  };

  await assistance.reconfigure();

  return {
    handlers,
    subscribe(sink) {
      sinks.add(sink);
      return () => sinks.delete(sink);
    },
    setVisible: (visible) => watch.watcher.setVisible(visible),
    settings: () => ctx.config.get(),
    language: () => ctx.language(),
    async stop() {
      await Promise.all(features.map((f) => f.stop?.()));
    },
  };
}
