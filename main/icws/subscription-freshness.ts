// Whether what a subscription showed can still be trusted. ICWS says a subscription is
// Suspended or Faulted with a subscription-state message (§2.4): the view may be out of
// date until the server says Normal again or sends a full list, and the client subscribes
// again after a wait that grows while the faults repeat. The assistance list and the queue
// of interactions both follow this, so it lives once, here.

import { backoffDelay } from '../http';
import { Listeners, type Unsubscribe } from './listeners';

export interface FreshnessOptions {
  /** wait before re-subscribing, growing while faults repeat; default 1 s up to 30 s */
  backoff?: { baseMs: number; capMs: number } | undefined;
  random?: (() => number) | undefined;
  /** Subscribes again (and reports its own failures); called after the wait. */
  resubscribe: () => void;
  /** A Normal or full list does not make a view fresh while the server has ended the session. */
  sessionEnded: () => boolean;
  onListenerError: (e: unknown) => void;
}

export class SubscriptionFreshness {
  readonly #options: FreshnessOptions;
  readonly #backoff: { baseMs: number; capMs: number };
  readonly #random: () => number;
  readonly #listeners = new Listeners<boolean>();
  #stale = false;
  #faults = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: FreshnessOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? { baseMs: 1_000, capMs: 30_000 };
    this.#random = options.random ?? Math.random;
  }

  /** True while Suspended or Faulted (until Normal or a full list), or after the server ended the session. */
  get stale(): boolean {
    return this.#stale;
  }

  onChange(listener: (stale: boolean) => void): Unsubscribe {
    return this.#listeners.add(listener);
  }

  /** Suspended or Faulted: stale now, one re-subscribe after the wait (more faults meanwhile wait for it). */
  faulted(): void {
    this.#set(true);
    if (this.#timer !== undefined) return;
    const delay = backoffDelay(this.#faults++, this.#backoff.baseMs, this.#backoff.capMs, this.#random);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#options.resubscribe();
    }, delay);
  }

  /** Normal again, or a full list: fresh (unless the session was ended), and the fault count starts over. */
  recovered(): void {
    this.#cancelTimer();
    this.#faults = 0;
    if (!this.#options.sessionEnded()) this.#set(false);
  }

  /** The server ended the session: what is shown stays as it was, marked stale. */
  ended(): void {
    this.#set(true);
  }

  /** The client stops: no re-subscribe pending, and nothing stale to say. */
  reset(): void {
    this.#cancelTimer();
    this.#faults = 0;
    this.#stale = false;
  }

  #cancelTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #set(stale: boolean): void {
    if (this.#stale === stale) return;
    this.#stale = stale;
    this.#listeners.emit(stale, this.#options.onListenerError);
  }
}
