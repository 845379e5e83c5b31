// Where the audit trail rests and how its files are read and made durable. The log, its
// head and the lock file sit side by side in the data folder.

import { constants } from 'node:fs';
import { access, chmod, lstat, open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { AppError, guidance } from '../../../shared/errors';

export const AUDIT_FILE = 'audit.jsonl';
export const AUDIT_HEAD_FILE = 'audit.head.json';
const LOCK_FILE = 'audit.lock';
/** How far the forwarding to the collector got (outbox.ts); the log past it is the outbox. */
export const AUDIT_OUTBOX_FILE = 'audit.forward.json';
const FORWARD_LOCK_FILE = 'audit.forward.lock';
/** O_NOFOLLOW where the platform has it (not on Windows, where links need privileges to make). */
export const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

export interface AuditFiles {
  /** the data folder */
  dir: string;
  log: string;
  head: string;
  lock: string;
  outbox: string;
  forwardLock: string;
}

export function auditFiles(dataDir: string): AuditFiles {
  return {
    dir: dataDir,
    log: join(dataDir, AUDIT_FILE),
    head: join(dataDir, AUDIT_HEAD_FILE),
    lock: join(dataDir, LOCK_FILE),
    outbox: join(dataDir, AUDIT_OUTBOX_FILE),
    forwardLock: join(dataDir, FORWARD_LOCK_FILE),
  };
}

/**
 * The whole log; empty when there is none yet. A log or data folder that is a symbolic link
 * is refused: the trail must not be read from (nor written to) a file elsewhere.
 */
export async function readLog(file: string): Promise<Buffer> {
  await refuseLinkedDir(dirname(file));
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | NO_FOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw linkRefused(file);
    throw new AppError('internal', `Could not read the audit log ${file} (${errnoOf(e)}).`, {}, { cause: e });
  }
  try {
    return await readAll(handle, (await handle.stat()).size);
  } finally {
    await handle.close();
  }
}

/** data_dir_unsafe when `dir` is a symbolic link; a folder that does not exist yet is fine. */
export async function refuseLinkedDir(dir: string): Promise<void> {
  try {
    if ((await lstat(dir)).isSymbolicLink()) throw linkRefused(dir);
  } catch (e) {
    if (e instanceof AppError) throw e;
  }
}

export function linkRefused(path: string): AppError {
  return new AppError('data_dir_unsafe', `${path} is a symbolic link; the audit trail is kept only in a real folder and file. Replace the link with the folder it points to.`, { path, guidance: guidance('guidance.dataDirUnsafe', { path }) });
}

/**
 * At start: an existing data folder is the user's alone (0700), whatever an older version or
 * an installer left; a folder that is a link is refused. A read-only copy stays as it is.
 */
export async function secureDataDir(dir: string): Promise<void> {
  await refuseLinkedDir(dir);
  if (process.platform === 'win32') return;
  try {
    await chmod(dir, 0o700);
  } catch {
    // Missing (made 0700 when first written), or not ours to change (a read-only copy).
  }
}

/** Replaces `file` atomically and durably: a temp file, fsync, rename, fsync the folder. */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text);
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
