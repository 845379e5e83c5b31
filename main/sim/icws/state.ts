// What the simulated switchover pair knows: users, sessions with their message queues,
// interactions and agent-assistance requests, and the scripted supervisor. Both
// listeners share one instance; only the active host accepts connections.

import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../../http';
import { AppError } from '../../../shared/errors';
import {
  AssistanceState,
  CONNECTION_STATE_MESSAGE_TYPE,
  ConnectionState,
  DETAILS_MESSAGE_TYPE,
  INFERRED_SUPERVISOR_ACTION_PATH,
  INTERACTION_STATE_LETTERS,
  LIST_MESSAGE_TYPE,
  ParticipantAction,
  QUEUE_CONTENTS_MESSAGE_TYPE,
  SUBSCRIPTION_STATE_MESSAGE_TYPE,
  SUPERVISOR_LIST_MESSAGE_TYPE,
  USER_STATUS_MESSAGE_TYPE,
  SubscriptionState,
  icwsTime,
} from './wire';
import type { IcwsMessage, SimInteractionState, SimLanguage } from './wire';

export type HostKey = 'primary' | 'alternate';

export interface SimUser {
  userId: string;
  password: string;
  displayName: string;
  /** the "Request Assistance from Supervisors" right (default true); without it a request is refused with 400 */
  canRequestAssistance?: boolean;
}

/**
 * What the workgroup's supervisors do with a request on an interaction: one answers (accepts
 * and replies), one ignores, or nobody ever answers (§2.4: a request may stay unanswered).
 */
export type SupervisorBehaviour = 'answers' | 'ignores' | 'silent';

export interface SimInteraction {
  owner: string;
  /** ACD-routed; assistance is refused on anything else */
  acd: boolean;
  supervisor: SupervisorBehaviour;
  /** its interaction attributes as the queue subscription sends them (`Eic_State`, `Eic_RemoteName`, …) */
  attributes: Record<string, string>;
}

/** What the agent's queue shows of an interaction; every field has a default. */
/** Each left out (or undefined) takes its default. */
export interface SimInteractionDetails {
  /** `Eic_ObjectType`; default `Call` */
  type?: string | undefined;
  /** default connected */
  state?: SimInteractionState | undefined;
  remoteName?: string | undefined;
  remoteAddress?: string | undefined;
  /** default inbound */
  direction?: 'inbound' | 'outbound' | undefined;
  /** `Eic_WorkgroupName`; default `Bireysel Bankacılık` for an ACD interaction, empty otherwise */
  workgroup?: string | undefined;
}

/**
 * A workgroup (§2.5): an agent's request reaches every supervisor of the workgroup its
 * interaction came through who runs a supervisor client (holds the subscription); a
 * supervisor may also monitor the queues of the workgroup's agents and see their statuses.
 */
export interface SimWorkgroup {
  name: string;
  supervisors: string[];
  agents: string[];
}

/** What the status board shows of a user (userStatusMessage). */
export interface SimUserStatus {
  statusId: string;
  loggedIn: boolean;
  onPhone: boolean;
  /** epoch ms of the last status change */
  statusChanged: number;
}

/** A status change; each field left out stays; `hidden`: nobody but the user may see the status (a 403 on the board). */
export interface SimStatusChange {
  statusId?: string | undefined;
  loggedIn?: boolean | undefined;
  onPhone?: boolean | undefined;
  hidden?: boolean | undefined;
}

/** A supervisor's act on a request (supervisorAssistanceRequestAction). */
export type SupervisorActResult = 'ok' | 'not_found' | 'already_accepted' | 'empty';

/** Where a session's messages go while a server-sent-event stream is open. */
export interface MessageSink {
  /** false when the stream is already gone: the message stays queued */
  write(message: IcwsMessage): boolean;
  /** the session ended: close the stream cleanly */
  end(): void;
  /** the connection broke: no goodbye */
  destroy(): void;
  /**
   * A proxy or NAT lost the connection: it stays open and sends nothing more, not even pings.
   * `lossy`: the server does not know, keeps writing into it, and what it writes is lost (a
   * real server has taken it off the queue); otherwise what follows waits for the next stream.
   */
  stall(lossy: boolean): void;
}

export interface QueuedMessageEvent {
  sessionId: string;
  message: IcwsMessage;
  /** performance.now() when the message entered the session's queue */
  queuedAt: number;
}

export interface Session {
  readonly id: string;
  readonly user: SimUser;
  readonly host: HostKey;
  readonly csrfToken: string;
  readonly cookieValue: string;
  /** the language of the connect request's Accept-Language: the server's own texts (a `reason`) use it */
  readonly language: SimLanguage;
  lastActivity: number;
  queue: IcwsMessage[];
  stream: MessageSink | null;
  listSubscribed: boolean;
  readonly detailSubscriptions: Set<string>;
  /** queue subscriptions on the user's own queue: subscriptionId → the attribute names asked for */
  readonly queueSubscriptions: Map<string, string[]>;
  /** the user whose queue a subscription watches, where it is not the session's own (a supervisor's) */
  readonly queueOwners: Map<string, string>;
  /** holds the supervisor-assistance subscription (a supervisor client is running) */
  supervisorSubscribed: boolean;
  /** the users whose status this session follows (lower case); empty: none */
  readonly statusUserIds: Set<string>;
  /** the server said Down: the next message fetch delivers what is queued, then the session is gone */
  closing: boolean;
  /** the assistance subscriptions are Suspended or Faulted: their updates are lost until re-subscribed */
  assistanceDegraded: boolean;
  /** answer every request with the bad-cookie error and this status (the session is unusable) */
  cookieInvalidStatus: number | null;
}

interface Participant {
  userId: string;
  displayName: string;
  action: number;
}

interface AssistanceRequest {
  readonly id: string;
  readonly interactionId: string;
  /** the workgroup its interaction came through: whose supervisors see it */
  readonly workgroup: string;
  /** each supervisor's own action (lower-case user id → ParticipantAction) */
  readonly supervisorActions: Map<string, number>;
  readonly initiator: SimUser;
  state: number;
  readonly participants: Participant[];
  readonly messages: { text: string; participantId: string; timeAdded: string }[];
}

export interface ScriptedSupervisor {
  acceptDelayMs: number;
  reply: string;
}

export interface StateOptions {
  users: SimUser[];
  supervisor: { userId: string; displayName: string };
  script: ScriptedSupervisor | false;
  idleTimeoutMs: number;
  clock: Clock;
  activeHost: HostKey;
  /** default none: nobody is a supervisor, every supervisor subscription is refused (403) */
  workgroups?: SimWorkgroup[];
}

export type CreateResult = { assistanceId: string } | { error: 'unknown_interaction' | 'already_active' | 'not_acd' | 'no_right' };

const MAX_ENDED_IDS = 10_000;
const SERVER_END_REASONS: Record<SimLanguage, string> = {
  en: 'An administrator ended your session.',
  tr: 'Bir yönetici oturumunuzu sonlandırdı.',
};

export class IcwsSimState {
  activeHost: HostKey;
  /** where supervisors' actions are taken, below /icws/{sessionId}/ (a knob: §2.5 only infers it) */
  supervisorActionPath: string = INFERRED_SUPERVISOR_ACTION_PATH;
  readonly #opts: StateOptions;
  readonly #sessions = new Map<string, Session>();
  readonly #interactions = new Map<string, SimInteraction>();
  readonly #requests = new Map<string, AssistanceRequest>();
  readonly #queuedListeners = new Set<(e: QueuedMessageEvent) => void>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #workgroups: SimWorkgroup[];
  /** lower-case user id → status */
  readonly #statuses = new Map<string, SimUserStatus>();
  /** lower-case user ids whose status nobody may see (a 403 on the board) */
  readonly #statusHidden = new Set<string>();
  /** ids of sessions ended, for the 401 that tells an invalid session from an unknown one */
  readonly #endedIds = new Set<string>();
  #nextInteraction = 1_001_000_001;

  constructor(opts: StateOptions) {
    this.#opts = opts;
    this.activeHost = opts.activeHost;
    this.#workgroups = (opts.workgroups ?? []).map((w) => ({ name: w.name, supervisors: [...w.supervisors], agents: [...w.agents] }));
    for (const user of opts.users) {
      this.#statuses.set(user.userId.toLowerCase(), { statusId: 'Available', loggedIn: true, onPhone: false, statusChanged: opts.clock() });
    }
  }

  // --- users and sessions ---

  authenticate(userId: string, password: string): SimUser | null {
    const user = this.#opts.users.find((u) => u.userId.toLowerCase() === userId.toLowerCase());
    // Compare digests so the time taken says nothing about the password's length.
    const digest = (s: string) => createHash('sha256').update(s).digest();
    const ok = timingSafeEqual(digest(password), digest(user?.password ?? randomUUID()));
    return user && ok ? user : null;
  }

  createSession(user: SimUser, host: HostKey, language: SimLanguage = 'en'): Session {
    let id: string;
    do id = String(randomInt(1_000_000_000, 9_999_999_999)); while (this.#sessions.has(id));
    const session: Session = {
      id,
      user,
      host,
      csrfToken: randomBytes(36).toString('base64'),
      cookieValue: randomBytes(32).toString('base64url'),
      language,
      lastActivity: this.#opts.clock(),
      queue: [],
      stream: null,
      listSubscribed: false,
      detailSubscriptions: new Set(),
      queueSubscriptions: new Map(),
      queueOwners: new Map(),
      supervisorSubscribed: false,
      statusUserIds: new Set(),
      closing: false,
      assistanceDegraded: false,
      cookieInvalidStatus: null,
    };
    this.#sessions.set(id, session);
    return session;
  }

  /** The session if it lives on this host and has not idled out; an idle one is removed on sight. */
  liveSession(id: string, host: HostKey): Session | undefined {
    const session = this.#sessions.get(id);
    if (!session || session.host !== host) return undefined;
    if (this.#idle(session)) {
      this.endSession(id, 'end');
      return undefined;
    }
    return session;
  }

  touch(session: Session): void {
    session.lastActivity = this.#opts.clock();
  }

  // Requests keep a session alive; an open stream does not (§2.4: no public text says it
  // would, so nothing may depend on it), and a client must log in again and re-subscribe.
  #idle(session: Session): boolean {
    return this.#opts.clock() - session.lastActivity >= this.#opts.idleTimeoutMs;
  }

  /** Whether the server ever made this session (a live one, or one ended since). */
  issued(id: string): boolean {
    return this.#sessions.has(id) || this.#endedIds.has(id);
  }

  endSession(id: string, how: 'end' | 'destroy'): boolean {
    const session = this.#sessions.get(id);
    if (!session) return false;
    this.#sessions.delete(id);
    this.#endedIds.add(id);
    // Bounded: a long demo must not grow without end; the oldest ids fall back to "not found".
    if (this.#endedIds.size > MAX_ENDED_IDS) this.#endedIds.delete(this.#endedIds.values().next().value!);
    const stream = session.stream;
    session.stream = null;
    if (how === 'end') stream?.end();
    else stream?.destroy();
    return true;
  }

  /** Ends the given session, or every session; returns how many ended. */
  expire(sessionId?: string): number {
    const ids = sessionId === undefined ? [...this.#sessions.keys()] : [sessionId];
    return ids.filter((id) => this.endSession(id, 'end')).length;
  }

  sweepIdle(): void {
    for (const session of [...this.#sessions.values()]) if (this.#idle(session)) this.endSession(session.id, 'end');
  }

  /** Makes `host` the active one; the sessions of the host that stops serving are gone, their streams cut. */
  activate(host: HostKey): void {
    if (host === this.activeHost) return;
    const old = this.activeHost;
    this.activeHost = host;
    for (const session of [...this.#sessions.values()]) if (session.host === old) this.endSession(session.id, 'destroy');
  }

  /**
   * The server ends sessions and says so (connectionStateChangeMessage, Down): an open stream
   * gets the message and closes; otherwise the next message fetch gets it. Returns how many.
   */
  endByServer(reason: string | undefined, shouldReconnect: boolean | undefined, sessionId?: string): number {
    const targets = [...this.#sessions.values()].filter((s) => sessionId === undefined || s.id === sessionId);
    for (const session of targets) {
      const message: IcwsMessage = {
        __type: CONNECTION_STATE_MESSAGE_TYPE,
        isDelta: true,
        previousConnectionState: ConnectionState.Up,
        newConnectionState: ConnectionState.Down,
        // `reason` is localised text (§2.4): worded in the language the session asked for at connect.
        reason: reason ?? SERVER_END_REASONS[session.language],
        ...(shouldReconnect === undefined ? {} : { shouldReconnect }),
      };
      session.closing = true;
      this.publish(session, message);
      if (session.stream) this.endSession(session.id, 'end');
    }
    return targets.length;
  }

  /** Every live session answers the bad-cookie error with `status` from now on; returns how many. */
  invalidateCookies(status: number): number {
    const sessions = [...this.#sessions.values()];
    for (const session of sessions) session.cookieInvalidStatus = status;
    return sessions.length;
  }

  /** Open streams stall (stay open, silent); messages wait in the queue for the next stream. Returns how many. */
  stallStreams(options: { lossy?: boolean | undefined } = {}): number {
    let stalled = 0;
    for (const session of this.#sessions.values()) {
      const stream = session.stream;
      if (!stream) continue;
      // A lossy stall stays attached: the server goes on writing into a connection nobody reads.
      if (!options.lossy) this.detachStream(session, stream);
      stream.stall(options.lossy === true);
      stalled++;
    }
    return stalled;
  }

  /**
   * Suspended or Faulted: list and details updates to the subscribed sessions are lost (not
   * queued) until the session re-subscribes or the state is Normal again. `announce` sends
   * the subscription state message. Returns how many sessions it touched.
   */
  setAssistanceSubscriptionState(state: 'normal' | 'suspended' | 'faulted', announce: boolean): number {
    const sessions = [...this.#sessions.values()].filter((s) => s.listSubscribed);
    const number = state === 'normal' ? SubscriptionState.Normal : state === 'suspended' ? SubscriptionState.Suspended : SubscriptionState.Faulted;
    for (const session of sessions) {
      session.assistanceDegraded = state !== 'normal';
      if (!announce) continue;
      this.publish(session, {
        __type: SUBSCRIPTION_STATE_MESSAGE_TYPE,
        isDelta: true,
        state: number,
        ...(state === 'faulted' ? { error: { errorId: 'error.server.subscriptionFaulted', message: 'The subscription could not be kept up to date.' } } : {}),
      });
    }
    return sessions.length;
  }

  sessions(): readonly Session[] {
    this.sweepIdle();
    return [...this.#sessions.values()];
  }

  // --- messaging ---

  onMessageQueued(listener: (e: QueuedMessageEvent) => void): () => void {
    this.#queuedListeners.add(listener);
    return () => this.#queuedListeners.delete(listener);
  }

  publish(session: Session, message: IcwsMessage): void {
    session.queue.push(message);
    const queuedAt = performance.now();
    for (const listener of this.#queuedListeners) listener({ sessionId: session.id, message, queuedAt });
    this.#flush(session);
  }

  takeQueue(session: Session): IcwsMessage[] {
    return session.queue.splice(0);
  }

  /** One stream per session: a newer one replaces the older, which is closed. */
  attachStream(session: Session, sink: MessageSink): void {
    const previous = session.stream;
    session.stream = sink;
    previous?.end();
    this.#flush(session);
  }

  detachStream(session: Session, sink: MessageSink): void {
    if (session.stream !== sink) return;
    session.stream = null;
    this.touch(session);
  }

  /** Breaks every open stream; queued and later messages wait for the next connection. */
  dropStreams(): number {
    let dropped = 0;
    for (const session of this.#sessions.values()) {
      const stream = session.stream;
      if (!stream) continue;
      this.detachStream(session, stream);
      stream.destroy();
      dropped++;
    }
    return dropped;
  }

  #flush(session: Session): void {
    while (session.stream && session.queue.length > 0) {
      if (!session.stream.write(session.queue[0]!)) {
        this.detachStream(session, session.stream);
        return;
      }
      session.queue.shift();
    }
  }

  // --- interactions and agent assistance ---

  /** A new interaction on the user's queue: its subscribers see it added. */
  addInteraction(userId: string, options: { acd?: boolean | undefined; supervisor?: SupervisorBehaviour | undefined } & SimInteractionDetails = {}): string {
    const id = String(this.#nextInteraction++);
    const acd = options.acd ?? true;
    const state = options.state ?? 'connected';
    const interaction: SimInteraction = {
      owner: userId,
      acd,
      supervisor: options.supervisor ?? 'answers',
      attributes: {
        Eic_ObjectType: options.type ?? 'Call',
        Eic_State: INTERACTION_STATE_LETTERS[state].letter,
        Eic_CallStateString: INTERACTION_STATE_LETTERS[state].text,
        Eic_RemoteName: options.remoteName ?? '',
        Eic_RemoteAddress: options.remoteAddress ?? '',
        Eic_CallDirection: options.direction === 'outbound' ? 'O' : 'I',
        Eic_WorkgroupName: options.workgroup ?? (acd ? 'Bireysel Bankacılık' : ''),
        Eic_InitiationTime: icwsTime(this.#opts.clock()),
      },
    };
    this.#interactions.set(id, interaction);
    this.#notifyQueue(interaction, (names) => ({ interactionsAdded: [{ interactionId: id, attributes: pick(interaction.attributes, names) }] }));
    return id;
  }

  /** The interaction's state changes (a call held, disconnected): subscribers get only what changed. */
  setInteractionState(interactionId: string, state: SimInteractionState): void {
    const interaction = this.#existingInteraction(interactionId);
    const changed = { Eic_State: INTERACTION_STATE_LETTERS[state].letter, Eic_CallStateString: INTERACTION_STATE_LETTERS[state].text };
    Object.assign(interaction.attributes, changed);
    this.#notifyQueue(interaction, (names) => {
      const attributes = pick(changed, names, false);
      return Object.keys(attributes).length > 0 ? { interactionsChanged: [{ interactionId, attributes }] } : null;
    });
  }

  /** The interaction leaves the user's queue. */
  removeInteraction(interactionId: string): void {
    const interaction = this.#existingInteraction(interactionId);
    this.#interactions.delete(interactionId);
    this.#notifyQueue(interaction, () => ({ interactionsRemoved: [interactionId] }));
  }

  /**
   * A subscription on the user's own queue (user queue type, the user's name): the whole
   * queue follows at once (isDelta false), then deltas. Re-subscribing starts over.
   */
  subscribeQueue(session: Session, subscriptionId: string, attributeNames: string[], owner: string = session.user.userId): void {
    session.queueSubscriptions.set(subscriptionId, [...attributeNames]);
    if (owner.toLowerCase() === session.user.userId.toLowerCase()) session.queueOwners.delete(subscriptionId);
    else session.queueOwners.set(subscriptionId, owner);
    const interactionsAdded = [...this.#interactions]
      .filter(([, i]) => i.owner.toLowerCase() === owner.toLowerCase())
      .map(([interactionId, i]) => ({ interactionId, attributes: pick(i.attributes, attributeNames) }));
    this.publish(session, { __type: QUEUE_CONTENTS_MESSAGE_TYPE, isDelta: false, subscriptionId, interactionsAdded });
  }

  unsubscribeQueue(session: Session, subscriptionId: string): void {
    session.queueSubscriptions.delete(subscriptionId);
    session.queueOwners.delete(subscriptionId);
  }

  // --- workgroups, the supervisor side of assistance, user statuses (§2.5) ---

  isSupervisor(user: SimUser): boolean {
    return this.#workgroups.some((w) => w.supervisors.some((id) => sameUser(id, user.userId)));
  }

  /** A supervisor may monitor the queue of an agent of a workgroup they supervise (the queue-monitoring right). */
  mayMonitorQueue(user: SimUser, owner: string): boolean {
    return this.#workgroups.some((w) => w.supervisors.some((id) => sameUser(id, user.userId)) && w.agents.some((id) => sameUser(id, owner)));
  }

  /** Makes a user a supervisor of a workgroup (created when new), or no supervisor of it (of any, workgroup left out). */
  setSupervisor(userId: string, supervisor: boolean, workgroup?: string): void {
    this.#existingUser(userId);
    if (!supervisor) {
      for (const w of this.#workgroups) if (workgroup === undefined || w.name === workgroup) w.supervisors = w.supervisors.filter((id) => !sameUser(id, userId));
      return;
    }
    const name = workgroup ?? 'Bireysel Bankacılık';
    let group = this.#workgroups.find((w) => w.name === name);
    if (!group) this.#workgroups.push((group = { name, supervisors: [], agents: [] }));
    if (!group.supervisors.some((id) => sameUser(id, userId))) group.supervisors.push(userId);
  }

  /** The PUT of the supervisor subscription: false for a user who supervises no workgroup (a 403). */
  subscribeSupervisor(session: Session): boolean {
    if (!this.isSupervisor(session.user)) return false;
    session.supervisorSubscribed = true;
    const requestsAdded = [...this.#requests.values()].filter((r) => this.#supervises(session.user, r)).map((r) => this.#supervisorDetails(r, session.user));
    this.publish(session, { __type: SUPERVISOR_LIST_MESSAGE_TYPE, isDelta: false, requestsAdded });
    return true;
  }

  unsubscribeSupervisor(session: Session): void {
    session.supervisorSubscribed = false;
  }

  /** One request's conversation for a supervisor who sees it; false when it does not exist for them (a 404). */
  subscribeSupervisorDetails(session: Session, assistanceId: string): boolean {
    const request = this.#requests.get(assistanceId);
    if (!request || !this.#supervises(session.user, request)) return false;
    session.detailSubscriptions.add(assistanceId);
    this.#publishFullDetails(session, request);
    return true;
  }

  /**
   * A supervisor's action (§2.5): 3 accepts (the request's state changes for every
   * supervisor; the agent sees the supervisor as a participant who accepted), 2 ignores
   * (only that supervisor's own action changes), text writes a message (with 3, after accepting).
   */
  supervisorAct(user: SimUser, assistanceId: string, act: { action?: number | undefined; text?: string | undefined }): SupervisorActResult {
    const request = this.#requests.get(assistanceId);
    if (!request || !this.#supervises(user, request)) return 'not_found';
    if (act.action === undefined && act.text === undefined) return 'empty';
    const mine = request.supervisorActions.get(user.userId.toLowerCase());
    if (act.action === ParticipantAction.Accepted && request.state === AssistanceState.Accepted && mine !== ParticipantAction.Accepted) return 'already_accepted';
    if (act.action !== undefined) this.#act(request, user, act.action);
    if (act.text !== undefined) {
      if (!request.participants.some((p) => sameUser(p.userId, user.userId))) this.#act(request, user, ParticipantAction.None);
      this.#addMessage(request, user.userId, act.text);
    }
    return 'ok';
  }

  /** A user's status now, 'unknown' for no such user, 'forbidden' when `viewer` may not see it. */
  statusOf(viewer: SimUser, userId: string): SimUserStatus | 'unknown' | 'forbidden' {
    const status = this.#statuses.get(userId.toLowerCase());
    if (!status) return 'unknown';
    if (this.#statusHidden.has(userId.toLowerCase()) && !sameUser(viewer.userId, userId)) return 'forbidden';
    return status;
  }

  /** The PUT of user-statuses: the first user it cannot show refuses the whole subscription (unknown, or no right). */
  subscribeStatuses(session: Session, userIds: string[]): { refused: 'unknown' | 'forbidden'; userId: string } | null {
    for (const userId of userIds) {
      const status = this.statusOf(session.user, userId);
      if (typeof status === 'string') return { refused: status, userId };
    }
    session.statusUserIds.clear();
    for (const userId of userIds) session.statusUserIds.add(userId.toLowerCase());
    const userStatusList = userIds.map((userId) => statusEntry(userId, this.#statuses.get(userId.toLowerCase())!));
    this.publish(session, { __type: USER_STATUS_MESSAGE_TYPE, isDelta: false, userStatusList });
    return null;
  }

  unsubscribeStatuses(session: Session): void {
    session.statusUserIds.clear();
  }

  /** A user's status changes (a knob, or a scripted agent): each session that follows them hears it. */
  setUserStatus(userId: string, change: SimStatusChange): void {
    const user = this.#existingUser(userId);
    const key = user.userId.toLowerCase();
    if (change.hidden !== undefined) {
      if (change.hidden) this.#statusHidden.add(key);
      else this.#statusHidden.delete(key);
    }
    const before = this.#statuses.get(key)!;
    const next: SimUserStatus = {
      statusId: change.statusId ?? before.statusId,
      loggedIn: change.loggedIn ?? before.loggedIn,
      onPhone: change.onPhone ?? before.onPhone,
      statusChanged: change.statusId !== undefined && change.statusId !== before.statusId ? this.#opts.clock() : before.statusChanged,
    };
    this.#statuses.set(key, next);
    for (const session of this.#sessions.values()) {
      if (session.statusUserIds.has(key)) this.publish(session, { __type: USER_STATUS_MESSAGE_TYPE, isDelta: true, userStatusList: [statusEntry(user.userId, next)] });
    }
  }

  /** Whether `userId` holds the supervisor subscription in any session (their desk is open). */
  supervisorDeskOpen(userId: string): boolean {
    return [...this.#sessions.values()].some((s) => s.supervisorSubscribed && sameUser(s.user.userId, userId));
  }

  /** The workgroups an agent belongs to, in order. */
  workgroupsOf(agent: string): string[] {
    return this.#workgroups.filter((w) => w.agents.some((id) => sameUser(id, agent))).map((w) => w.name);
  }

  /** The agents of every workgroup `supervisor` supervises. */
  agentsOf(supervisor: string): string[] {
    return [...new Set(this.#workgroups.filter((w) => w.supervisors.some((id) => sameUser(id, supervisor))).flatMap((w) => w.agents))];
  }

  /** Open requests, for scripts: id, initiator, state, the last message's author. */
  openRequests(): { assistanceId: string; initiator: string; state: number; lastFrom: string | null }[] {
    return [...this.#requests.values()].map((r) => ({ assistanceId: r.id, initiator: r.initiator.userId, state: r.state, lastFrom: r.messages.at(-1)?.participantId ?? null }));
  }

  /** The user by id (any case); not_found when there is none. */
  user(userId: string): SimUser {
    return this.#existingUser(userId);
  }

  #existingUser(userId: string): SimUser {
    const user = this.#opts.users.find((u) => sameUser(u.userId, userId));
    if (!user) throw new AppError('not_found', `No user ${userId}.`);
    return user;
  }

  #supervises(user: SimUser, request: AssistanceRequest): boolean {
    return this.#workgroups.some((w) => w.name === request.workgroup && w.supervisors.some((id) => sameUser(id, user.userId)));
  }

  #watchedBySupervisor(request: AssistanceRequest): boolean {
    return [...this.#sessions.values()].some((s) => s.supervisorSubscribed && this.#supervises(s.user, request));
  }

  /** supervisorAssistanceRequestDetails as `viewer` sees it: `action` is the viewer's own. */
  #supervisorDetails(request: AssistanceRequest, viewer: SimUser): Record<string, unknown> {
    return {
      assistanceId: request.id,
      interactionId: request.interactionId,
      problemDescription: request.messages[0]?.text ?? '',
      workgroup: request.workgroup,
      initiator: { userId: request.initiator.userId, displayName: request.initiator.displayName, action: ParticipantAction.Initiated },
      action: request.supervisorActions.get(viewer.userId.toLowerCase()) ?? ParticipantAction.None,
      state: request.state,
    };
  }

  /** Every subscribed supervisor who sees the request (or only `only`) hears of it, each with their own action. */
  #notifySupervisors(request: AssistanceRequest, field: 'requestsAdded' | 'requestsChanged' | 'requestsRemoved', only?: string): void {
    for (const session of this.#sessions.values()) {
      if (!session.supervisorSubscribed || !this.#supervises(session.user, request)) continue;
      if (only !== undefined && !sameUser(session.user.userId, only)) continue;
      const entry = field === 'requestsRemoved' ? request.id : this.#supervisorDetails(request, session.user);
      this.publish(session, { __type: SUPERVISOR_LIST_MESSAGE_TYPE, isDelta: true, [field]: [entry] });
    }
  }

  #publishFullDetails(session: Session, request: AssistanceRequest): void {
    this.publish(session, {
      __type: DETAILS_MESSAGE_TYPE,
      isDelta: false,
      assistanceId: request.id,
      interactionId: request.interactionId,
      state: request.state,
      messagesAdded: request.messages.map((m) => ({ ...m })),
      participantsAdded: request.participants.map((p) => ({ ...p })),
    });
  }

  setAssistanceRight(userId: string, allowed: boolean): void {
    const user = this.#opts.users.find((u) => u.userId.toLowerCase() === userId.toLowerCase());
    if (!user) throw new AppError('not_found', `No user ${userId}.`);
    user.canRequestAssistance = allowed;
  }

  subscribeList(session: Session): void {
    session.listSubscribed = true;
    // Re-subscribing repairs a Suspended or Faulted subscription: a full list follows.
    session.assistanceDegraded = false;
    const ids = [...this.#requests.values()].filter((r) => r.initiator.userId === session.user.userId).map((r) => r.id);
    this.publish(session, { __type: LIST_MESSAGE_TYPE, isDelta: false, requestsAdded: ids, requestsRemoved: [] });
  }

  /** false when the request does not exist or belongs to someone else */
  subscribeDetails(session: Session, assistanceId: string): boolean {
    const request = this.#ownRequest(session.user, assistanceId);
    if (!request) return false;
    session.detailSubscriptions.add(assistanceId);
    this.#publishFullDetails(session, request);
    return true;
  }

  createRequest(user: SimUser, interactionId: string, text: string): CreateResult {
    const interaction = this.#interactions.get(interactionId);
    if (interaction?.owner !== user.userId) return { error: 'unknown_interaction' };
    if (user.canRequestAssistance === false) return { error: 'no_right' };
    if (!interaction.acd) return { error: 'not_acd' };
    if ([...this.#requests.values()].some((r) => r.interactionId === interactionId)) return { error: 'already_active' };
    const request: AssistanceRequest = {
      id: randomUUID(),
      interactionId,
      workgroup: interaction.attributes.Eic_WorkgroupName ?? '',
      supervisorActions: new Map(),
      initiator: user,
      state: AssistanceState.None,
      participants: [{ userId: user.userId, displayName: user.displayName, action: ParticipantAction.Initiated }],
      messages: [{ text, participantId: user.userId, timeAdded: icwsTime(this.#opts.clock()) }],
    };
    this.#requests.set(request.id, request);
    this.#notifyList(request, 'requestsAdded');
    this.#notifySupervisors(request, 'requestsAdded');
    this.#script(request.id);
    return { assistanceId: request.id };
  }

  addAgentMessage(user: SimUser, assistanceId: string, text: string): boolean {
    const request = this.#requests.get(assistanceId);
    if (!request || !request.participants.some((p) => p.userId === user.userId)) return false;
    this.#addMessage(request, user.userId, text);
    return true;
  }

  /** Completes and removes the request; false when it does not exist or the user did not start it. */
  complete(user: SimUser, assistanceId: string): boolean {
    const request = this.#ownRequest(user, assistanceId);
    if (!request) return false;
    request.state = AssistanceState.Completed;
    this.#notifyDetails(request, { state: request.state });
    // Every supervisor sees it completed, then gone (§2.5).
    this.#notifySupervisors(request, 'requestsChanged');
    this.#remove(request);
    return true;
  }

  supervisorAccept(assistanceId: string): void {
    this.#supervisorAct(this.#existing(assistanceId), ParticipantAction.Accepted);
  }

  supervisorIgnore(assistanceId: string): void {
    this.#supervisorAct(this.#existing(assistanceId), ParticipantAction.Ignored);
  }

  /** A supervisor who writes has accepted: accepts first when needed. */
  supervisorMessage(assistanceId: string, text: string): void {
    const request = this.#existing(assistanceId);
    this.#supervisorAct(request, ParticipantAction.Accepted);
    this.#addMessage(request, this.#opts.supervisor.userId, text);
  }

  /** Removes a request without completing it (the server dropped it). */
  removeRequest(assistanceId: string): void {
    this.#remove(this.#existing(assistanceId));
  }

  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const id of [...this.#sessions.keys()]) this.endSession(id, 'destroy');
  }

  #existingInteraction(interactionId: string): SimInteraction {
    const interaction = this.#interactions.get(interactionId);
    if (!interaction) throw new AppError('not_found', `No interaction ${interactionId}.`);
    return interaction;
  }

  /** `delta` builds a message's body from a subscription's attribute names; null sends nothing. */
  #notifyQueue(interaction: SimInteraction, delta: (attributeNames: string[]) => Record<string, unknown> | null): void {
    for (const session of this.#sessions.values()) {
      for (const [subscriptionId, names] of session.queueSubscriptions) {
        const owner = session.queueOwners.get(subscriptionId) ?? session.user.userId;
        if (owner.toLowerCase() !== interaction.owner.toLowerCase()) continue;
        const body = delta(names);
        if (body) this.publish(session, { __type: QUEUE_CONTENTS_MESSAGE_TYPE, isDelta: true, subscriptionId, ...body });
      }
    }
  }

  #existing(assistanceId: string): AssistanceRequest {
    const request = this.#requests.get(assistanceId);
    if (!request) throw new AppError('not_found', `No assistance request ${assistanceId}.`);
    return request;
  }

  #ownRequest(user: SimUser, assistanceId: string): AssistanceRequest | undefined {
    const request = this.#requests.get(assistanceId);
    return request?.initiator.userId === user.userId ? request : undefined;
  }

  #supervisorAct(request: AssistanceRequest, action: number): void {
    this.#act(request, this.#opts.supervisor, action);
  }

  /** A supervisor's action, whoever plays them: the agent's details, then the supervisors' list. */
  #act(request: AssistanceRequest, supervisor: { userId: string; displayName: string }, action: number): void {
    const { userId, displayName } = supervisor;
    const before = { state: request.state, mine: request.supervisorActions.get(userId.toLowerCase()) };
    if (action !== ParticipantAction.None) request.supervisorActions.set(userId.toLowerCase(), action);
    this.#actOnDetails(request, userId, displayName, action);
    // An accept changes the request for every supervisor; an ignore only the ignoring one's own action.
    if (request.state !== before.state) this.#notifySupervisors(request, 'requestsChanged');
    else if (request.supervisorActions.get(userId.toLowerCase()) !== before.mine) this.#notifySupervisors(request, 'requestsChanged', userId);
  }

  #actOnDetails(request: AssistanceRequest, userId: string, displayName: string, action: number): void {
    const existing = request.participants.find((p) => p.userId === userId);
    const newState = action === ParticipantAction.Accepted ? AssistanceState.Accepted : request.state;
    if (existing?.action === action && newState === request.state) return;
    const delta: Record<string, unknown> = {};
    if (existing) {
      existing.action = action;
      delta.participantsChanged = [{ ...existing }];
    } else {
      const participant = { userId, displayName, action };
      request.participants.push(participant);
      delta.participantsAdded = [{ ...participant }];
    }
    if (newState !== request.state) {
      request.state = newState;
      delta.state = newState;
    }
    this.#notifyDetails(request, delta);
  }

  #addMessage(request: AssistanceRequest, participantId: string, text: string): void {
    const message = { text, participantId, timeAdded: icwsTime(this.#opts.clock()) };
    request.messages.push(message);
    this.#notifyDetails(request, { messagesAdded: [{ ...message }] });
  }

  #remove(request: AssistanceRequest): void {
    this.#requests.delete(request.id);
    this.#notifyList(request, 'requestsRemoved');
    this.#notifySupervisors(request, 'requestsRemoved');
    for (const session of this.#sessions.values()) session.detailSubscriptions.delete(request.id);
  }

  #script(assistanceId: string): void {
    const script = this.#opts.script;
    const behaviour = this.#interactions.get(this.#requests.get(assistanceId)?.interactionId ?? '')?.supervisor ?? 'answers';
    if (!script || behaviour === 'silent') return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      const request = this.#requests.get(assistanceId);
      const supervisor = request?.participants.find((p) => p.userId === this.#opts.supervisor.userId);
      if (!request || supervisor?.action === ParticipantAction.Ignored) return;
      // A supervisor desk of the workgroup is running: a person answers there, not the script.
      if (this.#watchedBySupervisor(request)) return;
      if (behaviour === 'ignores') this.supervisorIgnore(assistanceId);
      else this.supervisorMessage(assistanceId, script.reply);
    }, script.acceptDelayMs);
    this.#timers.add(timer);
  }

  // Deltas carry only what changed: an empty list is left out, as optional fields are on the wire.
  #notifyList(request: AssistanceRequest, field: 'requestsAdded' | 'requestsRemoved'): void {
    for (const session of this.#sessions.values()) {
      if (session.listSubscribed && !session.assistanceDegraded && session.user.userId === request.initiator.userId) {
        this.publish(session, { __type: LIST_MESSAGE_TYPE, isDelta: true, [field]: [request.id] });
      }
    }
  }

  #notifyDetails(request: AssistanceRequest, delta: Record<string, unknown>): void {
    for (const session of this.#sessions.values()) {
      if (session.detailSubscriptions.has(request.id) && !session.assistanceDegraded) {
        this.publish(session, { __type: DETAILS_MESSAGE_TYPE, isDelta: true, assistanceId: request.id, ...delta });
      }
    }
  }
}

const sameUser = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** One userStatus as the wire carries it (§2.5: times in the basic form). */
function statusEntry(userId: string, status: SimUserStatus): Record<string, unknown> {
  return { userId, statusId: status.statusId, loggedIn: status.loggedIn, onPhone: status.onPhone, statusChanged: icwsTime(status.statusChanged) };
}

/**
 * The attributes a subscription asked for, under the names it used (attribute names are not
 * case-sensitive). With `fill`, one the interaction does not have comes as empty text (a
 * whole entry); without, it is left out (a change names only what changed).
 */
function pick(attributes: Record<string, string>, names: string[], fill = true): Record<string, string> {
  const byLowerName = new Map(Object.entries(attributes).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.fromEntries(
    names.flatMap((name) => {
      const value = byLowerName.get(name.toLowerCase()) ?? (fill ? '' : undefined);
      return value === undefined ? [] : [[name, value]];
    }),
  );
}
