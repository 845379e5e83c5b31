// The audit log's line format and the hash chain through it. Every line is one JSON object
// carrying `seq` (its entry number, from 1) and `prev`, the SHA-256 of the previous line's
// exact bytes as written (without its newline; 64 zeros for the first). Editing, deleting or
// reordering a line breaks the chain at that line.

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { RECOVERY_OUTCOMES } from '../../../shared/recovery';

export const GENESIS = '0'.repeat(64);
export const NEWLINE = 0x0a;

export const outcomeSchema = z.enum(RECOVERY_OUTCOMES);
export const checkSchema = z.object({ isInHelp: z.boolean(), staffId: z.string().nullable() });

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
export type AuditLine = z.infer<typeof lineSchema>;
/** A line before it is chained: what the caller writes. */
export type LineBody = DistributiveOmit<AuditLine, 'seq' | 'prev'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Where the chain ends: the number of entries and the hash of the last. */
export interface ChainEnd {
  entries: number;
  lastHash: string;
}

/** The line (without its newline) that chains `body` onto `end`, and its hash. */
export function chainLine(end: ChainEnd, body: LineBody): { line: string; hash: string } {
  const line = JSON.stringify({ seq: end.entries + 1, prev: end.lastHash, ...body });
  return { line, hash: sha256(Buffer.from(line, 'utf8')) };
}

export function parseLine(raw: string): AuditLine | undefined {
  try {
    const result = lineSchema.safeParse(JSON.parse(raw));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Complete lines (each ended by a newline) plus the remainder after the last newline. */
export function splitLines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, start)) {
    out.push(bytes.subarray(start, i));
    start = i + 1;
  }
  out.push(bytes.subarray(start));
  return out;
}

export function completeLines(bytes: Buffer): Buffer[] {
  const lines = splitLines(bytes);
  lines.pop();
  return lines;
}
