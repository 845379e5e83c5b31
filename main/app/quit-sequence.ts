// What quitting does, decided without Electron: main.ts hands Electron's window-all-closed and
// before-quit events to this and lets it call app.quit().
//
// The companion is stopped exactly once (ICWS logout, pollers, the settings writes still
// queued) and waited for, so a session is not left open on the server; but never for longer
// than `limitMs`, so a server that does not answer cannot keep the app from quitting.

export interface QuitEvent {
  preventDefault(): void;
}

export interface QuitSequenceOptions {
  /** Stops the companion; may reject (a logout that failed): the app quits all the same. */
  stop(): Promise<void>;
  /** app.quit(): fires before-quit again, which this time lets it through. */
  quit(): void;
  /** The longest wait for `stop` (default 3 s). */
  limitMs?: number;
  onError?(error: unknown): void;
}

export interface QuitSequence {
  /** Every platform: the companion has no tray or dock life without its window. */
  windowAllClosed(): void;
  beforeQuit(event: QuitEvent): void;
  /** Resolves once the stop has ended (or timed out); for tests and for whoever must wait on it. */
  readonly stopped: Promise<void>;
}

export function createQuitSequence(options: QuitSequenceOptions): QuitSequence {
  const limitMs = options.limitMs ?? 3_000;
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));

  const stopOnce = () => {
    state = 'stopping';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
    // A stop that throws synchronously is a failed stop too.
    const stopping = Promise.resolve().then(() => options.stop());
    void Promise.race([stopping, limit])
      .catch((e: unknown) => options.onError?.(e))
      .finally(() => {
        clearTimeout(timer);
        state = 'stopped';
        markStopped();
        options.quit();
      });
  };

  return {
    windowAllClosed: () => options.quit(),
    beforeQuit(event) {
      if (state === 'stopped') return;
      // Held while stopping, a second quit (the user pressing Quit again) included: the wait is bounded.
      event.preventDefault();
      if (state === 'running') stopOnce();
    },
    stopped,
  };
}
