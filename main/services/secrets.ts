import type { SecretKind } from '../../shared/contract';
import { AppError, guidance } from '../../shared/errors';
import type { Settings } from '../../shared/settings';

/** Where secrets come from: the OS keychain (main/store/keychain.ts) in real use. */
export interface SecretStore {
  getSecret(kind: SecretKind, account: string): Promise<string | null>;
  setSecret(kind: SecretKind, account: string, secret: string): Promise<void>;
  deleteSecret(kind: SecretKind, account: string): Promise<boolean>;
}

/**
 * Demo mode's store: the simulators' throwaway credentials, held in memory so a demo
 * never writes into the user's real keychain.
 */
export class MemorySecretStore implements SecretStore {
  readonly #secrets = new Map<string, string>();

  async getSecret(kind: SecretKind, account: string): Promise<string | null> {
    return this.#secrets.get(`${kind}:${account}`) ?? null;
  }

  async setSecret(kind: SecretKind, account: string, secret: string): Promise<void> {
    this.#secrets.set(`${kind}:${account}`, secret);
  }

  async deleteSecret(kind: SecretKind, account: string): Promise<boolean> {
    return this.#secrets.delete(`${kind}:${account}`);
  }
}

/** The keychain account of an ICWS password: one per user and server. */
export function icwsAccount(userId: string, baseUrl: string): string {
  return `${userId}@${new URL(baseUrl).host}`;
}

/**
 * The keychain account of a Diyalog secret: one per access key id and server origin, so a
 * secret stored for one server is never sent to another that happens to reuse the key id.
 */
export function diyalogAccount(keyId: string, baseUrl: string): string {
  return `${keyId}@${new URL(baseUrl).origin}`;
}

/** The variables that hand a secret to one invocation (scripts, CI), never written anywhere. */
export const SECRET_VARIABLES: Record<SecretKind, string> = {
  diyalog: 'COMPANION_DIYALOG_SECRET',
  icws: 'COMPANION_ICWS_PASSWORD',
};

/**
 * A secret in its variable wins over the store for reading; storing and clearing still go
 * to the store, so a variable set for one run never ends up in the keychain.
 */
export function withEnvironmentSecrets(store: SecretStore, env: NodeJS.ProcessEnv): SecretStore {
  return {
    async getSecret(kind, account) {
      const fromEnv = env[SECRET_VARIABLES[kind]];
      return fromEnv !== undefined && fromEnv !== '' ? fromEnv : store.getSecret(kind, account);
    },
    setSecret: (kind, account, secret) => store.setSecret(kind, account, secret),
    deleteSecret: (kind, account) => store.deleteSecret(kind, account),
  };
}

/** A kind of secret: the Diyalog access key secret or the ICWS password. */
export type { SecretKind };

/**
 * The secrets of the configured accounts: where each is stored (an account per server), read
 * once from the variables or the store and then kept in memory (as the clients keep them: a
 * help watch polling every 5 s must not make a D-Bus round trip per customer). A missing one
 * is asked again next time: `companion login` may store it meanwhile. The cache is keyed by
 * kind and account, never by anything derived from the secret.
 */
export class Secrets {
  readonly #store: SecretStore;
  readonly #settings: () => Settings;
  readonly #cache = new Map<string, string>();
  #version = 0;

  constructor(store: SecretStore, env: NodeJS.ProcessEnv, settings: () => Settings) {
    this.#store = withEnvironmentSecrets(store, env);
    this.#settings = settings;
  }

  /** Changes whenever a secret is stored or cleared through this object: clients built before are stale. */
  get version(): number {
    return this.#version;
  }

  /** The keychain account a secret of this kind is stored under, from `settings` (default: the effective ones). */
  accountOf(kind: SecretKind, settings: Settings = this.#settings()): string | null {
    // Keyed by key id and server: a secret typed for one server is never sent to another.
    if (kind === 'diyalog') return settings.diyalog.keyId && settings.diyalog.baseUrl ? diyalogAccount(settings.diyalog.keyId, settings.diyalog.baseUrl) : null;
    return settings.icws.userId && settings.icws.baseUrl ? icwsAccount(settings.icws.userId, settings.icws.baseUrl) : null;
  }

  /** The secret for `settings`' account; null when none is configured or stored. */
  async get(kind: SecretKind, settings: Settings = this.#settings()): Promise<string | null> {
    const account = this.accountOf(kind, settings);
    if (!account) return null;
    const key = `${kind}:${account}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const secret = await this.#store.getSecret(kind, account);
    if (secret !== null) this.#cache.set(key, secret);
    return secret;
  }

  async has(kind: SecretKind): Promise<boolean> {
    try {
      return (await this.get(kind)) !== null;
    } catch {
      return false; // a locked keychain shows as "not stored"; using it gives the clear error
    }
  }

  async store(kind: SecretKind, secret: string): Promise<void> {
    const account = this.#requireAccount(kind);
    await this.#store.setSecret(kind, account, secret);
    this.#cache.set(`${kind}:${account}`, secret);
    this.#version++;
  }

  async clear(kind: SecretKind): Promise<void> {
    const account = this.#requireAccount(kind);
    await this.#store.deleteSecret(kind, account);
    this.#cache.delete(`${kind}:${account}`);
    this.#version++;
  }

  #requireAccount(kind: SecretKind): string {
    const account = this.accountOf(kind);
    if (account) return account;
    throw new AppError(
      'invalid_input',
      kind === 'diyalog' ? 'Set the Diyalog server and access key id before its secret.' : 'Set the ICWS server and user before the password.',
      { guidance: guidance(kind === 'diyalog' ? 'guidance.diyalogAccountFirst' : 'guidance.icwsAccountFirst') },
    );
  }
}
