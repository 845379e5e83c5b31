// A minimal typed listener set: the ICWS classes each emit one or two kinds of event.

export type Unsubscribe = () => void;

export class Listeners<T> {
  readonly #listeners = new Set<(value: T) => void>();

  add(listener: (value: T) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A throwing listener must not stop the others nor the emitter's own work. */
  emit(value: T, onError?: (e: unknown) => void): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(value);
      } catch (e) {
        onError?.(e);
      }
    }
  }
}
