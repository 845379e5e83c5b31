// One way to tear down what a store, a feature or a protocol client set up: listeners,
// timers, subscriptions. Each owner used to keep its own array of unsubscribe functions,
// with its own idea of what happens to a listener added after stop; this is that idea,
// once. Shared (no DOM, no Node): the renderer's stores and main's services both use it.

/** Something that can be torn down: an unsubscribe function, or a thing with `dispose()`. */
export type Teardown = (() => void) | { dispose(): void };

export class Disposables {
  #items: Teardown[] = [];
  #disposed = false;

  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Keeps `teardown` until `dispose()`. Added after dispose, it runs at once: a listener
   * registered by work that finished after its owner stopped must not outlive the owner.
   */
  add<T extends Teardown>(teardown: T): T {
    if (this.#disposed) run(teardown);
    else this.#items.push(teardown);
    return teardown;
  }

  /** Adds each of `teardowns` (see `add`). */
  addAll(...teardowns: Teardown[]): void {
    for (const t of teardowns) this.add(t);
  }

  /**
   * Runs every teardown once, the newest first (what was set up last may depend on what
   * came before). A teardown that throws does not keep the others from running; the first
   * error is thrown after all have run. A second call does nothing.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const items = this.#items.reverse();
    this.#items = [];
    let failure: { error: unknown } | null = null;
    for (const item of items) {
      try {
        run(item);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}

function run(teardown: Teardown): void {
  if (typeof teardown === 'function') teardown();
  else teardown.dispose();
}
