// The supervisor side of agent assistance (§2.5): the requests of the agents this user
// supervises, each with its conversation, and the supervisor's actions on them.
//
// A 403 on the subscription means this user is not a workgroup supervisor (or lacks the
// licence): `start` throws `not_supervisor` once and nothing subscribes again by itself (the
// session forgets a subscription the server refused). 404 and 410 say the server has no such
// resource, in plain words. Which `interactions` version added the supervisor side is
// unknown, so nothing is gated on a version number (§2.5).

import type { SupervisorActionResult, SupervisorRequest } from '../../shared/supervisor';
import { ASSISTANCE_ID_PLACEHOLDER } from '../../shared/settings';
import { Disposables } from '../../shared/disposables';
import { AppError, isAppError } from '../../shared/errors';
import { badResponse } from './errors';
import { Listeners, SyncGate } from './listeners';
import type { Unsubscribe } from './listeners';
import type { MessagePump } from './messaging';
import type { IcwsSession } from './session';
import { SubscriptionFreshness } from './subscription-freshness';
import {
  SUPERVISOR_ASSISTANCE_TYPE,
  applySupervisorDetails,
  applySupervisorList,
  currentSupervisorRequests,
  emptySupervisorView,
  parseSupervisorListMessage,
} from './supervisor-view';
import type { SupervisorView, SupervisorViewChange } from './supervisor-view';
import { ASSISTANCE_DETAILS_TYPE, parseAssistanceText, parseDetailsMessage, parseId } from './wire';
import type { IcwsMessage } from './wire';

export const SUPERVISOR_LIST_SUBSCRIPTION = 'messaging/subscriptions/interactions/supervisor-assistance';
const conversationSubscription = (assistanceId: string) => `${SUPERVISOR_LIST_SUBSCRIPTION}/${encodeURIComponent(assistanceId)}`;

/**
 * INFERRED (§2.5): no public source names the resource that takes a
 * supervisorAssistanceRequestAction. By symmetry with the agent side
 * (`POST interactions/agent-assistance/{assistanceId} {text}` → 204) it is most likely this;
 * a server that differs is met by the setting `icws.supervisorAssistanceActionPath`.
 */
export const INFERRED_SUPERVISOR_ACTION_PATH = `interactions/supervisor-assistance/${ASSISTANCE_ID_PLACEHOLDER}`;

/** ICWS ParticipantAction numbers a supervisor may send (§2.5). */
const ACTION = { ignore: 2, accept: 3 } as const;

export interface SupervisorAssistanceOptions {
  /** the ICWS user logged in: "accepted by me" until the conversation names the accepting supervisor */
  userId: string;
  /** where actions are POSTed, below /icws/{sessionId}/, with {assistanceId}; default the inferred path */
  actionPath?: string | null | undefined;
  /** how long an action waits for a session and an answer; default 15 s */
  deadlineMs?: number;
}

export class SupervisorAssistanceClient {
  readonly #session: IcwsSession;
  readonly #pump: MessagePump;
  readonly #userId: string;
  readonly #actionPath: string;
  readonly #deadlineMs: number;
  readonly #changes = new Listeners<SupervisorRequest[]>();
  readonly #errors = new Listeners<AppError>();
  #view: SupervisorView = emptySupervisorView;
  #listSeen = false;
  /** ids whose conversation (a details message) has come */
  readonly #conversations = new Set<string>();
  readonly #sync = new SyncGate(() => this.#listSeen);
  #handlers: Disposables | null = null;
  readonly #freshness: SubscriptionFreshness;

  constructor(session: IcwsSession, pump: MessagePump, options: SupervisorAssistanceOptions) {
    this.#session = session;
    this.#pump = pump;
    this.#userId = options.userId;
    this.#actionPath = (options.actionPath ?? INFERRED_SUPERVISOR_ACTION_PATH).replace(/^\/+/, '');
    this.#deadlineMs = options.deadlineMs ?? 15_000;
    // Only the session's end makes the list stale here (no subscription-state message is known
    // for this subscription); a re-login re-creates it and its full list makes it current again.
    this.#freshness = new SubscriptionFreshness({
      resubscribe: () => undefined,
      sessionEnded: () => this.#session.ended !== null,
      onListenerError: (e) => this.#report(e),
    });
  }

  /** The path an action on `assistanceId` goes to, below /icws/{sessionId}/. */
  actionPathOf(assistanceId: string): string {
    return this.#actionPath.replace(ASSISTANCE_ID_PLACEHOLDER, encodeURIComponent(parseId(assistanceId, 'assistance id')));
  }

  /** Subscribes; `not_supervisor` for a 403 (said once: nothing subscribes again until `start` is called again). */
  async start(signal?: AbortSignal): Promise<void> {
    await this.#session.connect(signal);
    if (!this.#handlers) {
      const handlers = new Disposables();
      handlers.addAll(
        this.#pump.on(SUPERVISOR_ASSISTANCE_TYPE, (m) => this.#onList(m)),
        this.#pump.on(ASSISTANCE_DETAILS_TYPE, (m) => this.#onDetails(m)),
        this.#session.onEnded(() => this.#freshness.ended()),
      );
      this.#handlers = handlers;
    }
    this.#pump.start();
    try {
      await this.#session.subscribe(SUPERVISOR_LIST_SUBSCRIPTION, undefined, signal);
    } catch (e) {
      throw plainWords(e, 'the supervisor-assistance subscription');
    }
  }

  async stop(): Promise<void> {
    this.#handlers?.dispose();
    this.#handlers = null;
    this.#freshness.reset();
    const paths = [SUPERVISOR_LIST_SUBSCRIPTION, ...this.#view.ids.map(conversationSubscription)];
    this.#view = emptySupervisorView;
    this.#conversations.clear();
    this.#listSeen = false;
    await Promise.allSettled(paths.map((p) => this.#session.unsubscribe(p)));
  }

  list(): SupervisorRequest[] {
    return currentSupervisorRequests(this.#view);
  }

  get stale(): boolean {
    return this.#freshness.stale;
  }

  onStaleChange(listener: (stale: boolean) => void): Unsubscribe {
    return this.#freshness.onChange(listener);
  }

  /** The whole list after every change, and once for the first full list even when empty. */
  onChange(listener: (requests: SupervisorRequest[]) => void): Unsubscribe {
    return this.#changes.add(listener);
  }

  onError(listener: (error: AppError) => void): Unsubscribe {
    return this.#errors.add(listener);
  }

  /** Resolves once the first full list came (its conversations may follow). */
  whenSynced(signal?: AbortSignal): Promise<void> {
    return this.#sync.wait(signal);
  }

  /**
   * Resolves once every listed request's conversation has come (its first details message).
   * That the per-request subscription delivers them is inferred (§2.5): callers bound this wait.
   */
  whenConversations(signal?: AbortSignal): Promise<void> {
    const done = () => this.#listSeen && this.#view.ids.every((id) => this.#conversations.has(id));
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const off = this.#changes.add(() => {
        if (!done()) return;
        off();
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = () => {
        off();
        reject(signal?.reason ?? new AppError('cancelled', 'Cancelled.'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  accept(assistanceId: string, signal?: AbortSignal): Promise<SupervisorActionResult> {
    return this.#act(assistanceId, { action: ACTION.accept }, 'accepted', signal);
  }

  ignore(assistanceId: string, signal?: AbortSignal): Promise<SupervisorActionResult> {
    return this.#act(assistanceId, { action: ACTION.ignore }, 'ignored', signal);
  }

  /** Text alone writes a message (§2.5). */
  async answer(assistanceId: string, text: string, signal?: AbortSignal): Promise<SupervisorActionResult> {
    return this.#act(assistanceId, { text: parseAssistanceText(text) }, 'answered', signal);
  }

  async #act(assistanceId: string, body: { action?: number; text?: string }, did: SupervisorActionResult['action'], signal?: AbortSignal): Promise<SupervisorActionResult> {
    const id = parseId(assistanceId, 'assistance id');
    const path = this.actionPathOf(id);
    const deadline = AbortSignal.timeout(this.#deadlineMs);
    const bounded = signal ? AbortSignal.any([signal, deadline]) : deadline;
    try {
      await this.#session.connect(bounded);
      await this.#session.request('POST', path, { body, signal: bounded });
    } catch (e) {
      if (deadline.aborted && !signal?.aborted) {
        const sent = isAppError(e) && e.details.sent === true;
        throw new AppError('unavailable', sent ? 'ICWS did not answer in time; the action may or may not have reached the server.' : 'ICWS is not reachable; the action was not sent.', { sent }, { cause: e });
      }
      throw plainWords(e, `the supervisor action at ${path}`);
    }
    return { assistanceId: id, action: did };
  }

  #onList(message: IcwsMessage): void {
    const parsed = parseSupervisorListMessage(message);
    if ('error' in parsed) return this.#errors.emit(badResponse('supervisor assistance message', parsed.error, 200));
    if (parsed.problems.length > 0) this.#errors.emit(badResponse('supervisor assistance message', `kept the rest; ${parsed.problems.join('; ')}`, 200));
    const first = !parsed.value.isDelta && !this.#listSeen;
    if (!parsed.value.isDelta) {
      this.#listSeen = true;
      this.#freshness.recovered();
    }
    this.#apply(applySupervisorList(this.#view, parsed.value, this.#userId), first);
  }

  #onDetails(message: IcwsMessage): void {
    // The agent side's client (same session) hears these too; only listed requests are ours.
    if (typeof message.assistanceId !== 'string' || !this.#view.requests.has(message.assistanceId)) return;
    const parsed = parseDetailsMessage(message, new Date().toISOString());
    if ('error' in parsed) return this.#errors.emit(badResponse('assistance details message', parsed.error, 200));
    if (parsed.problems.length > 0) this.#errors.emit(badResponse('assistance details message', `kept the rest; ${parsed.problems.join('; ')}`, 200));
    this.#conversations.add(parsed.value.assistanceId);
    this.#apply(applySupervisorDetails(this.#view, parsed.value, this.#userId));
  }

  #apply(change: SupervisorViewChange, announce = false): void {
    this.#view = change.view;
    for (const id of change.added) {
      this.#session.subscribe(conversationSubscription(id)).catch((e: unknown) => {
        // Gone between the list and our subscription: its removal follows in the list.
        if (!(isAppError(e) && e.code === 'not_found')) this.#report(e);
      });
    }
    for (const id of change.removed) {
      this.#session.unsubscribe(conversationSubscription(id)).catch((e: unknown) => {
        if (!(isAppError(e) && (e.code === 'not_found' || e.code === 'invalid_input'))) this.#report(e);
      });
    }
    if (change.changed || announce) this.#changes.emit(currentSupervisorRequests(this.#view), (e) => this.#report(e));
    this.#sync.check();
  }

  #report(e: unknown): void {
    this.#errors.emit(isAppError(e) ? e : new AppError('internal', e instanceof Error ? e.message : String(e), {}, { cause: e }));
  }
}

/**
 * ICWS' answers in plain words (§2.5): 403 on the subscription is "not a supervisor"; 404 and
 * 410 mean this server has no such resource (or no such request). The server's own message
 * is kept for the log.
 */
function plainWords(e: unknown, what: string): unknown {
  if (!isAppError(e)) return e;
  const status = e.details.status;
  const server = e.message ? ` (the server said: ${e.message})` : '';
  if (status === 403 && what.includes('subscription')) {
    return new AppError('not_supervisor', `This ICWS user is not a workgroup supervisor, or lacks the supervisor licence: the server refused ${what} with 403${server}.`, e.details, { cause: e });
  }
  if (status === 403) return new AppError('not_supervisor', `The server refused ${what} with 403: this user may not act on this request${server}.`, e.details, { cause: e });
  if (status === 404) {
    const why = what.includes('action')
      ? 'the request is gone, or this server takes supervisor actions at another path (setting icws.supervisorAssistanceActionPath)'
      : 'this server does not offer the supervisor side of agent assistance';
    return new AppError('not_found', `The server has no ${what} (404): ${why}${server}.`, e.details, { cause: e });
  }
  if (status === 410) return new AppError('feature_unsupported', `The server no longer offers ${what} (410)${server}.`, e.details, { cause: e });
  return e;
}
