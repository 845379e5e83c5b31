// The one contract between the renderer and main. Every call the renderer may make and
// every event main may push, each with a runtime schema. The Electron IPC (main/app) and
// the browser host (main/host) are both generated from this object; the renderer knows
// nothing else of main.

import { z } from 'zod';
import type { AssistanceRequest, ConnectionState } from './assistance';
import { INTERACTION_DIRECTIONS, INTERACTION_STATES, type AgentInteraction } from './interactions';
import type { ForceEndResult, HelpRecord, HelpStateAnswer, HistoryProgress, HistoryResult } from './diyalog';
import { CALL_NAMES, EVENT_NAMES, isCallName, isEventName, type CallName, type EventName } from './contract-names';
import { ERROR_CODES, type ErrorValue } from './errors';
import { RECOVERY_OUTCOMES, type SessionFacts, type StuckSearchProgress, type StuckSearchResult, type StuckSession } from './recovery';
import {
  SUPERVISOR_ACTIONS,
  SUPERVISOR_DESK_STATES,
  SUPERVISOR_DID,
  SUPERVISOR_REQUEST_STATES,
  type AgentBoard,
  type AgentInteractions,
  type SupervisorActionResult,
  type SupervisorAlert,
  type SupervisorDesk,
} from './supervisor';

export { CALL_NAMES, EVENT_NAMES, isCallName, isEventName, type CallName, type EventName };
import { LANGUAGES } from './language';
import { ROLES, SIGNATURE_ALGORITHM_CHOICES, SIGNING_FORM_CHOICES, settingsSchema, settingsUpdateSchema } from './settings';
import {
  assistanceTextSchema,
  epochMsSchema,
  historyConcurrencySchema,
  idSchema,
  linkSchema,
  pathIdSchema,
  reasonSchema,
  ruleError,
  secretSchema,
  startNotAfterEnd,
  withDateRange,
} from './validation';

// ---------------------------------------------------------------------------
// Value schemas (outputs). Each is checked against its shared interface below.

export const guidanceSchema = z.object({
  key: z.templateLiteral(['guidance.', z.string()]),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

export const errorValueSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string(), guidance: guidanceSchema.optional() });

export const helpStateAnswerSchema = z.object({
  customerId: z.string(),
  isInHelp: z.boolean(),
  helpType: z.enum(['inbound', 'outbound']).nullable(),
  staffId: z.string().nullable(),
});

export const helpRecordSchema = z.object({
  onlineHelpId: z.number(),
  customerNo: z.string(),
  customerName: z.string(),
  agentId: z.string().optional(),
  agentName: z.string().optional(),
  helpState: z.string(),
  helpRequestedAt: z.number(),
  helpStartedAt: z.number().optional(),
  helpEndedAt: z.number().optional(),
  waitTime: z.number().optional(),
  helpTime: z.number().optional(),
  conversationDetailLink: z.string().optional(),
});

export const historyWarningSchema = z.object({ code: z.literal('timestamp_overflow'), timestamp: z.number(), message: z.string() });

export const historyResultSchema = z.object({
  items: z.array(helpRecordSchema),
  requests: z.number().int(),
  warnings: z.array(historyWarningSchema),
});

export const historyProgressSchema = z.object({
  slicesDone: z.number(),
  slicesTotal: z.number(),
  records: z.number(),
  requests: z.number(),
});

export const forceEndResultSchema = z.object({
  customerId: z.string(),
  staffId: z.string(),
  outcome: z.enum(['ended', 'already_ended']),
  message: z.string(),
});

export const assistanceRequestSchema = z.object({
  assistanceId: z.string(),
  interactionId: z.string().nullable(),
  state: z.enum(['none', 'accepted', 'completed', 'unknown']),
  messages: z.array(z.object({ text: z.string(), participantId: z.string(), timeAdded: z.string() })),
  participants: z.array(
    z.object({ userId: z.string(), displayName: z.string(), action: z.enum(['none', 'initiated', 'ignored', 'accepted', 'unknown']) }),
  ),
});

/** One of the agent's current interactions (ICWS, the user's own queue): what the interaction picker offers. */
export const agentInteractionSchema = z.object({
  interactionId: z.string(),
  type: z.string(),
  state: z.enum(INTERACTION_STATES),
  stateText: z.string(),
  remoteName: z.string(),
  remoteAddress: z.string(),
  direction: z.enum(INTERACTION_DIRECTIONS),
  workgroup: z.string(),
  initiatedAt: z.string().nullable(),
});

// The supervisor desk (shared/supervisor.ts says what each field means).
const supervisorPersonSchema = z.object({ userId: z.string(), displayName: z.string() });
export const supervisorRequestSchema = z.object({
  assistanceId: z.string(),
  interactionId: z.string(),
  problemDescription: z.string(),
  workgroup: z.string(),
  initiator: supervisorPersonSchema,
  state: z.enum(SUPERVISOR_REQUEST_STATES),
  myAction: z.enum(SUPERVISOR_ACTIONS),
  acceptedBy: supervisorPersonSchema.nullable(),
  messages: assistanceRequestSchema.shape.messages,
  participants: assistanceRequestSchema.shape.participants,
});
export const supervisorDeskSchema = z.object({
  state: z.enum(SUPERVISOR_DESK_STATES),
  requests: z.array(supervisorRequestSchema),
  stale: z.boolean(),
  error: errorValueSchema.nullable(),
});
export const supervisorActionResultSchema = z.object({ assistanceId: z.string(), action: z.enum(SUPERVISOR_DID) });
export const supervisorAlertSchema = z.object({
  kind: z.enum(['request', 'message']),
  assistanceId: z.string(),
  interactionId: z.string(),
  workgroup: z.string(),
  from: z.string(),
  text: z.string(),
  at: z.string(),
});
export const agentStatusRowSchema = z.object({
  userId: z.string(),
  statusId: z.string().nullable(),
  loggedIn: z.boolean().nullable(),
  onPhone: z.boolean().nullable(),
  since: z.string().nullable(),
  error: errorValueSchema.nullable(),
});
export const agentBoardSchema = z.object({ agents: z.array(agentStatusRowSchema), error: errorValueSchema.nullable() });
export const agentInteractionsSchema = z.object({
  userId: z.string(),
  interactions: z.array(agentInteractionSchema),
  error: errorValueSchema.nullable(),
});

export const connectionStateSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('connecting') }),
  z.object({
    state: z.literal('up'),
    host: z.string(),
    sse: z.boolean(),
    proxyBuffering: z.boolean().optional(),
    passwordExpiresInDays: z.number().int().optional(),
  }),
  z.object({ state: z.literal('switching'), host: z.string() }),
  z.object({ state: z.literal('down'), reason: z.string(), code: z.string() }),
]);

/** One watched customer: the last answer, or the last error, and when it was checked. */
export const watchEntrySchema = z.object({
  customerId: z.string(),
  state: helpStateAnswerSchema.nullable(),
  error: errorValueSchema.nullable(),
  /** epoch ms of the last answer or error; null before the first check */
  checkedAt: z.number().nullable(),
  /** epoch ms of the last check that succeeded (an answer, not an error); null if none yet. */
  confirmedAt: z.number().nullable(),
  /**
   * Main's word on freshness: until this time (epoch ms) the state shown counts as current
   * and may be acted on (a force-end); after it, or when null (the last check failed, or none
   * succeeded yet), the row is stale. The renderer compares its clock with it and decides nothing else.
   */
  freshUntil: z.number().nullable(),
});
export type WatchEntry = z.infer<typeof watchEntrySchema>;

export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  customerId: z.string(),
  staffId: z.string(),
  reason: z.string(),
  // The settled outcome (shared/recovery.ts says what each means).
  outcome: z.enum(RECOVERY_OUTCOMES),
  outcomeAt: z.string().optional(),
  settledBy: z.enum(['answer', 'check']).optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  /** What the finishonlinehelp call itself returned; absent when the process died first. */
  answer: z
    .object({ outcome: z.enum(RECOVERY_OUTCOMES), code: z.string().optional(), message: z.string().optional(), at: z.string() })
    .optional(),
  /** The help state an unclear outcome was settled with. */
  check: z.object({ isInHelp: z.boolean(), staffId: z.string().nullable() }).optional(),
});
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

export const secretKindSchema = z.enum(['diyalog', 'icws']);
export type SecretKind = z.infer<typeof secretKindSchema>;

/** Settings as the renderer sees them: never a secret, only whether one is stored. */
export const settingsViewSchema = z.object({
  settings: settingsSchema,
  secrets: z.object({ diyalog: z.boolean(), icws: z.boolean() }),
  /** Set when the settings file was corrupt and was moved aside at start. */
  recoveredFrom: z.string().nullable(),
  /** Dotted keys (e.g. `diyalog.baseUrl`) set for this run by a COMPANION_* variable or flag: shown, not saved. */
  overridden: z.array(z.string()),
  /** Dotted keys the administrator's policy sets: shown read-only ("Set by your administrator"), never asked at setup. */
  locked: z.array(z.string()),
  /** The roles the user may pick (all, unless the policy limits them). */
  allowedRoles: z.array(z.enum(ROLES)).min(1),
});
export type SettingsView = z.infer<typeof settingsViewSchema>;

export const languageSchema = z.enum(LANGUAGES);
export type { Language } from './language';

/** How the Diyalog server has been answering: the status bar never shows a failing server as connected. */
export const diyalogHealthSchema = z.object({
  /** unknown: nothing asked yet since start or since the settings changed. */
  state: z.enum(['unknown', 'ok', 'failing']),
  /** epoch ms of the last call the server answered. */
  lastSuccessAt: z.number().nullable(),
  /** How far this computer's clock is from the server's (the client corrects for it). */
  clockOffsetSeconds: z.number(),
  /** The last failure while failing. */
  error: errorValueSchema.nullable(),
});
export type DiyalogHealth = z.infer<typeof diyalogHealthSchema>;

/** A new message from someone else (a supervisor) on one of the agent's requests: worth a notification. */
export const assistanceAlertSchema = z.object({
  assistanceId: z.string(),
  interactionId: z.string().nullable(),
  /** The sender's display name (their user id when the list does not name them). */
  from: z.string(),
  text: z.string(),
  /** ISO 8601 */
  at: z.string(),
});
export type AssistanceAlert = z.infer<typeof assistanceAlertSchema>;

/** How far the forwarding of the audit trail to the bank's collector is behind (null: not configured). */
export const auditForwardStatusSchema = z.object({
  /** Entries written but not yet confirmed by the collector. */
  pending: z.number().int().min(0),
  lastSentSeq: z.number().int().min(0),
  /** Why the last attempt failed (English, for the details); null after a success. */
  lastError: z.string().nullable(),
  /** Its stable code: what the window shows, in the user's language. */
  lastErrorCode: z.enum(ERROR_CODES).nullable(),
});
export type AuditForwardStatus = z.infer<typeof auditForwardStatusSchema>;

export const statusSchema = z.object({
  /** Running against the built-in simulators: the window says so. */
  demo: z.boolean(),
  version: z.string(),
  language: languageSchema,
  diyalog: z.object({ configured: z.boolean(), hasSecret: z.boolean(), health: diyalogHealthSchema }),
  icws: connectionStateSchema.nullable(),
  /** The assistance list may be out of date (subscription suspended, or the server ended the session) until it is confirmed again. */
  assistanceStale: z.boolean(),
  /** The audit trail's forwarding to the collector; absent or null while audit.forward.url is unset. */
  auditForward: auditForwardStatusSchema.nullable().optional(),
});
export type Status = z.infer<typeof statusSchema>;

const historyWalkIdSchema = z.object({ walkId: idSchema });

// ---------------------------------------------------------------------------
// The calls.

// Supervisor recovery (shared/recovery.ts says what each outcome means). Limits beyond
// the shapes (how old, how many at once) are the services' to check, in one place.
const searchIdSchema = z.object({ searchId: idSchema });
const jobIdSchema = z.object({ jobId: idSchema });
export const stuckSessionSchema = z.object({
  customerId: z.string(),
  customerName: z.string(),
  staffId: z.string(),
  staffName: z.string(),
  onlineHelpId: z.number(),
  startedAt: z.string(),
  minutes: z.number(),
});
export const stuckSearchProgressSchema = z.object({
  phase: z.enum(['walk', 'confirm', 'done']),
  walked: z.number(),
  records: z.number(),
  candidates: z.number(),
  checked: z.number(),
  requests: z.number(),
});
export const stuckSearchResultSchema = z.object({
  /** The window searched, ISO 8601: the one asked for, or main's default when none was. */
  window: z.object({ from: z.string(), to: z.string() }),
  sessions: z.array(stuckSessionSchema),
  candidates: z.number(),
  dropped: z.object({ ended: z.number(), otherStaff: z.number(), unknown: z.number() }),
  requests: z.number(),
});
const settlementCheckSchema = z.object({ isInHelp: z.boolean(), staffId: z.string().nullable() });
export const bulkRowSchema = z.object({
  customerId: z.string(),
  staffId: z.string(),
  outcome: z.enum(RECOVERY_OUTCOMES),
  code: z.string().optional(),
  message: z.string(),
  auditId: z.string().optional(),
  /** The help state after the whole bulk; null when it could not be checked. */
  recheck: settlementCheckSchema.nullable(),
  /** An interim row: the answer was unclear (`unknown`) and main is checking the help state; the final row follows. */
  checking: z.literal(true).optional(),
});
/** What the history says of a customer's session with a staff member; null for what it does not say. */
export const sessionFactsSchema = z.object({
  customerId: z.string(),
  staffId: z.string(),
  customerName: z.string().nullable(),
  staffName: z.string().nullable(),
  startedAt: z.string().nullable(),
  minutes: z.number().nullable(),
});
export const auditVerificationSchema = z.object({
  ok: z.boolean(),
  entries: z.number(),
  /** The entry number (1-based) where the chain stops holding. */
  brokenAt: z.number().optional(),
  reason: z.string().optional(),
});

const empty = z.object({}).strict();
const ok = z.object({ ok: z.literal(true) });

export const calls = {
  'settings.get': { input: empty, output: settingsViewSchema },
  'settings.update': { input: settingsUpdateSchema, output: settingsViewSchema },
  'secret.set': { input: z.object({ kind: secretKindSchema, secret: secretSchema }).strict(), output: ok },
  'secret.clear': { input: z.object({ kind: secretKindSchema }).strict(), output: ok },
  'connection.test': {
    input: z
      .object({
        target: secretKindSchema,
        /**
         * What the Settings form holds now, saved or not: the test uses it over the saved
         * settings, and a secret typed but not yet stored. Nothing of it is saved.
         */
        draft: z.object({ settings: settingsUpdateSchema.optional(), secret: secretSchema.optional() }).strict().optional(),
      })
      .strict(),
    // Facts, not sentences: the renderer says them in the user's language.
    output: z.object({
      ok: z.literal(true),
      latencyMs: z.number(),
      /** The host that answered (for ICWS after a switchover, the alternate). */
      host: z.string(),
      /** Diyalog only: how far this computer's clock is from the server's, as learned from its answers. */
      clockOffsetSeconds: z.number().nullable(),
      /** Diyalog only: the string to sign and the algorithm the server accepted (found by trying, then remembered). */
      signing: z.object({ form: z.enum(SIGNING_FORM_CHOICES), algorithm: z.enum(SIGNATURE_ALGORITHM_CHOICES) }).nullable(),
    }),
  },
  'status.get': { input: empty, output: statusSchema },
  'language.set': { input: z.object({ language: languageSchema.nullable() }).strict(), output: statusSchema },

  'watch.list': { input: empty, output: z.array(watchEntrySchema) },
  'watch.add': { input: z.object({ customerId: idSchema }).strict(), output: z.array(watchEntrySchema) },
  'watch.remove': { input: z.object({ customerId: idSchema }).strict(), output: z.array(watchEntrySchema) },
  'watch.refresh': { input: z.object({ customerId: idSchema }).strict(), output: watchEntrySchema },
  /** For the force-end dialog: the customer's and the staff member's names and since when, from the recent history. */
  'watch.sessionFacts': { input: z.object({ customerId: idSchema, staffId: idSchema }).strict(), output: sessionFactsSchema },

  'recovery.forceEnd': {
    // `confirmed` is the UI's promise that the person confirmed in a dialog; main refuses without it.
    input: z.object({ customerId: idSchema, staffId: idSchema, reason: reasonSchema, confirmed: z.literal(true) }).strict(),
    output: forceEndResultSchema,
  },

  /**
   * Finds crashed sessions: walks the history, confirms each candidate; progress as
   * recovery.progress, the end as recovery.done. Without dates main searches its default
   * window up to now (without one of them, up to now or the default window before the end);
   * the result says which window was searched.
   */
  'recovery.find': {
    input: z
      .object({
        startDate: epochMsSchema.optional(),
        endDate: epochMsSchema.optional(),
        agentId: idSchema.optional(),
        customerId: idSchema.optional(),
        olderThanMinutes: z.number().int().min(0).optional(),
      })
      .strict()
      .refine(
        (q) => q.startDate === undefined || q.endDate === undefined || startNotAfterEnd({ startDate: q.startDate, endDate: q.endDate }),
        ruleError('range_inverted', {}, ['endDate']),
      ),
    output: searchIdSchema,
  },
  'recovery.cancel': { input: searchIdSchema.strict(), output: ok },
  'recovery.result': {
    input: searchIdSchema.strict(),
    output: z.discriminatedUnion('status', [
      z.object({ status: z.literal('running'), progress: stuckSearchProgressSchema }),
      z.object({ status: z.literal('done'), result: stuckSearchResultSchema }),
      z.object({ status: z.literal('failed'), error: errorValueSchema }),
    ]),
  },
  /** Ends several sessions with one reason; each row as recovery.outcome, all (re-checked) as recovery.ended. */
  'recovery.endMany': {
    input: z
      .object({
        sessions: z.array(z.object({ customerId: idSchema, staffId: idSchema }).strict()).min(1),
        reason: reasonSchema,
        // The UI's promise that the person confirmed the list in a dialog.
        confirmed: z.literal(true),
        concurrency: z.number().int().min(1).optional(),
      })
      .strict(),
    output: jobIdSchema,
  },
  'recovery.cancelEnd': { input: jobIdSchema.strict(), output: ok },
  'audit.verify': { input: empty, output: auditVerificationSchema },

  'history.start': {
    input: withDateRange(
      z
        .object({
          startDate: epochMsSchema,
          endDate: epochMsSchema,
          customerId: idSchema.optional(),
          agentId: idSchema.optional(),
          concurrency: historyConcurrencySchema.optional(),
        })
        .strict(),
    ),
    output: historyWalkIdSchema,
  },
  'history.cancel': { input: historyWalkIdSchema.strict(), output: ok },
  'history.result': {
    input: historyWalkIdSchema.strict(),
    output: z.discriminatedUnion('status', [
      z.object({ status: z.literal('running'), progress: historyProgressSchema }),
      z.object({ status: z.literal('done'), result: historyResultSchema }),
      /** result: what was found before the failure or cancel (partial), when anything was. */
      z.object({ status: z.literal('failed'), error: errorValueSchema, result: historyResultSchema.nullable() }),
    ]),
  },

  'transcript.link': {
    input: withDateRange(z.object({ staffId: idSchema, customerId: idSchema, startDate: epochMsSchema, endDate: epochMsSchema }).strict()),
    output: z.object({ url: z.string() }),
  },
  'transcript.open': {
    input: z.object({ url: linkSchema }).strict(),
    // opened false: main cannot open windows here (the browser host); the page opens the vetted url itself.
    output: z.object({ opened: z.boolean(), url: z.string() }),
  },
  /** The page's visibility: the help watch polls slower while nobody looks. */
  'ui.visibility': { input: z.object({ visible: z.boolean() }).strict(), output: ok },

  'assistance.list': { input: empty, output: z.array(assistanceRequestSchema) },
  'assistance.create': {
    // ICWS ids go into a URL path: the service's own rule (no '/'), checked here already.
    input: z.object({ interactionId: pathIdSchema, text: assistanceTextSchema }).strict(),
    output: z.object({ assistanceId: z.string() }),
  },
  'assistance.addMessage': { input: z.object({ assistanceId: pathIdSchema, text: assistanceTextSchema }).strict(), output: ok },
  /** After the server ended the session (down, session_ended): the user asks to log in again. */
  'assistance.loginAgain': { input: empty, output: ok },

  /**
   * Demo mode only: store the user's servers (settings in the real settings file, secrets in
   * the OS keychain) and start again on them. Answers once the services run on them.
   */
  'demo.useServers': {
    input: z
      .object({
        settings: settingsUpdateSchema,
        secrets: z.object({ diyalog: secretSchema.optional(), icws: secretSchema.optional() }).strict(),
      })
      .strict(),
    output: ok,
  },
  'assistance.complete': { input: z.object({ assistanceId: pathIdSchema }).strict(), output: ok },

  /** The agent's current interactions, in the order they came; empty while ICWS is not configured or not yet answered. */
  'interactions.list': { input: empty, output: z.array(agentInteractionSchema) },

  'audit.entries': { input: empty, output: z.array(auditEntrySchema) },

  /** The supervisor desk as it is now; the first call starts it (logs in, subscribes). Changes come as supervise.changed. */
  'supervise.list': { input: empty, output: supervisorDeskSchema },
  'supervise.accept': { input: z.object({ assistanceId: pathIdSchema }).strict(), output: supervisorActionResultSchema },
  'supervise.ignore': { input: z.object({ assistanceId: pathIdSchema }).strict(), output: supervisorActionResultSchema },
  /** Writes a message on the request (ICWS: text alone; the server may count it as accepting). */
  'supervise.answer': { input: z.object({ assistanceId: pathIdSchema, text: assistanceTextSchema }).strict(), output: supervisorActionResultSchema },
  /** After `refused` (403) or `failed`: the user asks to try again; nothing retries by itself. */
  'supervise.retry': { input: empty, output: supervisorDeskSchema },

  /** The board of the supervisor's agents (`supervisor.agents`); the first call starts it. Changes come as agents.changed. */
  'agents.list': { input: empty, output: agentBoardSchema },
  /** Starts following one agent's interactions (their user queue); changes come as agents.interactionsChanged. */
  'agents.interactions': { input: z.object({ userId: pathIdSchema }).strict(), output: agentInteractionsSchema },
  'agents.closeInteractions': { input: z.object({ userId: pathIdSchema }).strict(), output: ok },
} as const;

// ---------------------------------------------------------------------------
// The events main pushes.

export const events = {
  'watch.changed': watchEntrySchema,
  /** The watch list changed (in this window, another, or from a command): the whole list, in order. */
  'watch.listed': z.array(watchEntrySchema),
  'history.progress': z.object({ walkId: z.string(), progress: historyProgressSchema }),
  /** result with an error: the records found before a cancel or failure (partial). */
  'history.done': z.object({ walkId: z.string(), result: historyResultSchema.nullable(), error: errorValueSchema.nullable() }),
  'assistance.changed': z.array(assistanceRequestSchema),
  'assistance.alert': assistanceAlertSchema,
  /** The whole list after every change (and [] when ICWS stops). */
  'interactions.changed': z.array(agentInteractionSchema),
  'recovery.progress': z.object({ searchId: z.string(), progress: stuckSearchProgressSchema }),
  'recovery.done': z.object({ searchId: z.string(), result: stuckSearchResultSchema.nullable(), error: errorValueSchema.nullable() }),
  'recovery.outcome': z.object({ jobId: z.string(), row: bulkRowSchema, done: z.number(), total: z.number() }),
  'recovery.ended': z.object({ jobId: z.string(), results: z.array(bulkRowSchema).nullable(), error: errorValueSchema.nullable() }),
  'connection.changed': connectionStateSchema,
  'status.changed': statusSchema,
  /** The whole desk after every change. */
  'supervise.changed': supervisorDeskSchema,
  'supervise.alert': supervisorAlertSchema,
  /** The whole board after every change. */
  'agents.changed': agentBoardSchema,
  /** One followed agent's interactions after every change. */
  'agents.interactionsChanged': agentInteractionsSchema,
} as const;

// ---------------------------------------------------------------------------
// Types derived from the contract.

export type Calls = typeof calls;
export type CallInput<N extends CallName> = z.input<Calls[N]['input']>;
/** The input after its schema ran (trimmed, defaults applied): what a handler receives. */
export type CallParsedInput<N extends CallName> = z.output<Calls[N]['input']>;
export type CallOutput<N extends CallName> = z.output<Calls[N]['output']>;

export type Events = typeof events;
export type EventPayload<N extends EventName> = z.output<Events[N]>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorValue };

/** What the renderer holds: the preload's frozen object or the WebSocket client, same shape. */
export interface CompanionApi {
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<Result<CallOutput<N>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

// ---------------------------------------------------------------------------
// Compile-time checks: the schemas and the shared interfaces must not drift apart.

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type ContractChecks = [
  Assert<Same<keyof Calls, CallName>>,
  Assert<Same<keyof Events, EventName>>,
  Assert<Same<z.output<typeof helpStateAnswerSchema>, HelpStateAnswer>>,
  Assert<Same<z.output<typeof forceEndResultSchema>, ForceEndResult>>,
  Assert<Same<z.output<typeof historyProgressSchema>, HistoryProgress>>,
  Assert<Same<z.output<typeof assistanceRequestSchema>, AssistanceRequest>>,
  Assert<Same<z.output<typeof connectionStateSchema>, ConnectionState>>,
  Assert<Same<z.output<typeof stuckSessionSchema>, StuckSession>>,
  Assert<Same<z.output<typeof stuckSearchProgressSchema>, StuckSearchProgress>>,
  Assert<Same<z.output<typeof stuckSearchResultSchema>, StuckSearchResult>>,
  Assert<Same<z.output<typeof sessionFactsSchema>, SessionFacts>>,
  Assert<Same<z.output<typeof agentInteractionSchema>, AgentInteraction>>,
  Assert<Same<z.output<typeof supervisorDeskSchema>, SupervisorDesk>>,
  Assert<Same<z.output<typeof supervisorActionResultSchema>, SupervisorActionResult>>,
  Assert<Same<z.output<typeof supervisorAlertSchema>, SupervisorAlert>>,
  Assert<Same<z.output<typeof agentBoardSchema>, AgentBoard>>,
  Assert<Same<z.output<typeof agentInteractionsSchema>, AgentInteractions>>,
  Assert<z.output<typeof helpRecordSchema> extends HelpRecord ? true : false>,
  Assert<z.output<typeof historyResultSchema> extends HistoryResult ? true : false>,
];
