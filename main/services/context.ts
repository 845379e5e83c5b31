// What every feature stands on: the effective settings, the secrets, the audit log and
// the clients built from them. The app (Electron or browser host) and the `companion`
// command both open this, over the same data dir, so a server configured once is used
// everywhere; a feature module takes it and owns its own calls.

import type { Language } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { DiyalogClient, type DiyalogClientOptions } from '../diyalog/client';
import type { FetchLike } from '../http';
import { AuditLog } from '../store/audit';
import { mergeSettings, settingsPatchSchema, settingsSchema, type Settings, type SettingsPatch } from '../../shared/settings';
import { parseInput } from '../../shared/validation';
import { SettingsStore, type SettingsLoadResult } from '../store/settings';
import type { IcwsConfig } from './assistance';
import { DiyalogHealthTracker } from './diyalog-health';
import { collectOverrides, Configuration, SETTING_KEYS, type SettingKey } from './configuration';
import { diyalogAccount, icwsAccount, withEnvironmentSecrets, type SecretStore } from './secrets';

export interface ServiceContextOptions {
  dataDir: string;
  /** Electron: net.fetch (system proxy, OS certificates); Node: the global fetch. */
  fetch: FetchLike;
  /** The OS keychain in real use; memory in demo mode. */
  secrets: SecretStore;
  /** COMPANION_* variables: settings overrides and the two secret variables. Default: none. */
  env?: NodeJS.ProcessEnv;
  /** Command-line flags of this invocation (overrides, stronger than the variables). */
  flags?: Record<string, unknown>;
  /** e.g. 'tr-TR'; picks the language while the user has not chosen one. */
  osLocale: string;
  /** A recovery an earlier load of the same file already made (it moved the corrupt file aside). */
  recovered?: SettingsLoadResult['recovered'];
}

export type SecretKind = 'diyalog' | 'icws';

export interface ServiceContext {
  readonly dataDir: string;
  readonly config: Configuration;
  readonly fetch: FetchLike;
  readonly audit: AuditLog;
  /** Set when the settings file was unreadable and was moved aside. */
  readonly recovered: SettingsLoadResult['recovered'] | undefined;
  language(): Language;
  /** The keychain account a secret of this kind is stored under, from the effective settings. */
  accountOf(kind: SecretKind): string | null;
  /** The secret (from a variable, the memory cache or the keychain); null when none is stored. */
  secretOf(kind: SecretKind): Promise<string | null>;
  hasSecret(kind: SecretKind): Promise<boolean>;
  storeSecret(kind: SecretKind, secret: string): Promise<void>;
  clearSecret(kind: SecretKind): Promise<void>;
  /** With a draft: what the Settings form holds now, over the saved settings (a connection test). */
  diyalogOptions(draft?: Draft): Promise<DiyalogClientOptions>;
  /** One client for the quick calls, rebuilt when what it was built from changes; its answers feed `diyalogHealth`. */
  diyalog(): Promise<DiyalogClient>;
  /** null while ICWS is not configured or has no password. */
  icwsConfig(draft?: Draft): Promise<IcwsConfig | null>;
  /** How the Diyalog server has been answering this process' calls. */
  readonly diyalogHealth: DiyalogHealthTracker;
}

/** Settings and a secret typed in the Settings form but not saved: used for one test, never stored. */
export interface Draft {
  settings?: SettingsPatch | undefined;
  secret?: string | undefined;
}

/** Loads the settings file of `dataDir`, lays this invocation's overrides over it, and opens the rest. */
export async function openServiceContext(options: ServiceContextOptions): Promise<ServiceContext> {
  const env = options.env ?? {};
  // Overrides are checked before anything is read: a bad variable is the user's to fix.
  const overrides = collectOverrides(env, options.flags);
  const store = new SettingsStore(options.dataDir);
  const loaded = await store.load();
  const config = new Configuration(store, overrides);
  const secrets = withEnvironmentSecrets(options.secrets, env);
  const audit = new AuditLog(options.dataDir);

  const language = (): Language => config.get().language ?? (options.osLocale.toLowerCase().startsWith('tr') ? 'tr' : 'en');

  function accountFor(kind: SecretKind, s: Settings): string | null {
    // Keyed by key id and server: a secret typed for one server is never sent to another.
    if (kind === 'diyalog') return s.diyalog.keyId && s.diyalog.baseUrl ? diyalogAccount(s.diyalog.keyId, s.diyalog.baseUrl) : null;
    return s.icws.userId && s.icws.baseUrl ? icwsAccount(s.icws.userId, s.icws.baseUrl) : null;
  }
  const accountOf = (kind: SecretKind) => accountFor(kind, config.get());

  /** The effective settings with a draft laid over them, checked as a saved patch would be. */
  function settingsWith(draft: Draft | undefined): Settings {
    const current = config.get();
    if (!draft?.settings) return current;
    return parseInput(settingsSchema, mergeSettings(current, parseInput(settingsPatchSchema, draft.settings, 'settings')), 'settings');
  }

  // Secrets are read from the keychain once and then kept in memory (as the clients keep
  // them): a help watch polling every 5 s must not make a D-Bus round trip per customer.
  // A missing one is asked again next time: `companion login` may store it meanwhile.
  const cache = new Map<string, string>();
  async function secretOf(kind: SecretKind, s: Settings = config.get()): Promise<string | null> {
    const account = accountFor(kind, s);
    if (!account) return null;
    const key = `${kind}:${account}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const secret = await secrets.getSecret(kind, account);
    if (secret !== null) cache.set(key, secret);
    return secret;
  }

  function requireAccount(kind: SecretKind): string {
    const account = accountOf(kind);
    if (account) return account;
    throw new AppError(
      'invalid_input',
      kind === 'diyalog' ? 'Set the Diyalog server and access key id before its secret.' : 'Set the ICWS server and user before the password.',
    );
  }

  async function diyalogOptions(draft?: Draft): Promise<DiyalogClientOptions> {
    const s = settingsWith(draft);
    if (!s.diyalog.baseUrl || !s.diyalog.keyId || !s.staffId) {
      const required: [SettingKey, string | null][] = [['diyalog.baseUrl', s.diyalog.baseUrl], ['diyalog.keyId', s.diyalog.keyId], ['staffId', s.staffId]];
      const missing = required.filter(([, value]) => !value).map(([key]) => key);
      throw new AppError('missing_credentials', `Diyalog is not configured: ${howToSet(missing)}`);
    }
    const secret = draft?.secret ?? (await secretOf('diyalog', s));
    if (!secret) {
      throw new AppError(
        'missing_credentials',
        `No Diyalog secret is stored for access key id ${s.diyalog.keyId}: enter it in Settings, run "companion login diyalog", or set COMPANION_DIYALOG_SECRET.`,
      );
    }
    return {
      baseUrl: s.diyalog.baseUrl,
      credentials: { keyId: s.diyalog.keyId, secret },
      requesterUserId: s.staffId,
      fetch: options.fetch,
      algorithm: s.diyalog.signatureAlgorithm,
      learnedSigning: s.diyalog.learnedSigning,
      // What a server accepted is a learned fact, not an override: written to the file
      // whichever process learned it, so the app and every command start from it.
      onSigningLearned: (learned) => config.update({ diyalog: { learnedSigning: learned } }),
      allowInsecureHttp: s.allowInsecureHttp,
      historyAgentField: s.diyalog.historyAgentField,
    };
  }

  let client: { key: string; client: DiyalogClient } | null = null;
  const diyalogHealth = new DiyalogHealthTracker();
  // Another server or key: what was learned of the old one says nothing of the new.
  config.onChange((before, after) => {
    const server = (x: Settings) => JSON.stringify([x.diyalog.baseUrl, x.diyalog.keyId, x.staffId]);
    if (server(before) !== server(after)) diyalogHealth.reset();
  });

  return {
    dataDir: options.dataDir,
    config,
    fetch: options.fetch,
    audit,
    recovered: options.recovered ?? loaded.recovered,
    language,
    accountOf,
    secretOf: (kind) => secretOf(kind),
    async hasSecret(kind) {
      try {
        return (await secretOf(kind)) !== null;
      } catch {
        return false; // a locked keychain shows as "not stored"; using it gives the clear error
      }
    },
    async storeSecret(kind, secret) {
      const account = requireAccount(kind);
      await secrets.setSecret(kind, account, secret);
      cache.set(`${kind}:${account}`, secret);
    },
    async clearSecret(kind) {
      const account = requireAccount(kind);
      await secrets.deleteSecret(kind, account);
      cache.delete(`${kind}:${account}`);
    },
    diyalogOptions,
    diyalogHealth,
    async diyalog() {
      let o: DiyalogClientOptions;
      try {
        o = await diyalogOptions();
      } catch (e) {
        diyalogHealth.failed(e);
        throw e;
      }
      // Not the learned signing: learning it must not throw away the client and its clock offset.
      const key = JSON.stringify([o.baseUrl, o.credentials.keyId, o.credentials.secret, o.requesterUserId, o.algorithm, o.allowInsecureHttp, o.historyAgentField]);
      if (client?.key !== key) client = { key, client: diyalogHealth.observe(new DiyalogClient(o)) };
      return client.client;
    },
    async icwsConfig(draft) {
      const s = settingsWith(draft);
      if (!s.icws.baseUrl || !s.icws.userId) return null;
      const password = draft?.secret ?? (await secretOf('icws', s).catch(() => null));
      if (!password) return null;
      return {
        baseUrl: s.icws.baseUrl,
        userId: s.icws.userId,
        password,
        applicationName: s.icws.applicationName,
        language: language() === 'tr' ? 'tr-TR' : 'en-US',
        allowInsecureHttp: s.allowInsecureHttp,
      };
    },
  };
}

/** Names what is missing and every way to set it, for the window and the terminal alike. */
function howToSet(keys: readonly SettingKey[]): string {
  const ways = keys.map((key) => {
    const spec: { env?: string; flag?: string; kind: string } = SETTING_KEYS[key];
    const once = spec.flag && spec.env ? ` (for one run: --${spec.flag} or ${spec.env})` : '';
    return `${key}${once}`;
  });
  return `set ${ways.join(', ')} in Settings or with "companion settings set <key> <value>".`;
}
