// Appending one line to the audit log, under the lock: the head records the line as pending,
// the line is written and fsynced, then the head records it as done. So each line is on disk
// before the call that wrote it resolves, and a crash anywhere in between is repaired by the
// next append (or reported by verify()) rather than mistaken for tampering.

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { AppError, guidance, isAppError } from '../../../shared/errors';
import { GENESIS, NEWLINE, chainLine, completeLines, sha256 } from './chain';
import type { LineBody } from './chain';
import { NO_FOLLOW, errnoOf, lastByte, linkRefused, readAll, refuseLinkedDir, syncDirectory } from './files';
import type { AuditFiles } from './files';
import { headMacMatches, readHead, writeHead } from './head';
import type { Head, HeadState } from './head';
import type { HeadKeys } from './head-key';

const APPEND_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | NO_FOLLOW;

/**
 * Chains `body` onto the log. The caller holds the lock. Fails with data_dir_unsafe for a
 * linked folder or log, audit_unwritable when the disk refuses (full, read-only, no right):
 * a caller that has not sent anything yet must not send.
 */
export async function appendLine(files: AuditFiles, body: LineBody, keys: HeadKeys): Promise<void> {
  try {
    await refuseLinkedDir(files.dir);
    const headRead = await readHead(files.head);
    const { key, created: keyCreated } = await keys.forWriting();
    let handle: FileHandle;
    try {
      handle = await open(files.log, APPEND_FLAGS, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw linkRefused(files.log);
      throw e;
    }
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
      let keyedFrom: number | undefined;
      if (headRead.kind === 'ok') {
        ({ base, size } = await repairAfterCrash(handle, headRead.head, size));
        lost = headRead.head.lost;
        keyedFrom = headRead.head.keyedFrom;
        if (key !== null && !headMacMatches(headRead.head, key)) {
          if (keyCreated) keyedFrom = base.entries;
          // The key existed, so this head was keyed once: one without a valid HMAC was rebuilt
          // without the keychain (or written while it was locked). Entries up to here cannot be vouched for.
          else lost = Math.max(lost ?? 0, base.entries);
        }
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
      if (keyedFrom === undefined && key !== null) keyedFrom = base.entries;
      // After a torn line that is not ours to repair, start a fresh line: the fragment stays visible.
      const prefix = size > 0 && (await lastByte(handle, size)) !== NEWLINE ? '\n' : '';
      const { line, hash } = chainLine(base, body);
      const text = `${prefix}${line}\n`;
      const next: HeadState = { entries: base.entries + 1, lastHash: hash, bytes: size + Buffer.byteLength(text, 'utf8') };
      const keep = { ...(lost !== undefined && { lost }), ...(keyedFrom !== undefined && { keyedFrom }) };
      await writeHead(files.head, { version: 1, ...base, pending: next, ...keep }, key);
      await handle.write(text);
      await handle.sync();
      await writeHead(files.head, { version: 1, ...next, ...keep }, key);
    } finally {
      await handle.close();
    }
    if (created) await syncDirectory(files.dir);
  } catch (e) {
    if (isAppError(e) && e.code === 'data_dir_unsafe') throw e;
    throw new AppError(
      'audit_unwritable',
      `Could not write the audit log ${files.log} (${errnoOf(e)}).`,
      { errno: errnoOf(e), guidance: guidance('guidance.auditUnwritable', { dir: files.dir }) },
      { cause: e },
    );
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

/** The hash of the last complete line of the first `size` bytes. */
async function tailHash(handle: FileHandle, size: number): Promise<string | null> {
  const lines = completeLines(await readAll(handle, size));
  const last = lines.at(-1);
  return last === undefined ? null : sha256(last);
}
