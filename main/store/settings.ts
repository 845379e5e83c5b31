// The settings file: non-secret settings as JSON in the data dir. Every write is
// atomic (temp file, fsync, rename, fsync the directory) so a crash or power loss
// leaves either the old file or the new one, never half of each. A file we cannot
// read is moved aside, not overwritten, so a user or support can still recover it.
//
// Several processes share one data dir (the app, `companion settings set`, a second
// browser host), so every read-modify-write happens under a lock file (proper-lockfile)
// and re-reads the file first: an update made by another process is merged, never lost.
//
// Beside it, settings.state.json remembers what the settings file alone cannot: that this
// data dir once had a server configured, and that its settings were reset (the unreadable
// file's new name). Demo mode is only for a data dir that never had servers, so a corrupt
// file can never silently turn a configured installation into demo.

import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { access, lstat, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { AppError } from '../../shared/errors';
import type { Settings, SettingsPatch } from '../../shared/settings';
import { SETTINGS_KEYS, mergeSettings, settingsPatchSchema, settingsSchema } from '../../shared/settings';
import { parseInput } from '../../shared/validation';
import type { Clock } from '../http';
import { systemClock } from '../http';

export const SETTINGS_FILE_NAME = 'settings.json';
export const SETTINGS_STATE_FILE_NAME = 'settings.state.json';
/** A directory while held (mkdir is atomic on every file system, network ones included). */
export const SETTINGS_LOCK_NAME = 'settings.lock';
const TEMP_PREFIX = `${SETTINGS_FILE_NAME}.tmp-`;
const TEMP_NAME = /^settings\.json\.tmp-(\d+)-[0-9a-f]+$/;

/**
 * A temp file this old is left over from a crash even if its pid is alive again
 * (pids are reused); a younger one whose process lives may be another instance's
 * write in flight (the CLI and the app share the data dir).
 */
export const STALE_TEMP_MS = 10 * 60_000;

export interface SettingsLoadResult {
  settings: Settings;
  /**
   * Set while the settings are reset: an unreadable file was renamed to `corruptFile` (by
   * this load or an earlier one, in any process) and no server has been configured since.
   * The window says so, with the path of the saved copy.
   */
  recovered?: { corruptFile: string; reason: string };
  /**
   * A server was configured in this data dir at some point, or its settings were reset
   * (what the unreadable file held is unknown): such a data dir never starts in demo mode.
   */
  hadServers: boolean;
}

export interface SettingsStoreOptions {
  /** Names the corrupt copy and dates stray temp files. */
  clock?: Clock;
  /** How long to wait for another process's lock before giving up with `busy`. Default about 15 s. */
  lockRetries?: number;
}

/** What settings.state.json holds. */
interface StoreState {
  hadServers: boolean;
  reset: { corruptFile: string; reason: string; at: string } | null;
}

/** Computes a patch from the settings as they are on disk at the update's turn. */
export type SettingsPatchFunction = (current: Settings) => unknown;

/** Whether settings name a server of either kind. */
export function hasServers(settings: Pick<Settings, 'diyalog' | 'icws'>): boolean {
  return Boolean(settings.diyalog.baseUrl || settings.icws.baseUrl);
}

export class SettingsStore {
  readonly file: string;
  readonly stateFile: string;
  readonly #dataDir: string;
  readonly #clock: Clock;
  readonly #lockRetries: number;
  #settings: Settings | undefined;
  // Unknown top-level keys from the file, written back untouched so an older build
  // does not erase what a newer one saved. Nested unknown keys are dropped.
  #extras: Record<string, unknown> = {};
  #tail: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string, options: SettingsStoreOptions = {}) {
    this.#dataDir = dataDir;
    this.#clock = options.clock ?? systemClock;
    this.#lockRetries = options.lockRetries ?? 80;
    this.file = join(dataDir, SETTINGS_FILE_NAME);
    this.stateFile = join(dataDir, SETTINGS_STATE_FILE_NAME);
  }

  /**
   * Missing file: defaults. Corrupt file (bad JSON or schema): moved aside, defaults, and
   * `recovered` says so until a server is configured again.
   */
  load(): Promise<SettingsLoadResult> {
    return this.#serial(async () => {
      // A data dir that does not exist yet is not created just to be read.
      if (!(await exists(this.#dataDir))) {
        this.#settings = settingsSchema.parse({});
        this.#extras = {};
        return { settings: structuredClone(this.#settings), hadServers: false };
      }
      // A read-only copy of a data dir (an auditor reading a desktop's audit trail): read as it
      // is, without the lock, which could not be taken there anyway.
      if (!(await access(this.#dataDir, fsConstants.W_OK).then(() => true, () => false))) {
        const { settings, extras } = await this.#read();
        this.#settings = settings;
        this.#extras = extras;
        return { settings: structuredClone(settings), hadServers: hasServers(settings) };
      }
      return this.#locked(async () => {
        await this.#removeStrayTemps();
        const { settings, extras, recovered } = await this.#read();
        const state = await this.#noteOutcome(settings, recovered);
        this.#settings = settings;
        this.#extras = extras;
        const result: SettingsLoadResult = { settings: structuredClone(settings), hadServers: state.hadServers || hasServers(settings) };
        if (state.reset) result.recovered = { corruptFile: state.reset.corruptFile, reason: state.reset.reason };
        return result;
      });
    });
  }

  /** The settings as last loaded or saved. */
  get(): Settings {
    return structuredClone(this.#loaded());
  }

  /**
   * Validates the patch (invalid: `invalid_input`, nothing written), then under the lock
   * re-reads the file (another process may have changed it), merges the patch into what
   * is there now, validates the whole and writes it. A function patch is computed from
   * that fresh reading, so "add to the list" made in two processes keeps both. Updates
   * apply one at a time, in call order.
   */
  update(patch: SettingsPatchFunction): Promise<Settings>;
  update(patch: unknown): Promise<Settings>;
  update(patch: unknown): Promise<Settings> {
    let parsed: SettingsPatch | undefined;
    if (typeof patch !== 'function') {
      try {
        parsed = parseInput(settingsPatchSchema, patch, 'settings');
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.#serial(async () => {
      this.#loaded();
      await mkdir(this.#dataDir, { recursive: true, mode: 0o700 }).catch((e: unknown) => {
        throw new AppError('internal', `Could not create the data directory ${this.#dataDir} (${errnoCode(e) ?? 'error'}).`, {}, { cause: e });
      });
      return this.#locked(async () => {
        const current = await this.#read();
        const change = parsed ?? parseInput(settingsPatchSchema, (patch as SettingsPatchFunction)(structuredClone(current.settings)), 'settings');
        const next = parseInput(settingsSchema, mergeSettings(current.settings, change), 'settings');
        this.#extras = current.extras;
        await this.#write(next);
        await this.#noteOutcome(next, current.recovered);
        this.#settings = next;
        return structuredClone(next);
      });
    });
  }

  #loaded(): Settings {
    if (!this.#settings) throw new AppError('internal', 'Settings used before they were loaded.');
    return this.#settings;
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Runs `task` holding the data dir's settings lock, shared with every other process. */
  async #locked<T>(task: () => Promise<T>): Promise<T> {
    const lockPath = join(this.#dataDir, SETTINGS_LOCK_NAME);
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(this.file, {
        lockfilePath: lockPath,
        // The settings file may not exist yet; the lock is about the name, not the inode.
        realpath: false,
        // A process that died holding the lock leaves it; after this long it is taken over.
        stale: 10_000,
        retries: { retries: this.#lockRetries, factor: 1.3, minTimeout: 5, maxTimeout: 250, randomize: true },
        // The default throws from a timer and kills the process; the write is atomic anyway.
        onCompromised: () => undefined,
      });
    } catch (e) {
      if (errnoCode(e) === 'ELOCKED') {
        throw new AppError('busy', `The settings are being changed by another process (lock ${lockPath}): try again.`, {}, { cause: e });
      }
      throw new AppError('internal', `Could not lock the settings in ${this.#dataDir} (${errnoCode(e) ?? 'error'}).`, {}, { cause: e });
    }
    try {
      return await task();
    } finally {
      await release().catch(() => undefined);
    }
  }

  /**
   * Keeps settings.state.json in step with what just happened: a file moved aside puts the
   * data dir in the reset state (and counts as having had servers); a server configured
   * ends the reset state and is remembered. Returns the state now in force.
   */
  async #noteOutcome(settings: Settings, recovered: SettingsLoadResult['recovered']): Promise<StoreState> {
    const before = await this.#readState();
    let after: StoreState = before;
    if (recovered) after = { hadServers: true, reset: { ...recovered, at: new Date(this.#clock()).toISOString() } };
    else if (hasServers(settings) && (!before.hadServers || before.reset !== null)) after = { hadServers: true, reset: null };
    // Written only when it changes: most updates (window bounds, the watch list) leave it be.
    if (after !== before) await this.#writeAtomic(this.stateFile, `${JSON.stringify(after, null, 2)}\n`);
    return after;
  }

  async #readState(): Promise<StoreState> {
    let text: string;
    try {
      text = await readFile(this.stateFile, 'utf8');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return { hadServers: false, reset: null };
      return { hadServers: true, reset: null };
    }
    try {
      const raw = JSON.parse(text) as Partial<StoreState> | null;
      const reset = raw?.reset;
      const validReset =
        reset && typeof reset === 'object' && typeof reset.corruptFile === 'string' && typeof reset.reason === 'string' && typeof reset.at === 'string'
          ? { corruptFile: reset.corruptFile, reason: reset.reason, at: reset.at }
          : null;
      return { hadServers: raw?.hadServers !== false || validReset !== null, reset: validReset };
    } catch {
      // Unreadable: assume the cautious answer (had servers), so it never turns into demo.
      return { hadServers: true, reset: null };
    }
  }

  async #read(): Promise<{ settings: Settings; extras: Record<string, unknown>; recovered?: SettingsLoadResult['recovered'] }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return { settings: settingsSchema.parse({}), extras: {} };
      throw new AppError('internal', `Could not read the settings file ${this.file} (${errnoCode(e) ?? 'error'}).`, {}, { cause: e });
    }
    const corrupt = async (reason: string) => {
      const corruptFile = await this.#moveAside();
      return { settings: settingsSchema.parse({}), extras: {}, recovered: { corruptFile, reason } };
    };

    let raw: unknown;
    try {
      // Notepad saves UTF-8 with a BOM, which JSON.parse refuses.
      raw = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      // JSON.parse's message quotes the content, which may be anything: keep it out.
      return corrupt('not valid JSON');
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return corrupt('not a JSON object');
    const result = settingsSchema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
      return corrupt(`does not match the settings schema (${where}${issue?.message ?? 'invalid'})`);
    }
    const extras = Object.fromEntries(Object.entries(raw).filter(([key]) => !SETTINGS_KEYS.includes(key)));
    return { settings: result.data, extras };
  }

  /** Renames the file to settings.corrupt-<UTC timestamp>[-n].json, never over an earlier copy. */
  async #moveAside(): Promise<string> {
    const stamp = new Date(this.#clock()).toISOString().replace(/[-:.]/g, '');
    for (let n = 0; ; n++) {
      const target = join(this.#dataDir, `settings.corrupt-${stamp}${n === 0 ? '' : `-${n}`}.json`);
      try {
        if (await exists(target)) continue;
        await rename(this.file, target);
      } catch (e) {
        // Carrying on would let the next save overwrite the only copy.
        throw new AppError(
          'settings_corrupt',
          `The settings file ${this.file} is unreadable and could not be moved aside (${errnoCode(e) ?? 'error'}).`,
          {},
          { cause: e },
        );
      }
      return target;
    }
  }

  async #write(settings: Settings): Promise<void> {
    await this.#writeAtomic(this.file, `${JSON.stringify({ ...settings, ...this.#extras }, null, 2)}\n`);
  }

  async #writeAtomic(file: string, text: string): Promise<void> {
    const temp = join(this.#dataDir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
    let handle: FileHandle | undefined;
    try {
      await mkdir(this.#dataDir, { recursive: true, mode: 0o700 });
      // 'wx': never follow or reuse an existing path.
      handle = await open(temp, 'wx', 0o600);
      await handle.writeFile(text, 'utf8');
      await handle.sync();
      await handle.close();
      handle = undefined;
      await rename(temp, file);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      await rm(temp, { force: true }).catch(() => undefined);
      throw new AppError('internal', `Could not save the settings file ${file} (${errnoCode(e) ?? 'error'}).`, {}, { cause: e });
    }
    await syncDirectory(this.#dataDir);
  }

  async #removeStrayTemps(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.#dataDir);
    } catch {
      return;
    }
    const now = this.#clock();
    for (const name of names) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const path = join(this.#dataDir, name);
      try {
        const stat = await lstat(path);
        if (!stat.isFile()) continue;
        const pid = Number(TEMP_NAME.exec(name)?.[1] ?? 0);
        const orphaned = pid !== process.pid && !isProcessAlive(pid);
        if (orphaned || now - stat.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
      } catch {
        // Best effort: a temp we cannot remove is ignored, never read.
      }
    }
  }
}

function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return false;
    throw e;
  }
}

function isProcessAlive(pid: number): boolean {
  // 0 and negatives address process groups; only ask about a real pid.
  if (!Number.isInteger(pid) || pid <= 0 || pid > 0x7fffffff) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}

/** Makes the rename itself durable. Windows cannot open a directory; its rename is durable enough. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort by design.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
