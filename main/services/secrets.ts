import type { SecretKind } from '../../shared/contract';

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
