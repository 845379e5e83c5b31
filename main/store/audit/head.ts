// The head file (audit.head.json, beside the log) holds the entry count, the last hash and
// the log's size: truncating the log, or cutting its last line, no longer matches it. It is
// replaced atomically (temp file, fsync, rename, fsync the folder). Before a line is
// appended the head records it as `pending`, so a crash between the two writes (or in the
// middle of the line) is told apart from tampering, and repaired by the next append.
//
// The head carries an HMAC under a key kept in the OS keychain (head-key.ts): whoever
// truncates the log and recomputes the head needs the keychain too, not just the file.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { errnoOf, writeFileAtomically } from './files';

const headStateSchema = z.object({
  entries: z.number().int().min(0),
  lastHash: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
});
/** The end of the chain and the log's size in bytes there. */
export type HeadState = z.infer<typeof headStateSchema>;

const headSchema = headStateSchema.extend({
  version: z.literal(1),
  /** The append about to happen (or half done when a crash interrupted it). */
  pending: headStateSchema.optional(),
  /** The head was gone when entry `lost + 1` was appended: entries up to `lost` cannot be vouched for. */
  lost: z.number().int().min(0).optional(),
  /** The entry count when the head was first keyed: a head older than the keyed head had no HMAC. */
  keyedFrom: z.number().int().min(0).optional(),
  /** HMAC-SHA256 of the rest (headMac), under the keychain's audit key; absent when written without the key. */
  hmac: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type Head = z.infer<typeof headSchema>;

export type HeadRead = { kind: 'ok'; head: Head } | { kind: 'missing' } | { kind: 'unreadable' };

export async function readHead(file: string): Promise<HeadRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new AppError('internal', `Could not read the audit head ${file} (${errnoOf(e)}).`, {}, { cause: e });
  }
  try {
    const parsed = headSchema.safeParse(JSON.parse(text));
    return parsed.success ? { kind: 'ok', head: parsed.data } : { kind: 'unreadable' };
  } catch {
    return { kind: 'unreadable' };
  }
}

/** Replaces the head atomically and durably, keyed when `key` is given. */
export async function writeHead(file: string, head: Omit<Head, 'hmac'>, key: Buffer | null): Promise<void> {
  const { hmac: _old, ...rest } = head as Head;
  const written: Head = key === null ? rest : { ...rest, hmac: headMac(rest, key) };
  await writeFileAtomically(file, `${JSON.stringify(written)}\n`);
}

/** The head's HMAC: over its fields in a fixed order, so the file's key order does not matter. */
export function headMac(head: Omit<Head, 'hmac'>, key: Buffer): string {
  return createHmac('sha256', key).update(canonical(head)).digest('hex');
}

export function headMacMatches(head: Head, key: Buffer): boolean {
  if (head.hmac === undefined) return false;
  const { hmac, ...rest } = head;
  return timingSafeEqual(Buffer.from(hmac, 'hex'), Buffer.from(headMac(rest, key), 'hex'));
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}
