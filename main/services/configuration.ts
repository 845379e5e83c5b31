// The effective settings: the settings file, with COMPANION_* variables and command-line
// flags laid over it for one invocation. Overrides are never written: a change made in the
// window or with `companion settings set` goes to the file, and what a variable sets wins
// only while that variable is set. The app and the `companion` command both read settings
// through this, so what is configured once works everywhere.

import { AppError } from '../../shared/errors';
import { DEFAULT_SETTINGS, mergeSettings, settingsPatchSchema, settingsSchema, type Settings, type SettingsPatch } from '../../shared/settings';
import { HISTORY_CONCURRENCY_DEFAULT, parseInput } from '../../shared/validation';
import type { Policy } from '../store/policy';
import type { SettingsStore } from '../store/settings';

export type SettingSource = 'policy' | 'file' | 'environment' | 'flag' | 'default';

interface SettingKeySpec {
  /** The variable that overrides it for one invocation, where there is one. */
  env?: string;
  /** The command-line flag that overrides it, where there is one (without the dashes). */
  flag?: string;
  /** How a value typed on a command line becomes a value of the schema (`list`: comma-separated). */
  kind: 'text' | 'boolean' | 'list';
}

/**
 * The settings an administrator sets one at a time (`companion settings set <key> <value>`),
 * by their dotted path in the file. One table for the key names, their variables and their
 * flags: the CLI's usage, the overrides and `companion settings` all read it.
 */
export const SETTING_KEYS = {
  'diyalog.baseUrl': { env: 'COMPANION_DIYALOG_URL', flag: 'diyalog-url', kind: 'text' },
  'diyalog.keyId': { env: 'COMPANION_DIYALOG_KEY_ID', flag: 'key-id', kind: 'text' },
  'diyalog.signatureAlgorithm': { kind: 'text' },
  'diyalog.historyAgentField': { kind: 'text' },
  staffId: { env: 'COMPANION_STAFF_ID', flag: 'staff-id', kind: 'text' },
  'icws.baseUrl': { env: 'COMPANION_ICWS_URL', flag: 'icws-url', kind: 'text' },
  'icws.userId': { env: 'COMPANION_ICWS_USER', flag: 'icws-user', kind: 'text' },
  'icws.applicationName': { kind: 'text' },
  // A server whose supervisor-assistance action resource differs from the inferred one (§2.5).
  'icws.supervisorAssistanceActionPath': { kind: 'text' },
  'supervisor.agents': { env: 'COMPANION_SUPERVISOR_AGENTS', flag: 'supervisor-agents', kind: 'list' },
  'tls.caFile': { env: 'COMPANION_TLS_CA_FILE', flag: 'ca-file', kind: 'text' },
  // No variable: COMPANION_LANG is the CLI's own text language, and a variable here would
  // make the window's language switch write a choice that never takes effect.
  language: { kind: 'text' },
  allowInsecureHttp: { kind: 'boolean' },
  role: { kind: 'text' },
  theme: { kind: 'text' },
  alertSound: { kind: 'boolean' },
  'audit.forward.url': { env: 'COMPANION_AUDIT_FORWARD_URL', flag: 'audit-forward-url', kind: 'text' },
} as const satisfies Record<string, SettingKeySpec>;

export type SettingKey = keyof typeof SETTING_KEYS;

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTING_KEYS, key);
}

const SPECS: Record<SettingKey, SettingKeySpec> = SETTING_KEYS;
const KEYS = Object.keys(SETTING_KEYS) as SettingKey[];

/** `{a: {b: value}}` for 'a.b'. */
function patchOf(key: SettingKey, value: unknown): Record<string, unknown> {
  const path = key.split('.');
  return path.reduceRight<unknown>((inner, part) => ({ [part]: inner }), value) as Record<string, unknown>;
}

function valueAt(settings: Settings, key: SettingKey): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], settings);
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prior = out[k];
    out[k] = v && typeof v === 'object' && prior && typeof prior === 'object' ? deepMerge(prior as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/**
 * One typed value for a key: `null` (the word) clears a setting that may be empty; a
 * boolean setting takes true/false. The result is checked by the same schema the app
 * uses; anything it refuses is `invalid_input` naming the key and changes nothing.
 */
export function parseSettingValue(key: string, raw: string, where = 'setting'): SettingsPatch {
  if (!isSettingKey(key)) {
    throw new AppError('invalid_input', `Unknown setting "${key}". Known settings: ${KEYS.join(', ')}.`);
  }
  let value: unknown = raw;
  // A list is typed comma-separated; empty (or the word null) clears it.
  if (SPECS[key].kind === 'list') value = raw === 'null' ? [] : raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  else if (raw === 'null') value = null;
  else if (SPECS[key].kind === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new AppError('invalid_input', `${where} must be true or false.`);
    value = raw === 'true';
  }
  return parseInput(settingsPatchSchema, patchOf(key, value), where);
}

export interface Override {
  key: SettingKey;
  value: string;
  source: 'environment' | 'flag';
  /** The variable or flag it came from, for messages. */
  origin: string;
}

/**
 * The overrides of one invocation: each key's flag wins over its variable. An empty
 * variable or flag counts as unset. A bad value is refused here, naming its variable or
 * flag, before anything is read or sent.
 */
export function collectOverrides(env: NodeJS.ProcessEnv, flags: Record<string, unknown> = {}): Override[] {
  const overrides: Override[] = [];
  for (const key of KEYS) {
    const spec = SPECS[key];
    const flag = spec.flag === undefined ? undefined : flags[spec.flag];
    const variable = spec.env === undefined ? undefined : env[spec.env];
    if (typeof flag === 'string' && flag !== '') overrides.push({ key, value: flag, source: 'flag', origin: `--${spec.flag}` });
    else if (variable !== undefined && variable !== '') overrides.push({ key, value: variable, source: 'environment', origin: spec.env ?? key });
  }
  return overrides;
}

/** The overrides as one settings patch, each value checked by the settings schema. */
export function overridePatch(overrides: readonly Override[]): SettingsPatch {
  let merged: Record<string, unknown> = {};
  for (const o of overrides) {
    let patch: SettingsPatch;
    try {
      patch = parseSettingValue(o.key, o.value, o.origin);
    } catch (e) {
      // Name the variable or flag: the user fixes that, not a field they cannot see. (Without
      // the rule in the details, so no later re-wording drops the name.)
      if (e instanceof AppError) throw new AppError(e.code, `${o.origin}: ${e.message}`, { field: o.origin }, { cause: e });
      throw e;
    }
    merged = deepMerge(merged, patch as Record<string, unknown>);
  }
  return parseInput(settingsPatchSchema, merged, 'overrides');
}

export interface EffectiveSetting {
  value: unknown;
  source: SettingSource;
}

/**
 * The settings the services use: the file's, with this invocation's overrides on top.
 * Updates go to the file only; the overrides keep winning while they are set.
 */
export class Configuration {
  readonly store: SettingsStore;
  readonly overrides: readonly Override[];
  readonly #patch: SettingsPatch;
  readonly #listeners = new Set<(before: Settings, after: Settings) => Promise<void> | void>();
  #queue: Promise<void> = Promise.resolve();

  /** The administrator's policy: what it sets wins over the file, the variables and the flags, and cannot be changed. */
  readonly policy: Policy | null;

  constructor(store: SettingsStore, overrides: readonly Override[] = [], policy: Policy | null = null) {
    this.store = store;
    this.overrides = overrides;
    this.policy = policy;
    this.#patch = overridePatch(overrides);
  }

  /** The effective settings (file + overrides + policy). */
  get(): Settings {
    return this.#effective(this.store.get());
  }

  #effective(file: Settings): Settings {
    let merged = mergeSettings(file, this.#patch) as Settings;
    if (this.policy) {
      merged = mergeSettings(parseInput(settingsSchema, merged, 'settings'), this.policy.settings) as Settings;
      // A role the policy does not allow (the file's, from before the policy) gives way to its first.
      const roles = this.policy.roles;
      if (roles && !roles.includes(merged.role)) merged = { ...merged, role: roles[0]! };
    }
    return parseInput(settingsSchema, merged, 'settings');
  }

  /**
   * How many history requests one search may have in flight: what was asked (or the default),
   * within the policy's highest. Asking for more than the policy allows is refused, not cut
   * quietly, so a script learns why its search is slower than it asked.
   */
  historyConcurrency(requested: number | undefined): number {
    const max = this.policy?.historyConcurrency ?? null;
    if (max !== null && requested !== undefined && requested > max) {
      throw new AppError('locked_by_policy', `The administrator's policy (${this.policy!.file}) allows at most ${max} history requests at once.`, { field: 'concurrency', file: this.policy!.file, max });
    }
    const wanted = requested ?? HISTORY_CONCURRENCY_DEFAULT;
    return max === null ? wanted : Math.min(wanted, max);
  }

  /** Dotted keys the policy sets: shown read-only, refused in an update. */
  locked(): readonly string[] {
    return this.policy?.locked ?? [];
  }

  /**
   * Throws locked_by_policy when `patch` would change what the policy decides: a key it sets,
   * or a role it does not allow. Naming a locked key with the value in force is not a change
   * (the Settings form sends every field), and is left out of what is written: the file keeps
   * the user's own value, which applies again if the policy ever lets go of the key.
   */
  #checkPolicy(patch: SettingsPatch): SettingsPatch {
    const policy = this.policy;
    if (!policy) return patch;
    const kept = structuredClone(patch) as Record<string, unknown>;
    const effective = this.get() as unknown;
    for (const key of policy.locked) {
      const path = key.split('.');
      const value = path.reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], patch);
      if (value === undefined) continue;
      const inForce = path.reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], effective);
      if (JSON.stringify(value) !== JSON.stringify(inForce)) {
        throw new AppError('locked_by_policy', `${key} is set by the administrator's policy (${policy.file}) and cannot be changed.`, { field: key, file: policy.file });
      }
      const parent = path.slice(0, -1).reduce<Record<string, unknown> | undefined>((node, part) => node?.[part] as Record<string, unknown> | undefined, kept);
      if (parent) delete parent[path.at(-1)!];
    }
    if (policy.roles && patch.role !== undefined && !policy.roles.includes(patch.role)) {
      throw new AppError('locked_by_policy', `The administrator's policy (${policy.file}) allows only the role ${policy.roles.join(' or ')}.`, { field: 'role', file: policy.file });
    }
    return kept as SettingsPatch;
  }

  /** The settings file alone: what the Settings screen edits. */
  file(): Settings {
    return this.store.get();
  }

  /** Every administrator-settable key with its effective value and where it came from. */
  describe(): Record<SettingKey, EffectiveSetting> {
    const file = this.store.get();
    const effective = this.get();
    return Object.fromEntries(
      KEYS.map((key) => {
        const override = this.overrides.find((o) => o.key === key);
        // A value equal to the default reads as the default, whether or not the file spells it out.
        const fromFile = JSON.stringify(valueAt(file, key)) !== JSON.stringify(valueAt(DEFAULT_SETTINGS, key));
        const source: SettingSource = this.locked().includes(key) ? 'policy' : override ? override.source : fromFile ? 'file' : 'default';
        return [key, { value: valueAt(effective, key), source }];
      }),
    ) as Record<SettingKey, EffectiveSetting>;
  }

  /** The keys whose effective value comes from a variable or flag, not the file. */
  overridden(): SettingKey[] {
    // The policy wins over a variable or a flag: such a key reads as locked, not overridden.
    return this.overrides.map((o) => o.key).filter((key) => !this.locked().includes(key));
  }

  /** Called after each update with the effective settings before and after it. */
  onChange(listener: (before: Settings, after: Settings) => Promise<void> | void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Writes a patch to the file, one update at a time; a patch may be computed from the
   * settings when its turn comes, so two quick watch.add calls both land.
   */
  update(patch: SettingsPatch | ((current: Settings) => SettingsPatch)): Promise<void> {
    const run = this.#queue.then(async () => {
      const before = this.get();
      // A function patch is computed by the store under its lock from the file as it is now,
      // so an update another process made meanwhile is built on, not overwritten.
      await this.store.update((current) => {
        // Checked as the store will read it (trimmed, typed), then against the policy.
        const computed = parseInput(settingsPatchSchema, typeof patch === 'function' ? patch(current) : patch, 'settings');
        return this.#checkPolicy(computed);
      });
      const after = this.get();
      for (const listener of this.#listeners) await listener(before, after);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Resolves once every update asked for so far has been written, the ones nobody awaits too
   * (the Diyalog client reporting the signing a server accepted): stopping waits for them, so
   * a write is never cut short by the process ending or its data dir going away.
   */
  settled(): Promise<void> {
    return this.#queue;
  }
}
