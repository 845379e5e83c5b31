// The agent's current interactions (ICWS feature `queues` ≥ 1): a subscription on the
// user's own queue over the session's message pump, and a live view of it. Protocol only;
// facts and sources in test/fixtures/icws/QUEUE-NOTES.md.
//
// The session re-creates the subscription after every re-login and the server then sends
// the whole queue again (isDelta false), which replaces the view. The view is `stale` while
// the server says the subscription is Suspended or Faulted (we re-subscribe), or after the
// server ended the session.

import type { AgentInteraction } from '../../shared/interactions';
import { Disposables } from '../../shared/disposables';
import { AppError, isAppError } from '../../shared/errors';
import { badResponse } from './errors';
import {
  QUEUE_ATTRIBUTES,
  QUEUE_CONTENTS_TYPE,
  QUEUE_SUBSCRIPTION_STATE_TYPE,
  USER_QUEUE_TYPE,
  applyQueueContents,
  currentInteractions,
  emptyInteractionsView,
  parseQueueContents,
} from './interactions-view';
import type { InteractionsView } from './interactions-view';
import { Listeners, SyncGate } from './listeners';
import type { Unsubscribe } from './listeners';
import type { MessagePump } from './messaging';
import type { IcwsSession } from './session';
import { SubscriptionFreshness } from './subscription-freshness';
import { parseSubscriptionState } from './wire';
import type { IcwsMessage } from './wire';

const FEATURE = 'queues';
const FEATURE_VERSION = 1;
/** Ours to choose; the server echoes it in every message of this subscription. */
export const DEFAULT_QUEUE_SUBSCRIPTION_ID = 'agent-companion-my-interactions';

export interface InteractionsClientOptions {
  /** the queue to watch: the ICWS user we log in as */
  userId: string;
  subscriptionId?: string;
  /** wait before re-subscribing after a Suspended or Faulted subscription, growing while it repeats; default 1 s up to 30 s */
  resubscribe?: { baseMs: number; capMs: number };
  random?: () => number;
}

export class InteractionsClient {
  readonly #session: IcwsSession;
  readonly #pump: MessagePump;
  readonly #userId: string;
  readonly #subscriptionId: string;
  readonly #path: string;
  readonly #changes = new Listeners<AgentInteraction[]>();
  readonly #errors = new Listeners<AppError>();
  #view: InteractionsView = emptyInteractionsView;
  #fullSeen = false;
  readonly #sync = new SyncGate(() => this.#fullSeen);
  /** The pump's handlers and the session's listener while started; null while stopped. */
  #handlers: Disposables | null = null;
  readonly #freshness: SubscriptionFreshness;

  constructor(session: IcwsSession, pump: MessagePump, options: InteractionsClientOptions) {
    this.#session = session;
    this.#pump = pump;
    this.#userId = options.userId;
    this.#subscriptionId = options.subscriptionId ?? DEFAULT_QUEUE_SUBSCRIPTION_ID;
    this.#path = `messaging/subscriptions/queues/${encodeURIComponent(this.#subscriptionId)}`;
    this.#freshness = new SubscriptionFreshness({
      backoff: options.resubscribe,
      random: options.random,
      resubscribe: () => {
        if (!this.#handlers) return;
        this.#session.subscribe(this.#path, this.#body()).catch((e: unknown) => this.#report(e));
      },
      sessionEnded: () => this.#session.ended !== null,
      onListenerError: (e) => this.#report(e),
    });
  }

  /** Subscription path relative to `/icws/{sessionId}/`. */
  get path(): string {
    return this.#path;
  }

  /**
   * Starts the live view: the pump's handlers, the pump itself if its owner has not yet
   * (stopping it stays the owner's job), then the queue subscription.
   */
  async start(signal?: AbortSignal): Promise<void> {
    await this.#session.connect(signal);
    this.#session.requireFeature(FEATURE, FEATURE_VERSION, 'the list of your interactions');
    if (!this.#handlers) {
      const handlers = new Disposables();
      handlers.addAll(
        this.#pump.on(QUEUE_CONTENTS_TYPE, (m) => this.#onContents(m)),
        this.#pump.on(QUEUE_SUBSCRIPTION_STATE_TYPE, (m) => this.#onSubscriptionState(m)),
        // What we show is frozen once the server ended the session; a resume() brings a full list.
        this.#session.onEnded(() => this.#freshness.ended()),
      );
      this.#handlers = handlers;
    }
    this.#pump.start();
    await this.#session.subscribe(this.#path, this.#body(), signal);
  }

  /** Best effort: the subscription dies with the session anyway. */
  async stop(): Promise<void> {
    this.#handlers?.dispose();
    this.#handlers = null;
    this.#freshness.reset();
    this.#fullSeen = false;
    const had = this.#view.ids.length > 0;
    this.#view = emptyInteractionsView;
    if (had) this.#changes.emit([], (e) => this.#report(e));
    await this.#session.unsubscribe(this.#path).catch((e: unknown) => this.#report(e));
  }

  list(): AgentInteraction[] {
    return currentInteractions(this.#view);
  }

  /** True while the server says the subscription is Suspended or Faulted (until Normal or a full list), or after it ended the session. */
  get stale(): boolean {
    return this.#freshness.stale;
  }

  onStaleChange(listener: (stale: boolean) => void): Unsubscribe {
    return this.#freshness.onChange(listener);
  }

  /** Called with the whole list after every change. */
  onChange(listener: (interactions: AgentInteraction[]) => void): Unsubscribe {
    return this.#changes.add(listener);
  }

  /** Malformed messages (and fields left out of them) and failed (un)subscriptions, for the log. */
  onError(listener: (error: AppError) => void): Unsubscribe {
    return this.#errors.add(listener);
  }

  /** Resolves once the first full list came: from then on `list()` is the whole queue. */
  whenSynced(signal?: AbortSignal): Promise<void> {
    return this.#sync.wait(signal);
  }

  #body(): unknown {
    return { queueIds: [{ queueType: USER_QUEUE_TYPE, queueName: this.#userId }], attributeNames: [...QUEUE_ATTRIBUTES] };
  }

  #ours(message: IcwsMessage): boolean {
    // Another subscription's queue (none today) is not ours to show; without an id it is taken as ours.
    return typeof message.subscriptionId !== 'string' || message.subscriptionId === this.#subscriptionId;
  }

  #onContents(message: IcwsMessage): void {
    if (!this.#ours(message)) return;
    const parsed = parseQueueContents(message);
    if ('error' in parsed) return this.#errors.emit(badResponse('queue contents message', parsed.error, 200));
    this.#reportProblems('queue contents message', parsed.problems);
    if (!parsed.value.isDelta) {
      this.#fullSeen = true;
      // A full list is the whole picture again.
      this.#freshness.recovered();
    }
    const change = applyQueueContents(this.#view, parsed.value);
    this.#view = change.view;
    if (change.changed) this.#changes.emit(currentInteractions(this.#view), (e) => this.#report(e));
    this.#sync.check();
  }

  /** Suspended or Faulted: what we show may be out of date; re-subscribe (after a growing wait while it repeats). */
  #onSubscriptionState(message: IcwsMessage): void {
    if (!this.#ours(message)) return;
    const parsed = parseSubscriptionState(message);
    if ('error' in parsed) return this.#errors.emit(badResponse('queue subscription state message', parsed.error, 200));
    this.#reportProblems('queue subscription state message', parsed.problems);
    const { state, error } = parsed.value;
    if (state === 'normal') return this.#freshness.recovered();
    if (state !== 'suspended' && state !== 'faulted') return;
    if (error?.message) this.#errors.emit(new AppError('server_error', `The queue subscription is ${state}: ${error.message}`, { errorId: error.errorId ?? null }));
    this.#freshness.faulted();
  }

  #reportProblems(what: string, problems: string[]): void {
    if (problems.length > 0) this.#errors.emit(badResponse(what, `kept the rest; ${problems.join('; ')}`, 200));
  }

  #report(e: unknown): void {
    this.#errors.emit(isAppError(e) ? e : new AppError('internal', e instanceof Error ? e.message : String(e), {}, { cause: e }));
  }
}
