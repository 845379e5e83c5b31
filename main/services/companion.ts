import type { Language, SettingsView, Status, WatchEntry } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { Settings, SettingsPatch } from '../../shared/settings';
import { DiyalogClient, type DiyalogClientOptions } from '../diyalog/client';
import type { FetchLike } from '../http';
import { IcwsSession } from '../icws/session';
import { AuditLog } from '../store/audit';
import { SettingsStore } from '../store/settings';
import { AssistanceService, type IcwsConfig } from './assistance';
import type { EventSink, Handlers } from './dispatch';
import { HelpWatcher } from './help-watcher';
import { HistoryWalks } from './history-walks';
import { forceEndAudited } from './recovery';
import { icwsAccount, type SecretStore } from './secrets';

export interface CompanionOptions {
  dataDir: string;
  /** Electron: net.fetch (system proxy, OS certificates); Node: the global fetch. */
  fetch: FetchLike;
  secrets: SecretStore;
  /** Running against the built-in simulators. */
  demo: boolean;
  version: string;
  /** e.g. 'tr-TR'; picks the language while the user has not chosen one. */
  osLocale: string;
  /** Opens a vetted https URL in the system browser; absent where main cannot (the browser host). */
  openExternal?: (url: string) => Promise<void>;
  /** Applied at start (demo mode points the settings at the simulators). */
  initialSettings?: SettingsPatch;
}

export interface Companion {
  handlers: Handlers;
  /** Every event main pushes; returns the unsubscribe. */
  subscribe(sink: EventSink): () => void;
  setVisible(visible: boolean): void;
  settings(): Settings;
  stop(): Promise<void>;
}

/** The composition root: settings, keychain and clients become the contract's handlers. */
export async function createCompanion(options: CompanionOptions): Promise<Companion> {
  const sinks = new Set<EventSink>();
  const emit: EventSink = (event, payload) => {
    for (const sink of sinks) sink(event, payload);
  };

  const store = new SettingsStore(options.dataDir);
  const loaded = await store.load();
  const recoveredFrom = loaded.recovered?.corruptFile ?? null;
  if (options.initialSettings) await store.update(options.initialSettings);
  const audit = new AuditLog(options.dataDir);
  const assistance = new AssistanceService(options.fetch, emit);
  const walks = new HistoryWalks(emit);

  const language = (): Language => store.get().language ?? (options.osLocale.toLowerCase().startsWith('tr') ? 'tr' : 'en');

  // Secrets are read from the keychain once and then kept in memory (as the clients keep
  // them): a help watch polling every 5 s must not make a D-Bus round trip per customer.
  // A missing one is asked again next time: `companion login` may store it meanwhile.
  const secretCache = new Map<string, string>();
  async function secretOf(kind: 'diyalog' | 'icws', account: string | null): Promise<string | null> {
    if (!account) return null;
    const key = `${kind}:${account}`;
    const cached = secretCache.get(key);
    if (cached !== undefined) return cached;
    const secret = await options.secrets.getSecret(kind, account);
    if (secret !== null) secretCache.set(key, secret);
    return secret;
  }

  async function hasSecret(kind: 'diyalog' | 'icws'): Promise<boolean> {
    try {
      return (await secretOf(kind, accountOf(kind))) !== null;
    } catch {
      return false; // a locked keychain shows as "not stored"; using it gives the clear error
    }
  }

  function accountOf(kind: 'diyalog' | 'icws'): string | null {
    const s = store.get();
    if (kind === 'diyalog') return s.diyalog.keyId;
    return s.icws.userId && s.icws.baseUrl ? icwsAccount(s.icws.userId, s.icws.baseUrl) : null;
  }

  async function diyalogOptions(): Promise<DiyalogClientOptions> {
    const s = store.get();
    if (!s.diyalog.baseUrl || !s.diyalog.keyId || !s.staffId) {
      throw new AppError('missing_credentials', 'Diyalog is not configured: set the URL, access key id and your staff number in Settings.');
    }
    const secret = await secretOf('diyalog', s.diyalog.keyId);
    if (!secret) throw new AppError('missing_credentials', 'No Diyalog secret is stored for this access key id: enter it in Settings.');
    return {
      baseUrl: s.diyalog.baseUrl,
      credentials: { keyId: s.diyalog.keyId, secret },
      requesterUserId: s.staffId,
      fetch: options.fetch,
      algorithm: s.diyalog.signatureAlgorithm,
    };
  }

  // One client for the quick calls, rebuilt when what it was built from changes.
  let cached: { key: string; client: DiyalogClient } | null = null;
  async function diyalog(): Promise<DiyalogClient> {
    const o = await diyalogOptions();
    const key = JSON.stringify([o.baseUrl, o.credentials.keyId, o.credentials.secret, o.requesterUserId, o.algorithm]);
    if (cached?.key !== key) cached = { key, client: new DiyalogClient(o) };
    return cached.client;
  }

  async function icwsConfig(): Promise<IcwsConfig | null> {
    const s = store.get();
    if (!s.icws.baseUrl || !s.icws.userId) return null;
    const password = await secretOf('icws', accountOf('icws')).catch(() => null);
    if (!password) return null;
    return {
      baseUrl: s.icws.baseUrl,
      userId: s.icws.userId,
      password,
      applicationName: s.icws.applicationName,
      language: language() === 'tr' ? 'tr-TR' : 'en-US',
    };
  }

  const watcher = new HelpWatcher({
    check: async (customerId, signal) => (await diyalog()).isCustomerInOnlineHelp(customerId, { signal }),
    onChange: (entry) => emit('watch.changed', entry),
  });
  for (const id of store.get().watchList) watcher.add(id);

  async function status(): Promise<Status> {
    const s = store.get();
    return {
      demo: options.demo,
      version: options.version,
      language: language(),
      diyalog: { configured: Boolean(s.diyalog.baseUrl && s.diyalog.keyId && s.staffId), hasSecret: await hasSecret('diyalog') },
      icws: assistance.connection,
    };
  }

  async function settingsView(): Promise<SettingsView> {
    return {
      settings: store.get(),
      secrets: { diyalog: await hasSecret('diyalog'), icws: await hasSecret('icws') },
      recoveredFrom,
    };
  }

  // One reconfiguration at a time, each reading the settings when its turn comes: overlapping
  // ones (a burst of settings changes) would each log in and all but one session would leak,
  // and a slow keychain read could let an older configuration win.
  let icwsQueue: Promise<void> = Promise.resolve();
  let stopping = false;
  function icwsChanged(): Promise<void> {
    const run = icwsQueue.then(async () => {
      if (!stopping) await assistance.configure(await icwsConfig());
    });
    icwsQueue = run.catch(() => undefined);
    return run;
  }

  async function settingsChanged(before: Settings): Promise<void> {
    const after = store.get();
    if (JSON.stringify(before.icws) !== JSON.stringify(after.icws) || before.language !== after.language) await icwsChanged();
    const watched = new Set(after.watchList);
    for (const id of before.watchList) if (!watched.has(id)) watcher.remove(id);
    for (const id of after.watchList) watcher.add(id);
    emit('status.changed', await status());
  }

  // Updates run one at a time and a patch may be computed from the settings when its turn
  // comes: two quick watch.add calls must both land, not the second overwrite the first.
  let settingsQueue: Promise<void> = Promise.resolve();
  function updateSettings(patch: SettingsPatch | ((current: Settings) => SettingsPatch)): Promise<void> {
    const run = settingsQueue.then(async () => {
      const before = store.get();
      await store.update(typeof patch === 'function' ? patch(before) : patch);
      await settingsChanged(before);
    });
    settingsQueue = run.catch(() => undefined);
    return run;
  }

  function watchList(): WatchEntry[] {
    const order = store.get().watchList;
    const entries = new Map(watcher.list().map((e) => [e.customerId, e]));
    return order.flatMap((id) => entries.get(id) ?? []);
  }

  function requireAccount(kind: 'diyalog' | 'icws'): string {
    const account = accountOf(kind);
    if (!account) {
      throw new AppError(
        'invalid_input',
        kind === 'diyalog' ? 'Set the Diyalog access key id before its secret.' : 'Set the ICWS server and user before the password.',
      );
    }
    return account;
  }

  const handlers: Handlers = {
    'settings.get': () => settingsView(),
    'settings.update': async (patch) => {
      await updateSettings(patch);
      return settingsView();
    },
    'secret.set': async ({ kind, secret }) => {
      const account = requireAccount(kind);
      await options.secrets.setSecret(kind, account, secret);
      secretCache.set(`${kind}:${account}`, secret);
      if (kind === 'icws') await icwsChanged();
      emit('status.changed', await status());
      return { ok: true };
    },
    'secret.clear': async ({ kind }) => {
      const account = requireAccount(kind);
      await options.secrets.deleteSecret(kind, account);
      secretCache.delete(`${kind}:${account}`);
      if (kind === 'icws') await icwsChanged();
      emit('status.changed', await status());
      return { ok: true };
    },
    'connection.test': async ({ target }) => {
      const started = performance.now();
      if (target === 'diyalog') {
        // A one-millisecond history query: signed, authenticated, and changes nothing.
        const clientOptions = await diyalogOptions();
        const client = new DiyalogClient({ ...clientOptions, readRetries: 0 });
        const now = Date.now();
        await client.getOnlineHelpList({ startDate: now - 1, endDate: now });
        return {
          ok: true,
          latencyMs: Math.round(performance.now() - started),
          host: new URL(clientOptions.baseUrl).host,
          clockOffsetSeconds: Math.round(client.clockOffsetMs / 1000),
        };
      }
      const config = await icwsConfig();
      if (!config) throw new AppError('missing_credentials', 'ICWS is not configured: set the server, user and password in Settings.');
      const session = new IcwsSession({ ...config, credentials: { userId: config.userId, password: config.password }, fetch: options.fetch, reconnect: { baseMs: 500, capMs: 2_000, maxAttempts: 1 } });
      try {
        await session.connect();
        const up = session.state;
        const host = up.state === 'up' ? up.host : new URL(config.baseUrl).host;
        return { ok: true, latencyMs: Math.round(performance.now() - started), host, clockOffsetSeconds: null };
      } finally {
        await session.logout().catch(() => undefined);
      }
    },
    'status.get': () => status(),
    'language.set': async ({ language: lang }) => {
      await updateSettings({ language: lang });
      return status();
    },

    'watch.list': async () => watchList(),
    'watch.add': async ({ customerId }) => {
      await updateSettings((current) => ({
        watchList: current.watchList.includes(customerId) ? current.watchList : [...current.watchList, customerId],
      }));
      return watchList();
    },
    'watch.remove': async ({ customerId }) => {
      await updateSettings((current) => ({ watchList: current.watchList.filter((id) => id !== customerId) }));
      return watchList();
    },
    'watch.refresh': async ({ customerId }) => {
      if (!store.get().watchList.includes(customerId)) throw new AppError('not_found', `Customer ${customerId} is not on the watch list.`);
      return watcher.refresh(customerId);
    },

    'recovery.forceEnd': async ({ customerId, staffId, reason }) => {
      const client = await diyalog();
      const actor = store.get().staffId ?? 'unknown';
      const result = await forceEndAudited(client, audit, { actor, customerId, staffId, reason });
      if (store.get().watchList.includes(customerId)) void watcher.refresh(customerId).catch(() => undefined);
      return result;
    },

    'history.start': async ({ concurrency, ...query }) => ({ walkId: walks.start(await diyalogOptions(), query, concurrency) }),
    'history.cancel': async ({ walkId }) => {
      walks.cancel(walkId);
      return { ok: true };
    },
    'history.result': async ({ walkId }) => walks.result(walkId),

    'transcript.link': async (query) => (await diyalog()).getMessagingDetail(query),
    'transcript.open': async ({ url }) => {
      const target = vetTranscriptUrl(url, store.get().diyalog.transcriptHosts);
      if (!options.openExternal) return { opened: false, url: target };
      await options.openExternal(target);
      return { opened: true, url: target };
    },

    'assistance.list': async () => assistance.list(),
    'assistance.create': async ({ interactionId, text }) => ({ assistanceId: await assistance.create(interactionId, text) }),
    'assistance.addMessage': async ({ assistanceId, text }) => {
      await assistance.addMessage(assistanceId, text);
      return { ok: true };
    },
    'assistance.complete': async ({ assistanceId }) => {
      await assistance.complete(assistanceId);
      return { ok: true };
    },

    'audit.entries': () => audit.entries(),
    'ui.visibility': async ({ visible }) => {
      watcher.setVisible(visible);
      return { ok: true };
    },
  };

  await icwsChanged();

  return {
    handlers,
    subscribe(sink) {
      sinks.add(sink);
      return () => sinks.delete(sink);
    },
    setVisible: (visible) => watcher.setVisible(visible),
    settings: () => store.get(),
    async stop() {
      stopping = true;
      watcher.stop();
      walks.stop();
      await icwsQueue;
      await assistance.stop();
    },
  };
}

/** Only https links on a configured transcript host leave the app. */
export function vetTranscriptUrl(raw: string, allowedHosts: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('invalid_input', 'Not a link.');
  }
  if (url.protocol !== 'https:') throw new AppError('invalid_input', 'Only https transcript links are opened.');
  if (url.username || url.password) throw new AppError('invalid_input', 'A transcript link must not carry credentials.');
  if (!allowedHosts.includes(url.hostname)) {
    throw new AppError('invalid_input', `${url.hostname} is not a configured transcript host (Settings → Diyalog).`);
  }
  return url.href;
}
