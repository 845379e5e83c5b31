// The force-end audit trail: an append-only JSON-lines file, a hash chain through it, and a
// head kept apart from it, so an auditor can tell whether the trail is whole.
//
// - One line for the intent before finishonlinehelp is called, one for what the call
//   returned, and (when that was unclear) one for how it was settled by asking
//   iscustomerinonlinehelp. Each line is fsynced before the call that wrote it resolves, so
//   a crash in between leaves a visible intent without outcome ("unknown") rather than nothing.
// - Every line carries `seq` (its entry number, from 1) and `prev`, the SHA-256 of the
//   previous line's exact bytes as written (without its newline; 64 zeros for the first).
//   Editing, deleting or reordering a line breaks the chain at that line.
// - The head file (audit.head.json, in the same folder) holds the entry count, the last hash
//   and the log's size. Truncating the log, or cutting its last line, no longer matches it.
//   It is replaced atomically (temp file, fsync, rename, fsync the folder). Before a line is
//   appended the head records it as `pending`, so a crash between the two writes (or in the
//   middle of the line) is told apart from tampering, and repaired by the next append.
// - The app and the `companion` command may append at the same moment: every append holds a
//   lock file (proper-lockfile) across reading the head, writing the line and the head, so
//   two processes never interleave bytes nor fork the chain.
//
// The chain has no key: someone who can rewrite the whole log and the head can forge both.
// It catches what an edit, a deletion, a restore of an old copy or a half-written disk does.

import { createHash, randomUUID } from 'node:crypto';
import { access, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { RECOVERY_OUTCOMES, type RecoveryOutcome, type SettledBy, type SettlementCheck } from '../../shared/recovery';
import { truncateCodePoints } from '../../shared/text';
import { idSchema, parseInput, reasonSchema } from '../../shared/validation';

export interface AuditIntent {
  actor: string;
  customerId: string;
  staffId: string;
  reason: string;
}

export type AuditOutcome = RecoveryOutcome;

/** What the finishonlinehelp call itself returned (its outcome may be `unknown`). */
export interface AuditAnswer {
  outcome: AuditOutcome;
  code?: string;
  message?: string;
  /** ISO time it was recorded */
  at: string;
}

/** The folded view: one per force-end attempt. */
export interface AuditEntry {
  id: string;
  /** ISO time of the intent */
  at: string;
  actor: string;
  customerId: string;
  staffId: string;
  reason: string;
  /** The settled outcome: `unknown` while nothing (or nothing clear) has been recorded. */
  outcome: AuditOutcome;
  /** ISO time the current outcome was recorded */
  outcomeAt?: string;
  /** What settled it: the call's answer, or a later check of the customer's help state. */
  settledBy?: SettledBy;
  /** The code and message of what the call returned (the same as in `answer`). */
  code?: string;
  message?: string;
  /** What the call returned; absent when the process died before it could record it. */
  answer?: AuditAnswer;
  /** The help state the outcome was settled with, when settled by a check. */
  check?: SettlementCheck;
}

export interface AuditReadout {
  entries: AuditEntry[];
  /** Lines that were torn (a crash mid-write) or otherwise unreadable, and outcomes of no known intent. */
  skippedLines: number;
}

export type AuditProblem = 'unreadable' | 'sequence' | 'changed' | 'truncated' | 'extra' | 'head_missing';

export type AuditVerification =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAt: number; reason: string; problem: AuditProblem };

export const AUDIT_FILE = 'audit.jsonl';
export const AUDIT_HEAD_FILE = 'audit.head.json';
const LOCK_FILE = 'audit.lock';
const GENESIS = '0'.repeat(64);
const MESSAGE_MAX_LENGTH = 2000;
const CODE_MAX_LENGTH = 64;
const NEWLINE = 0x0a;

const outcomeSchema = z.enum(RECOVERY_OUTCOMES);

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

const checkSchema = z.object({ isInHelp: z.boolean(), staffId: z.string().nullable() });

const settlementInputSchema = z.object({ outcome: outcomeSchema, check: checkSchema });

const chained = { seq: z.number().int().min(1), prev: z.string().regex(/^[0-9a-f]{64}$/) };

const intentLineSchema = z.object({
  ...chained,
  type: z.literal('intent'),
  id: z.string().min(1),
  at: z.string(),
  actor: z.string(),
  customerId: z.string(),
  staffId: z.string(),
  reason: z.string(),
});

const outcomeLineSchema = z.object({
  ...chained,
  type: z.literal('outcome'),
  id: z.string().min(1),
  at: z.string(),
  outcome: outcomeSchema,
  code: z.string().optional(),
  message: z.string().optional(),
});

const settlementLineSchema = z.object({
  ...chained,
  type: z.literal('settlement'),
  id: z.string().min(1),
  at: z.string(),
  outcome: outcomeSchema,
  check: checkSchema,
});

const lineSchema = z.discriminatedUnion('type', [intentLineSchema, outcomeLineSchema, settlementLineSchema]);
type AuditLine = z.infer<typeof lineSchema>;
type LineBody = DistributiveOmit<AuditLine, 'seq' | 'prev'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const headStateSchema = z.object({
  entries: z.number().int().min(0),
  lastHash: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
});
type HeadState = z.infer<typeof headStateSchema>;

const headSchema = headStateSchema.extend({
  version: z.literal(1),
  /** The append about to happen (or half done when a crash interrupted it). */
  pending: headStateSchema.optional(),
  /** The head was gone when entry `lost + 1` was appended: entries up to `lost` cannot be vouched for. */
  lost: z.number().int().min(0).optional(),
});
type Head = z.infer<typeof headSchema>;

type HeadRead = { kind: 'ok'; head: Head } | { kind: 'missing' } | { kind: 'unreadable' };

/** The intent as it will be written (ids and reason checked, the reason trimmed); invalid_input otherwise. */
export function parseAuditIntent(intent: AuditIntent): AuditIntent {
  return parseInput(intentInputSchema, intent, 'audit intent');
}

export class AuditLog {
  readonly file: string;
  readonly headFile: string;
  readonly #lockFile: string;
  /** Appends from this process run one after another; the lock file orders them against other processes. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.file = join(dataDir, AUDIT_FILE);
    this.headFile = join(dataDir, AUDIT_HEAD_FILE);
    this.#lockFile = join(dataDir, LOCK_FILE);
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
    const text = (await this.#readLog()).toString('utf8');
    const entries = new Map<string, { entry: AuditEntry; line: number }>();
    let skippedLines = 0;
    for (const [line, raw] of text.split('\n').entries()) {
      if (raw.trim() === '') continue;
      const parsed = parseLine(raw);
      const known = parsed && entries.get(parsed.id);
      if (parsed?.type === 'intent' && !known) {
        const { type: _type, seq: _seq, prev: _prev, ...intent } = parsed;
        entries.set(parsed.id, { entry: { ...intent, outcome: 'unknown' }, line });
      } else if (parsed?.type === 'outcome' && known) {
        const answer: AuditAnswer = {
          outcome: parsed.outcome,
          at: parsed.at,
          ...(parsed.code !== undefined && { code: parsed.code }),
          ...(parsed.message !== undefined && { message: parsed.message }),
        };
        const { code: _c, message: _m, check: _k, ...rest } = known.entry;
        known.entry = {
          ...rest,
          outcome: parsed.outcome,
          outcomeAt: parsed.at,
          settledBy: 'answer',
          ...(answer.code !== undefined && { code: answer.code }),
          ...(answer.message !== undefined && { message: answer.message }),
          answer,
        };
      } else if (parsed?.type === 'settlement' && known) {
        known.entry = { ...known.entry, outcome: parsed.outcome, outcomeAt: parsed.at, settledBy: 'check', check: parsed.check };
      } else {
        // Torn or corrupt, a repeated intent id, or an outcome of no intent we can read.
        skippedLines++;
      }
    }
    const sorted = [...entries.values()].sort((a, b) => compareIso(b.entry.at, a.entry.at) || b.line - a.line);
    return { entries: sorted.map((e) => e.entry), skippedLines };
  }

  /**
   * Checks the chain line by line and the log against the head. The first break wins:
   * `brokenAt` is the entry number (from 1) where the trail stops being trustworthy.
   */
  async verify(): Promise<AuditVerification> {
    // Nothing was ever written here: nothing to lock, and no folder to create just to say so.
    if (!(await exists(this.file)) && !(await exists(this.headFile))) return { ok: true, entries: 0 };
    // Under the lock: an append between reading the head and reading the log would look like tampering.
    return this.#locked(async () => verifyBytes(await this.#readLog(), await this.#readHead()));
  }

  // ---- writing -----------------------------------------------------------------

  #now(): string {
    return new Date(this.clock()).toISOString();
  }

  #append(body: () => LineBody | null | Promise<LineBody | null>): Promise<void> {
    const run = this.#queue.then(() => this.#locked(() => this.#appendLocked(body)));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #locked<T>(work: () => Promise<T>): Promise<T> {
    await this.#mkdir();
    let release: () => Promise<void>;
    try {
      release = await lock(this.dataDir, {
        lockfilePath: this.#lockFile,
        realpath: false,
        // A process killed while holding it leaves the lock behind: it is stale after 5 s.
        stale: 5_000,
        retries: { retries: 200, minTimeout: 5, maxTimeout: 100, factor: 1.5 },
        // We hold it for milliseconds; a compromised lock shows in verify() if it ever mattered.
        onCompromised: () => undefined,
      });
    } catch (e) {
      throw new AppError('internal', `Could not lock the audit log ${this.file} (${errnoOf(e)}).`, {}, { cause: e });
    }
    try {
      return await work();
    } finally {
      await release().catch(() => undefined);
    }
  }

  async #appendLocked(makeBody: () => LineBody | null | Promise<LineBody | null>): Promise<void> {
    const body = await makeBody();
    if (body === null) return;
    try {
      const headRead = await this.#readHead();
      const handle = await open(this.file, 'a+', 0o600);
      let created = false;
      try {
        let size = (await handle.stat()).size;
        if (size === 0) {
          // The mode given to open() is narrowed by the umask; the log is the user's alone, exactly.
          await handle.chmod(0o600);
          created = true;
        }
        let base: HeadState;
        let lost: number | undefined;
        if (headRead.kind === 'ok') {
          ({ base, size } = await repairAfterCrash(handle, headRead.head, size));
          lost = headRead.head.lost;
        } else if (size === 0) {
          base = { entries: 0, lastHash: GENESIS, bytes: 0 };
        } else {
          // The head is gone: chain on from the log as it is, and remember that it was gone.
          const log = await readAll(handle, size);
          const lines = completeLines(log);
          const last = lines.at(-1);
          base = { entries: lines.length, lastHash: last === undefined ? GENESIS : sha256(last), bytes: size };
          lost = lines.length;
        }
        // After a torn line that is not ours to repair, start a fresh line: the fragment stays visible.
        const prefix = size > 0 && (await lastByte(handle, size)) !== NEWLINE ? '\n' : '';
        const line = JSON.stringify({ seq: base.entries + 1, prev: base.lastHash, ...body });
        const text = `${prefix}${line}\n`;
        const next: HeadState = { entries: base.entries + 1, lastHash: sha256(Buffer.from(line, 'utf8')), bytes: size + Buffer.byteLength(text, 'utf8') };
        const keep = lost === undefined ? {} : { lost };
        await this.#writeHead({ version: 1, ...base, pending: next, ...keep });
        await handle.write(text);
        await handle.sync();
        await this.#writeHead({ version: 1, ...next, ...keep });
      } finally {
        await handle.close();
      }
      if (created) await syncDirectory(this.dataDir);
    } catch (e) {
      throw new AppError('internal', `Could not write the audit log ${this.file} (${errnoOf(e)}).`, {}, { cause: e });
    }
  }

  async #mkdir(): Promise<void> {
    try {
      await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new AppError('internal', `Could not create the data folder ${this.dataDir} (${errnoOf(e)}).`, {}, { cause: e });
    }
  }

  async #readLog(): Promise<Buffer> {
    try {
      return await readFile(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
      throw new AppError('internal', `Could not read the audit log ${this.file} (${errnoOf(e)}).`, {}, { cause: e });
    }
  }

  async #readHead(): Promise<HeadRead> {
    let text: string;
    try {
      text = await readFile(this.headFile, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      throw new AppError('internal', `Could not read the audit head ${this.headFile} (${errnoOf(e)}).`, {}, { cause: e });
    }
    try {
      const parsed = headSchema.safeParse(JSON.parse(text));
      return parsed.success ? { kind: 'ok', head: parsed.data } : { kind: 'unreadable' };
    } catch {
      return { kind: 'unreadable' };
    }
  }

  async #writeHead(head: Head): Promise<void> {
    const temp = `${this.headFile}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(head)}\n`);
      await handle.sync();
    } catch (e) {
      await handle.close();
      await rm(temp, { force: true });
      throw e;
    }
    await handle.close();
    await rename(temp, this.headFile);
    await syncDirectory(this.dataDir);
  }
}

/**
 * Settles what a crash between writing the pending head, the line and the final head left:
 * the line whole (the head catches up), or part of it (cut back). Anything else is left as it
 * is, for verify() to report.
 */
async function repairAfterCrash(handle: FileHandle, head: Head, size: number): Promise<{ base: HeadState; size: number }> {
  const committed: HeadState = { entries: head.entries, lastHash: head.lastHash, bytes: head.bytes };
  const pending = head.pending;
  if (!pending) return { base: committed, size };
  if (size === pending.bytes && (await tailHash(handle, size)) === pending.lastHash) return { base: pending, size };
  if (size > committed.bytes && size < pending.bytes) {
    await handle.truncate(committed.bytes);
    await handle.sync();
    return { base: committed, size: committed.bytes };
  }
  return { base: committed, size };
}

function verifyBytes(log: Buffer, headRead: HeadRead): AuditVerification {
  const segments = splitLines(log);
  const tail = segments.pop() ?? Buffer.alloc(0);
  const entries = segments.length;
  const broken = (brokenAt: number, problem: AuditProblem, reason: string): AuditVerification => ({ ok: false, entries, brokenAt, reason, problem });

  let prevHash = GENESIS;
  for (const [i, raw] of segments.entries()) {
    const n = i + 1;
    const parsed = parseLine(raw.toString('utf8'));
    if (!parsed) return broken(n, 'unreadable', `Entry ${n} is not a readable audit entry.`);
    if (parsed.seq !== n) {
      return broken(
        n,
        'sequence',
        parsed.seq > n
          ? `Entry ${n} is missing: entry ${parsed.seq} stands in its place (entries were deleted or reordered).`
          : `Entry ${parsed.seq} appears again at position ${n} (entries were copied or reordered).`,
      );
    }
    if (parsed.prev !== prevHash) {
      return n === 1
        ? broken(1, 'changed', 'Entry 1 does not start the chain: the beginning of the log was changed or removed.')
        : broken(n - 1, 'changed', `Entry ${n - 1} was changed: entry ${n} recorded a different hash for it.`);
    }
    prevHash = sha256(raw);
  }

  if (headRead.kind !== 'ok') {
    if (entries === 0 && tail.length === 0) return { ok: true, entries };
    return broken(entries + 1, 'head_missing', `The head file ${AUDIT_HEAD_FILE} is missing or unreadable: whether entries were removed from the end cannot be checked.`);
  }
  const head = headRead.head;
  const matches = (s: HeadState) => s.entries === entries && s.lastHash === prevHash;
  const tornAppend = tail.length > 0 && head.pending !== undefined && head.pending.entries === entries + 1 && head.entries === entries;
  if (tail.length > 0 && !tornAppend) return broken(entries + 1, 'unreadable', `Entry ${entries + 1} is not a readable audit entry (the log ends mid-line).`);
  if (!(matches(head) || (head.pending !== undefined && matches(head.pending)))) {
    const recorded = Math.max(head.entries, head.pending?.entries ?? 0);
    if (entries < head.entries) {
      return broken(entries + 1, 'truncated', `Entries ${entries + 1} to ${head.entries} are missing: the head records ${head.entries} entries and the log holds ${entries}.`);
    }
    if (entries > recorded) {
      return broken(recorded + 1, 'extra', `Entry ${recorded + 1} is not in the head: the head records ${recorded} entries and the log holds ${entries}.`);
    }
    return broken(entries, 'changed', `Entry ${entries} was changed: the head records a different hash for it.`);
  }
  if (head.lost !== undefined) {
    return broken(head.lost + 1, 'head_missing', `The head file was missing when entry ${head.lost + 1} was written: whether entries were removed before it cannot be checked.`);
  }
  return { ok: true, entries };
}

/** Complete lines (each ended by a newline) plus the remainder after the last newline. */
function splitLines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, start)) {
    out.push(bytes.subarray(start, i));
    start = i + 1;
  }
  out.push(bytes.subarray(start));
  return out;
}

function completeLines(bytes: Buffer): Buffer[] {
  const lines = splitLines(bytes);
  lines.pop();
  return lines;
}

async function readAll(handle: FileHandle, size: number): Promise<Buffer> {
  const buffer = Buffer.alloc(size);
  let offset = 0;
  while (offset < size) {
    const { bytesRead } = await handle.read(buffer, offset, size - offset, offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  return buffer.subarray(0, offset);
}

async function lastByte(handle: FileHandle, size: number): Promise<number | undefined> {
  const one = Buffer.alloc(1);
  await handle.read(one, 0, 1, size - 1);
  return one[0];
}

/** The hash of the last complete line of the first `size` bytes. */
async function tailHash(handle: FileHandle, size: number): Promise<string | null> {
  const lines = completeLines(await readAll(handle, size));
  const last = lines.at(-1);
  return last === undefined ? null : sha256(last);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Makes a newly created or renamed file's directory entry durable too; not possible (nor needed) on Windows. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: the data itself is already fsynced.
  }
}

function parseLine(raw: string): AuditLine | undefined {
  try {
    const result = lineSchema.safeParse(JSON.parse(raw));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function compareIso(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException | undefined)?.code ?? (e instanceof Error ? e.message : String(e));
}
