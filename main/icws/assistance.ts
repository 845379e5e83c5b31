// Agent assistance (ICWS feature `interactions` ≥ 9): ask a supervisor, add a message,
// complete; and a live view of the user's requests fed by the message pump.
//
// No late delivery: a call waits at most `deadlineMs` (15 s) for a session and an answer,
// then fails with a clear error; a call given up on before it went out is never sent later.
// The view is `stale` while the server says its subscription is Suspended or Faulted (the
// client re-subscribes), or after the server ended the session.

import type { AssistanceList, AssistanceRequest } from '../../shared/assistance';
import { Disposables } from '../../shared/disposables';
import { AppError, isAppError } from '../../shared/errors';
import { applyDetailsMessage, applyListMessage, currentRequests, emptyView } from './assistance-view';
import type { AssistanceView, ViewChange } from './assistance-view';
import { badResponse } from './errors';
import { Listeners, SyncGate } from './listeners';
import type { Unsubscribe } from './listeners';
import type { MessagePump } from './messaging';
import type { IcwsSession } from './session';
import { SubscriptionFreshness } from './subscription-freshness';
import {
  ASSISTANCE_DETAILS_TYPE,
  ASSISTANCE_LIST_TYPE,
  ASSISTANCE_SUBSCRIPTION_STATE_TYPE,
  createAssistanceAnswerSchema,
  parseAssistanceText,
  parseDetailsMessage,
  parseId,
  parseListMessage,
  parseSubscriptionState,
} from './wire';
import type { IcwsMessage } from './wire';

const FEATURE = 'interactions';
const FEATURE_VERSION = 9;
const LIST_SUBSCRIPTION = 'messaging/subscriptions/interactions/agent-assistance';
const detailsSubscription = (assistanceId: string) => `${LIST_SUBSCRIPTION}/${encodeURIComponent(assistanceId)}`;

export interface AssistanceClientOptions {
  /** how long create, add message and complete wait for a session and an answer; default 15 s */
  deadlineMs?: number;
  /** wait before re-subscribing after a Suspended or Faulted subscription, growing while it repeats; default 1 s up to 30 s */
  resubscribe?: { baseMs: number; capMs: number };
  random?: () => number;
}

export class AssistanceClient {
  readonly #session: IcwsSession;
  readonly #pump: MessagePump;
  readonly #deadlineMs: number;
  readonly #changes = new Listeners<AssistanceRequest[]>();
  readonly #errors = new Listeners<AppError>();
  #listSeen = false;
  readonly #sync = new SyncGate(() => this.#synced());
  #view: AssistanceView = emptyView;
  /** The pump's handlers and the session's listener while started; null while stopped. */
  #handlers: Disposables | null = null;
  readonly #freshness: SubscriptionFreshness;

  constructor(session: IcwsSession, pump: MessagePump, options: AssistanceClientOptions = {}) {
    this.#session = session;
    this.#pump = pump;
    this.#deadlineMs = options.deadlineMs ?? 15_000;
    this.#freshness = new SubscriptionFreshness({
      backoff: options.resubscribe,
      random: options.random,
      // Fire and forget: #resubscribeAll reports each failed subscription itself and never rejects.
      resubscribe: () => void this.#resubscribeAll(),
      sessionEnded: () => this.#session.ended !== null,
      onListenerError: (e) => this.#report(e),
    });
  }

  /** Asks a supervisor for help on an interaction; returns the new assistance id. */
  async request(interactionId: string, text: string, signal?: AbortSignal): Promise<string> {
    const id = parseId(interactionId, 'interaction id');
    const body = { text: parseAssistanceText(text) };
    return this.#deadline(signal, async (bounded) => {
      await this.#ready(bounded);
      const answer = await this.#session.request('POST', `interactions/${encodeURIComponent(id)}/agent-assistance`, {
        body,
        schema: createAssistanceAnswerSchema,
        signal: bounded,
      });
      return answer.assistanceId;
    });
  }

  async addMessage(assistanceId: string, text: string, signal?: AbortSignal): Promise<void> {
    const id = parseId(assistanceId, 'assistance id');
    const body = { text: parseAssistanceText(text) };
    await this.#deadline(signal, async (bounded) => {
      await this.#ready(bounded);
      await this.#session.request('POST', `interactions/agent-assistance/${encodeURIComponent(id)}`, { body, signal: bounded });
    });
  }

  async complete(assistanceId: string, signal?: AbortSignal): Promise<void> {
    const id = parseId(assistanceId, 'assistance id');
    await this.#deadline(signal, async (bounded) => {
      await this.#ready(bounded);
      await this.#session.request('DELETE', `interactions/agent-assistance/${encodeURIComponent(id)}`, { signal: bounded });
    });
  }

  /**
   * Runs a user's call under the deadline. When the deadline (not the caller) ends it, the
   * error says whether the request went out: never sent, or sent without an answer.
   */
  async #deadline<T>(signal: AbortSignal | undefined, work: (bounded: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = AbortSignal.timeout(this.#deadlineMs);
    const bounded = signal ? AbortSignal.any([signal, deadline]) : deadline;
    try {
      return await work(bounded);
    } catch (e) {
      if (!deadline.aborted || signal?.aborted) throw e;
      const seconds = (this.#deadlineMs / 1000).toLocaleString('en', { maximumFractionDigits: 1 });
      const sent = isAppError(e) && e.details.sent === true;
      const why = this.#session.state.state === 'down' ? ` (${this.#session.state.reason})` : '';
      throw sent
        ? new AppError('unavailable', `ICWS did not answer within ${seconds} s${why}; the request may or may not have reached the server.`, { sent: true }, { cause: e })
        : new AppError('unavailable', `ICWS is not reachable${why}; the request was not sent (gave up after ${seconds} s).`, { sent: false }, { cause: e });
    }
  }

  /**
   * Starts the live view: the pump's handlers, the pump itself if its owner has not yet
   * (stopping it stays the owner's job), then the list subscription.
   */
  async start(signal?: AbortSignal): Promise<void> {
    await this.#ready(signal);
    if (!this.#handlers) {
      const handlers = new Disposables();
      handlers.addAll(
        this.#pump.on(ASSISTANCE_LIST_TYPE, (m) => this.#onList(m)),
        this.#pump.on(ASSISTANCE_DETAILS_TYPE, (m) => this.#onDetails(m)),
        this.#pump.on(ASSISTANCE_SUBSCRIPTION_STATE_TYPE, (m) => this.#onSubscriptionState(m)),
        // What we show is frozen once the server ended the session; a resume() brings a full list.
        this.#session.onEnded(() => this.#freshness.ended()),
      );
      this.#handlers = handlers;
    }
    this.#pump.start();
    await this.#session.subscribe(LIST_SUBSCRIPTION, undefined, signal);
  }

  /** Best effort: the subscriptions die with the session anyway. */
  async stop(): Promise<void> {
    this.#handlers?.dispose();
    this.#handlers = null;
    this.#freshness.reset();
    const paths = [LIST_SUBSCRIPTION, ...this.#view.ids.map(detailsSubscription)];
    this.#view = emptyView;
    this.#listSeen = false;
    await Promise.allSettled(paths.map((p) => this.#session.unsubscribe(p)));
  }

  list(): AssistanceRequest[] {
    return currentRequests(this.#view);
  }

  /** The requests with whether they may be out of date. */
  snapshot(): AssistanceList {
    return { requests: this.list(), stale: this.#freshness.stale };
  }

  /** True while the server says the subscription is Suspended or Faulted (until Normal or a full list), or after it ended the session. */
  get stale(): boolean {
    return this.#freshness.stale;
  }

  /** Called when `stale` changes. */
  onStaleChange(listener: (stale: boolean) => void): Unsubscribe {
    return this.#freshness.onChange(listener);
  }

  /**
   * Resolves once the first full list and the details of every listed request have come:
   * from then on `list()` is the whole picture (there is no GET to ask for it directly).
   */
  whenSynced(signal?: AbortSignal): Promise<void> {
    return this.#sync.wait(signal);
  }

  #synced(): boolean {
    return this.#listSeen && this.#view.ids.every((id) => this.#view.requests.has(id));
  }

  /** Called with the full current list after every change. */
  onChange(listener: (requests: AssistanceRequest[]) => void): Unsubscribe {
    return this.#changes.add(listener);
  }

  /** Malformed messages (and fields left out of them) and failed (un)subscriptions, for the log. */
  onError(listener: (error: AppError) => void): Unsubscribe {
    return this.#errors.add(listener);
  }

  async #ready(signal?: AbortSignal): Promise<void> {
    await this.#session.connect(signal);
    this.#session.requireFeature(FEATURE, FEATURE_VERSION, 'agent assistance');
  }

  #onList(message: IcwsMessage): void {
    const parsed = parseListMessage(message);
    if ('error' in parsed) return this.#errors.emit(badResponse('assistance list message', parsed.error, 200));
    this.#reportProblems('assistance list message', parsed.problems);
    const first = !parsed.value.isDelta && !this.#listSeen;
    if (!parsed.value.isDelta) {
      this.#listSeen = true;
      // A full list is the whole picture again.
      this.#freshness.recovered();
    }
    // The first full list is said even when it changes nothing (no request open): listeners learn
    // what was there when the subscription began, so what comes after it is news (an alert).
    this.#apply(applyListMessage(this.#view, parsed.value), first);
  }

  #onDetails(message: IcwsMessage): void {
    const parsed = parseDetailsMessage(message, new Date().toISOString());
    if ('error' in parsed) return this.#errors.emit(badResponse('assistance details message', parsed.error, 200));
    this.#reportProblems('assistance details message', parsed.problems);
    this.#apply(applyDetailsMessage(this.#view, parsed.value));
  }

  /** Suspended or Faulted: what we show may be out of date; re-subscribe (after a growing wait while it repeats). */
  #onSubscriptionState(message: IcwsMessage): void {
    const parsed = parseSubscriptionState(message);
    if ('error' in parsed) return this.#errors.emit(badResponse('assistance subscription state message', parsed.error, 200));
    this.#reportProblems('assistance subscription state message', parsed.problems);
    const { state, error } = parsed.value;
    if (state === 'normal') return this.#freshness.recovered();
    if (state !== 'suspended' && state !== 'faulted') return;
    if (error?.message) this.#errors.emit(new AppError('server_error', `The assistance subscription is ${state}: ${error.message}`, { errorId: error.errorId ?? null }));
    this.#freshness.faulted();
  }

  async #resubscribeAll(): Promise<void> {
    if (!this.#handlers) return;
    const paths = [LIST_SUBSCRIPTION, ...this.#view.ids.map(detailsSubscription)];
    for (const path of paths) {
      try {
        await this.#session.subscribe(path);
      } catch (e) {
        this.#report(e);
      }
    }
  }

  #reportProblems(what: string, problems: string[]): void {
    if (problems.length > 0) this.#errors.emit(badResponse(what, `kept the rest; ${problems.join('; ')}`, 200));
  }

  #apply(change: ViewChange, announce = false): void {
    this.#view = change.view;
    for (const id of change.added) {
      this.#session.subscribe(detailsSubscription(id)).catch((e: unknown) => this.#report(e));
    }
    for (const id of change.removed) {
      this.#session.unsubscribe(detailsSubscription(id)).catch((e: unknown) => {
        // Completing a request ends its subscription on the server too.
        if (!(isAppError(e) && (e.code === 'not_found' || e.code === 'invalid_input'))) this.#report(e);
      });
    }
    if (change.changed || announce) this.#changes.emit(currentRequests(this.#view), (e) => this.#report(e));
    this.#sync.check();
  }

  #report(e: unknown): void {
    this.#errors.emit(isAppError(e) ? e : new AppError('internal', e instanceof Error ? e.message : String(e), {}, { cause: e }));
  }
}
