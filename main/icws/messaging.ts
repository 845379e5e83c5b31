// The session's one message pump: a server-sent-event stream when the server offers it
// (messaging ≥ 2), short polling otherwise, and a dispatcher by `__type`. The server
// queues messages per session, so a stream the server saw drop only has to come back.
// A stream can also stall (open and silent behind a proxy or NAT): one silent for more
// than three times the ping interval seen so far (60 s before any ping) is reopened (§2.4).
// Whether the server kept writing into the dead connection meanwhile (and so took those
// messages off its queue) no public source says; so a stall also re-subscribes, and the
// server's full answers replace whatever went into the dead connection.
// A stream that opens and then delivers nothing at all, not even the `retry:` line or a ping,
// is a proxy holding the events back (§2.6): after SILENT_STREAMS_BEFORE_POLLING of them in
// a row the pump polls instead, says so in the session's status, and tries the stream again
// after STREAM_RETRY_AFTER_BUFFERING_MS. What the silent streams carried never arrived (the
// proxy drops it when the stream is given up), so falling back re-subscribes: the server
// answers each subscription with a full message.
// The server's own connectionStateChangeMessage goes to the session.

import { createParser } from 'eventsource-parser';
import { z } from 'zod';
import { Disposables } from '../../shared/disposables';
import { AppError, isAppError } from '../../shared/errors';
import { backoffDelay, sleep, systemClock } from '../http';
import type { Clock } from '../http';
import { badResponse } from './errors';
import { Listeners } from './listeners';
import type { Unsubscribe } from './listeners';
import type { IcwsSession } from './session';
import { CONNECTION_STATE_CHANGE_TYPE, messageSchema, parseConnectionStateChange } from './wire';
import type { IcwsMessage } from './wire';

export type PumpMode = 'auto' | 'sse' | 'poll';

/** Two silent streams in a row: one could be a server slow to say anything, two is a proxy in the way. */
export const SILENT_STREAMS_BEFORE_POLLING = 2;
/**
 * How long the pump polls after a proxy held the stream back, before it tries the stream
 * again. A proxy is fixed (or bypassed) by an administrator, not within minutes; once an hour
 * costs one silent stream (a minute of slower delivery while it waits) when nothing changed.
 */
export const STREAM_RETRY_AFTER_BUFFERING_MS = 60 * 60_000;

export interface MessagePumpOptions {
  /** `auto` (default): SSE when the server has messaging ≥ 2, else short polling */
  mode?: PumpMode;
  /** short polling period; default 1 s */
  pollIntervalMs?: number;
  /** wait before reopening a stream that ended, until the server's `retry:` says otherwise; default 1 s */
  retryMs?: number;
  /** backoff after failures; default 1 s up to 30 s */
  backoff?: { baseMs: number; capMs: number };
  random?: () => number;
  /** consecutive unreachable/5xx failures after which the session is re-established (switchover); default 3 */
  failuresBeforeRenew?: number;
  /** a stream silent this long before any ping was seen is reopened; default 60 s */
  stallTimeoutMs?: number;
  /** once pings were seen: reopened when silent longer than this many ping intervals; default 3 */
  stallFactor?: number;
  /** decides when a stream held back by a proxy is tried again; default the system clock */
  clock?: Clock;
  /** polling after a proxy held the stream back lasts this long; default STREAM_RETRY_AFTER_BUFFERING_MS */
  streamRetryAfterMs?: number;
}

export type MessageHandler = (message: IcwsMessage) => void;

const MESSAGES_PATH = 'messaging/messages';
const rawListSchema = z.array(z.unknown());

export class MessagePump {
  readonly #session: IcwsSession;
  readonly #mode: PumpMode;
  readonly #pollIntervalMs: number;
  readonly #backoff: { baseMs: number; capMs: number };
  readonly #random: () => number;
  readonly #failuresBeforeRenew: number;
  readonly #stallTimeoutMs: number;
  readonly #stallFactor: number;
  readonly #handlers = new Map<string, Listeners<IcwsMessage>>();
  readonly #errors = new Listeners<AppError>();
  readonly #stallListeners = new Listeners<{ silentMs: number }>();
  readonly #clock: Clock;
  readonly #streamRetryAfterMs: number;

  #retryMs: number;
  #controller: AbortController | null = null;
  #loop: Promise<void> | null = null;
  #stream: AbortController | null = null;
  #wake = new AbortController();
  #streamUnsupported = false;
  #current: 'sse' | 'poll' | null = null;
  /** the longest gap between pings seen so far (the stream's opening counts as one); null before any */
  #pingIntervalMs: number | null = null;
  #stalls = 0;
  /** streams in a row that opened and delivered nothing */
  #silentStreams = 0;
  /** clock time until which the pump polls because a proxy held the stream back; null while it does not */
  #pollingUntil: number | null = null;
  /** set on falling back to polling: the subscriptions are PUT again for full messages */
  #resubscribe = false;
  /** A stream stalled: re-subscribe as soon as the next stream is open. */
  #resubscribeOnOpen = false;

  constructor(session: IcwsSession, options: MessagePumpOptions = {}) {
    this.#session = session;
    this.#mode = options.mode ?? 'auto';
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.#retryMs = options.retryMs ?? 1_000;
    this.#backoff = options.backoff ?? { baseMs: 1_000, capMs: 30_000 };
    this.#random = options.random ?? Math.random;
    this.#failuresBeforeRenew = options.failuresBeforeRenew ?? 3;
    this.#stallTimeoutMs = options.stallTimeoutMs ?? 60_000;
    this.#stallFactor = options.stallFactor ?? 3;
    this.#clock = options.clock ?? systemClock;
    this.#streamRetryAfterMs = options.streamRetryAfterMs ?? STREAM_RETRY_AFTER_BUFFERING_MS;
    this.on(CONNECTION_STATE_CHANGE_TYPE, (m) => this.#onConnectionState(m));
  }

  /** How long a stream may stay silent before it is reopened, given the pings seen so far. */
  get stallAfterMs(): number {
    return this.#pingIntervalMs === null ? this.#stallTimeoutMs : this.#stallFactor * this.#pingIntervalMs;
  }

  /** Streams reopened because they went silent. */
  get stalls(): number {
    return this.#stalls;
  }

  /** A silent stream was found dead and reopened (for the log and the status bar). */
  onStall(listener: (stall: { silentMs: number }) => void): Unsubscribe {
    return this.#stallListeners.add(listener);
  }

  /** Clock time at which the stream is tried again while a proxy holds it back; null otherwise. */
  get pollingUntil(): number | null {
    return this.#pollingUntil;
  }

  /** How messages arrive right now; null before the first fetch. */
  get channel(): 'sse' | 'poll' | null {
    return this.#current;
  }

  get running(): boolean {
    return this.#loop !== null;
  }

  on(type: string, handler: MessageHandler): Unsubscribe {
    let set = this.#handlers.get(type);
    if (!set) this.#handlers.set(type, (set = new Listeners()));
    return set.add(handler);
  }

  /** Channel failures and handler exceptions, for the log; the pump keeps going. */
  onError(listener: (error: AppError) => void): Unsubscribe {
    return this.#errors.add(listener);
  }

  start(): void {
    if (this.#loop) return;
    const controller = new AbortController();
    this.#controller = controller;
    // What this run listens to ends with it; a later start() listens afresh.
    const running = new Disposables();
    // A stream on an expired session is dead: reopen it on the new one now, whatever
    // `retry:` the old stream asked for.
    running.add(
      this.#session.onRenewed(() => {
        this.#stream?.abort();
        this.#wake.abort();
      }),
    );
    this.#loop = this.#run(controller.signal).finally(() => {
      running.dispose();
      this.#loop = null;
    });
  }

  async stop(): Promise<void> {
    this.#controller?.abort();
    await this.#loop;
  }

  async #run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    let renewNext = false;
    while (!signal.aborted) {
      let delay: number;
      try {
        if (renewNext) {
          renewNext = false;
          await this.#session.renew(signal);
        }
        await this.#session.connect(signal);
        if (this.#resubscribe) {
          await this.#session.resubscribe(signal);
          this.#resubscribe = false;
        }
        if (this.#useStream()) {
          this.#current = 'sse';
          await this.#streamOnce(signal);
          delay = this.#retryMs;
          // Fell back just now: poll (and re-subscribe) at once rather than after `retry:`.
          if (this.#resubscribe) delay = 0;
        } else {
          this.#current = 'poll';
          await this.#pollOnce(signal);
          delay = this.#pollIntervalMs;
        }
        failures = 0;
      } catch (e) {
        if (signal.aborted) break;
        const error = isAppError(e) ? e : new AppError('internal', e instanceof Error ? e.message : String(e));
        this.#errors.emit(error);
        // Bad credentials or a finished session: retrying only risks locking the account.
        // A redirect is a wrong address, not a passing fault.
        // A refused login (no licence, an expired password) waits for the user to fix it and log in again.
        if (error.code === 'auth_failed' || error.code === 'connect_refused' || error.code === 'cancelled' || error.code === 'unexpected_redirect') break;
        if (error.code === 'session_ended') {
          // The server asked us not to log in again by ourselves: wait for the user.
          await this.#session.untilResumed(signal);
          failures = 0;
          continue;
        }
        if (error.code === 'feature_unsupported' && this.#current === 'sse') this.#streamUnsupported = true;
        failures++;
        if ((error.code === 'unavailable' || error.code === 'server_error') && failures >= this.#failuresBeforeRenew) {
          renewNext = true;
          failures = 0;
        }
        delay = backoffDelay(Math.max(0, failures - 1), this.#backoff.baseMs, this.#backoff.capMs, this.#random);
      }
      await sleep(delay, AbortSignal.any([signal, this.#wake.signal])).catch(() => {});
      if (this.#wake.signal.aborted) this.#wake = new AbortController();
    }
  }

  #useStream(): boolean {
    if (this.#mode === 'poll' || this.#streamUnsupported) return false;
    if (this.#pollingUntil !== null) {
      if (this.#clock() < this.#pollingUntil) return false;
      // Time to see whether the proxy still holds events back. The status keeps saying
      // "polling" until a stream delivers something; one more silent stream polls again.
      this.#pollingUntil = null;
    }
    return this.#mode === 'sse' || this.#session.hasFeature('messaging', 2);
  }

  /** A stream delivered something: no proxy holds it back (any more). */
  #streamDelivered(): void {
    this.#silentStreams = 0;
    this.#session.setProxyBuffering(false);
  }

  /** A stream opened and ended (or stalled) without a single byte. */
  #streamSilent(): void {
    this.#silentStreams++;
    if (this.#silentStreams < SILENT_STREAMS_BEFORE_POLLING) return;
    this.#pollingUntil = this.#clock() + this.#streamRetryAfterMs;
    this.#resubscribe = true;
    this.#session.setProxyBuffering(true);
  }

  async #pollOnce(signal: AbortSignal): Promise<void> {
    const messages = await this.#session.request('GET', MESSAGES_PATH, { schema: rawListSchema, signal });
    for (const message of messages) this.#dispatch(message);
  }

  /** Returns when the stream ends, drops or stalls; throws only when it cannot be opened. */
  async #streamOnce(signal: AbortSignal): Promise<void> {
    const stream = new AbortController();
    this.#stream = stream;
    const streamSignal = AbortSignal.any([signal, stream.signal]);
    let silenceTimer: ReturnType<typeof setTimeout> | undefined;
    let lastHeard = performance.now();
    let lastPing = lastHeard;
    let stalled = false;
    let opened = false;
    let delivered = false;
    // Any byte is a sign of life; the limit is recomputed each time, as pings teach us the interval.
    const heard = () => {
      lastHeard = performance.now();
      clearTimeout(silenceTimer);
      silenceTimer = setTimeout(() => {
        stalled = true;
        stream.abort();
      }, this.stallAfterMs);
    };
    try {
      heard();
      const response = await this.#session.openEventStream(streamSignal);
      if (!response.body) throw badResponse('GET messaging/messages (event stream)', 'no body', response.status);
      // A server or gateway that ignored `Accept: text/event-stream` answers with a short poll:
      // a JSON list already taken off the session's queue. Deliver it, and poll from now on.
      if (/json/i.test(response.headers.get('content-type') ?? '')) {
        this.#streamUnsupported = true;
        const messages = rawListSchema.safeParse(await response.json().catch(() => null));
        if (!messages.success) throw badResponse('GET messaging/messages (event stream)', 'a JSON answer that is not a list', response.status);
        for (const message of messages.data) this.#dispatch(message);
        this.#errors.emit(new AppError('feature_unsupported', 'The ICWS server answered the event stream with a short poll: polling from now on.'));
        return;
      }
      lastPing = performance.now();
      opened = true;
      heard();
      if (this.#resubscribeOnOpen) {
        this.#resubscribeOnOpen = false;
        // Not awaited: the full answers come on this very stream, which must be read meanwhile.
        this.#session.resubscribe(streamSignal).catch((e: unknown) => {
          this.#resubscribeOnOpen = true;
          if (!streamSignal.aborted) this.#errors.emit(isAppError(e) ? e : new AppError('internal', e instanceof Error ? e.message : String(e)));
        });
      }
      const parser = createParser({
        onEvent: (event) => this.#dispatchData(event.data),
        onComment: () => {
          const now = performance.now();
          this.#pingIntervalMs = Math.max(this.#pingIntervalMs ?? 0, now - lastPing);
          lastPing = now;
          heard();
        },
        onRetry: (ms) => {
          if (ms >= 0) this.#retryMs = ms;
        },
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          if (!delivered && value.length > 0) {
            delivered = true;
            this.#streamDelivered();
          }
          parser.feed(value);
          heard();
        }
      } catch {
        // A dropped connection: the caller reopens it and the server still holds what was queued.
      } finally {
        reader.cancel().catch(() => {});
      }
    } catch (e) {
      // Our own stall or renewal abort is a drop too, not a failure.
      if (stream.signal.aborted && !signal.aborted) return;
      throw e;
    } finally {
      clearTimeout(silenceTimer);
      if (this.#stream === stream) this.#stream = null;
      // Ended by itself or found dead, not dropped by us for a new session or a stop.
      if (opened && !delivered && !signal.aborted && (stalled || !stream.signal.aborted)) this.#streamSilent();
      if (stalled && !signal.aborted) {
        this.#stalls++;
        // Reopen at once, and re-subscribe once the new stream is open: what the server wrote
        // into the dead connection is gone, and until the new stream replaces it there, the
        // server's full answers would go the same way.
        this.#resubscribeOnOpen = true;
        this.#wake.abort();
        this.#stallListeners.emit({ silentMs: Math.round(performance.now() - lastHeard) });
      }
    }
  }

  /** The server says the session is down: the session drops it now, and the pump moves on without waiting for `retry:`. */
  #onConnectionState(message: IcwsMessage): void {
    const parsed = parseConnectionStateChange(message);
    if ('error' in parsed) return this.#errors.emit(badResponse('connection state message', parsed.error, 200));
    if (parsed.problems.length > 0) this.#errors.emit(badResponse('connection state message', parsed.problems.join('; '), 200));
    this.#session.applyConnectionStateChange(parsed.value);
    if (parsed.value.next === 'down') {
      this.#stream?.abort();
      this.#wake.abort();
    }
  }

  #dispatchData(data: string): void {
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      this.#errors.emit(badResponse('message stream', 'an event that is not JSON', 200));
      return;
    }
    for (const message of Array.isArray(json) ? json : [json]) this.#dispatch(message);
  }

  #dispatch(raw: unknown): void {
    const parsed = messageSchema.safeParse(raw);
    if (!parsed.success) {
      this.#errors.emit(badResponse('message', 'a message without __type', 200));
      return;
    }
    this.#handlers.get(parsed.data.__type)?.emit(parsed.data, (e) => {
      this.#errors.emit(isAppError(e) ? e : new AppError('internal', `Handler for ${parsed.data.__type} failed.`, {}, { cause: e }));
    });
  }
}
