// The ICWS vocabulary the simulator speaks: media types, message URNs, enumerations,
// error bodies, the basic time format, and a reply helper that logs every status.

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export const ICWS_MEDIA_TYPE = 'application/vnd.inin.icws+json';
export const RESPONSE_CONTENT_TYPE = 'application/vnd.inin.icws+JSON; charset=utf-8';
export const CONNECT_REQUEST_TYPE = 'urn:inin.com:connection:icAuthConnectionRequestSettings';
export const LIST_MESSAGE_TYPE = 'urn:inin.com:interactions.assistance:assistanceRequestListMessage';
export const DETAILS_MESSAGE_TYPE = 'urn:inin.com:interactions.assistance:assistanceRequestDetailsMessage';
export const SUBSCRIPTION_STATE_MESSAGE_TYPE = 'urn:inin.com:interactions.assistance:assistanceRequestSubscriptionStateMessage';
export const CONNECTION_STATE_MESSAGE_TYPE = 'urn:inin.com:connection:connectionStateChangeMessage';
/** The user's queue (test/fixtures/icws/QUEUE-NOTES.md). */
export const QUEUE_CONTENTS_MESSAGE_TYPE = 'urn:inin.com:queues:queueContentsMessage';
/** The supervisor side of agent assistance (§2.5). */
export const SUPERVISOR_LIST_MESSAGE_TYPE = 'urn:inin.com:interactions.assistance:supervisorAssistanceRequestMessage';
/** Agents' statuses (§2.5). */
export const USER_STATUS_MESSAGE_TYPE = 'urn:inin.com:status:userStatusMessage';
/**
 * Where a supervisor's supervisorAssistanceRequestAction goes: no public source names it
 * (§2.5); by symmetry with the agent side. A knob serves another path instead.
 */
export const INFERRED_SUPERVISOR_ACTION_PATH = 'interactions/supervisor-assistance/{assistanceId}';
/** `urn:inin.com:queues:queueType` User: a user's own interactions. */
export const USER_QUEUE_TYPE = 1;
export const WWW_AUTHENTICATE = 'ICWS realm="ICWS" location="/ICWS/connection"';

/** Same limit as the companion's client (main/icws/wire.ts), counted in code points after trimming. */
export const MAX_TEXT_LENGTH = 2000;
const MAX_BODY_BYTES = 64 * 1024;

export const AssistanceState = { None: 0, Accepted: 1, Completed: 2 } as const;
export const ParticipantAction = { None: 0, Initiated: 1, Ignored: 2, Accepted: 3 } as const;
export const ConnectionState = { None: 0, Up: 1, Down: 2 } as const;
export const SubscriptionState = { None: 0, Normal: 1, Suspended: 2, Faulted: 3 } as const;

/** The interaction states the simulator plays, as `Eic_State` letters and the client's words for them (`Eic_CallStateString`). */
export const INTERACTION_STATE_LETTERS = {
  alerting: { letter: 'A', text: 'Alerting' },
  connected: { letter: 'C', text: 'Connected' },
  held: { letter: 'H', text: 'Held' },
  disconnected: { letter: 'E', text: 'Disconnected' },
} as const;
export type SimInteractionState = keyof typeof INTERACTION_STATE_LETTERS;

export interface IcwsErrorBody {
  errorId?: string;
  message: string;
  errorCode?: number;
  alternateHostList?: string[];
}

/** A message as it sits in a session's queue and goes out on the wire. */
export interface IcwsMessage {
  __type: string;
  isDelta: boolean;
  [field: string]: unknown;
}

// Ids and codes seen from real servers where known (authentication, switchover, the 401
// codes); the rest are the simulator's own and clients must not depend on them.
export const ERRORS = {
  authenticationFailure: { errorId: 'error.request.connection.authenticationFailure', errorCode: -2147221503, message: 'The authentication process failed.' },
  notAcceptingConnections: { errorId: 'error.server.notAcceptingConnections', message: 'This Session Manager is not currently accepting connections.' },
  missingAcceptLanguage: { errorId: 'error.request.missingHeader', message: 'The Accept-Language header is required.' },
  // 401 bodies with Genesys' codes (§2.6): 1 session id badly formed, 2 not found, 4 cookie
  // missing, 5 cookie invalid; authenticationFailure with -2147221499 an invalid (expired) session.
  invalidSession: { errorId: 'error.request.connection.authenticationFailure', errorCode: -2147221499, message: 'The session is not valid or has expired.' },
  malformedSessionId: { errorId: 'error.request.accessDenied.sessionId.invalid', errorCode: 1, message: 'The session id is not valid.' },
  sessionNotFound: { errorId: 'error.request.accessDenied.sessionId.notFound', errorCode: 2, message: 'The session was not found.' },
  missingSessionCookie: { errorId: 'error.request.accessDenied.cookie.missing', errorCode: 4, message: 'The session cookie is missing.' },
  // No public code for a bad CSRF token: the simulator's own id, without a code.
  missingCsrfToken: { errorId: 'error.request.accessDenied.csrfToken.invalid', message: 'The ININ-ICWS-CSRF-Token header is missing or does not match.' },
  invalidRepresentation: { errorId: 'error.request.invalidRepresentation', message: 'The request body is not valid.' },
  unsupportedMediaType: { errorId: 'error.request.unsupportedMediaType', message: 'The content type must be application/vnd.inin.icws+JSON or application/json.' },
  bodyTooLarge: { errorId: 'error.request.entityTooLarge', message: 'The request body is too large.' },
  notFound: { errorId: 'error.request.notFound', message: 'The requested resource was not found.' },
  interactionNotFound: { errorId: 'error.request.interactions.notFound', message: 'The interaction does not exist.' },
  assistanceAlreadyActive: { errorId: 'error.request.interactions.assistanceAlreadyActive', message: 'The interaction already has an active assistance request.' },
  assistanceNotFound: { errorId: 'error.request.interactions.assistanceNotFound', message: 'The assistance request does not exist or was not initiated by this user.' },
  queueNotAllowed: { errorId: 'error.request.accessDenied.queue', message: 'Only your own user queue can be watched here.' },
  // The supervisor desk (§2.5): the rights' exact names are not public; these ids are the simulator's own.
  notSupervisor: { errorId: 'error.request.accessDenied.supervisorAssistance', message: 'You are not a supervisor of any workgroup.' },
  queueNoRight: { errorId: 'error.request.accessDenied.queueMonitoring', message: 'You do not have the right to monitor this user queue.' },
  statusNoRight: { errorId: 'error.request.accessDenied.userStatus', message: 'You do not have the right to view the status of this user.' },
  userNotFound: { errorId: 'error.request.user.notFound', message: 'The user does not exist.' },
  assistanceAlreadyAccepted: { errorId: 'error.request.interactions.assistanceAlreadyAccepted', message: 'Another supervisor has already accepted this request.' },
  internal: { errorId: 'error.server.internal', message: 'An unexpected error occurred while processing the request.' },
  // A real server's body for a bad session cookie (§2.4); its status is not documented.
  invalidCookie: { errorId: 'error.request.accessDenied.cookie.invalid', errorCode: 5, message: 'The session cookie is invalid.' },
  serverUnavailable: { errorId: 'error.server.unavailable', message: 'The server is not available.' },
  // Connect refusals beyond a bad password (§2.6: no public bodies): the simulator's own ids,
  // which the client must not know in advance.
  noLicense: { errorId: 'error.request.connection.noLicenseAvailable', message: 'No client access license is available for this user.' },
  passwordExpired: { errorId: 'error.request.connection.passwordExpired', message: 'Your password has expired. Change it before logging in.' },
  stationRequired: { errorId: 'error.request.connection.stationRequired', message: 'A station is required to log in with this application.' },
  // Genesys' agent help: assistance only on ACD-routed interactions, and only with the rights for it.
  assistanceNotAcd: { errorId: 'error.request.interactions.assistance.notAcdInteraction', message: 'Assistance can only be requested on an ACD-routed interaction.' },
  assistanceNoRight: {
    errorId: 'error.request.accessDenied.assistance',
    message: 'You do not have the "Request Assistance from Supervisors" security right or the "Assistance" interaction command right.',
  },
} as const satisfies Record<string, IcwsErrorBody>;

export type SimErrorName = keyof typeof ERRORS;
/** The connect refusals the simulator plays on request (a knob). */
export const CONNECT_REFUSALS = ['noLicense', 'passwordExpired', 'stationRequired'] as const satisfies readonly SimErrorName[];
export type ConnectRefusal = (typeof CONNECT_REFUSALS)[number];

/** Each error's message as a server set to Turkish words it (§2.6: `message` follows Accept-Language); one without stays English. */
const TURKISH_MESSAGES: Partial<Record<SimErrorName, string>> = {
  authenticationFailure: 'Kimlik doğrulama işlemi başarısız oldu.',
  notAcceptingConnections: 'Bu Oturum Yöneticisi şu anda bağlantı kabul etmiyor.',
  missingAcceptLanguage: 'Accept-Language başlığı gereklidir.',
  invalidSession: 'Oturum geçerli değil ya da süresi doldu.',
  malformedSessionId: 'Oturum kimliği geçerli değil.',
  sessionNotFound: 'Oturum bulunamadı.',
  missingSessionCookie: 'Oturum çerezi eksik.',
  missingCsrfToken: 'ININ-ICWS-CSRF-Token başlığı eksik ya da eşleşmiyor.',
  invalidRepresentation: 'İstek gövdesi geçerli değil.',
  unsupportedMediaType: 'İçerik türü application/vnd.inin.icws+JSON ya da application/json olmalıdır.',
  bodyTooLarge: 'İstek gövdesi çok büyük.',
  notFound: 'İstenen kaynak bulunamadı.',
  interactionNotFound: 'Etkileşim yok.',
  assistanceAlreadyActive: 'Etkileşimin zaten etkin bir yardım isteği var.',
  assistanceNotFound: 'Yardım isteği yok ya da bu kullanıcı başlatmadı.',
  queueNotAllowed: 'Burada yalnızca kendi kullanıcı kuyruğunuz izlenebilir.',
  notSupervisor: 'Hiçbir iş grubunun süpervizörü değilsiniz.',
  queueNoRight: 'Bu kullanıcı kuyruğunu izleme hakkınız yok.',
  statusNoRight: 'Bu kullanıcının durumunu görme hakkınız yok.',
  userNotFound: 'Kullanıcı yok.',
  assistanceAlreadyAccepted: 'Bu isteği başka bir süpervizör zaten kabul etti.',
  internal: 'İstek işlenirken beklenmeyen bir hata oluştu.',
  invalidCookie: 'Oturum çerezi geçersiz.',
  serverUnavailable: 'Sunucu kullanılamıyor.',
  noLicense: 'Bu kullanıcı için kullanılabilir istemci erişim lisansı yok.',
  passwordExpired: 'Parolanızın süresi doldu. Giriş yapmadan önce değiştirin.',
  stationRequired: 'Bu uygulamayla giriş yapmak için bir istasyon gereklidir.',
  assistanceNotAcd: 'Yardım yalnızca ACD ile yönlendirilmiş bir etkileşimde istenebilir.',
  assistanceNoRight: '"Süpervizörlerden Yardım İste" güvenlik hakkınız ya da "Yardım" etkileşim komutu hakkınız yok.',
};
const TURKISH_BY_ENGLISH: ReadonlyMap<string, string> = new Map(
  Object.entries(ERRORS).flatMap(([name, body]) => {
    const turkish = TURKISH_MESSAGES[name as SimErrorName];
    return turkish ? [[body.message, turkish] as const] : [];
  }),
);

export type SimLanguage = 'en' | 'tr';

/** Turkish when the request's Accept-Language puts Turkish first, English otherwise (the server's default). */
export function languageOf(acceptLanguage: string | undefined): SimLanguage {
  return /^\s*tr\b/i.test(acceptLanguage ?? '') ? 'tr' : 'en';
}

/** An error body in `language`: the simulator's own messages have both; a message it made up on the spot stays English. */
export function localised(body: IcwsErrorBody, language: SimLanguage): IcwsErrorBody {
  if (language === 'en') return body;
  const turkish = TURKISH_BY_ENGLISH.get(body.message);
  return turkish ? { ...body, message: turkish } : body;
}

/** ICWS times are ISO 8601 basic format, UTC, to the second: 20201029T082018Z. */
export function icwsTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** Every response goes through one Reply so the request log sees each status exactly once. */
export class Reply {
  constructor(
    readonly res: ServerResponse,
    private readonly record: (status: number) => void,
    /** what error messages are worded in: the request's Accept-Language */
    readonly language: SimLanguage = 'en',
  ) {}

  json(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
    const text = JSON.stringify(body);
    this.head(status, { 'Content-Type': RESPONSE_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text), ...headers });
    this.res.end(text);
  }

  empty(status: number, headers: OutgoingHttpHeaders = {}): void {
    this.head(status, headers);
    this.res.end();
  }

  error(status: number, body: IcwsErrorBody, headers: OutgoingHttpHeaders = {}): void {
    this.json(status, localised(body, this.language), headers);
  }

  unauthorized(body: IcwsErrorBody): void {
    this.error(401, body, { 'WWW-Authenticate': WWW_AUTHENTICATE });
  }

  /** Starts a streaming answer; the caller writes the body. */
  stream(status: number, headers: OutgoingHttpHeaders): ServerResponse {
    this.head(status, headers);
    this.res.flushHeaders();
    return this.res;
  }

  private head(status: number, headers: OutgoingHttpHeaders): void {
    this.record(status);
    this.res.writeHead(status, headers);
  }
}

export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: IcwsErrorBody,
  ) {
    super(body.message);
  }
}

/**
 * The request body as JSON, or undefined when there is none. A body must come with one
 * of the two JSON content types ICWS accepts; anything else is refused like a server would.
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new RequestError(413, ERRORS.bodyTooLarge);
    chunks.push(buf);
  }
  if (size === 0) return undefined;
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== ICWS_MEDIA_TYPE && mediaType !== 'application/json') throw new RequestError(415, ERRORS.unsupportedMediaType);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new RequestError(400, { ...ERRORS.invalidRepresentation, message: 'The request body is not valid JSON.' });
  }
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}
