// Forwarding the audit trail to the bank's syslog collector (`audit.forward.url`). The log is
// the outbox (main/store/audit/outbox.ts): whatever follows the last confirmed entry waits,
// in order, across restarts. The app forwards continuously (woken by each append, and by a
// look at the log every few seconds for lines another process wrote), retrying with backoff
// while the collector is down; a command that wrote entries flushes before it exits, for a
// few seconds at most; `companion audit forward` flushes and exits.

import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { stat } from 'node:fs/promises';
import { AppError, toErrorValue, type ErrorValue } from '../../shared/errors';
import { frame, syslogMessage, type AuditLog, type ForwardStatus } from '../store/audit';
import { sendBatch, type CollectorConnection } from './audit-forward-transport';

export interface FlushResult {
  /** Entries the collector confirmed in this flush. */
  sent: number;
  /** Still waiting afterwards (0, not counted, when skipped as not configured). */
  pending: number;
  /** Why it stopped early; null when nothing waits. */
  error: ErrorValue | null;
  /** No collector is configured (nothing is forwarded), or another process is sending right now. */
  skipped?: 'not_configured' | 'busy';
}

export interface AuditForwarderOptions {
  audit: AuditLog;
  /** The collector as configured now; null when forwarding is off. */
  collector: () => Promise<CollectorConnection | null>;
  /** Backoff while the collector is down: from baseMs, doubling, at most capMs. */
  backoff?: { baseMs: number; capMs: number };
  /** How often the app looks at the log for lines another process appended (default 5 s). */
  pollMs?: number;
  /** The most entries sent on one connection (default 500). */
  batchMax?: number;
  /** How long one batch may take (default 10 s). */
  batchTimeoutMs?: number;
}

/** Who wrote the trail: in every message, so the collector's copy says which desktop and account. */
export function forwardOrigin(): { host: string; user: string } {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container): the message says unknown rather than failing to send.
  }
  return { host: hostname(), user };
}

export class AuditForwarder {
  readonly #options: AuditForwarderOptions;
  readonly #origin = forwardOrigin();
  #running: Promise<FlushResult> | null = null;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #failures = 0;
  #unsubscribe: (() => void) | undefined;
  #lastSize = -1;
  readonly #statusListeners = new Set<(status: ForwardStatus) => void>();
  #lastStatus = '';

  constructor(options: AuditForwarderOptions) {
    this.#options = options;
  }

  /**
   * Sends whatever waits, batch by batch, until nothing waits, a batch fails or `deadlineMs`
   * has passed. One flush at a time in this process; across processes, the outbox lock.
   */
  flush(deadlineMs = 30_000): Promise<FlushResult> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const run = this.#flushOnce(Date.now() + deadlineMs).finally(() => {
      this.#running = null;
    });
    this.#running = run;
    return run;
  }

  async status(): Promise<ForwardStatus> {
    return this.#options.audit.forwardStatus();
  }

  /** Called when how far behind the forwarding is changes (the status bar). Returns the unsubscribe. */
  onStatus(listener: (status: ForwardStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  #tell(status: ForwardStatus): void {
    const key = JSON.stringify(status);
    if (key === this.#lastStatus) return;
    this.#lastStatus = key;
    for (const listener of this.#statusListeners) listener(status);
  }

  /** Continuous forwarding (the app): now, after each append, and on a slow look at the log. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#unsubscribe = this.#options.audit.onAppend(() => this.#schedule(0));
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#unsubscribe?.();
    await this.#running?.catch(() => undefined);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), delayMs);
  }

  async #tick(): Promise<void> {
    this.#timer = undefined;
    const pollMs = this.#options.pollMs ?? 5_000;
    try {
      const size = await stat(this.#options.audit.file).then((s) => s.size, () => 0);
      // Nothing new since a flush that left nothing waiting: look again later.
      if (size === this.#lastSize && this.#failures === 0) return this.#schedule(pollMs);
      const result = await this.flush();
      const again = this.#again;
      this.#again = false;
      if (result.skipped !== undefined) {
        // Not configured (the setting may be set any moment), or another process is sending:
        // look again at the next poll, never at once.
        this.#failures = 0;
        this.#schedule(pollMs);
      } else if (result.error === null) {
        this.#failures = 0;
        if (result.pending === 0) this.#lastSize = size;
        this.#schedule(result.pending > 0 || again ? 0 : pollMs);
      } else {
        this.#failures++;
        const { baseMs, capMs } = this.#options.backoff ?? { baseMs: 1_000, capMs: 60_000 };
        this.#schedule(Math.min(capMs, baseMs * 2 ** Math.min(this.#failures - 1, 16)));
      }
    } catch {
      this.#schedule(pollMs);
    }
  }

  async #flushOnce(deadline: number): Promise<FlushResult> {
    const { audit } = this.#options;
    const collector = await this.#options.collector().catch((e: unknown) => e);
    // Not counted: the app asks every few seconds while forwarding is off, and counting reads the whole log.
    if (collector === null) return { sent: 0, pending: 0, error: null, skipped: 'not_configured' };
    if (collector instanceof Error || typeof collector !== 'object' || !('target' in (collector as object))) {
      const error = toErrorValue(collector);
      await audit.forwardFailed(error).catch(() => undefined);
      return { sent: 0, pending: (await audit.forwardStatus()).pending, error };
    }
    const connection = collector as CollectorConnection;
    let sent = 0;
    const outcome = await audit.withForwardLock(Math.max(0, Math.min(2_000, deadline - Date.now())), async (): Promise<ErrorValue | null> => {
      for (;;) {
        const { waiting, trail } = await audit.outbox();
        if (waiting.length === 0 || trail === null) return null;
        if (Date.now() >= deadline) return { code: 'unavailable', message: 'The time to forward ran out; the remaining entries wait.' };
        const batch = waiting.slice(0, this.#options.batchMax ?? 500);
        const frames = batch.map((l) => frame(syslogMessage(l.line, { ...this.#origin, trail })));
        try {
          await sendBatch(connection, frames, Math.max(1, Math.min(this.#options.batchTimeoutMs ?? 10_000, deadline - Date.now())));
        } catch (e) {
          const error = toErrorValue(e);
          await audit.forwardFailed(error).catch(() => undefined);
          return error;
        }
        await audit.confirmForwarded(batch.at(-1)!);
        sent += batch.length;
      }
    });
    const status = await audit.forwardStatus();
    this.#tell(status);
    if (outcome === undefined) return { sent, pending: status.pending, error: null, skipped: 'busy' };
    return { sent, pending: status.pending, error: outcome };
  }
}

/**
 * A client certificate and its private key (PEM) for the collector, checked before they are
 * stored: one certificate, a key that is not encrypted and belongs to it. invalid_input
 * otherwise (the key's text never in the message).
 */
export function checkClientCert(certPem: string, keyPem: string): { cert: string; key: string; subject: string; validTo: string } {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
  } catch {
    throw new AppError('invalid_input', 'The client certificate is not a PEM certificate.', { field: '--cert' });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new AppError('invalid_input', 'The client key is not an unencrypted PEM private key.', { field: '--key' });
  }
  if (!certificate.checkPrivateKey(key)) throw new AppError('invalid_input', 'The client key does not belong to the client certificate.', { field: '--key' });
  return { cert: certPem.trim(), key: keyPem.trim(), subject: certificate.subject.replace(/\n/g, ', '), validTo: certificate.validTo };
}
