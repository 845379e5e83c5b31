// The settings file: non-secret settings as JSON in the data dir. Every write is
// atomic (temp file, fsync, rename, fsync the directory) so a crash or power loss
// leaves either the old file or the new one, never half of each. A file we cannot
// read is moved aside, not overwritten, so a user or support can still recover it.

import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { lstat, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../shared/errors';
import type { Settings, SettingsPatch } from '../../shared/settings';
import { SETTINGS_KEYS, mergeSettings, settingsPatchSchema, settingsSchema } from '../../shared/settings';
import { parseInput } from '../../shared/validation';
import type { Clock } from '../http';
import { systemClock } from '../http';

export const SETTINGS_FILE_NAME = 'settings.json';
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
  /** Set when the file was unreadable: it was renamed to `corruptFile` and defaults are in use. */
  recovered?: { corruptFile: string; reason: string };
}

export interface SettingsStoreOptions {
  /** Names the corrupt copy and dates stray temp files. */
  clock?: Clock;
}

export class SettingsStore {
  readonly file: string;
  readonly #dataDir: string;
  readonly #clock: Clock;
  #settings: Settings | undefined;
  // Unknown top-level keys from the file, written back untouched so an older build
  // does not erase what a newer one saved. Nested unknown keys are dropped.
  #extras: Record<string, unknown> = {};
  #tail: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string, options: SettingsStoreOptions = {}) {
    this.#dataDir = dataDir;
    this.#clock = options.clock ?? systemClock;
    this.file = join(dataDir, SETTINGS_FILE_NAME);
  }

  /** Missing file: defaults. Corrupt file (bad JSON or schema): moved aside, defaults, and `recovered` says so. */
  load(): Promise<SettingsLoadResult> {
    return this.#serial(async () => {
      await this.#removeStrayTemps();
      const { settings, extras, recovered } = await this.#read();
      this.#settings = settings;
      this.#extras = extras;
      return recovered ? { settings: structuredClone(settings), recovered } : { settings: structuredClone(settings) };
    });
  }

  /** The settings as last loaded or saved. */
  get(): Settings {
    return structuredClone(this.#loaded());
  }

  /**
   * Validates `patch` (invalid: `invalid_input`, nothing written), merges it into the
   * current settings, validates the whole and writes it. Updates apply one at a time,
   * in call order.
   */
  update(patch: unknown): Promise<Settings> {
    let parsed: SettingsPatch;
    try {
      parsed = parseInput(settingsPatchSchema, patch, 'settings');
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#serial(async () => {
      const next = parseInput(settingsSchema, mergeSettings(this.#loaded(), parsed), 'settings');
      await this.#write(next);
      this.#settings = next;
      return structuredClone(next);
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
    const text = `${JSON.stringify({ ...settings, ...this.#extras }, null, 2)}\n`;
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
      await rename(temp, this.file);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      await rm(temp, { force: true }).catch(() => undefined);
      throw new AppError('internal', `Could not save the settings file ${this.file} (${errnoCode(e) ?? 'error'}).`, {}, { cause: e });
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
