// The session's one message pump: a server-sent-event stream when the server offers it
// (messaging ≥ 2), short polling otherwise, and a dispatcher by `__type`. The server
// queues messages per session, so a dropped stream only has to come back to lose nothing.

import { createParser } from 'eventsource-parser';
import { z } from 'zod';
import { AppError, isAppError } from '../../shared/errors';
import { backoffDelay, sleep } from '../http';
import { badResponse } from './errors';
import { Listeners } from './listeners';
import type { Unsubscribe } from './listeners';
import type { IcwsSession } from './session';
import { messageSchema } from './wire';
import type { IcwsMessage } from './wire';

export type PumpMode = 'auto' | 'sse' | 'poll';

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
  /** reopen a stream that has been silent this long (pings included); 0 (default) = never */
  idleTimeoutMs?: number;
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
  readonly #idleTimeoutMs: number;
  readonly #handlers = new Map<string, Listeners<IcwsMessage>>();
  readonly #errors = new Listeners<AppError>();

  #retryMs: number;
  #controller: AbortController | null = null;
  #loop: Promise<void> | null = null;
  #stream: AbortController | null = null;
  #wake = new AbortController();
  #streamUnsupported = false;
  #offRenewed: Unsubscribe | null = null;
  #current: 'sse' | 'poll' | null = null;

  constructor(session: IcwsSession, options: MessagePumpOptions = {}) {
    this.#session = session;
    this.#mode = options.mode ?? 'auto';
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.#retryMs = options.retryMs ?? 1_000;
    this.#backoff = options.backoff ?? { baseMs: 1_000, capMs: 30_000 };
    this.#random = options.random ?? Math.random;
    this.#failuresBeforeRenew = options.failuresBeforeRenew ?? 3;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 0;
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
    // A stream on an expired session is dead: reopen it on the new one now, whatever
    // `retry:` the old stream asked for.
    this.#offRenewed = this.#session.onRenewed(() => {
      this.#stream?.abort();
      this.#wake.abort();
    });
    this.#loop = this.#run(controller.signal).finally(() => {
      this.#offRenewed?.();
      this.#offRenewed = null;
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
        if (this.#useStream()) {
          this.#current = 'sse';
          await this.#streamOnce(signal);
          delay = this.#retryMs;
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
        if (error.code === 'auth_failed' || error.code === 'cancelled') break;
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
    return this.#mode === 'sse' || this.#session.hasFeature('messaging', 2);
  }

  async #pollOnce(signal: AbortSignal): Promise<void> {
    const messages = await this.#session.request('GET', MESSAGES_PATH, { schema: rawListSchema, signal });
    for (const message of messages) this.#dispatch(message);
  }

  /** Returns when the stream ends or drops; throws only when it cannot be opened. */
  async #streamOnce(signal: AbortSignal): Promise<void> {
    const stream = new AbortController();
    this.#stream = stream;
    const streamSignal = AbortSignal.any([signal, stream.signal]);
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      if (this.#idleTimeoutMs <= 0) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => stream.abort(), this.#idleTimeoutMs);
    };
    try {
      touch();
      const response = await this.#session.openEventStream(streamSignal);
      if (!response.body) throw badResponse('GET messaging/messages (event stream)', 'no body', response.status);
      const parser = createParser({
        onEvent: (event) => this.#dispatchData(event.data),
        onRetry: (ms) => {
          if (ms >= 0) this.#retryMs = ms;
        },
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          touch();
          parser.feed(value);
        }
      } catch {
        // A dropped connection: the caller reopens it and the server still holds what was queued.
      } finally {
        reader.cancel().catch(() => {});
      }
    } catch (e) {
      // Our own idle or renewal abort is a drop too, not a failure.
      if (stream.signal.aborted && !signal.aborted) return;
      throw e;
    } finally {
      clearTimeout(idleTimer);
      if (this.#stream === stream) this.#stream = null;
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
