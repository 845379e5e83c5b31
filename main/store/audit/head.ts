// The head file (audit.head.json, beside the log) holds the entry count, the last hash and
// the log's size: truncating the log, or cutting its last line, no longer matches it. It is
// replaced atomically (temp file, fsync, rename, fsync the folder). Before a line is
// appended the head records it as `pending`, so a crash between the two writes (or in the
// middle of the line) is told apart from tampering, and repaired by the next append.

import { randomUUID } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { errnoOf, syncDirectory } from './files';

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

/** Replaces the head atomically and durably. */
export async function writeHead(file: string, head: Head): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
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
  await rename(temp, file);
  await syncDirectory(dirname(file));
}
