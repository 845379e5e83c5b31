// Where the audit trail rests and how its files are read and made durable. The log, its
// head and the lock file sit side by side in the data folder.

import { access, open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../shared/errors';

export const AUDIT_FILE = 'audit.jsonl';
export const AUDIT_HEAD_FILE = 'audit.head.json';
const LOCK_FILE = 'audit.lock';

export interface AuditFiles {
  /** the data folder */
  dir: string;
  log: string;
  head: string;
  lock: string;
}

export function auditFiles(dataDir: string): AuditFiles {
  return { dir: dataDir, log: join(dataDir, AUDIT_FILE), head: join(dataDir, AUDIT_HEAD_FILE), lock: join(dataDir, LOCK_FILE) };
}

/** The whole log; empty when there is none yet. */
export async function readLog(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw new AppError('internal', `Could not read the audit log ${file} (${errnoOf(e)}).`, {}, { cause: e });
  }
}

export async function readAll(handle: FileHandle, size: number): Promise<Buffer> {
  const buffer = Buffer.alloc(size);
  let offset = 0;
  while (offset < size) {
    const { bytesRead } = await handle.read(buffer, offset, size - offset, offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  return buffer.subarray(0, offset);
}

export async function lastByte(handle: FileHandle, size: number): Promise<number | undefined> {
  const one = Buffer.alloc(1);
  await handle.read(one, 0, 1, size - 1);
  return one[0];
}

/** Makes a newly created or renamed file's directory entry durable too; not possible (nor needed) on Windows. */
export async function syncDirectory(dir: string): Promise<void> {
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

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException | undefined)?.code ?? (e instanceof Error ? e.message : String(e));
}
