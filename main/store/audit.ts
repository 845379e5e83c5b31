// The force-end audit trail: an append-only JSON-lines file, one line for the intent
// before finishonlinehelp is called and one for its outcome after. Each line is fsynced
// before the call that wrote it resolves, so a crash between the two leaves a visible
// "outcome unknown" entry rather than nothing.

import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { idSchema, parseInput } from '../../shared/validation';

export interface AuditIntent {
  actor: string;
  customerId: string;
  staffId: string;
  reason: string;
}

export type AuditOutcome = 'ended' | 'already_ended' | 'failed';

/** The folded view: one per force-end attempt. */
export interface AuditEntry {
  id: string;
  /** ISO time of the intent */
  at: string;
  actor: string;
  customerId: string;
  staffId: string;
  reason: string;
  outcome: AuditOutcome | 'unknown';
  outcomeAt?: string;
  code?: string;
  message?: string;
}

export interface AuditReadout {
  entries: AuditEntry[];
  /** Lines that were torn (a crash mid-write) or otherwise unreadable, and outcomes of no known intent. */
  skippedLines: number;
}

export const AUDIT_FILE = 'audit.jsonl';
const REASON_MAX_LENGTH = 500;
const MESSAGE_MAX_LENGTH = 2000;
const CODE_MAX_LENGTH = 64;

const outcomeSchema = z.enum(['ended', 'already_ended', 'failed']);

const intentInputSchema = z.object({
  actor: idSchema,
  customerId: idSchema,
  staffId: idSchema,
  reason: z
    .string({ error: 'must be text' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(REASON_MAX_LENGTH, { error: `must be at most ${REASON_MAX_LENGTH} characters` }),
});

const outcomeInputSchema = z.object({
  outcome: outcomeSchema,
  code: z.string().max(CODE_MAX_LENGTH).optional(),
  // A server's error text can be long; the log keeps its head.
  message: z
    .string()
    .transform((s) => s.slice(0, MESSAGE_MAX_LENGTH))
    .optional(),
});

const intentLineSchema = z.object({
  type: z.literal('intent'),
  id: z.string().min(1),
  at: z.string(),
  actor: z.string(),
  customerId: z.string(),
  staffId: z.string(),
  reason: z.string(),
});

const outcomeLineSchema = z.object({
  type: z.literal('outcome'),
  id: z.string().min(1),
  at: z.string(),
  outcome: outcomeSchema,
  code: z.string().optional(),
  message: z.string().optional(),
});

const lineSchema = z.discriminatedUnion('type', [intentLineSchema, outcomeLineSchema]);
type AuditLine = z.infer<typeof lineSchema>;

export class AuditLog {
  readonly file: string;
  /** Appends run one after another so concurrent calls never interleave within the file. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.file = join(dataDir, AUDIT_FILE);
  }

  /** Returns the entry id; the line is on disk (fsynced) when this resolves. */
  async recordIntent(intent: AuditIntent): Promise<string> {
    const valid = parseInput(intentInputSchema, intent, 'audit intent');
    const id = randomUUID();
    await this.append({ type: 'intent', id, at: this.now(), ...valid });
    return id;
  }

  /** Fsynced before it resolves. A second outcome for one id supersedes the first. */
  async recordOutcome(id: string, o: { outcome: AuditOutcome; code?: string; message?: string }): Promise<void> {
    parseInput(idSchema, id, 'audit entry id');
    const valid = parseInput(outcomeInputSchema, o, 'audit outcome');
    await this.append({
      type: 'outcome',
      id,
      at: this.now(),
      outcome: valid.outcome,
      ...(valid.code !== undefined && { code: valid.code }),
      ...(valid.message !== undefined && { message: valid.message }),
    });
  }

  /** Newest first; an intent with no outcome line is 'unknown'. */
  async entries(): Promise<AuditEntry[]> {
    return (await this.read()).entries;
  }

  /** entries() plus how many lines could not be used, for a "some lines were unreadable" notice. */
  async read(): Promise<AuditReadout> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], skippedLines: 0 };
      throw new AppError('internal', `Could not read the audit log ${this.file} (${errnoOf(e)}).`, {}, { cause: e });
    }
    const entries = new Map<string, { entry: AuditEntry; line: number }>();
    let skippedLines = 0;
    const lines = text.split('\n');
    for (const [line, raw] of lines.entries()) {
      if (raw.trim() === '') continue;
      const parsed = parseLine(raw);
      const known = parsed && entries.get(parsed.id);
      if (parsed?.type === 'intent' && !known) {
        const { type: _type, ...intent } = parsed;
        entries.set(parsed.id, { entry: { ...intent, outcome: 'unknown' }, line });
      } else if (parsed?.type === 'outcome' && known) {
        const { id: _id, type: _type, at, ...outcome } = parsed;
        const { code: _code, message: _message, ...intent } = known.entry;
        known.entry = { ...intent, ...outcome, outcomeAt: at };
      } else {
        // Torn or corrupt, a repeated intent id, or an outcome of no intent we can read.
        skippedLines++;
      }
    }
    const sorted = [...entries.values()].sort((a, b) => compareIso(b.entry.at, a.entry.at) || b.line - a.line);
    return { entries: sorted.map((e) => e.entry), skippedLines };
  }

  private now(): string {
    return new Date(this.clock()).toISOString();
  }

  private append(line: AuditLine): Promise<void> {
    const run = this.queue.then(() => this.write(`${JSON.stringify(line)}\n`));
    this.queue = run.catch(() => {});
    return run;
  }

  private async write(text: string): Promise<void> {
    try {
      await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
      const handle = await open(this.file, 'a+', 0o600);
      let created = false;
      try {
        // A crash mid-write can leave a torn last line; start on a fresh line so this one stays whole.
        const { size } = await handle.stat();
        if (size > 0) {
          const last = Buffer.alloc(1);
          await handle.read(last, 0, 1, size - 1);
          if (last[0] !== 0x0a) text = `\n${text}`;
        } else {
          // The mode given to open() is narrowed by the umask; the log is the user's alone, exactly.
          await handle.chmod(0o600);
          created = true;
        }
        await handle.write(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (created) await syncDirectory(this.dataDir);
    } catch (e) {
      throw new AppError('internal', `Could not write the audit log ${this.file} (${errnoOf(e)}).`, {}, { cause: e });
    }
  }
}

/** Makes a newly created file's directory entry durable too; not possible (nor needed) on Windows. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: the line itself is already fsynced.
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

function compareIso(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException | undefined)?.code ?? (e instanceof Error ? e.message : String(e));
}
