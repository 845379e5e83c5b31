// The supervisor desk's window side: the agents' assistance requests that reach this
// supervisor (main keeps the ICWS subscriptions and pushes the whole desk on every change),
// the one the user opened, and what they do with it: accept, ignore, answer.
//
// Nothing here retries by itself: a 403 (`refused`) stays on screen, said once, until the
// user presses Try again (supervise.retry) or changes the ICWS settings.

import { Disposables } from '../../shared/disposables';
import type { ErrorValue } from '../../shared/errors';
import type { SupervisorAlert, SupervisorDesk, SupervisorRequest } from '../../shared/supervisor';
import { safeCall, type RendererApi } from '../bridge';
import { assistanceTextProblem, type Problem } from '../validate';

/** What one request's action row holds. */
export interface DeskChat {
  draft: string;
  /** The action on its way, if any: one at a time per request. */
  busy: 'accept' | 'ignore' | 'answer' | null;
  problem: Problem | null;
  error: ErrorValue | null;
}

export interface SuperviseStoreOptions {
  /** A new request or an agent's message: the page's notification and the optional sound. */
  notifySupervisor?: (alert: SupervisorAlert) => void;
  clock?: () => number;
  /** How often the requests' ages are brought up to date while the desk is on. */
  tickMs?: number;
}

const emptyChat = (): DeskChat => ({ draft: '', busy: null, problem: null, error: null });

export class SuperviseStore {
  desk = $state<SupervisorDesk | null>(null);
  /** supervise.list itself failed (main unreachable, say); the desk's own error is `desk.error`. */
  loadError = $state<ErrorValue | null>(null);
  /** The user is a supervisor and the desk was asked for: only then does main start it. */
  active = $state(false);
  retrying = $state(false);
  /** The request whose conversation is open. */
  selectedId = $state<string | null>(null);
  chats = $state<Record<string, DeskChat>>({});
  /** Requests the agent completed, kept read-only until the app closes or the user clears them (ICWS drops them). */
  completed = $state<SupervisorRequest[]>([]);
  /** Per request: how many of its messages the user has seen (a key at all: the request itself was seen). */
  seen = $state<Record<string, number>>({});
  /** When each request was first listed, for its age until its first message says when it was asked. */
  firstSeen = $state<Record<string, number>>({});
  /** The ICWS user this supervisor is, for "You" in the conversation. */
  me = $state<string | null>(null);
  now = $state(0);

  readonly requests: SupervisorRequest[] = $derived(this.desk?.requests ?? []);
  /** Nobody accepted them and this supervisor did not ignore them, oldest first. */
  readonly unanswered: SupervisorRequest[] = $derived(
    this.requests.filter((r) => r.state === 'open' && r.myAction !== 'ignored').sort((a, b) => this.askedAt(a) - this.askedAt(b)),
  );
  /** Ignored by this supervisor: still open for the others, and still acceptable here. */
  readonly ignored: SupervisorRequest[] = $derived(this.requests.filter((r) => r.state === 'open' && r.myAction === 'ignored'));
  /** Accepted by this supervisor or another. */
  readonly accepted: SupervisorRequest[] = $derived(this.requests.filter((r) => r.state === 'accepted'));
  /** States a newer server may add: shown, never dropped. */
  readonly other: SupervisorRequest[] = $derived(this.requests.filter((r) => r.state === 'unknown'));
  readonly completedList: SupervisorRequest[] = $derived([
    ...this.requests.filter((r) => r.state === 'completed' && !this.completed.some((c) => c.assistanceId === r.assistanceId)),
    ...this.completed,
  ]);
  readonly selected: SupervisorRequest | null = $derived(
    this.selectedId === null
      ? null
      : (this.requests.find((r) => r.assistanceId === this.selectedId) ?? this.completed.find((r) => r.assistanceId === this.selectedId) ?? null),
  );
  /** The server said 403: this user is not a workgroup supervisor. */
  readonly refused: boolean = $derived(this.desk?.state === 'refused');

  /**
   * What the user has not looked at: each unanswered request not seen yet, and the agent's
   * messages on requests this supervisor accepted beyond those seen.
   */
  readonly unread: number = $derived.by(() => {
    if (!this.active) return 0;
    let n = 0;
    for (const r of this.requests) n += this.unreadOf(r);
    return n;
  });

  readonly #api: RendererApi;
  readonly #notify: ((alert: SupervisorAlert) => void) | undefined;
  readonly #clock: () => number;
  readonly #tickMs: number;
  readonly #teardown = new Disposables();
  // Each change is pushed with the whole desk: a push that came while supervise.list was on its way is at least as new.
  #pushes = 0;
  #ticking = false;

  constructor(api: RendererApi, options: SuperviseStoreOptions = {}) {
    this.#api = api;
    this.#notify = options.notifySupervisor;
    this.#clock = options.clock ?? Date.now;
    this.#tickMs = options.tickMs ?? 15_000;
    this.now = this.#clock();
  }

  start(): () => void {
    this.#teardown.addAll(
      this.#api.on('supervise.changed', (desk) => {
        this.#pushes += 1;
        this.#apply(desk);
      }),
      this.#api.on('supervise.alert', (alert) => {
        if (this.active) this.#notify?.(alert);
      }),
      this.#api.on('status.changed', () => {
        if (this.active) void this.#loadMe();
      }),
      // Pushes made while the link was down are lost: ask again.
      this.#api.onReconnect(() => {
        if (this.active) void this.load();
      }),
    );
    return () => this.#teardown.dispose();
  }

  /** The user is a supervisor: the desk is asked for (main logs in and subscribes on the first ask). */
  activate(): void {
    if (this.active) return;
    this.active = true;
    this.now = this.#clock();
    if (!this.#ticking) {
      this.#ticking = true;
      const timer = setInterval(() => (this.now = this.#clock()), this.#tickMs);
      this.#teardown.add(() => clearInterval(timer));
    }
    void this.load();
    void this.#loadMe();
  }

  /** The user is an agent again: no count, no alert, no sound from the desk until they are a supervisor once more. */
  deactivate(): void {
    this.active = false;
  }

  async load(): Promise<void> {
    const seen = this.#pushes;
    const result = await safeCall(this.#api, 'supervise.list', {});
    if (!result.ok) {
      this.loadError = result.error;
      return;
    }
    this.loadError = null;
    if (this.#pushes === seen) this.#apply(result.value);
  }

  /** After a refusal or a failure: once, because the user asked. */
  async retry(): Promise<void> {
    if (this.retrying) return;
    this.retrying = true;
    const seen = this.#pushes;
    const result = await safeCall(this.#api, 'supervise.retry', {});
    this.retrying = false;
    if (!result.ok) {
      this.loadError = result.error;
      return;
    }
    this.loadError = null;
    if (this.#pushes === seen) this.#apply(result.value);
  }

  /** What is new on one request: 1 for an unanswered one not seen yet; the agent's unseen messages on one this supervisor accepted. */
  unreadOf(r: SupervisorRequest): number {
    if (r.state === 'open' && r.myAction !== 'ignored') return r.assistanceId in this.seen ? 0 : 1;
    if (!this.acceptedByMe(r)) return 0;
    const seen = this.seen[r.assistanceId] ?? 0;
    return r.messages.slice(seen).filter((m) => m.participantId.toLowerCase() === r.initiator.userId.toLowerCase()).length;
  }

  /** Whether `userId` is this supervisor (ICWS user ids are compared without regard to case). */
  isMe(userId: string): boolean {
    return this.me !== null && this.me.toLowerCase() === userId.toLowerCase();
  }

  /** Accepted by this supervisor: its own action says so, or the conversation does (either may arrive first). */
  acceptedByMe(r: SupervisorRequest): boolean {
    return r.myAction === 'accepted' || (r.state === 'accepted' && r.acceptedBy !== null && this.isMe(r.acceptedBy.userId));
  }

  /** When the request was asked: its first message's time, else when this window first listed it. */
  askedAt(r: SupervisorRequest): number {
    const first = r.messages[0] ? Date.parse(r.messages[0].timeAdded) : Number.NaN;
    return Number.isNaN(first) ? (this.firstSeen[r.assistanceId] ?? this.now) : first;
  }

  /** Seconds since the request was asked, at the store's clock. */
  ageSeconds(r: SupervisorRequest): number {
    return Math.max(0, Math.round((this.now - this.askedAt(r)) / 1000));
  }

  open(assistanceId: string | null): void {
    this.selectedId = assistanceId;
    if (assistanceId !== null) this.#markSeen(assistanceId);
  }

  /** The desk is on screen: every request and message there counts as read. */
  markRead(): void {
    for (const r of this.requests) this.#markSeen(r.assistanceId);
  }

  chat(assistanceId: string): DeskChat {
    return this.chats[assistanceId] ?? emptyChat();
  }

  setDraft(assistanceId: string, draft: string): void {
    this.chats[assistanceId] = { ...this.chat(assistanceId), draft, problem: null };
  }

  accept(assistanceId: string): Promise<boolean> {
    return this.#act(assistanceId, 'accept', () => safeCall(this.#api, 'supervise.accept', { assistanceId }));
  }

  ignore(assistanceId: string): Promise<boolean> {
    return this.#act(assistanceId, 'ignore', () => safeCall(this.#api, 'supervise.ignore', { assistanceId }));
  }

  async answer(assistanceId: string): Promise<boolean> {
    const chat = this.chat(assistanceId);
    const problem = assistanceTextProblem(chat.draft);
    if (problem) {
      this.chats[assistanceId] = { ...chat, problem };
      return false;
    }
    const text = chat.draft.trim();
    const sent = await this.#act(assistanceId, 'answer', () => safeCall(this.#api, 'supervise.answer', { assistanceId, text }));
    const after = this.chat(assistanceId);
    // The user may have typed on while it was on its way: only the text sent is cleared.
    if (sent && after.draft.trim() === text) this.chats[assistanceId] = { ...after, draft: '' };
    return sent;
  }

  dismissError(assistanceId: string): void {
    this.chats[assistanceId] = { ...this.chat(assistanceId), error: null };
  }

  clearCompleted(): void {
    const gone = this.completedList.map((r) => r.assistanceId);
    this.completed = [];
    if (this.selectedId !== null && gone.includes(this.selectedId)) this.selectedId = null;
  }

  async #act(assistanceId: string, busy: NonNullable<DeskChat['busy']>, call: () => Promise<{ ok: true } | { ok: false; error: ErrorValue }>): Promise<boolean> {
    if (this.chat(assistanceId).busy) return false;
    this.chats[assistanceId] = { ...this.chat(assistanceId), busy, problem: null, error: null };
    const result = await call();
    this.chats[assistanceId] = { ...this.chat(assistanceId), busy: null, error: result.ok ? null : result.error };
    // What the user acted on was on screen: read.
    if (result.ok) this.#markSeen(assistanceId);
    return result.ok;
  }

  #markSeen(assistanceId: string): void {
    const r = this.requests.find((x) => x.assistanceId === assistanceId);
    if (r && this.seen[assistanceId] !== r.messages.length) this.seen[assistanceId] = r.messages.length;
  }

  #apply(desk: SupervisorDesk): void {
    const now = this.#clock();
    for (const r of desk.requests) if (!(r.assistanceId in this.firstSeen)) this.firstSeen[r.assistanceId] = now;
    // A completed request leaves ICWS' list next: its conversation is kept here, read-only.
    const done = desk.requests.filter((r) => r.state === 'completed' && !this.completed.some((c) => c.assistanceId === r.assistanceId));
    if (done.length > 0) this.completed = [...done.map((r) => $state.snapshot(r)), ...this.completed];
    this.desk = desk;
    if (desk.state === 'live') this.loadError = null;
  }

  async #loadMe(): Promise<void> {
    const view = await safeCall(this.#api, 'settings.get', {});
    if (view.ok) this.me = view.value.settings.icws.userId;
  }
}
