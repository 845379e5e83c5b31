// An administrator's policy: a machine-wide file, the same shape as the settings file (any
// subset of its keys, checked by the same schema), whose every value is set and locked for
// every user of the machine, plus `limits` a settings file cannot express (the roles a user
// may pick, the highest history concurrency). It fails closed: a policy that cannot be read or
// does not pass the schema stops the app and every command, naming the file and the key; a
// policy quietly ignored would let a desktop run outside the rules the bank set.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError, isAppError } from '../../shared/errors';
import { DEFAULT_SETTINGS, mergeSettings, ROLES, settingsPatchSchema, settingsSchema, type SettingsPatch } from '../../shared/settings';
import { HISTORY_CONCURRENCY_MAX, parseInput } from '../../shared/validation';

type Role = (typeof ROLES)[number];

/** Where the policy lives on each OS; `COMPANION_POLICY_FILE` names another (tests, or an administrator's choice). */
export function policyFilePath(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (env.COMPANION_POLICY_FILE) return env.COMPANION_POLICY_FILE;
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'Agent Companion', 'policy.json');
  if (platform === 'darwin') return '/Library/Application Support/Agent Companion/policy.json';
  return '/etc/agent-companion/policy.json';
}

const limitsSchema = z.strictObject({
  /** The roles a user may pick; the first is used when the settings name another. */
  roles: z.array(z.enum(ROLES, { error: 'must be agent or supervisor' })).min(1, { error: 'must name at least one role' }).optional(),
  /** The most history requests in flight at once, whatever a user asks for. */
  historyConcurrency: z.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' }).min(1).max(HISTORY_CONCURRENCY_MAX).optional(),
});

export interface Policy {
  /** The file it came from (messages name it). */
  readonly file: string;
  /** The settings it sets and locks. */
  readonly settings: SettingsPatch;
  /** Dotted keys of every value it sets (`diyalog.baseUrl`, `allowInsecureHttp`, …). */
  readonly locked: readonly string[];
  readonly roles: readonly Role[] | null;
  readonly historyConcurrency: number | null;
}

function leafKeys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : leafKeys(v, prefix ? `${prefix}.${k}` : k)));
}

function policyError(file: string, message: string, field?: string, cause?: unknown): AppError {
  return new AppError('policy_invalid', `The administrator's policy ${file} cannot be used: ${message}`, { file, ...(field !== undefined && { field }) }, { cause });
}

/** Checks a policy's text; throws policy_invalid naming the file and the key. */
export function parsePolicy(file: string, text: string): Policy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw policyError(file, `it is not JSON (${e instanceof Error ? e.message : String(e)}).`, undefined, e);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw policyError(file, 'it must be a JSON object, like the settings file.');
  const { limits: rawLimits, window: windowGeometry, ...rawSettings } = json as Record<string, unknown>;
  // The window's size and place are each user's own.
  if (windowGeometry !== undefined) throw policyError(file, 'window: a policy cannot set the window geometry.', 'window');
  let settings: SettingsPatch;
  let limits: z.output<typeof limitsSchema>;
  try {
    settings = parseInput(settingsPatchSchema, rawSettings, 'policy');
    limits = parseInput(limitsSchema, rawLimits ?? {}, 'limits');
    // The policy alone must make valid settings (an http server with allowInsecureHttp locked off is refused here, not at use).
    parseInput(settingsSchema, mergeSettings(DEFAULT_SETTINGS, settings), 'policy');
  } catch (e) {
    if (isAppError(e)) throw policyError(file, e.message, typeof e.details.field === 'string' ? e.details.field : undefined, e);
    throw e;
  }
  if (limits.roles && settings.role !== undefined && !limits.roles.includes(settings.role)) {
    throw policyError(file, `role: "${settings.role}" is not among limits.roles (${limits.roles.join(', ')}).`, 'role');
  }
  return {
    file,
    settings,
    locked: leafKeys(settings).filter((k) => k !== ''),
    roles: limits.roles ? [...new Set(limits.roles)] : null,
    historyConcurrency: limits.historyConcurrency ?? null,
  };
}

/** The machine's policy, or null where there is none; any other failure to read it is fatal (policy_invalid). */
export async function loadPolicy(file: string): Promise<Policy | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw policyError(file, `it cannot be read (${(e as NodeJS.ErrnoException).code ?? 'unreadable'}).`, undefined, e);
  }
  return parsePolicy(file, text);
}
