// The non-secret settings: what the settings file holds and what the renderer may
// change. Shared so the renderer validates a patch exactly as main does. There is
// deliberately no field for a secret: secrets live in the keychain only.

import { z } from 'zod';
import { idSchema } from './validation';

export const WATCH_LIST_MAX = 200;
export const TRANSCRIPT_HOSTS_MAX = 50;
export const SIGNATURE_ALGORITHM_CHOICES = ['sha256', 'sha1'] as const;
export const LANGUAGES = ['tr', 'en'] as const;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

// A base path is allowed; a query or fragment is not (no endpoint uses one), and
// user:password@ would put a credential in a plain file.
const baseUrlSchema = z
  .string({ error: 'must be text' })
  .trim()
  .max(2048, { error: 'must be at most 2048 characters' })
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }))
  .refine((s) => !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(s), { error: 'must not contain a user name or password' })
  .refine((s) => !/[?#]/.test(s), { error: 'must not contain a query or fragment' });

// Compared against URL.hostname, which is lower case and has no port.
const hostNameSchema = z
  .string({ error: 'must be text' })
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/, {
    error: 'must be a host name, without scheme, port or path',
  });

const applicationNameSchema = z
  .string({ error: 'must be text' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' })
  .refine((s) => !CONTROL_CHARS.test(s), { error: 'must not contain control characters' });

const dedupe = (ids: string[]): string[] => [...new Set(ids)];

const watchListSchema = z
  .array(idSchema)
  .max(WATCH_LIST_MAX, { error: `must list at most ${WATCH_LIST_MAX} customers` })
  .transform(dedupe);

const transcriptHostsSchema = z
  .array(hostNameSchema)
  .max(TRANSCRIPT_HOSTS_MAX, { error: `must list at most ${TRANSCRIPT_HOSTS_MAX} hosts` })
  .transform(dedupe);

const windowSize = z.number().int().min(1).max(100_000);
// Negative positions are real: a monitor left of or above the primary one.
const windowPosition = z.number().int().min(-100_000).max(100_000);

const windowFields = { width: windowSize, height: windowSize, x: windowPosition, y: windowPosition, maximized: z.boolean() };

const signatureAlgorithmSchema = z.enum(SIGNATURE_ALGORITHM_CHOICES, { error: 'must be sha256 or sha1' });
const languageSchema = z.enum(LANGUAGES, { error: 'must be tr or en' });

/**
 * The settings file. Every field may be missing (defaults apply); unknown keys are
 * stripped here (the store keeps unknown top-level keys aside for forward compatibility).
 */
export const settingsSchema = z.object({
  diyalog: z
    .object({
      baseUrl: baseUrlSchema.nullable().default(null),
      keyId: idSchema.nullable().default(null),
      signatureAlgorithm: signatureAlgorithmSchema.default('sha256'),
      /** Host names on which a transcript link (getmessagingdetail) may be opened. */
      transcriptHosts: transcriptHostsSchema.default([]),
    })
    .prefault({}),
  /** The operator's staff number (sicil), sent as x-dlg-requester-userid. */
  staffId: idSchema.nullable().default(null),
  icws: z
    .object({
      baseUrl: baseUrlSchema.nullable().default(null),
      userId: idSchema.nullable().default(null),
      applicationName: applicationNameSchema.default('Agent Companion'),
    })
    .prefault({}),
  /** null: follow the OS locale. */
  language: languageSchema.nullable().default(null),
  /** Customer ids watched for help state, in the user's order, without duplicates. */
  watchList: watchListSchema.default([]),
  window: z
    .object({
      width: windowFields.width,
      height: windowFields.height,
      x: windowFields.x.optional(),
      y: windowFields.y.optional(),
      maximized: windowFields.maximized.optional(),
    })
    .optional(),
});

export type Settings = z.output<typeof settingsSchema>;

/** The top-level keys the schema knows; anything else in a file is someone else's. */
export const SETTINGS_KEYS: readonly string[] = Object.keys(settingsSchema.shape);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = deepFreeze(settingsSchema.parse({}));

/**
 * An update: any subset of fields, nested objects merged field by field, arrays
 * replaced whole, `window: null` forgets the window state. Strict at every level so
 * nothing the schema does not know (say, a `secret`) can ride along. No defaults:
 * a missing field means "leave as is".
 */
export const settingsPatchSchema = z.strictObject({
  diyalog: z
    .strictObject({
      baseUrl: baseUrlSchema.nullable(),
      keyId: idSchema.nullable(),
      signatureAlgorithm: signatureAlgorithmSchema,
      transcriptHosts: transcriptHostsSchema,
    })
    .partial()
    .optional(),
  staffId: idSchema.nullable().optional(),
  icws: z
    .strictObject({
      baseUrl: baseUrlSchema.nullable(),
      userId: idSchema.nullable(),
      applicationName: applicationNameSchema,
    })
    .partial()
    .optional(),
  language: languageSchema.nullable().optional(),
  watchList: watchListSchema.optional(),
  window: z.strictObject(windowFields).partial().nullable().optional(),
});

export type SettingsPatch = z.output<typeof settingsPatchSchema>;

// A key present with the value undefined (structured clone keeps those) means "leave as is", not "reset".
function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Applies a parsed patch; the result still needs `settingsSchema` (a window patch may be incomplete). */
export function mergeSettings(current: Settings, patch: SettingsPatch): unknown {
  const { window: windowPatch, diyalog, icws, ...flat } = patch;
  const merged: Record<string, unknown> = {
    ...current,
    ...defined(flat),
    diyalog: { ...current.diyalog, ...defined(diyalog) },
    icws: { ...current.icws, ...defined(icws) },
  };
  if (windowPatch === null) delete merged.window;
  else if (windowPatch !== undefined) merged.window = { ...current.window, ...defined(windowPatch) };
  return merged;
}
