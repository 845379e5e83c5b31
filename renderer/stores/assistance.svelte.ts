// Agent assistance over ICWS: ask a supervisor about an interaction, then chat per request.
// There is no GET of a request in ICWS: the list only ever comes from assistance.changed
// (and assistance.list after a reconnect).

import { Disposables } from '../../shared/disposables';
import type { AssistanceRequest } from '../../shared/assistance';
import type { AssistanceAlert } from '../../shared/contract';
import type { AgentInteraction } from '../../shared/interactions';
import type { ErrorValue } from '../../shared/errors';
import { safeCall, type RendererApi } from '../bridge';
import { ASSISTANCE_TEXT_MAX_LENGTH, assistanceTextProblem, icwsIdProblem, type Problem } from '../validate';

/** The contract's limit, in code points (shared/validation.ts). */
export const ASSISTANCE_TEXT_MAX = ASSISTANCE_TEXT_MAX_LENGTH;

/** What one request's chat box holds. */
export interface Chat {
  draft: string;
  sending: boolean;
  completing: boolean;
  error: ErrorValue | null;
}

export interface AssistanceStoreOptions {
  /**
   * A supervisor wrote: shown as a desktop notification where main cannot (the browser host;
   * in Electron main shows it itself).
   */
  notify?: (alert: AssistanceAlert) => void;
}

export class AssistanceStore {
  requests = $state<AssistanceRequest[]>([]);
  /** The agent's current interactions (ICWS queue), for the picker; typing an id stays possible. */
  interactions = $state<AgentInteraction[]>([]);
  me = $state<string | null>(null);
  interactionId = $state('');
  text = $state('');
  problems = $state<{ interaction?: Problem; text?: Problem }>({});
  error = $state<ErrorValue | null>(null);
  loadError = $state<ErrorValue | null>(null);
  busy = $state(false);
  chats = $state<Record<string, Chat>>({});
  /**
   * Conversations the user closed with Done, newest first: kept read-only until the app
   * closes or the user clears them (ICWS drops a completed request from its list).
   */
  completed = $state<AssistanceRequest[]>([]);
  /** How many messages of each request the user has seen. */
  seen = $state<Record<string, number>>({});

  /** Open requests first; within each group the order main keeps. Done ones are in `completed`. */
  readonly ordered: AssistanceRequest[] = $derived.by(() => {
    const done = this.completed.map((r) => r.assistanceId);
    const live = this.requests.filter((r) => !done.includes(r.assistanceId));
    return [...live.filter((r) => r.state !== 'completed'), ...live.filter((r) => r.state === 'completed')];
  });

  /** Messages from others (the supervisor) the user has not seen yet, over the open requests. */
  readonly unread: number = $derived(
    this.ordered.reduce((sum, r) => {
      const others = r.messages.filter((m) => m.participantId !== this.me);
      const seenOfOthers = r.messages.slice(0, this.seen[r.assistanceId] ?? 0).filter((m) => m.participantId !== this.me).length;
      return sum + Math.max(0, others.length - seenOfOthers);
    }, 0),
  );

  readonly #api: RendererApi;
  readonly #notify: ((alert: AssistanceAlert) => void) | undefined;
  // Every change is pushed with the whole list, so a push that arrives while
  // assistance.list is on its way is at least as new as the answer.
  #pushes = 0;
  // What the first list holds was there before the window opened: not news.
  #firstLoad = true;

  constructor(api: RendererApi, options: AssistanceStoreOptions = {}) {
    this.#api = api;
    this.#notify = options.notify;
  }

  async loadInteractions(): Promise<void> {
    const result = await safeCall(this.#api, 'interactions.list', {});
    // Without ICWS (or before it is up) the picker is simply empty: typing the id still works.
    if (result.ok) this.interactions = result.value;
  }

  pickInteraction(interactionId: string): void {
    this.interactionId = interactionId;
    const { text } = this.problems;
    this.problems = text ? { text } : {};
  }

  start(): () => void {
    const teardown = new Disposables();
    teardown.addAll(
      this.#api.on('assistance.changed', (list) => {
        this.#pushes += 1;
        this.requests = list;
      }),
      this.#api.on('status.changed', () => void this.loadMe()),
      this.#api.on('interactions.changed', (list) => (this.interactions = list)),
      // ICWS is back: what failed while it was away is not the news any more, and a list that
      // could not be read is read again.
      this.#api.on('connection.changed', (state) => {
        if (state.state !== 'up') return;
        const reload = this.loadError !== null;
        this.#icwsAnswers();
        if (reload) void this.load();
      }),
      this.#api.on('assistance.alert', (alert) => this.#notify?.(alert)),
      // What was pushed while the link was down is lost: ask again.
      this.#api.onReconnect(() => {
        void this.load();
        void this.loadMe();
        void this.loadInteractions();
      }),
    );
    void this.load();
    void this.loadMe();
    void this.loadInteractions();
    return () => teardown.dispose();
  }

  async load(): Promise<void> {
    const seen = this.#pushes;
    const result = await safeCall(this.#api, 'assistance.list', {});
    if (result.ok) {
      if (this.#pushes === seen) this.requests = result.value;
      if (this.#firstLoad) this.markRead();
      this.#firstLoad = false;
      this.#icwsAnswers();
    } else this.loadError = result.error;
  }

  /** The user looked at the conversations: nothing there is unread any more. */
  markRead(): void {
    for (const r of this.requests) if ((this.seen[r.assistanceId] ?? 0) !== r.messages.length) this.seen[r.assistanceId] = r.messages.length;
  }

  clearCompleted(): void {
    this.completed = [];
  }

  async loadMe(): Promise<void> {
    const view = await safeCall(this.#api, 'settings.get', {});
    if (view.ok) this.me = view.value.settings.icws.userId;
  }

  async ask(): Promise<boolean> {
    const next: typeof this.problems = {};
    const interaction = icwsIdProblem(this.interactionId);
    if (interaction) next.interaction = interaction;
    const text = this.text.trim();
    // The contract's own rule: empty, too long (in code points), control or bidi characters.
    const textProblem = assistanceTextProblem(this.text);
    if (textProblem) next.text = textProblem;
    this.problems = next;
    if (next.interaction || next.text || this.busy) return false;
    this.busy = true;
    const result = await safeCall(this.#api, 'assistance.create', { interactionId: this.interactionId.trim(), text });
    this.busy = false;
    if (result.ok) {
      this.text = '';
      this.#icwsAnswers();
      return true;
    }
    this.error = result.error;
    return false;
  }

  chat(assistanceId: string): Chat {
    return this.chats[assistanceId] ?? { draft: '', sending: false, completing: false, error: null };
  }

  setDraft(assistanceId: string, draft: string): void {
    this.chats[assistanceId] = { ...this.chat(assistanceId), draft };
  }

  async send(assistanceId: string): Promise<boolean> {
    const chat = this.chat(assistanceId);
    const text = chat.draft.trim();
    const request = this.requests.find((r) => r.assistanceId === assistanceId);
    if (!text || chat.sending || !request || request.state === 'completed') return false;
    this.chats[assistanceId] = { ...chat, sending: true };
    const result = await safeCall(this.#api, 'assistance.addMessage', { assistanceId, text });
    const after = this.chat(assistanceId);
    // The user may have typed on while this was on its way: only the sent text is cleared.
    const draft = result.ok && after.draft.trim() === text ? '' : after.draft;
    this.chats[assistanceId] = { ...after, draft, sending: false, error: result.ok ? null : result.error };
    if (result.ok) this.#icwsAnswers();
    return result.ok;
  }

  async complete(assistanceId: string): Promise<boolean> {
    this.chats[assistanceId] = { ...this.chat(assistanceId), completing: true };
    const result = await safeCall(this.#api, 'assistance.complete', { assistanceId });
    this.chats[assistanceId] = { ...this.chat(assistanceId), completing: false, error: result.ok ? null : result.error };
    const request = this.requests.find((r) => r.assistanceId === assistanceId);
    if (result.ok && request) {
      const snapshot: AssistanceRequest = { ...$state.snapshot(request), state: 'completed' };
      this.completed = [snapshot, ...this.completed.filter((r) => r.assistanceId !== assistanceId)];
    }
    if (result.ok) this.#icwsAnswers();
    return result.ok;
  }

  /** The user read the error under the form and put it away. */
  dismissError(): void {
    this.error = null;
  }

  /**
   * ICWS answered (a call succeeded, or main says the connection is up): an error an earlier
   * call met, the form's "not reachable" among them, no longer says how things are.
   */
  #icwsAnswers(): void {
    this.error = null;
    this.loadError = null;
    for (const [id, chat] of Object.entries(this.chats)) if (chat.error) this.chats[id] = { ...chat, error: null };
  }
}
