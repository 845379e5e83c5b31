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
