// The app and the `companion` command may append at the same moment: every append (and a
// verify, which must not see half of one) holds a lock file (proper-lockfile) across reading
// the head, writing the line and the head, so two processes never interleave bytes nor fork
// the chain.

import { mkdir } from 'node:fs/promises';
import { lock } from 'proper-lockfile';
import { AppError } from '../../../shared/errors';
import { errnoOf } from './files';
import type { AuditFiles } from './files';

/** Runs `work` holding the audit lock, creating the data folder first when needed. */
export async function withAuditLock<T>(files: AuditFiles, work: () => Promise<T>): Promise<T> {
  await makeDataDir(files.dir);
  let release: () => Promise<void>;
  try {
    release = await lock(files.dir, {
      lockfilePath: files.lock,
      realpath: false,
      // A process killed while holding it leaves the lock behind: it is stale after 5 s.
      stale: 5_000,
      retries: { retries: 200, minTimeout: 5, maxTimeout: 100, factor: 1.5 },
      // We hold it for milliseconds; a compromised lock shows in verify() if it ever mattered.
      onCompromised: () => undefined,
    });
  } catch (e) {
    throw new AppError('internal', `Could not lock the audit log ${files.log} (${errnoOf(e)}).`, {}, { cause: e });
  }
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}

async function makeDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new AppError('internal', `Could not create the data folder ${dir} (${errnoOf(e)}).`, {}, { cause: e });
  }
}

/**
 * Runs `work` holding the forwarding lock (one sender at a time: the app and a
 * `companion audit forward` would otherwise send the same lines twice), or resolves
 * `undefined` when another process holds it for longer than `waitMs`.
 */
export async function withForwardLock<T>(files: AuditFiles, waitMs: number, work: () => Promise<T>): Promise<T | undefined> {
  await makeDataDir(files.dir);
  let release: () => Promise<void>;
  try {
    // Named by the outbox, not the folder: proper-lockfile keeps one lock per name in a process,
    // and the audit lock already goes by the folder's.
    release = await lock(files.outbox, {
      lockfilePath: files.forwardLock,
      realpath: false,
      // A batch takes seconds at most; a sender killed mid-batch leaves a lock stale after 30 s.
      stale: 30_000,
      retries: waitMs <= 0 ? 0 : { retries: Math.ceil(waitMs / 100), minTimeout: 100, maxTimeout: 100, factor: 1 },
      onCompromised: () => undefined,
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw new AppError('audit_unwritable', `Could not lock the audit outbox ${files.forwardLock} (${errnoOf(e)}).`, {}, { cause: e });
  }
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}
