import type { AssistanceList, AssistanceRequest, ConnectionState } from '../../shared/assistance';
import { AppError, isAppError } from '../../shared/errors';
import type { AgentInteraction } from '../../shared/interactions';
import type { FetchLike } from '../http';
import { AssistanceClient } from '../icws/assistance';
import { InteractionsClient } from '../icws/interactions';
import { MessagePump } from '../icws/messaging';
import { IcwsSession } from '../icws/session';
import type { EventSink } from './dispatch';

export interface IcwsConfig {
  baseUrl: string;
  userId: string;
  password: string;
  applicationName: string;
  language: string;
  allowInsecureHttp: boolean;
}

interface Live {
  session: IcwsSession;
  pump: MessagePump;
  client: AssistanceClient;
  /** the agent's own queue, for the interaction picker */
  interactions: InteractionsClient;
  unsubscribe: (() => void)[];
}

/**
 * The agent's assistance requests over one ICWS session: connects when configured, keeps
 * the live view, pushes `assistance.changed` and `connection.changed`, logs out on stop.
 */
export class AssistanceService {
  readonly #fetch: FetchLike;
  readonly #emit: EventSink;
  #live: Live | null = null;
  #state: ConnectionState | null = null;

  constructor(fetch: FetchLike, emit: EventSink) {
    this.#fetch = fetch;
    this.#emit = emit;
  }

  readonly #staleListeners = new Set<(stale: boolean) => void>();

  /** The list may be out of date: the server suspended the subscription or ended the session. */
  get stale(): boolean {
    return this.#live?.client.stale ?? false;
  }

  onStaleChange(listener: (stale: boolean) => void): () => void {
    this.#staleListeners.add(listener);
    return () => this.#staleListeners.delete(listener);
  }

  /** null while ICWS is not configured. */
  get connection(): ConnectionState | null {
    return this.#state;
  }

  /** (Re)starts with a new configuration; null stops. Connection errors surface as state, not as a throw. */
  async configure(config: IcwsConfig | null): Promise<void> {
    await this.stop();
    if (!config) return;
    const session = new IcwsSession({
      baseUrl: config.baseUrl,
      credentials: { userId: config.userId, password: config.password },
      applicationName: config.applicationName,
      language: config.language,
      allowInsecureHttp: config.allowInsecureHttp,
      fetch: this.#fetch,
    });
    const pump = new MessagePump(session);
    const client = new AssistanceClient(session, pump);
    const interactions = new InteractionsClient(session, pump, { userId: config.userId });
    const live: Live = { session, pump, client, interactions, unsubscribe: [] };
    this.#live = live;
    live.unsubscribe.push(
      session.onStateChange((state) => {
        this.#state = state;
        this.#emit('connection.changed', state);
      }),
      client.onChange((requests) => this.#emit('assistance.changed', requests)),
      interactions.onChange((list) => this.#emit('interactions.changed', list)),
      client.onStaleChange((stale) => {
        for (const listener of this.#staleListeners) listener(stale);
      }),
      // Skipped alternates (not a bare host name) are worth an administrator's look; never a secret in them.
      session.onWarning((warning) => console.warn(`companion: ICWS: ${warning.message}`)),
    );
    this.#state = session.state;
    // Connecting may take long (switchover, backoff): the UI follows it through state events.
    client.start().catch(() => undefined);
    interactions.start().catch((e: unknown) => {
      // A server without queue subscriptions still has assistance: say why the picker stays empty.
      if (isAppError(e) && e.code === 'feature_unsupported') console.warn(`companion: ICWS: ${e.message}`);
    });
  }

  /** The agent's current interactions (empty while ICWS is not configured or has not answered yet). */
  interactions(): AgentInteraction[] {
    return this.#live?.interactions.list() ?? [];
  }

  list(): AssistanceRequest[] {
    return this.#live?.client.list() ?? [];
  }

  /** The requests and whether they may be out of date (subscription Suspended or Faulted, or the session ended by the server). */
  snapshot(): AssistanceList {
    return this.#live?.client.snapshot() ?? { requests: [], stale: false };
  }

  /**
   * After the server ended the session (connection state `down`, code `session_ended`) nothing
   * logs in by itself: this is the user asking to log in again. Subscriptions come back.
   */
  async loginAgain(): Promise<void> {
    this.#client();
    await this.#live!.session.resume();
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
    if (live.interactions.list().length > 0) this.#emit('interactions.changed', []);
    for (const off of live.unsubscribe) off();
    await live.client.stop().catch(() => undefined);
    await live.interactions.stop().catch(() => undefined);
    await live.pump.stop().catch(() => undefined);
    await live.session.logout().catch(() => undefined);
  }

  #client(): AssistanceClient {
    if (!this.#live) {
      throw new AppError('missing_credentials', 'ICWS is not configured: set the server, user and password in Settings.');
    }
    return this.#live.client;
  }
}
