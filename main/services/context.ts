// What every feature stands on, in three parts with one owner each: the effective settings
// (`configuration.ts`), the secrets (`secrets.ts`) and the clients built from both
// (`clients.ts`), plus the audit log. The app (Electron or browser host) and the `companion`
// command both open this over the same data dir, so a server configured once is used
// everywhere; a feature module takes it and owns its own calls.

import type { Language } from '../../shared/contract';
import type { FetchLike } from '../http';
import { AuditLog, type AuditKeyStore } from '../store/audit';
import { AuditForwarder } from './audit-forward';
import { withClientCert, type CollectorCertStore } from './audit-forward-transport';
import type { Policy } from '../store/policy';
import { SettingsStore, type SettingsLoadResult } from '../store/settings';
import { ClientProvider, type ClientPurpose } from './clients';
import { collectOverrides, Configuration } from './configuration';
import { Secrets, type SecretStore } from './secrets';

export type { Draft } from './clients';
export type { SecretKind } from './secrets';

export interface ServiceContextOptions {
  dataDir: string;
  /** Electron: net.fetch (system proxy, OS certificates). Node: absent (see ClientProviderOptions.fetch). */
  fetch?: FetchLike | undefined;
  /** The OS keychain in real use; memory in demo mode. */
  secrets: SecretStore;
  /** What this process' long-lived clients are for: the window (`app`) or one command (`cli`). */
  purpose: ClientPurpose;
  /** COMPANION_* variables: settings overrides and the two secret variables. Default: none. */
  env?: NodeJS.ProcessEnv;
  /** Command-line flags of this invocation (overrides, stronger than the variables). */
  flags?: Record<string, unknown>;
  /** e.g. 'tr-TR'; picks the language while the user has not chosen one. */
  osLocale: string;
  /** A recovery an earlier load of the same file already made (it moved the corrupt file aside). */
  recovered?: SettingsLoadResult['recovered'];
  /** The administrator's policy, loaded by the entry point (`loadPolicy`): it sets and locks settings. Default: none. */
  policy?: Policy | null | undefined;
}

export interface ServiceContext {
  readonly dataDir: string;
  /** The effective settings: the file with this invocation's overrides laid over it. */
  readonly config: Configuration;
  readonly secrets: Secrets;
  readonly clients: ClientProvider;
  readonly audit: AuditLog;
  /** Sends the audit trail to the bank's collector (`audit.forward.url`); the app starts it, a command flushes it. */
  readonly forwarder: AuditForwarder;
  /** Set when the settings file was unreadable and was moved aside. */
  readonly recovered: SettingsLoadResult['recovered'] | undefined;
  /** The user's language: chosen in Settings, else the OS locale's. */
  language(): Language;
}

/** Loads the settings file of `dataDir`, lays this invocation's overrides over it, and opens the rest. */
export async function openServiceContext(options: ServiceContextOptions): Promise<ServiceContext> {
  const env = options.env ?? {};
  // Overrides are checked before anything is read: a bad variable is the user's to fix.
  const overrides = collectOverrides(env, options.flags);
  const store = new SettingsStore(options.dataDir);
  const loaded = await store.load();
  const config = new Configuration(store, overrides, options.policy ?? null);
  const language = (): Language => config.get().language ?? (options.osLocale.toLowerCase().startsWith('tr') ? 'tr' : 'en');
  const secrets = new Secrets(options.secrets, env, () => config.get());
  const clients = new ClientProvider({ config, secrets, fetch: options.fetch, language, purpose: options.purpose });
  // The keychain keys the audit head; demo mode's memory store does not (its trail is a demo's).
  const audit = new AuditLog(options.dataDir, Date.now, auditKeyStoreOf(options.secrets));
  await audit.secureDataDir();
  return {
    dataDir: options.dataDir,
    config,
    secrets,
    clients,
    audit,
    forwarder: new AuditForwarder({ audit, collector: async () => withClientCert(await clients.auditCollector(), collectorCertStoreOf(options.secrets)) }),
    recovered: options.recovered ?? loaded.recovered,
    language,
  };
}

function auditKeyStoreOf(store: SecretStore): AuditKeyStore | undefined {
  const candidate = store as Partial<AuditKeyStore>;
  return typeof candidate.getAuditKey === 'function' && typeof candidate.setAuditKey === 'function' ? (store as SecretStore & AuditKeyStore) : undefined;
}

function collectorCertStoreOf(store: SecretStore): CollectorCertStore | undefined {
  const candidate = store as Partial<CollectorCertStore>;
  return typeof candidate.getCollectorClientCert === 'function' ? (store as SecretStore & CollectorCertStore) : undefined;
}
