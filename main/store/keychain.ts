// The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux)
// through keytar: the only place a Diyalog access-key secret or an ICWS password rests.
// There is deliberately no plain-text fallback: without a keychain the user is told so.

import { secretKindSchema, type SecretKind } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { codePointLength, findUnsafeChar } from '../../shared/text';
import { parseInput, secretSchema } from '../../shared/validation';

export type { SecretKind } from '../../shared/contract';

export const DEFAULT_KEYCHAIN_SERVICE = 'agent-companion';
const ACCOUNT_MAX_LENGTH = 256;
/** An audit head key's account: the `audit:` prefix keeps it apart from every `diyalog:`/`icws:` account. */
/** The audit collector's client certificate and its key: kept apart from every `diyalog:`/`icws:` account. */
const COLLECTOR_CERT_ACCOUNT = 'audit:collector-cert';
const COLLECTOR_KEY_ACCOUNT = 'audit:collector-key';

function auditKeyAccount(trail: string): string {
  if (!/^[0-9a-f]{16,64}$/.test(trail)) throw new AppError('invalid_input', 'The audit trail name must be a hex digest.');
  return `audit:head-key:${trail}`;
}
/** Long enough for the user to answer an unlock prompt; a keychain that never answers is unavailable. */
const CALL_TIMEOUT_MS = 60_000;

const WHAT_TO_DO: Partial<Record<NodeJS.Platform, string>> = {
  darwin: 'Unlock the login keychain (Keychain Access) and allow the companion to use it, then try again.',
  win32: 'Windows Credential Manager must be available to your user account; sign in again or ask IT, then try again.',
};
const UNAVAILABLE_HINT =
  (WHAT_TO_DO[process.platform] ??
    'The companion needs a Secret Service (GNOME Keyring or KWallet) on the D-Bus session, unlocked: ' +
      'log in to a desktop session or unlock the keyring, then try again.') +
  ' Secrets are never stored in plain text; for scripts, the CLI also reads them from environment variables.';

/** The part of keytar this module uses. */
interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

let keytarModule: Promise<KeytarApi> | undefined;

/** keytar is a native module: loaded on first use so a broken build fails here, clearly, not at start. */
function loadKeytar(): Promise<KeytarApi> {
  keytarModule ??= import('keytar').then(
    (mod) => (mod as { default?: KeytarApi }).default ?? mod,
    (e: unknown) => {
      keytarModule = undefined;
      throw new AppError(
        'keychain_unavailable',
        `The keychain module could not be loaded (${reasonOf(e)}). Reinstall the companion; secrets are never stored in plain text.`,
        {},
        { cause: e },
      );
    },
  );
  return keytarModule;
}

function reasonOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/\s+/g, ' ').trim().slice(0, 200) || 'no reason given';
}

function validAccount(kind: SecretKind, account: string): string {
  if (!secretKindSchema.safeParse(kind).success) throw new AppError('invalid_input', 'Unknown kind of secret.');
  if (typeof account !== 'string' || account.trim() === '') throw new AppError('invalid_input', 'The keychain account must not be empty.');
  // The shared character rule for one line (shared/text.ts), and its unit for the length.
  if (codePointLength(account) > ACCOUNT_MAX_LENGTH || findUnsafeChar(account, 'line') !== null) {
    throw new AppError('invalid_input', `The keychain account must be one line of at most ${ACCOUNT_MAX_LENGTH} printable characters.`);
  }
  return `${kind}:${account}`;
}

export class Keychain {
  constructor(private readonly service: string = DEFAULT_KEYCHAIN_SERVICE) {}

  /** account: the Diyalog access-key id, or the ICWS "user@host". */
  async getSecret(kind: SecretKind, account: string): Promise<string | null> {
    const key = validAccount(kind, account);
    return this.call((k) => k.getPassword(this.service, key));
  }

  async setSecret(kind: SecretKind, account: string, secret: string): Promise<void> {
    const key = validAccount(kind, account);
    // The contract's rule for a secret (never echoed: the message names the rule, not the value).
    parseInput(secretSchema, secret, 'secret');
    await this.call((k) => k.setPassword(this.service, key, secret), secret);
  }

  /** True when a secret was there to delete. */
  async deleteSecret(kind: SecretKind, account: string): Promise<boolean> {
    const key = validAccount(kind, account);
    return this.call((k) => k.deletePassword(this.service, key));
  }

  /**
   * The key an audit head's HMAC is made with (main/store/audit/head-key.ts), base64, for the
   * trail `trail` names; null until its first keyed append makes one. Not a SecretKind: the
   * window can neither read nor set it.
   */
  async getAuditKey(trail: string): Promise<string | null> {
    return this.call((k) => k.getPassword(this.service, auditKeyAccount(trail)));
  }

  async setAuditKey(trail: string, key: string): Promise<void> {
    await this.call((k) => k.setPassword(this.service, auditKeyAccount(trail), key), key);
  }

  /**
   * The certificate and private key (PEM) this desktop presents to the audit collector, when
   * the collector asks for one; null when none is stored. Two items: a credential store may
   * hold only a few KB per item (Windows: 2,560 bytes).
   */
  async getCollectorClientCert(): Promise<{ cert: string; key: string } | null> {
    const cert = await this.call((k) => k.getPassword(this.service, COLLECTOR_CERT_ACCOUNT));
    const key = await this.call((k) => k.getPassword(this.service, COLLECTOR_KEY_ACCOUNT));
    return cert !== null && key !== null ? { cert, key } : null;
  }

  async setCollectorClientCert(cert: string, key: string): Promise<void> {
    await this.call((k) => k.setPassword(this.service, COLLECTOR_CERT_ACCOUNT, cert));
    await this.call((k) => k.setPassword(this.service, COLLECTOR_KEY_ACCOUNT, key), key);
  }

  /** True when there was one to remove. */
  async clearCollectorClientCert(): Promise<boolean> {
    const cert = await this.call((k) => k.deletePassword(this.service, COLLECTOR_CERT_ACCOUNT));
    const key = await this.call((k) => k.deletePassword(this.service, COLLECTOR_KEY_ACCOUNT));
    return cert || key;
  }

  /** Any keytar failure means the keychain is unavailable; the secret never reaches the message. */
  private async call<T>(op: (k: KeytarApi) => Promise<T>, secret?: string): Promise<T> {
    const keytar = await loadKeytar();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CALL_TIMEOUT_MS / 1000} s`)), CALL_TIMEOUT_MS);
    });
    try {
      return await Promise.race([op(keytar), timeout]);
    } catch (e) {
      let reason = reasonOf(e);
      if (secret) reason = reason.split(secret).join('***');
      throw new AppError('keychain_unavailable', `The system keychain is not available (${reason}). ${UNAVAILABLE_HINT}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
