// The key the audit head is keyed with, kept in the OS keychain (main/store/keychain.ts): one
// per data folder (named by a digest of its real path), made by the first keyed append. Its
// presence says the trail was keyed: a head without a valid HMAC is then a head rebuilt
// without the keychain, not one from before keying. Without the keychain an append still writes
// (a force-end is never held up by a locked keychain) but its head carries no HMAC, and the
// next keyed append marks the entries before it as not vouched for.

import { createHash, randomBytes } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { errnoOf } from './files';

/** Where the key rests: the keychain in real use. */
export interface AuditKeyStore {
  /** The key (base64), or null when none was made yet; throws when the keychain cannot be asked. */
  getAuditKey(trail: string): Promise<string | null>;
  setAuditKey(trail: string, key: string): Promise<void>;
}

export type HeadKeyRead = { kind: 'key'; key: Buffer } | { kind: 'none' } | { kind: 'unavailable'; reason: string };

const KEY_BYTES = 32;
/** After the keychain failed to answer, appends go on unkeyed without asking it again for this long. */
const UNAVAILABLE_RETRY_MS = 60_000;

export class HeadKeys {
  #key: Buffer | undefined;
  #unavailableUntil = 0;

  constructor(
    private readonly store: AuditKeyStore | undefined,
    private readonly dataDir: string,
  ) {}

  async #trail(): Promise<string> {
    const path = await realpath(this.dataDir).catch(() => this.dataDir);
    return createHash('sha256').update(path).digest('hex').slice(0, 32);
  }

  /** The key as it is now (made by nobody yet: `none`). */
  async read(): Promise<HeadKeyRead> {
    if (this.#key) return { kind: 'key', key: this.#key };
    if (!this.store) return { kind: 'unavailable', reason: 'no keychain' };
    // A keychain that just failed (locked, no D-Bus) is not asked at every append: each ask may wait on it.
    if (Date.now() < this.#unavailableUntil) return { kind: 'unavailable', reason: 'the keychain did not answer just now' };
    try {
      const stored = await this.store.getAuditKey(await this.#trail());
      if (stored === null) return { kind: 'none' };
      this.#key = Buffer.from(stored, 'base64');
      return { kind: 'key', key: this.#key };
    } catch (e) {
      this.#unavailableUntil = Date.now() + UNAVAILABLE_RETRY_MS;
      return { kind: 'unavailable', reason: errnoOf(e) };
    }
  }

  /**
   * The key to write a head with, made and stored the first time; null without a keychain.
   * Called under the audit lock, so two processes never each make one.
   */
  async forWriting(): Promise<{ key: Buffer | null; created: boolean }> {
    const current = await this.read();
    if (current.kind === 'key') return { key: current.key, created: false };
    if (current.kind === 'unavailable' || !this.store) return { key: null, created: false };
    const key = randomBytes(KEY_BYTES);
    try {
      await this.store.setAuditKey(await this.#trail(), key.toString('base64'));
    } catch {
      return { key: null, created: false };
    }
    this.#key = key;
    return { key, created: true };
  }
}
