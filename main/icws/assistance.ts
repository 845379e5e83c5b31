// Agent assistance (ICWS feature `interactions` ≥ 9): ask a supervisor, add a message,
// complete; and a live view of the user's requests fed by the message pump.

import type { AssistanceRequest } from '../../shared/assistance';
import { AppError, isAppError } from '../../shared/errors';
import { applyDetailsMessage, applyListMessage, currentRequests, emptyView } from './assistance-view';
import type { AssistanceView, ViewChange } from './assistance-view';
import { badResponse } from './errors';
import { Listeners } from './listeners';
import type { Unsubscribe } from './listeners';
import type { MessagePump } from './messaging';
import type { IcwsSession } from './session';
import {
  ASSISTANCE_DETAILS_TYPE,
  ASSISTANCE_LIST_TYPE,
  assistanceDetailsMessageSchema,
  assistanceListMessageSchema,
  createAssistanceAnswerSchema,
  parseAssistanceText,
  parseId,
} from './wire';
import type { IcwsMessage } from './wire';

const FEATURE = 'interactions';
const FEATURE_VERSION = 9;
const LIST_SUBSCRIPTION = 'messaging/subscriptions/interactions/agent-assistance';
const detailsSubscription = (assistanceId: string) => `${LIST_SUBSCRIPTION}/${encodeURIComponent(assistanceId)}`;

export class AssistanceClient {
  readonly #session: IcwsSession;
  readonly #pump: MessagePump;
  readonly #changes = new Listeners<AssistanceRequest[]>();
  readonly #errors = new Listeners<AppError>();
  #listSeen = false;
  #syncWaiters: (() => void)[] = [];
  #view: AssistanceView = emptyView;
  #offHandlers: Unsubscribe[] = [];

  constructor(session: IcwsSession, pump: MessagePump) {
    this.#session = session;
    this.#pump = pump;
  }

  /** Asks a supervisor for help on an interaction; returns the new assistance id. */
  async request(interactionId: string, text: string, signal?: AbortSignal): Promise<string> {
    const id = parseId(interactionId, 'interaction id');
    const body = { text: parseAssistanceText(text) };
    await this.#ready(signal);
    const answer = await this.#session.request('POST', `interactions/${encodeURIComponent(id)}/agent-assistance`, {
      body,
      schema: createAssistanceAnswerSchema,
      signal,
    });
    return answer.assistanceId;
  }

  async addMessage(assistanceId: string, text: string, signal?: AbortSignal): Promise<void> {
    const id = parseId(assistanceId, 'assistance id');
    const body = { text: parseAssistanceText(text) };
    await this.#ready(signal);
    await this.#session.request('POST', `interactions/agent-assistance/${encodeURIComponent(id)}`, { body, signal });
  }

  async complete(assistanceId: string, signal?: AbortSignal): Promise<void> {
    const id = parseId(assistanceId, 'assistance id');
    await this.#ready(signal);
    await this.#session.request('DELETE', `interactions/agent-assistance/${encodeURIComponent(id)}`, { signal });
  }

  /**
   * Starts the live view: the pump's handlers, the pump itself if its owner has not yet
   * (stopping it stays the owner's job), then the list subscription.
   */
  async start(signal?: AbortSignal): Promise<void> {
    await this.#ready(signal);
    if (this.#offHandlers.length === 0) {
      this.#offHandlers = [
        this.#pump.on(ASSISTANCE_LIST_TYPE, (m) => this.#onList(m)),
        this.#pump.on(ASSISTANCE_DETAILS_TYPE, (m) => this.#onDetails(m)),
      ];
    }
    this.#pump.start();
    await this.#session.subscribe(LIST_SUBSCRIPTION, undefined, signal);
  }

  /** Best effort: the subscriptions die with the session anyway. */
  async stop(): Promise<void> {
    for (const off of this.#offHandlers) off();
    this.#offHandlers = [];
    const paths = [LIST_SUBSCRIPTION, ...this.#view.ids.map(detailsSubscription)];
    this.#view = emptyView;
    this.#listSeen = false;
    await Promise.allSettled(paths.map((p) => this.#session.unsubscribe(p)));
  }

  list(): AssistanceRequest[] {
    return currentRequests(this.#view);
  }

  /**
   * Resolves once the first full list and the details of every listed request have come:
   * from then on `list()` is the whole picture (there is no GET to ask for it directly).
   */
  whenSynced(signal?: AbortSignal): Promise<void> {
    if (this.#synced()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal?.reason ?? new AppError('cancelled', 'Cancelled.'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  #synced(): boolean {
    return this.#listSeen && this.#view.ids.every((id) => this.#view.requests.has(id));
  }

  /** Called with the full current list after every change. */
  onChange(listener: (requests: AssistanceRequest[]) => void): Unsubscribe {
    return this.#changes.add(listener);
  }

  /** Malformed messages and failed (un)subscriptions, for the log. */
  onError(listener: (error: AppError) => void): Unsubscribe {
    return this.#errors.add(listener);
  }

  async #ready(signal?: AbortSignal): Promise<void> {
    await this.#session.connect(signal);
    this.#session.requireFeature(FEATURE, FEATURE_VERSION, 'agent assistance');
  }

  #onList(message: IcwsMessage): void {
    const parsed = assistanceListMessageSchema.safeParse(message);
    if (!parsed.success) return this.#errors.emit(badResponse('assistance list message', parsed.error.message, 200));
    if (!parsed.data.isDelta) this.#listSeen = true;
    this.#apply(applyListMessage(this.#view, parsed.data));
  }

  #onDetails(message: IcwsMessage): void {
    const parsed = assistanceDetailsMessageSchema.safeParse(message);
    if (!parsed.success) return this.#errors.emit(badResponse('assistance details message', parsed.error.message, 200));
    this.#apply(applyDetailsMessage(this.#view, parsed.data));
  }

  #apply(change: ViewChange): void {
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
    if (change.changed) this.#changes.emit(currentRequests(this.#view), (e) => this.#report(e));
    if (this.#syncWaiters.length > 0 && this.#synced()) {
      for (const resolve of this.#syncWaiters.splice(0)) resolve();
    }
  }

  #report(e: unknown): void {
    this.#errors.emit(isAppError(e) ? e : new AppError('internal', e instanceof Error ? e.message : String(e), {}, { cause: e }));
  }
}
