// Diyalog REST client: signs, sends, retries and maps every answer to a typed result
// or an AppError. Protocol only; behaviour (what to watch, when to force-end) lives in services.

import type { z } from 'zod';
import { AppError, guidance, isAppError } from '../../shared/errors';
import type { ErrorCode } from '../../shared/errors';
import type { ForceEndResult, HelpRecord, HelpStateAnswer, HistoryQuery } from '../../shared/diyalog';
import type { LearnedSigning } from '../../shared/settings';
import { escapeForTerminal, truncateCodePoints } from '../../shared/text';
import { assertUrlAllowed } from '../../shared/urls';
import { customerMessageSchema, dateRangeSchema, historyQuerySchema, idSchema, parseInput } from '../../shared/validation';
import { backoffDelay, isTimeoutError, sleep, systemClock, tlsError, tlsFailureOf, withTimeout } from '../http';
import type { Clock, FetchLike } from '../http';
import {
  authorizationHeader,
  buildStringToSign,
  DEFAULT_SIGNATURE_ALGORITHM,
  DEFAULT_SIGNING_FORM,
  formatDlgDate,
  signingFallbacks,
  signRequest,
} from './signing';
import type { SignatureAlgorithm, SigningForm, SigningMethod } from './signing';
import { helpListWire, helpStateWire, messagingDetailWire, operationResultWire } from './wire';

export interface DiyalogCredentials {
  keyId: string;
  secret: string;
}

export interface DiyalogClientOptions {
  /** May include a base path, e.g. https://host/api: the signed PATH is then /api/v1/... */
  baseUrl: string;
  credentials: DiyalogCredentials;
  /** x-dlg-requester-userid: the operator's staff number, written to the server's audit log. */
  requesterUserId: string;
  fetch: FetchLike;
  clock?: Clock;
  /** Per attempt. */
  timeoutMs?: number;
  /** Extra attempts for read calls only. */
  readRetries?: number;
  retryBaseMs?: number;
  /** The algorithm to sign with first (settings: diyalog.signatureAlgorithm); default sha256. */
  algorithm?: SignatureAlgorithm;
  /** The canonical form to sign with first; default `example` (newline before the path). */
  form?: SigningForm;
  /**
   * What the app remembered for a server (settings: diyalog.learnedSigning). Used first,
   * instead of `algorithm` and `form`, when its origin is the base URL's; ignored otherwise.
   */
  learnedSigning?: LearnedSigning | null;
  /**
   * Called when a server first accepts a request signed some way, unless that is exactly
   * `learnedSigning`, and again if the accepted way changes. The app stores it as
   * diyalog.learnedSigning. Errors it throws (or rejects with) are ignored.
   */
  onSigningLearned?: (learned: LearnedSigning) => void | Promise<void>;
  /** Plain http to a host other than this computer is refused unless this is true (settings: allowInsecureHttp). */
  allowInsecureHttp?: boolean;
  /** The name of getonlinehelplist's agent filter (settings: diyalog.historyAgentField); default agentId. */
  historyAgentField?: HistoryAgentField;
  /** Jitter source. */
  random?: () => number;
}

/** getonlinehelplist's agent filter: `agentUserId` on servers older than 2021-03-31. */
export type HistoryAgentField = 'agentId' | 'agentUserId';

/** How requests are signed now, and whether this server has accepted that yet. */
export interface SigningState extends SigningMethod {
  /** A request signed this way got a 200 from the server. */
  confirmed: boolean;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
}

export interface MessagingDetailQuery {
  staffId: string;
  customerId: string;
  startDate: number;
  endDate: number;
}

export interface NotDeliveredQuery {
  interactionId?: string;
  sessionId?: string;
  message?: string;
}

export const DIYALOG_PATHS = {
  isCustomerInOnlineHelp: '/v1/application/iscustomerinonlinehelp',
  finishOnlineHelp: '/v1/application/finishonlinehelp',
  getOnlineHelpList: '/v1/reporting/getonlinehelplist',
  getMessagingDetail: '/v1/reporting/getmessagingdetail',
  interactionIsNotDelivered: '/v1/application/interactionisnotdelivered',
} as const;

const CONTENT_TYPE = 'application/json';
const RETRY_CAP_MS = 4_000;
/**
 * The most a server clock may be off ours before we stop re-signing for it. Beyond this
 * the 403 is more likely an impostor asking for a request signed for a time of its choosing
 * (replayable then) than a real server: twelve hours covers any time-zone mistake.
 */
export const MAX_CLOCK_OFFSET_MS = 12 * 60 * 60_000;
const SERVER_TEXT_MAX = 300;
const AUTH_HEADER_MESSAGES = [
  'Required headers not found',
  'Authorization failed due to data format not valid',
  'Authorization failed due to date not valid',
];

interface Target {
  url: string;
  /** What is signed: base path + endpoint path. */
  path: string;
  keyId: string;
  secret: string;
  requester: string;
}

interface RawAnswer {
  status: number;
  text: string;
  serverDate: string | null;
}

function sameMethod(a: SigningMethod | null, b: SigningMethod | null): boolean {
  return a !== null && b !== null && a.form === b.form && a.algorithm === b.algorithm;
}

export class DiyalogClient {
  readonly #options: DiyalogClientOptions;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #readRetries: number;
  readonly #retryBaseMs: number;
  readonly #random: () => number;
  readonly #historyAgentField: HistoryAgentField;
  #requestCount = 0;
  #clockOffsetMs = 0;
  /** How the next request is signed. */
  #signing: SigningMethod;
  #confirmed = false;
  /** The way last reported through onSigningLearned (or given as learnedSigning). */
  #reported: SigningMethod | null = null;
  /** The credentials with which every way of signing got a 401: do not probe again with them. */
  #exhaustedFor: { keyId: string; secret: string; url: string } | null = null;

  constructor(options: DiyalogClientOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#readRetries = Math.max(0, options.readRetries ?? 2);
    this.#retryBaseMs = options.retryBaseMs ?? 250;
    this.#random = options.random ?? Math.random;
    this.#historyAgentField = options.historyAgentField ?? 'agentId';
    this.#signing = { form: options.form ?? DEFAULT_SIGNING_FORM, algorithm: options.algorithm ?? DEFAULT_SIGNATURE_ALGORITHM };
    const learned = options.learnedSigning;
    if (learned && learned.origin === originOf(options.baseUrl)) {
      this.#signing = { form: learned.form, algorithm: learned.algorithm };
      this.#reported = { ...this.#signing };
    }
  }

  /** How requests are signed now; `confirmed` once the server accepted one (for the connection test and Advanced). */
  get signing(): SigningState {
    return { ...this.#signing, confirmed: this.#confirmed };
  }

  /** HTTP calls made so far, retries included. */
  get requestCount(): number {
    return this.#requestCount;
  }

  /** Server time minus local time, learned from a 403's Date header. */
  get clockOffsetMs(): number {
    return this.#clockOffsetMs;
  }

  async isCustomerInOnlineHelp(customerId: string, opts: CallOptions = {}): Promise<HelpStateAnswer> {
    const id = parseInput(idSchema, customerId, 'customer id');
    const answer = await this.#post(DIYALOG_PATHS.isCustomerInOnlineHelp, { customerId: id }, helpStateWire, this.#readRetries, opts.signal);
    if (answer.errorCode === 400) throw new AppError('customer_not_found', `Diyalog knows no customer ${id}.`, { errorCode: 400 });
    if (answer.isInHelp === undefined) {
      throw new AppError('bad_response', 'Diyalog answered iscustomerinonlinehelp without isInHelp.', { errorCode: answer.errorCode });
    }
    if (!answer.isInHelp) return { customerId: id, isInHelp: false, helpType: null, staffId: null };
    return { customerId: id, isInHelp: true, helpType: answer.helpType, staffId: answer.staffId ?? null };
  }

  /**
   * Force-ends a session: one call, never retried after it may have reached the server
   * (only a 401, which proves the server did nothing, is re-signed and sent again).
   * Success is `ended`; "no conversation" (errorCode 400) is AppError('no_conversation');
   * another refusal is AppError('operation_failed'). A lost answer (timeout, network,
   * gateway), a 500 or a cancel is thrown as it came: whether the session ended is then
   * unknown, and settling that (by asking iscustomerinonlinehelp) is the caller's job
   * (services/recovery.ts), which records both the answer and the settlement in the audit.
   */
  async finishOnlineHelp(customerId: string, staffId: string, opts: CallOptions = {}): Promise<ForceEndResult> {
    const customer = parseInput(idSchema, customerId, 'customer id');
    const staff = parseInput(idSchema, staffId, 'staff id');
    const answer = await this.#post(DIYALOG_PATHS.finishOnlineHelp, { customerId: customer, staffId: staff }, operationResultWire, 0, opts.signal);
    if (answer.isSuccess) return forceEnd(customer, staff, 'ended', answer.message || 'The session was ended.');
    if (answer.errorCode === 400) {
      throw new AppError('no_conversation', answer.message || `No conversation between customer ${customer} and staff ${staff}.`, {
        errorCode: 400,
      });
    }
    throw operationFailed('finishonlinehelp', answer.message, answer.errorCode);
  }

  /** One page: at most 20 records, newest first. Walking pages is the history walker's job. */
  async getOnlineHelpList(query: HistoryQuery, opts: CallOptions = {}): Promise<HelpRecord[]> {
    const q = parseInput(historyQuerySchema, query, 'history query');
    const body: Record<string, unknown> = { startDate: q.startDate, endDate: q.endDate };
    if (q.customerId !== undefined) body.customerId = q.customerId;
    // The current schema says agentId; servers before 2021-03-31 (and the page's note) say agentUserId.
    if (q.agentId !== undefined) body[this.#historyAgentField] = q.agentId;
    const records = await this.#post(DIYALOG_PATHS.getOnlineHelpList, body, helpListWire, this.#readRetries, opts.signal);
    // A server that does not know the field name ignores it and answers for every agent:
    // wrong data that looks right. Refuse it and say which setting to change.
    const stranger = q.agentId === undefined ? undefined : records.find((r) => r.agentId !== undefined && r.agentId !== q.agentId);
    if (stranger !== undefined) {
      const other: HistoryAgentField = this.#historyAgentField === 'agentId' ? 'agentUserId' : 'agentId';
      throw new AppError(
        'bad_response',
        `Diyalog ignored the agent filter "${this.#historyAgentField}" (it answered with records of agent ${stranger.agentId}): ` +
          `this server probably calls it "${other}". Change the history agent field under Advanced settings.`,
        {
          status: 200,
          path: DIYALOG_PATHS.getOnlineHelpList,
          reason: 'agent_filter_ignored',
          field: this.#historyAgentField,
          guidance: guidance('guidance.historyAgentField', { field: other }),
        },
      );
    }
    return records;
  }

  async getMessagingDetail(q: MessagingDetailQuery, opts: CallOptions = {}): Promise<{ url: string }> {
    const staffId = parseInput(idSchema, q.staffId, 'staff id');
    const customerId = parseInput(idSchema, q.customerId, 'customer id');
    const range = parseInput(dateRangeSchema, { startDate: q.startDate, endDate: q.endDate }, 'date range');
    const body = { staffId, customerId, startDate: range.startDate, endDate: range.endDate };
    const answer = await this.#post(DIYALOG_PATHS.getMessagingDetail, body, messagingDetailWire, this.#readRetries, opts.signal);
    if (!answer.isSuccess) {
      // The vendor's own failure example (digest §1.3): {"error":"Staff not found in the system", ...}.
      if (answer.error !== undefined && /staff not found/i.test(answer.error)) {
        throw new AppError('staff_not_found', `Diyalog knows no staff member ${staffId}: ${truncate(answer.error.trim())}`, { staffId });
      }
      throw operationFailed('getmessagingdetail', answer.error);
    }
    const link = answer.conversationDetailLink;
    if (link === undefined || !isHttpUrl(link)) {
      throw new AppError('bad_response', 'Diyalog answered getmessagingdetail without a usable http(s) link.', { status: 200 });
    }
    return { url: link };
  }

  /** Releases a customer stuck on the waiting screen. Not retried: it has an effect. */
  async interactionIsNotDelivered(q: NotDeliveredQuery, opts: CallOptions = {}): Promise<{ outcome: 'released'; message: string }> {
    const interactionId = blank(q.interactionId) ? undefined : parseInput(idSchema, q.interactionId, 'interaction id');
    const sessionId = blank(q.sessionId) ? undefined : parseInput(idSchema, q.sessionId, 'session id');
    if (interactionId === undefined && sessionId === undefined) {
      throw new AppError('invalid_input', 'Give an interaction id or a session id.', { field: 'interaction id' });
    }
    const message = blank(q.message) ? undefined : parseInput(customerMessageSchema, q.message, 'message to the customer');
    const body: Record<string, unknown> = {};
    if (interactionId !== undefined) body.interactionId = interactionId;
    if (sessionId !== undefined) body.sessionId = sessionId;
    if (message !== undefined) body.message = message;
    const answer = await this.#post(DIYALOG_PATHS.interactionIsNotDelivered, body, operationResultWire, 0, opts.signal);
    if (answer.isSuccess) return { outcome: 'released', message: answer.message || 'The customer no longer waits.' };
    const byCode: Partial<Record<number, ErrorCode>> = {
      400: 'invalid_input',
      402: 'customer_not_waiting',
      403: 'waiting_other_interaction',
    };
    const code = answer.errorCode === undefined ? undefined : byCode[answer.errorCode];
    if (code) throw new AppError(code, answer.message || `Diyalog refused the release (error ${answer.errorCode}).`, { errorCode: answer.errorCode });
    throw operationFailed('interactionisnotdelivered', answer.message, answer.errorCode);
  }

  /**
   * Sends one signed POST, re-signing once after a 403 with the server's clock (if it is
   * within MAX_CLOCK_OFFSET_MS of ours), trying the other ways of signing after a 401, and
   * retrying network errors, timeouts and 5xx `retries` times with jittered backoff.
   * A 401 proves the server did nothing, so even a force-end may be re-sent after one.
   */
  async #post<S extends z.ZodType>(endpoint: string, payload: object, schema: S, retries: number, signal: AbortSignal | undefined): Promise<z.output<S>> {
    const target = this.#target(endpoint);
    throwIfCancelled(signal);
    // Serialised once: the bytes signed are the bytes sent, on every attempt.
    const body = JSON.stringify(payload);
    let retried = 0;
    let resigned = false;
    let method = this.#signing;
    // The ways still to try after a 401; null until the first 401 of this call.
    let fallbacks: SigningMethod[] | null = null;
    for (;;) {
      let answer: RawAnswer;
      try {
        answer = await this.#attempt(target, body, method, signal);
      } catch (e) {
        if (isLostAnswer(e) && retried < retries) {
          await this.#backoff(++retried, signal);
          continue;
        }
        throw e;
      }
      if (answer.status === 403 && !resigned) {
        const serverMs = parseHttpDate(answer.serverDate);
        if (serverMs === null) throw clockSkew(endpoint, null, 'and sent no Date header to correct it with');
        const localMs = this.#clock();
        if (Math.abs(serverMs - localMs) > MAX_CLOCK_OFFSET_MS) throw clockTooFarOff(endpoint, localMs, serverMs);
        this.#clockOffsetMs = serverMs - localMs;
        resigned = true;
        continue;
      }
      if (answer.status === 401 && !this.#isExhausted(target)) {
        fallbacks ??= signingFallbacks(method).slice(1);
        const next = fallbacks.shift();
        if (next !== undefined) {
          method = next;
          continue;
        }
        this.#exhaustedFor = { keyId: target.keyId, secret: target.secret, url: target.url };
      }
      if (answer.status >= 500 && retried < retries) {
        await this.#backoff(++retried, signal);
        continue;
      }
      if (answer.status === 200) this.#accepted(method, target.url);
      return interpret(endpoint, answer, schema, () => this.#offsetAfter(answer), fallbacks !== null);
    }
  }

  #isExhausted(target: Target): boolean {
    const x = this.#exhaustedFor;
    return x !== null && x.keyId === target.keyId && x.secret === target.secret && x.url === target.url;
  }

  /** The server accepted a request signed with `method`: sign that way from now on, and tell the app once. */
  #accepted(method: SigningMethod, url: string): void {
    this.#signing = method;
    this.#confirmed = true;
    this.#exhaustedFor = null;
    if (sameMethod(method, this.#reported)) return;
    this.#reported = { ...method };
    const callback = this.#options.onSigningLearned;
    if (!callback) return;
    try {
      const done = callback({ origin: new URL(url).origin, form: method.form, algorithm: method.algorithm });
      if (done instanceof Promise) done.catch(() => undefined);
    } catch {
      // Remembering is an optimisation: failing to store it must not fail the request.
    }
  }

  async #attempt(target: Target, body: string, method: SigningMethod, signal: AbortSignal | undefined): Promise<RawAnswer> {
    const date = formatDlgDate(this.#clock() + this.#clockOffsetMs);
    const stringToSign = buildStringToSign({ method: 'POST', contentType: CONTENT_TYPE, date, body, path: target.path }, method.form);
    const signature = signRequest(target.secret, stringToSign, method.algorithm);
    const attemptSignal = withTimeout(this.#timeoutMs, signal);
    this.#requestCount++;
    try {
      const response = await this.#options.fetch(target.url, {
        method: 'POST',
        headers: {
          'Content-Type': CONTENT_TYPE,
          'x-dlg-date': date,
          'x-dlg-requester-userid': target.requester,
          'x-dlg-authorization': authorizationHeader(target.keyId, signature),
        },
        body,
        signal: attemptSignal,
        // Never followed: fetch would send the signed request (and the next ones) to
        // whatever origin a Location names. 'opaqueredirect' is what a browser-like fetch gives.
        redirect: 'manual',
      });
      if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
        await response.body?.cancel().catch(() => undefined);
        throw unexpectedRedirect(target, response);
      }
      // The body read stays under the same deadline: a server can stall mid-answer.
      const text = await response.text();
      return { status: response.status, text, serverDate: response.headers.get('date') };
    } catch (e) {
      if (isAppError(e)) throw e;
      if (signal?.aborted) throw cancelled(e);
      const path = target.path;
      if (isTimeoutError(e)) {
        throw new AppError('unavailable', `Diyalog did not answer ${path} within ${this.#timeoutMs} ms.`, { reason: 'timeout', path }, { cause: e });
      }
      // A refused certificate is never bypassed and not retried: waiting does not fix it.
      const tls = tlsFailureOf(e);
      if (tls) throw tlsError(tls, new URL(target.url).host, e);
      throw new AppError('unavailable', `Diyalog could not be reached (${path}): ${describeNetworkError(e)}.`, { reason: 'network', path }, { cause: e });
    }
  }

  async #backoff(retry: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await sleep(backoffDelay(retry, this.#retryBaseMs, RETRY_CAP_MS, this.#random), signal);
    } catch (e) {
      throw cancelled(e);
    }
  }

  /** The offset a persistent 403 suggests, for the clock_skew message. */
  #offsetAfter(answer: RawAnswer): number | null {
    const serverMs = parseHttpDate(answer.serverDate);
    return serverMs === null ? null : serverMs - this.#clock();
  }

  /** Checked at call time so settings can change credentials without a new client. */
  #target(endpoint: string): Target {
    const { baseUrl, credentials, requesterUserId } = this.#options;
    const keyId = credentials?.keyId ?? '';
    const secret = credentials?.secret ?? '';
    if (keyId.trim() === '' || secret.trim() === '') {
      throw new AppError('missing_credentials', 'The Diyalog access key id and secret are not set.');
    }
    if ((requesterUserId ?? '').trim() === '') {
      throw new AppError('missing_credentials', 'Your staff number (sent as x-dlg-requester-userid) is not set.');
    }
    const key = parseInput(idSchema, keyId, 'access key id');
    const requester = parseInput(idSchema, requesterUserId, 'staff number');
    let base: URL;
    try {
      base = new URL(baseUrl);
    } catch {
      throw new AppError('invalid_input', 'The Diyalog address is not a valid URL.', { field: 'baseUrl' });
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new AppError('invalid_input', 'The Diyalog address must start with https:// or http://.', { field: 'baseUrl' });
    }
    if (base.search !== '' || base.hash !== '' || base.username !== '' || base.password !== '') {
      throw new AppError('invalid_input', 'The Diyalog address must not carry a query, a fragment or a user name.', { field: 'baseUrl' });
    }
    assertUrlAllowed(base, this.#options.allowInsecureHttp === true, 'Diyalog');
    const path = base.pathname.replace(/\/+$/, '') + endpoint;
    return { url: base.origin + path, path, keyId: key, secret, requester };
  }
}

function interpret<S extends z.ZodType>(endpoint: string, answer: RawAnswer, schema: S, offset: () => number | null, probed: boolean): z.output<S> {
  const { status, text } = answer;
  const details = { status, path: endpoint };
  if (status === 200) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AppError('bad_response', `Diyalog answered ${endpoint} with something that is not JSON.`, details);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join('.')}` : '';
      throw new AppError('bad_response', `Diyalog's answer to ${endpoint} is not in the documented shape${where}.`, details);
    }
    return parsed.data;
  }
  const serverText = truncate(text.trim());
  if (status === 400 && AUTH_HEADER_MESSAGES.some((m) => text.includes(m))) {
    throw new AppError('auth_header_rejected', `Diyalog rejected the authentication headers: ${serverText}`, details);
  }
  if (status === 401) {
    const tried = probed ? ' with both signing forms and both algorithms' : '';
    throw new AppError('auth_failed', `Diyalog rejected the request signature${tried}: check the access key id and secret.`, details);
  }
  if (status === 403) throw clockSkew(endpoint, offset(), 'even after correcting for the server clock');
  if (status === 502 || status === 503 || status === 504) {
    // A proxy or load balancer in front of Diyalog: the server itself may never have seen the request.
    throw new AppError('unavailable', `Diyalog is unavailable (HTTP ${status} on ${endpoint}).`, { ...details, reason: 'gateway' });
  }
  if (status >= 500) {
    throw new AppError('server_error', `Diyalog failed on ${endpoint}: ${serverText || '(no error text)'}`, details);
  }
  throw new AppError('bad_response', `Diyalog answered ${endpoint} with HTTP ${status}${serverText ? `: ${serverText}` : ''}.`, details);
}

function forceEnd(customerId: string, staffId: string, outcome: ForceEndResult['outcome'], message: string): ForceEndResult {
  return { customerId, staffId, outcome, message };
}

function clockSkew(endpoint: string, offsetMs: number | null, why: string): AppError {
  let how = '';
  if (offsetMs !== null) {
    const minutes = Math.round(Math.abs(offsetMs) / 60_000);
    how =
      minutes === 0
        ? " The two clocks agree to within a minute, so the server's own clock or its check may be wrong."
        : ` This computer's clock is about ${minutes} minute${minutes === 1 ? '' : 's'} ${offsetMs > 0 ? 'behind' : 'ahead of'} the server's.`;
  }
  return new AppError('clock_skew', `Diyalog rejected the request time ${why}.${how} Set the system clock automatically.`, {
    status: 403,
    path: endpoint,
    offsetMs,
  });
}

function clockTooFarOff(endpoint: string, localMs: number, serverMs: number): AppError {
  const hours = Math.round(Math.abs(serverMs - localMs) / 3_600_000);
  return new AppError(
    'clock_skew',
    `Diyalog rejected the request time, and its clock (${new Date(serverMs).toISOString()}) is about ${hours} hours from ` +
      `this computer's (${new Date(localMs).toISOString()}): more than the 12 hours a request is ever re-signed for. ` +
      'Nothing was re-sent. Check the clock of this computer and ask the Diyalog administrators to check the server\'s.',
    { status: 403, path: endpoint, offsetMs: serverMs - localMs, serverTime: serverMs, localTime: localMs },
  );
}

function unexpectedRedirect(target: Target, response: Response): AppError {
  // Only the origin of the Location is shown: its path or query may carry anything.
  let where = 'an address it did not show';
  const location = response.headers.get('location');
  if (location) {
    try {
      where = new URL(location, target.url).origin;
    } catch {
      where = 'an invalid address';
    }
  }
  const status = response.status || 'redirect';
  return new AppError(
    'unexpected_redirect',
    `Diyalog answered ${target.path} with a redirect (HTTP ${status}) to ${where}. Redirects are never followed, so the signed ` +
      'request went nowhere else: check the Diyalog address in the settings.',
    { status: response.status, path: target.path, location: where },
  );
}

function operationFailed(operation: string, serverMessage: string | undefined, errorCode?: number): AppError {
  const why = serverMessage && serverMessage.trim() !== '' ? truncate(serverMessage.trim()) : `no reason given${errorCode === undefined ? '' : ` (error ${errorCode})`}`;
  return new AppError('operation_failed', `Diyalog could not complete ${operation}: ${why}`, { errorCode });
}

function cancelled(cause: unknown): AppError {
  return new AppError('cancelled', 'The Diyalog request was cancelled.', {}, { cause });
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled(signal.reason);
}

/** A timeout, a network error or a gateway failure: the request may or may not have reached the server. */
function isLostAnswer(e: unknown): e is AppError {
  return isAppError(e) && e.code === 'unavailable' && ['timeout', 'network', 'gateway'].includes(String(e.details.reason));
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

function parseHttpDate(value: string | null): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

function blank(s: string | undefined): boolean {
  return s === undefined || s.trim() === '';
}

// A server's text goes into error messages, which the CLI prints: its head only, and escaped
// (shared/text.ts), so a newline or an escape sequence in it cannot forge or recolour a line.
function truncate(s: string): string {
  const head = truncateCodePoints(s, SERVER_TEXT_MAX);
  return escapeForTerminal(head === s ? s : `${head}…`);
}

// undici hides the reason (ECONNREFUSED, ECONNRESET) in `cause`; it is safe to show.
function describeNetworkError(e: unknown): string {
  const cause = e instanceof Error ? e.cause : undefined;
  const code = cause && typeof cause === 'object' && 'code' in cause ? String(cause.code) : undefined;
  if (code) return code;
  return e instanceof Error ? e.message : 'network error';
}
