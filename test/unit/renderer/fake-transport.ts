// A RendererApi with no main behind it: each call is answered by a handler the test gives,
// events and link changes are pushed by the test. Lets the renderer's stores run in Node.

import type { RendererApi } from '../../../renderer/bridge';
import type { CallInput, CallName, CallOutput, EventName, EventPayload, Result } from '../../../shared/contract';
import type { ErrorCode } from '../../../shared/errors';

type Handler<N extends CallName> = (input: CallInput<N>) => CallOutput<N> | Promise<CallOutput<N>> | Result<CallOutput<N>>;

export class FakeTransport implements RendererApi {
  readonly calls: { name: CallName; input: unknown }[] = [];
  readonly #handlers = new Map<CallName, (input: unknown) => unknown>();
  readonly #listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  readonly #link = new Set<(up: boolean) => void>();

  /** Answers `name` with what the handler returns (or a `{ok:false}` it returns as is). */
  handle<N extends CallName>(name: N, handler: Handler<N>): this {
    this.#handlers.set(name, handler as (input: unknown) => unknown);
    return this;
  }

  /** Answers `name` with an error value. */
  fail(name: CallName, code: ErrorCode, message = 'refused'): this {
    this.#handlers.set(name, () => ({ ok: false, error: { code, message } }));
    return this;
  }

  async call<N extends CallName>(name: N, input: CallInput<N>): Promise<Result<CallOutput<N>>> {
    this.calls.push({ name, input });
    const handler = this.#handlers.get(name);
    if (!handler) return { ok: false, error: { code: 'internal', message: `no fake handler for ${name}` } };
    const value = await handler(input);
    if (isResult(value)) return value as Result<CallOutput<N>>;
    return { ok: true, value: value as CallOutput<N> };
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    this.#listeners.set(event, set);
    const untyped = listener as (payload: unknown) => void;
    set.add(untyped);
    return () => set.delete(untyped);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.#listeners.get(event) ?? []) listener(payload);
  }

  onLinkChange(listener: (up: boolean) => void): () => void {
    this.#link.add(listener);
    return () => this.#link.delete(listener);
  }

  onReconnect(listener: () => void): () => void {
    return this.onLinkChange((up) => {
      if (up) listener();
    });
  }

  setLink(up: boolean): void {
    for (const listener of [...this.#link]) listener(up);
  }

  /** How many times `name` was called. */
  count(name: CallName): number {
    return this.calls.filter((c) => c.name === name).length;
  }

  listenerCount(event: EventName): number {
    return this.#listeners.get(event)?.size ?? 0;
  }
}

function isResult(value: unknown): value is Result<unknown> {
  // `{ok: true}` alone is an output (secret.set's), and so is audit.verify's `{ok: false, entries}`.
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  return value.ok === false ? 'error' in value : 'value' in value;
}

/** A promise and its resolve, to hold an answer until the test lets it go. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
