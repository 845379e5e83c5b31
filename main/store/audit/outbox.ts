// The outbox of the forwarding to the bank's collector. The log itself is the outbox: it is
// already durable, in order and fsynced line by line, so what waits is every line after the
// last one the collector confirmed. This file (audit.forward.json) keeps only how far that
// is, with the hash of that line and the last error; it is replaced atomically after each
// confirmed batch. A crash between a batch reaching the collector and this file being
// written sends the batch again: at least once, and the collector drops duplicates by hash.

import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ERROR_CODES } from '../../../shared/errors';
import { completeLines, sha256 } from './chain';
import { writeFileAtomically } from './files';

const outboxSchema = z.object({
  version: z.literal(1),
  /** The last entry the collector confirmed; 0 before any. */
  lastSentSeq: z.number().int().min(0),
  /** Its hash: a log rewritten below it is told apart from one that grew. */
  lastSentHash: z.string().nullable(),
  lastSentAt: z.string().nullable(),
  /** Why the last attempt failed (no secret in it: the collector's address and the reason); null after a success. */
  lastError: z.string().nullable(),
  /** Its stable code, so the window words it in the user's language (absent in files written before it). */
  lastErrorCode: z.enum(ERROR_CODES).nullable().catch(null).default(null),
  lastErrorAt: z.string().nullable(),
});
export type OutboxState = z.infer<typeof outboxSchema>;

export const EMPTY_OUTBOX: OutboxState = { version: 1, lastSentSeq: 0, lastSentHash: null, lastSentAt: null, lastError: null, lastErrorCode: null, lastErrorAt: null };

export async function readOutbox(file: string): Promise<OutboxState> {
  try {
    const parsed = outboxSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    // An unreadable cursor sends everything again: duplicates, never a gap.
    return parsed.success ? parsed.data : EMPTY_OUTBOX;
  } catch {
    return EMPTY_OUTBOX;
  }
}

export async function writeOutbox(file: string, state: OutboxState): Promise<void> {
  await writeFileAtomically(file, `${JSON.stringify(state)}\n`);
}

/** One line waiting to be forwarded: its exact bytes (no newline), entry number and hash. */
export interface OutboxLine {
  seq: number;
  line: Buffer;
  hash: string;
}

export interface OutboxView {
  /** The log's complete lines after the cursor, oldest first. */
  waiting: OutboxLine[];
  /** The hash of entry 1: the trail every message names. Null for an empty log. */
  trail: string | null;
  /** The log no longer holds, at the cursor, the line that was sent (it was cut or rewritten): everything from 1 goes again. */
  rewound: boolean;
}

/** What waits, from the log's bytes and the cursor. */
export function outboxOf(log: Buffer, state: OutboxState): OutboxView {
  const lines = completeLines(log);
  const first = lines[0];
  const trail = first === undefined ? null : sha256(first);
  const atCursor = state.lastSentSeq === 0 ? undefined : lines[state.lastSentSeq - 1];
  const rewound = state.lastSentSeq > 0 && (atCursor === undefined || sha256(atCursor) !== state.lastSentHash);
  const from = rewound ? 0 : state.lastSentSeq;
  return { waiting: lines.slice(from).map((line, i) => ({ seq: from + i + 1, line, hash: sha256(line) })), trail, rewound };
}
