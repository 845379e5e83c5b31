import type { AssistanceList, AssistanceRequest, ConnectionState } from '../../shared/assistance';
import { Disposables } from '../../shared/disposables';
import { AppError, guidance, isAppError } from '../../shared/errors';
import type { AgentInteraction } from '../../shared/interactions';
import type { AssistanceClient } from '../icws/assistance';
import type { IcwsStack } from './clients';
import type { EventSink } from './dispatch';

interface Live {
  stack: IcwsStack;
  teardown: Disposables;
}

/**
 * The agent's assistance requests over one ICWS session: connects when configured, keeps
 * the live view, pushes `assistance.changed` and `connection.changed`, logs out on stop.
 */
export class AssistanceService {
  readonly #emit: EventSink;
  #live: Live | null = null;
  #state: ConnectionState | null = null;

  constructor(emit: EventSink) {
    this.#emit = emit;
  }

  readonly #staleListeners = new Set<(stale: boolean) => void>();

  /** The list may be out of date: the server suspended the subscription or ended the session. */
  get stale(): boolean {
    return this.#live?.stack.assistance.stale ?? false;
  }

  onStaleChange(listener: (stale: boolean) => void): () => void {
    this.#staleListeners.add(listener);
    return () => this.#staleListeners.delete(listener);
  }

  /** null while ICWS is not configured. */
  get connection(): ConnectionState | null {
    return this.#state;
  }

  /**
   * (Re)starts over a new stack (the client provider built it for the app); null stops.
   * Connection errors surface as state, not as a throw.
   */
  async configure(stack: IcwsStack | null): Promise<void> {
    await this.stop();
    if (!stack) return;
    const { session, assistance, interactions } = stack;
    const live: Live = { stack, teardown: new Disposables() };
    this.#live = live;
    live.teardown.addAll(
      session.onStateChange((state) => {
        this.#state = state;
        this.#emit('connection.changed', state);
      }),
      assistance.onChange((requests) => this.#emit('assistance.changed', requests)),
      interactions.onChange((list) => this.#emit('interactions.changed', list)),
      assistance.onStaleChange((stale) => {
        for (const listener of this.#staleListeners) listener(stale);
      }),
      // Skipped alternates (not a bare host name) are worth an administrator's look; never a secret in them.
      session.onWarning((warning) => console.warn(`companion: ICWS: ${warning.message}`)),
    );
    this.#state = session.state;
    // Connecting may take long (switchover, backoff): the UI follows it through state events.
    assistance.start().catch(() => undefined);
    interactions.start().catch((e: unknown) => {
      // A server without queue subscriptions still has assistance: say why the picker stays empty.
      if (isAppError(e) && e.code === 'feature_unsupported') console.warn(`companion: ICWS: ${e.message}`);
    });
  }

  /** The agent's current interactions (empty while ICWS is not configured or has not answered yet). */
  interactions(): AgentInteraction[] {
    return this.#live?.stack.interactions.list() ?? [];
  }

  list(): AssistanceRequest[] {
    return this.#live?.stack.assistance.list() ?? [];
  }

  /** The requests and whether they may be out of date (subscription Suspended or Faulted, or the session ended by the server). */
  snapshot(): AssistanceList {
    return this.#live?.stack.assistance.snapshot() ?? { requests: [], stale: false };
  }

  /**
   * After the server ended the session (connection state `down`, code `session_ended`) nothing
   * logs in by itself: this is the user asking to log in again. Subscriptions come back.
   */
  async loginAgain(): Promise<void> {
    this.#client();
    await this.#live!.stack.session.resume();
  }

  create(interactionId: string, text: string): Promise<string> {
    return this.#client().request(interactionId, text);
  }

  addMessage(assistanceId: string, text: string): Promise<void> {
    return this.#client().addMessage(assistanceId, text);
  }

  complete(assistanceId: string): Promise<void> {
    return this.#client().complete(assistanceId);
  }

  async stop(): Promise<void> {
    const live = this.#live;
    this.#live = null;
    this.#state = null;
    if (!live) return;
    // The picker must not offer what belonged to the session that ends.
    if (live.stack.interactions.list().length > 0) this.#emit('interactions.changed', []);
    live.teardown.dispose();
    await live.stack.stop();
  }

  #client(): AssistanceClient {
    if (!this.#live) {
      throw new AppError('missing_credentials', 'ICWS is not configured: set the server, user and password in Settings.', {
        guidance: guidance('guidance.configureIcws'),
      });
    }
    return this.#live.stack.assistance;
  }
}
