// The force-end audit trail: an append-only JSON-lines file, a hash chain through it, and a
// head kept apart from it, so an auditor can tell whether the trail is whole.
//
// - One line for the intent before finishonlinehelp is called, one for what the call
//   returned, and (when that was unclear) one for how it was settled by asking
//   iscustomerinonlinehelp. Each line is fsynced before the call that wrote it resolves, so
//   a crash in between leaves a visible intent without outcome ("unknown") rather than nothing.
// - The parts live in audit/: the line format and the chain (chain.ts), the head file
//   (head.ts), the lock the app and the `companion` command share (lock.ts), the append path
//   (append.ts), the verifier (verify.ts), the entries folded from the lines (entries.ts),
//   and where the files are (files.ts); the head's key in the keychain (head-key.ts); the
//   forwarding to the bank's collector: the outbox cursor (outbox.ts), the syslog form
//   (syslog.ts) and the check against the collector's export (against.ts). This file keeps
//   the one API: AuditLog.
// - Reading (entries, verify, the outbox, the check against an export) takes no lock and
//   writes nothing, so it works on a read-only copy of the data folder.

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ErrorCode } from '../../shared/errors';
import type { SettlementCheck } from '../../shared/recovery';
import { truncateCodePoints } from '../../shared/text';
import { idSchema, parseInput, reasonSchema } from '../../shared/validation';
import { appendLine } from './audit/append';
import { checkSchema, outcomeSchema } from './audit/chain';
import type { LineBody } from './audit/chain';
import { compareWithCollector } from './audit/against';
import type { CollectorComparison } from './audit/against';
import { foldEntries } from './audit/entries';
import type { AuditEntry, AuditOutcome, AuditReadout } from './audit/entries';
import { auditFiles, exists, readLog, secureDataDir } from './audit/files';
import type { AuditFiles } from './audit/files';
import { readHead } from './audit/head';
import type { HeadRead } from './audit/head';
import { HeadKeys } from './audit/head-key';
import type { AuditKeyStore } from './audit/head-key';
import { withAuditLock, withForwardLock } from './audit/lock';
import { outboxOf, readOutbox, writeOutbox } from './audit/outbox';
import type { OutboxLine, OutboxState, OutboxView } from './audit/outbox';
import { readCollectorExport } from './audit/syslog';
import { verifyChain } from './audit/verify';
import type { AuditVerification } from './audit/verify';

export type { AuditAnswer, AuditEntry, AuditOutcome, AuditReadout } from './audit/entries';
export type { AuditProblem, AuditVerification, AuditWarning } from './audit/verify';
export type { AuditKeyStore } from './audit/head-key';
export type { CollectorComparison } from './audit/against';
export type { OutboxLine, OutboxView } from './audit/outbox';
export { AUDIT_FILE, AUDIT_HEAD_FILE, AUDIT_OUTBOX_FILE } from './audit/files';
export { frame, syslogMessage, type SyslogOrigin } from './audit/syslog';

/** How far the forwarding to the collector is behind, for `companion audit forward --status` and the status bar. */
export interface ForwardStatus {
  /** Entries written but not yet confirmed by the collector. */
  pending: number;
  lastSentSeq: number;
  lastError: string | null;
  /** The last error's stable code (the window words it); null after a success. */
  lastErrorCode: ErrorCode | null;
}

export interface AuditIntent {
  actor: string;
  customerId: string;
  staffId: string;
  reason: string;
}

const MESSAGE_MAX_LENGTH = 2000;
const CODE_MAX_LENGTH = 64;

const intentInputSchema = z.object({
  actor: idSchema,
  customerId: idSchema,
  staffId: idSchema,
  // The contract's rule (shared/validation.ts): the CLI and the app record the same reasons.
  reason: reasonSchema,
});

const outcomeInputSchema = z.object({
  outcome: outcomeSchema,
  code: z.string().max(CODE_MAX_LENGTH).optional(),
  // A server's error text can be long; the log keeps its head.
  message: z
    .string()
    .transform((s) => truncateCodePoints(s, MESSAGE_MAX_LENGTH))
    .optional(),
});

const settlementInputSchema = z.object({ outcome: outcomeSchema, check: checkSchema });

/** The intent as it will be written (ids and reason checked, the reason trimmed); invalid_input otherwise. */
export function parseAuditIntent(intent: AuditIntent): AuditIntent {
  return parseInput(intentInputSchema, intent, 'audit intent');
}

export class AuditLog {
  readonly file: string;
  readonly headFile: string;
  readonly #files: AuditFiles;
  /** Appends from this process run one after another; the lock file orders them against other processes. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #keys: HeadKeys;
  readonly #keyed: boolean;
  readonly #appendListeners = new Set<() => void>();
  /** Lines this process appended: a command that wrote any tries to forward them before it exits. */
  appendedHere = 0;

  /** `keyStore`: the keychain the head's key rests in; without one, heads are written unkeyed (tests, benches). */
  constructor(
    dataDir: string,
    private readonly clock: () => number = Date.now,
    keyStore?: AuditKeyStore,
  ) {
    this.#files = auditFiles(dataDir);
    this.file = this.#files.log;
    this.headFile = this.#files.head;
    this.#keys = new HeadKeys(keyStore, dataDir);
    this.#keyed = keyStore !== undefined;
  }

  /** At start: the data folder refused if it is a link, tightened to the user alone if it exists. */
  secureDataDir(): Promise<void> {
    return secureDataDir(this.#files.dir);
  }

  /** Called after each line this process appends (the forwarder wakes on it). Returns the unsubscribe. */
  onAppend(listener: () => void): () => void {
    this.#appendListeners.add(listener);
    return () => this.#appendListeners.delete(listener);
  }

  /** Returns the entry id; the line is on disk (fsynced) when this resolves. */
  async recordIntent(intent: AuditIntent): Promise<string> {
    const valid = parseAuditIntent(intent);
    const id = randomUUID();
    await this.#append(() => ({ type: 'intent', id, at: this.#now(), ...valid }));
    return id;
  }

  /** What the call returned. Fsynced before it resolves; a later line for one id supersedes an earlier one. */
  async recordOutcome(id: string, o: { outcome: AuditOutcome; code?: string; message?: string }): Promise<void> {
    parseInput(idSchema, id, 'audit entry id');
    const valid = parseInput(outcomeInputSchema, o, 'audit outcome');
    await this.#append(() => ({
      type: 'outcome',
      id,
      at: this.#now(),
      outcome: valid.outcome,
      ...(valid.code !== undefined && { code: valid.code }),
      ...(valid.message !== undefined && { message: valid.message }),
    }));
  }

  /**
   * How an unclear outcome was settled by checking the customer's help state. With
   * `onlyIfUnknown`, written only while the entry is still unknown (checked under the lock):
   * a reconcile racing the process that made the call must not overwrite its answer.
   * Resolves whether the line was written.
   */
  async recordSettlement(id: string, s: { outcome: AuditOutcome; check: SettlementCheck }, options: { onlyIfUnknown?: boolean } = {}): Promise<boolean> {
    parseInput(idSchema, id, 'audit entry id');
    const valid = parseInput(settlementInputSchema, s, 'audit settlement');
    let written = false;
    await this.#append(async () => {
      if (options.onlyIfUnknown) {
        const current = (await this.read()).entries.find((e) => e.id === id);
        if (current?.outcome !== 'unknown') return null;
      }
      written = true;
      return { type: 'settlement', id, at: this.#now(), outcome: valid.outcome, check: valid.check };
    });
    return written;
  }

  /** Newest first; an intent with no outcome line is 'unknown'. */
  async entries(): Promise<AuditEntry[]> {
    return (await this.read()).entries;
  }

  /** Entries whose outcome is still unknown, oldest first: what a reconcile settles. */
  async unsettled(): Promise<AuditEntry[]> {
    return (await this.entries()).filter((e) => e.outcome === 'unknown').reverse();
  }

  /** entries() plus how many lines could not be used, for a "some lines were unreadable" notice. */
  async read(): Promise<AuditReadout> {
    return foldEntries((await readLog(this.file)).toString('utf8'));
  }

  /**
   * Checks the chain line by line and the log against the head. The first break wins:
   * `brokenAt` is the entry number (from 1) where the trail stops being trustworthy.
   */
  async verify(): Promise<AuditVerification> {
    // Nothing was ever written here: no folder to create just to say so.
    if (!(await exists(this.file)) && !(await exists(this.headFile))) return { ok: true, entries: 0 };
    const { log, head } = await this.#consistentRead();
    return verifyChain(log, head, this.#keyed ? await this.#keys.read() : undefined);
  }

  /** The local log against a collector's export (its lines as written, one message per line); `host` is this desktop's. */
  async compareWithCollector(exportText: string, host: string): Promise<CollectorComparison> {
    return compareWithCollector(await readLog(this.file), readCollectorExport(exportText), host);
  }

  // ---- forwarding -------------------------------------------------------------

  /** What waits to be forwarded (read without a lock). */
  async outbox(): Promise<OutboxView & { state: OutboxState }> {
    const state = await readOutbox(this.#files.outbox);
    return { ...outboxOf(await readLog(this.file), state), state };
  }

  async forwardStatus(): Promise<ForwardStatus> {
    const { waiting, state } = await this.outbox();
    return { pending: waiting.length, lastSentSeq: state.lastSentSeq, lastError: state.lastError, lastErrorCode: state.lastErrorCode };
  }

  /** The collector confirmed every line up to `last`: the cursor moves there, and the error is cleared. */
  async confirmForwarded(last: OutboxLine): Promise<void> {
    await writeOutbox(this.#files.outbox, { version: 1, lastSentSeq: last.seq, lastSentHash: last.hash, lastSentAt: this.#now(), lastError: null, lastErrorCode: null, lastErrorAt: null });
  }

  /** A batch failed; the cursor stays. */
  async forwardFailed(error: { code: ErrorCode; message: string }): Promise<void> {
    const state = await readOutbox(this.#files.outbox);
    await writeOutbox(this.#files.outbox, { ...state, lastError: error.message, lastErrorCode: error.code, lastErrorAt: this.#now() });
  }

  /** One sender at a time across processes; `undefined` when another holds the outbox longer than `waitMs`. */
  withForwardLock<T>(waitMs: number, work: () => Promise<T>): Promise<T | undefined> {
    return withForwardLock(this.#files, waitMs, work);
  }

  /**
   * The log and its head as of one moment, without the lock (a reader may have no right to
   * write one): an append changes the head before and after its line, so a head read the
   * same before and after the log brackets a log no append was in the middle of.
   */
  async #consistentRead(): Promise<{ log: Buffer; head: HeadRead }> {
    for (let attempt = 0; ; attempt++) {
      const before = await readHead(this.headFile);
      const log = await readLog(this.file);
      const after = await readHead(this.headFile);
      if (JSON.stringify(before) === JSON.stringify(after) || attempt >= 50) return { log, head: after };
      await new Promise((resolve) => setTimeout(resolve, 2 + attempt));
    }
  }

  #now(): string {
    return new Date(this.clock()).toISOString();
  }

  /** `body` is made under the lock (it may read the log); null writes nothing. */
  #append(body: () => LineBody | null | Promise<LineBody | null>): Promise<void> {
    const run = this.#queue.then(() =>
      withAuditLock(this.#files, async () => {
        const line = await body();
        if (line !== null) {
          await appendLine(this.#files, line, this.#keys);
          this.appendedHere++;
          for (const listener of this.#appendListeners) listener();
        }
      }),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
