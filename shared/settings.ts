// The non-secret settings: what the settings file holds and what the renderer may
// change. Shared so the renderer validates a patch exactly as main does. There is
// deliberately no field for a secret: secrets live in the keychain only.

import { z } from 'zod';
import { insecureUrlProblem, isHttpOrigin, parseUrl } from './urls';
import { LANGUAGES } from './language';
import { insecureSyslogProblem, parseSyslogUrl } from './syslog-url';
import { codePointLength, trimText } from './text';
import { addRuleIssue, applicationNameSchema, checkChars, idSchema, ruleError } from './validation';

export const WATCH_LIST_MAX = 200;
/** The supervisor's agents on the Agents board (one ICWS user-status subscription). */
export const SUPERVISOR_AGENTS_MAX = 200;
/** Where the assistance id goes in `icws.supervisorAssistanceActionPath`. */
export const ASSISTANCE_ID_PLACEHOLDER = '{assistanceId}';
export const TRANSCRIPT_HOSTS_MAX = 50;
export const SIGNATURE_ALGORITHM_CHOICES = ['sha256', 'sha1'] as const;
/** The two canonical strings to sign (digest §1.1): `example` has a newline before the path. */
export const SIGNING_FORM_CHOICES = ['example', 'pseudocode'] as const;
/** What getonlinehelplist calls its agent filter: `agentUserId` on servers before 2021-03-31. */
export const HISTORY_AGENT_FIELD_CHOICES = ['agentId', 'agentUserId'] as const;
export { LANGUAGES };
/** Supervisors see Recovery and the force-end actions; agents do not (a convenience, not a security boundary). */
export const ROLES = ['agent', 'supervisor'] as const;
export const THEMES = ['system', 'light', 'dark'] as const;

// A base path is allowed; a query or fragment is not (no endpoint uses one), and
// user:password@ would put a credential in a plain file.
// NUL, ESC, spaces, bidi or zero-width characters are refused before the URL is parsed:
// `new URL` would percent-encode or drop some of them, so the address shown in Settings
// would not be the address used.
const BASE_URL_MAX_LENGTH = 2048;
const baseUrlSchema = z
  .string()
  .overwrite(trimText)
  .superRefine((s, ctx) => {
    if (codePointLength(s) > BASE_URL_MAX_LENGTH) return addRuleIssue(ctx, 'too_long', { max: BASE_URL_MAX_LENGTH });
    checkChars(ctx, s, 'url');
  })
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }))
  .refine((s) => !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(s), ruleError('url_credentials'))
  .refine((s) => !/[?#]/.test(s), ruleError('url_query'));

// Compared against URL.hostname, which is lower case and has no port.
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const hostNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .superRefine((s, ctx) => {
    if (!HOST_NAME.test(s)) addRuleIssue(ctx, 'not_host');
  });

// The audit collector's address (shared/syslog-url.ts): syslog+tls:// or syslog+tcp://, a host and a port only.
const syslogUrlSchema = z
  .string()
  .overwrite(trimText)
  .superRefine((s, ctx) => {
    if (codePointLength(s) > BASE_URL_MAX_LENGTH) return addRuleIssue(ctx, 'too_long', { max: BASE_URL_MAX_LENGTH });
    checkChars(ctx, s, 'url');
    if (parseSyslogUrl(s) === null) addRuleIssue(ctx, 'not_syslog_url');
  });

const dedupe = (ids: string[]): string[] => [...new Set(ids)];

const watchListSchema = z
  .array(idSchema)
  .max(WATCH_LIST_MAX, ruleError('too_many', { max: WATCH_LIST_MAX }))
  .transform(dedupe);

const supervisorAgentsSchema = z
  .array(idSchema)
  .max(SUPERVISOR_AGENTS_MAX, ruleError('too_many', { max: SUPERVISOR_AGENTS_MAX }))
  .transform(dedupe);

// A path below /icws/{sessionId}/ with the id's place marked once; the client encodes the id
// into it. Nothing that could leave the session's resources: no scheme, query, "..", spaces.
const PATH_TEMPLATE = /^[A-Za-z0-9._~!$&'()*+,;=:@{}/-]+$/;
const actionPathTemplateSchema = z
  .string()
  .overwrite(trimText)
  .superRefine((s, ctx) => {
    const problem = { placeholder: ASSISTANCE_ID_PLACEHOLDER };
    if (codePointLength(s) > 512) return addRuleIssue(ctx, 'too_long', { max: 512 });
    const segments = s.replace(/^\/+/, '').split('/');
    const ok =
      PATH_TEMPLATE.test(s) &&
      s.split(ASSISTANCE_ID_PLACEHOLDER).length === 2 &&
      !s.replaceAll(ASSISTANCE_ID_PLACEHOLDER, '').includes('{') &&
      !s.replaceAll(ASSISTANCE_ID_PLACEHOLDER, '').includes('}') &&
      !segments.some((x) => x === '..' || x === '.' || x === '') &&
      !/^[a-z][a-z0-9+.-]*:/i.test(s);
    if (!ok) addRuleIssue(ctx, 'path_template', problem);
  });

const transcriptHostsSchema = z
  .array(hostNameSchema)
  .max(TRANSCRIPT_HOSTS_MAX, ruleError('too_many', { max: TRANSCRIPT_HOSTS_MAX }))
  .transform(dedupe);

const windowSize = z.number().int().min(1).max(100_000);
// Negative positions are real: a monitor left of or above the primary one.
const windowPosition = z.number().int().min(-100_000).max(100_000);

const windowFields = { width: windowSize, height: windowSize, x: windowPosition, y: windowPosition, maximized: z.boolean() };

const signatureAlgorithmSchema = z.enum(SIGNATURE_ALGORITHM_CHOICES, { error: 'must be sha256 or sha1' });
const signingFormSchema = z.enum(SIGNING_FORM_CHOICES, { error: 'must be example or pseudocode' });
const historyAgentFieldSchema = z.enum(HISTORY_AGENT_FIELD_CHOICES, { error: 'must be agentId or agentUserId' });

// A URL origin (scheme, host, port), exactly as URL.origin writes it.
const originSchema = z
  .string({ error: 'must be text' })
  .max(2048, { error: 'must be at most 2048 characters' })
  .refine(isHttpOrigin, { error: 'must be an http or https origin, such as https://diyalog.bank.example' });

/**
 * The signing form and algorithm a Diyalog server was seen to accept (the client found it
 * after a 401). A learned fact, not a choice: it applies only while the configured server
 * has this origin, and the client still falls back if the server changes.
 */
export const learnedSigningSchema = z.object({ origin: originSchema, form: signingFormSchema, algorithm: signatureAlgorithmSchema });
export type LearnedSigning = z.output<typeof learnedSigningSchema>;

// A file the administrator names (a CA bundle): a full path, so it means the same file to the
// window, the command and a scheduled task whatever their working directory.
const FILE_PATH_MAX_LENGTH = 4096;
const absolutePathSchema = z
  .string()
  .overwrite(trimText)
  .superRefine((s, ctx) => {
    if (codePointLength(s) > FILE_PATH_MAX_LENGTH) return addRuleIssue(ctx, 'too_long', { max: FILE_PATH_MAX_LENGTH });
    checkChars(ctx, s, 'line');
    if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(s)) addRuleIssue(ctx, 'not_absolute_path');
  });

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
      /** The name of getonlinehelplist's agent filter the configured server expects. */
      historyAgentField: historyAgentFieldSchema.default('agentId'),
      /** Written by the app when the client detects the server's signing; null until then. */
      learnedSigning: learnedSigningSchema.nullable().default(null),
    })
    .prefault({}),
  /** The operator's staff number (sicil), sent as x-dlg-requester-userid. */
  staffId: idSchema.nullable().default(null),
  icws: z
    .object({
      baseUrl: baseUrlSchema.nullable().default(null),
      userId: idSchema.nullable().default(null),
      applicationName: applicationNameSchema.default('Agent Companion'),
      /**
       * Where a supervisor's accept, ignore or answer is POSTed, below /icws/{sessionId}/, with
       * {assistanceId} marking the id; null: the inferred path (main/icws/supervisor-assistance.ts).
       */
      supervisorAssistanceActionPath: actionPathTemplateSchema.nullable().default(null),
    })
    .prefault({}),
  tls: z
    .object({
      /**
       * A PEM bundle of CAs trusted besides the OS store (and Node's own): for an administrator
       * whose bank CA is not in the OS store. Verification itself is never turned off.
       */
      caFile: absolutePathSchema.nullable().default(null),
    })
    .prefault({}),
  /** Plain http to a server other than this computer; off by default, shown as insecure when on. */
  allowInsecureHttp: z.boolean({ error: 'must be true or false' }).default(false),
  role: z.enum(ROLES, { error: 'must be agent or supervisor' }).default('agent'),
  /** system: follow the OS' light or dark preference. */
  theme: z.enum(THEMES, { error: 'must be system, light or dark' }).default('system'),
  /** A short sound when a supervisor answers an assistance request; off by default. */
  alertSound: z.boolean({ error: 'must be true or false' }).default(false),
  /** null: follow the OS locale. */
  language: languageSchema.nullable().default(null),
  /** Customer ids watched for help state, in the user's order, without duplicates. */
  watchList: watchListSchema.default([]),
  /** The supervisor desk: the ICWS user ids of the supervisor's agents (the Agents board), in the user's order, without duplicates. */
  supervisor: z.object({ agents: supervisorAgentsSchema.default([]) }).prefault({}),
  audit: z
    .object({
      forward: z
        .object({
          /** The bank's syslog collector every audit entry is forwarded to; null: not forwarded. */
          url: syslogUrlSchema.nullable().default(null),
        })
        .prefault({}),
    })
    .prefault({}),
  window: z
    .object({
      width: windowFields.width,
      height: windowFields.height,
      x: windowFields.x.optional(),
      y: windowFields.y.optional(),
      maximized: windowFields.maximized.optional(),
    })
    .optional(),
}).superRefine((s, ctx) => {
  const collector = s.audit.forward.url === null ? null : parseSyslogUrl(s.audit.forward.url);
  const collectorProblem = collector === null ? null : insecureSyslogProblem(collector, s.allowInsecureHttp);
  if (collector !== null && collectorProblem !== null) {
    ctx.addIssue({ code: 'custom', path: ['audit', 'forward', 'url'], message: collectorProblem, params: { rule: 'insecure_syslog', host: collector.host } });
  }
  // One rule (shared/urls.ts) for the settings and both clients: http only to loopback unless allowed.
  for (const service of ['diyalog', 'icws'] as const) {
    const url = s[service].baseUrl;
    const problem = url === null ? null : insecureUrlProblem(url, s.allowInsecureHttp);
    // With its rule code, so the refusal is worded in the user's language (shared/validation.ts).
    if (url !== null && problem !== null) {
      ctx.addIssue({ code: 'custom', path: [service, 'baseUrl'], message: problem, params: { rule: 'insecure_http', host: parseUrl(url)?.host ?? url } });
    }
  }
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

/** A settings object's fields as an update: each may be left out; a nested object's fields too. */
type PatchFields<T> = {
  [K in keyof T]?:
    | (NonNullable<T[K]> extends readonly unknown[]
        ? T[K]
        : NonNullable<T[K]> extends Record<string, unknown>
          ? // An optional nested object (the window) may be forgotten with null; one with defaults may not.
            { [F in keyof NonNullable<T[K]>]?: NonNullable<NonNullable<T[K]>[F]> | Extract<NonNullable<T[K]>[F], null> | undefined } | (undefined extends T[K] ? null : never)
          : T[K])
    | undefined;
};

/**
 * An update: any subset of fields, nested objects merged field by field, arrays replaced
 * whole, `window: null` forgets the window state. Strict at every level so nothing the
 * schema does not know (say, a `secret`) can ride along. No defaults: a missing field
 * means "leave as is".
 */
export type SettingsPatch = PatchFields<Settings>;

/**
 * The update schema, derived from `settingsSchema` so a setting is written once: each field
 * without its default (a default in an update would reset what the user set), nested objects
 * strict and partial, an optional nested object nullable.
 */
function patchSchemaOf<P>(shape: Record<string, z.ZodType>): z.ZodType<P, P> {
  const fields = Object.fromEntries(
    Object.entries(shape).map(([key, field]) => {
      const inner = withoutDefault(field);
      if (!(inner instanceof z.ZodObject)) return [key, inner.optional()];
      const nested = z.strictObject(Object.fromEntries(Object.entries(inner.shape as Record<string, z.ZodType>).map(([k, f]) => [k, withoutDefault(f)]))).partial();
      return [key, (isOptional(field) ? nested.nullable() : nested).optional()];
    }),
  );
  return z.strictObject(fields) as unknown as z.ZodType<P, P>;
}

/** The type inside `.default()`, `.prefault()` and `.optional()` (never the nullable: null is a value). */
function withoutDefault(field: z.ZodType): z.ZodType {
  let inner = field;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
  return inner;
}

function isOptional(field: z.ZodType): boolean {
  return field instanceof z.ZodOptional;
}

/** What the settings file takes as an update (main: the store, the CLI, main's own window geometry). */
export const settingsPatchSchema = patchSchemaOf<SettingsPatch>(settingsSchema.shape);

/**
 * What the window may change through `settings.update`: every setting but the window's
 * geometry, which main saves itself from the window it owns (main/app/window-geometry*.ts).
 */
export const settingsUpdateSchema = patchSchemaOf<SettingsUpdate>((({ window: _window, ...rest }) => rest)(settingsSchema.shape));

export type SettingsUpdate = Omit<SettingsPatch, 'window'>;

// A key present with the value undefined (structured clone keeps those) means "leave as is", not "reset".
function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `patch` over `base`, nested objects field by field at any depth (audit.forward.url), arrays whole. */
function mergeFields(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(defined(patch))) {
    const prior = out[key];
    out[key] = isPlainObject(value) && isPlainObject(prior) ? mergeFields(prior, value) : value;
  }
  return out;
}

/** Applies a parsed patch; the result still needs `settingsSchema` (a window patch may be incomplete). */
export function mergeSettings(current: Settings, patch: SettingsPatch): unknown {
  const { window: windowPatch, ...rest } = patch;
  const { window: _window, ...kept } = current;
  const merged = mergeFields(kept, rest);
  // `window: null` forgets the geometry; any other window patch is merged like the rest.
  if (windowPatch === null || (windowPatch === undefined && current.window === undefined)) return merged;
  merged.window = windowPatch === undefined ? current.window : { ...current.window, ...defined(windowPatch) };
  return merged;
}
