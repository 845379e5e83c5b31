// The simulated Diyalog back end: customers, staff, live sessions and the help-record
// store. A live session is a record in the store plus what the list does not show
// (help type, interaction and session ids); ending a session leaves only the record.

import type { HelpRecord, HelpType } from '../../../shared/diyalog';
import { AppError } from '../../../shared/errors';
import type { Rng, SeedData, SimCustomer, SimStaff } from './data';
import { newInteractionId, newSessionId, pick, randomHex, transcriptLink } from './data';

export type LiveHelpState = 'onlinehelp_requested' | 'onlinehelp_started';
export type EndState =
  | 'onlinehelp_cancelled_by_customer'
  | 'onlinehelp_ended_by_customer'
  | 'onlinehelp_ended_by_agent'
  | 'onlinehelp_ended_customer_kill_app';

export interface LiveSession {
  onlineHelpId: number;
  customerId: string;
  helpType: HelpType;
  helpState: LiveHelpState;
  staffId: string | null;
  requestedAt: number;
  startedAt: number | null;
  /** The PureConnect interaction created for this help. */
  interactionId: string;
  /** The id Diyalog sent along when it created the interaction. */
  sessionId: string;
  stuck: boolean;
}

export interface WaitingInteraction {
  interactionId: string;
  sessionId: string;
  customerId: string;
  onlineHelpId: number;
  since: number;
}

export interface ReleasedInteraction {
  interactionId: string;
  sessionId: string;
  customerId: string;
  message: string | null;
}

export interface HelpListQuery {
  startDate: number;
  endDate: number;
  /** absent or undefined: no filter */
  customerId?: string | undefined;
  agentId?: string | undefined;
}

export type ReleaseOutcome = 'released' | 'not_waiting' | 'waiting_other';

export const PAGE_SIZE = 20;

interface KnownInteraction {
  interactionId: string;
  sessionId: string;
  customerId: string;
}

/** Newest first by request time, then by id, as the vendor's list orders it. */
function newestFirst(a: HelpRecord, b: HelpRecord): number {
  return b.helpRequestedAt - a.helpRequestedAt || b.onlineHelpId - a.onlineHelpId;
}

export class DiyalogWorld {
  private readonly customerNames = new Map<string, string>();
  private readonly staffById = new Map<string, SimStaff>();
  private records = new Map<number, HelpRecord>();
  private readonly live = new Map<string, LiveSession>();
  /** Every interaction the server has heard of, by interaction id and by session id. */
  private readonly interactions = new Map<string, KnownInteraction>();
  private readonly interactionBySession = new Map<string, KnownInteraction>();
  private readonly released: ReleasedInteraction[] = [];
  private sortedCache: HelpRecord[] | null = null;
  private nextId = 1;

  constructor(
    seed: SeedData,
    private readonly clock: () => number,
    /** Ids, tokens and demo choices; kept apart from the data seed so they do not shift it. */
    private readonly rng: Rng,
  ) {
    for (const c of seed.customers) this.customerNames.set(c.customerId, c.name);
    for (const s of seed.staff) this.staffById.set(s.staffId, s);
    this.installRecords(seed.records);
    for (const s of seed.live) {
      const record = this.records.get(s.onlineHelpId);
      if (!record) continue;
      const live = this.trackLive(record, s.helpType, s.interactionId, s.sessionId, s.stuck);
      // A transferred session: the history row still names the first agent.
      if (s.servedBy !== undefined && live.helpState === 'onlinehelp_started') live.staffId = s.servedBy;
    }
    for (const p of seed.pastInteractions) this.remember({ interactionId: p.interactionId, sessionId: p.sessionId, customerId: p.customerId });
  }

  // ---- what the endpoints need -------------------------------------------------

  hasCustomer(customerId: string): boolean {
    return this.customerNames.has(customerId);
  }

  session(customerId: string): LiveSession | null {
    const s = this.live.get(customerId);
    return s ? { ...s } : null;
  }

  /** Only a started session counts as "in help": a waiting customer has nobody yet. */
  inHelp(customerId: string): LiveSession | null {
    const s = this.live.get(customerId);
    return s?.helpState === 'onlinehelp_started' ? { ...s } : null;
  }

  /** finishonlinehelp: ends a started session between the two, or reports there is none. */
  finish(customerId: string, staffId: string): boolean {
    const s = this.live.get(customerId);
    if (!s || s.helpState !== 'onlinehelp_started' || s.staffId !== staffId) return false;
    this.end(s, 'onlinehelp_ended_by_agent');
    return true;
  }

  /** One page, newest first; `pageSize` is 25 on servers older than 2021-03-12. */
  list(query: HelpListQuery, pageSize: number = PAGE_SIZE): HelpRecord[] {
    const out: HelpRecord[] = [];
    for (const r of this.sorted()) {
      if (r.helpRequestedAt > query.endDate) continue;
      if (r.helpRequestedAt < query.startDate || out.length === pageSize) break;
      if (query.customerId && r.customerNo !== query.customerId) continue;
      if (query.agentId && r.agentId !== query.agentId) continue;
      out.push({ ...r });
    }
    return out;
  }

  /** interactionisnotdelivered: the interaction id wins over the session id, as documented. */
  release(ids: { interactionId?: string | undefined; sessionId?: string | undefined }, message: string | null): ReleaseOutcome {
    const known = ids.interactionId ? this.interactions.get(ids.interactionId) : ids.sessionId ? this.interactionBySession.get(ids.sessionId) : undefined;
    if (!known) return 'not_waiting';
    const s = this.live.get(known.customerId);
    if (!s || s.helpState !== 'onlinehelp_requested') return 'not_waiting';
    if (s.interactionId !== known.interactionId) return 'waiting_other';
    this.end(s, 'onlinehelp_cancelled_by_customer');
    this.released.push({ ...known, message });
    return 'released';
  }

  transcriptToken(): string {
    return randomHex(this.rng, 32);
  }

  // ---- control -----------------------------------------------------------------

  customers(): SimCustomer[] {
    return [...this.customerNames].map(([customerId, name]) => ({ customerId, name }));
  }

  staff(): SimStaff[] {
    return [...this.staffById.values()].map((s) => ({ ...s }));
  }

  liveSessions(): LiveSession[] {
    return [...this.live.values()].map((s) => ({ ...s }));
  }

  waitingInteractions(): WaitingInteraction[] {
    return [...this.live.values()]
      .filter((s) => s.helpState === 'onlinehelp_requested')
      .map((s) => ({ interactionId: s.interactionId, sessionId: s.sessionId, customerId: s.customerId, onlineHelpId: s.onlineHelpId, since: s.requestedAt }));
  }

  releasedInteractions(): ReleasedInteraction[] {
    return this.released.map((r) => ({ ...r }));
  }

  /** All records, newest first, live ones in their current state. */
  history(): HelpRecord[] {
    return this.sorted().map((r) => ({ ...r }));
  }

  /** A customer asks for help and waits for an agent. */
  requestSession(customerId: string): LiveSession {
    this.requireIdle(customerId);
    const record = this.newRecord(customerId);
    return { ...this.trackLive(record, 'inbound', newInteractionId(this.rng), newSessionId(this.rng), false) };
  }

  /** Starts help now: picks up the customer's waiting request, or opens a new session. */
  startSession(customerId: string, staffId: string, helpType: HelpType): LiveSession {
    const existing = this.live.get(customerId);
    if (existing?.helpState === 'onlinehelp_started') {
      throw new AppError('invalid_input', `Customer ${customerId} is already in help with ${existing.staffId}.`);
    }
    const s = existing ?? this.trackLive(this.newRecord(customerId), helpType, newInteractionId(this.rng), newSessionId(this.rng), false);
    s.helpType = helpType;
    this.begin(s, staffId);
    return { ...s };
  }

  /** Ends a live session the way a customer would; returns its final record, or null when none was live. */
  endSession(customerId: string, state?: EndState): HelpRecord | null {
    const s = this.live.get(customerId);
    if (!s) return null;
    const final = state ?? (s.helpState === 'onlinehelp_started' ? 'onlinehelp_ended_by_customer' : 'onlinehelp_cancelled_by_customer');
    return { ...this.end(s, final) };
  }

  /**
   * An agent app that crashed: a session started at `startedAt` (in the past) that nobody
   * will end but a supervisor's force-end. Its history row shows it started and never ended.
   */
  crashSession(customerId: string, staffId: string, startedAt: number, helpType: HelpType = 'inbound'): LiveSession {
    this.requireIdle(customerId);
    const waitMs = helpType === 'outbound' ? 0 : 5_000 + Math.floor(this.rng() * 115_000);
    const record: HelpRecord = {
      onlineHelpId: this.nextId++,
      customerNo: customerId,
      customerName: this.customerNames.get(customerId) ?? '',
      helpState: 'onlinehelp_requested',
      helpRequestedAt: startedAt - waitMs,
    };
    this.records.set(record.onlineHelpId, record);
    this.sortedCache = null;
    const s = this.trackLive(record, helpType, newInteractionId(this.rng), newSessionId(this.rng), true);
    this.begin(s, staffId, startedAt);
    return { ...s };
  }

  /** The session moves to another staff member; the history row keeps naming the first one. */
  transferSession(customerId: string, staffId: string): LiveSession {
    const s = this.live.get(customerId);
    if (s?.helpState !== 'onlinehelp_started') throw new AppError('invalid_input', `Customer ${customerId} is not in help.`);
    if (!this.staffById.has(staffId)) this.staffById.set(staffId, { staffId, name: `Agent ${staffId}`, role: 'agent' });
    s.staffId = staffId;
    s.stuck = false;
    return { ...s };
  }

  /**
   * The session ends but the reporting side never hears of it: the history row still says
   * started and not ended, while iscustomerinonlinehelp says the customer is not in help.
   */
  endSessionUnreported(customerId: string): boolean {
    return this.live.delete(customerId);
  }

  /** Sessions that really are stuck: crashed agent apps, still in help with the agent the row names. */
  crashedSessions(): LiveSession[] {
    return [...this.live.values()].filter((s) => s.stuck && s.helpState === 'onlinehelp_started').map((s) => ({ ...s }));
  }

  /**
   * Installs an exact record set. Unknown customers and agents become known, and each
   * customer's newest requested/started record becomes a live (inbound) session again.
   */
  replaceHistory(records: readonly HelpRecord[]): void {
    const ids = new Set(records.map((r) => r.onlineHelpId));
    if (ids.size !== records.length) throw new AppError('invalid_input', 'replaceHistory: onlineHelpId values must be unique.');
    this.live.clear();
    this.interactions.clear();
    this.interactionBySession.clear();
    this.installRecords(records);
    for (const r of [...this.sorted()].reverse()) {
      if (!this.customerNames.has(r.customerNo)) this.customerNames.set(r.customerNo, r.customerName);
      if (r.agentId && !this.staffById.has(r.agentId)) this.staffById.set(r.agentId, { staffId: r.agentId, name: r.agentName ?? `Agent ${r.agentId}`, role: 'agent' });
      if (r.helpState === 'onlinehelp_requested' || r.helpState === 'onlinehelp_started') {
        this.live.delete(r.customerNo);
        this.trackLive(r, 'inbound', newInteractionId(this.rng), newSessionId(this.rng), false);
      } else {
        this.live.delete(r.customerNo);
      }
    }
  }

  /**
   * One step of the demo: waiting customers get an agent or give up, conversations
   * end, new customers arrive. Stuck sessions never move: only a supervisor ends them.
   */
  demoStep(): void {
    for (const s of [...this.live.values()]) {
      if (s.stuck || this.rng() > 0.25) continue;
      if (s.helpState === 'onlinehelp_requested') {
        if (this.rng() < 0.15) this.end(s, 'onlinehelp_cancelled_by_customer');
        else this.begin(s, pick(this.rng, this.agents()).staffId);
      } else {
        const r = this.rng();
        this.end(s, r < 0.6 ? 'onlinehelp_ended_by_customer' : r < 0.9 ? 'onlinehelp_ended_by_agent' : 'onlinehelp_ended_customer_kill_app');
      }
    }
    if (this.live.size < 14 && this.rng() < 0.6) {
      const idle = [...this.customerNames.keys()].filter((id) => !this.live.has(id));
      if (idle.length === 0) return;
      const customerId = pick(this.rng, idle);
      if (this.rng() < 0.75) this.requestSession(customerId);
      else this.startSession(customerId, pick(this.rng, this.agents()).staffId, 'outbound');
    }
  }

  // ---- internals ---------------------------------------------------------------

  private agents(): SimStaff[] {
    const agents = [...this.staffById.values()].filter((s) => s.role === 'agent');
    return agents.length > 0 ? agents : [{ staffId: '45001', name: 'Agent 45001', role: 'agent' }];
  }

  private requireIdle(customerId: string): void {
    if (!this.customerNames.has(customerId)) throw new AppError('invalid_input', `Unknown customer ${customerId}.`);
    if (this.live.has(customerId)) throw new AppError('invalid_input', `Customer ${customerId} already has a live session.`);
  }

  private newRecord(customerId: string): HelpRecord {
    this.requireIdle(customerId);
    const record: HelpRecord = {
      onlineHelpId: this.nextId++,
      customerNo: customerId,
      customerName: this.customerNames.get(customerId) ?? '',
      helpState: 'onlinehelp_requested',
      helpRequestedAt: this.clock(),
    };
    this.records.set(record.onlineHelpId, record);
    this.sortedCache = null;
    return record;
  }

  private trackLive(record: HelpRecord, helpType: HelpType, interactionId: string, sessionId: string, stuck: boolean): LiveSession {
    const started = record.helpState === 'onlinehelp_started';
    const s: LiveSession = {
      onlineHelpId: record.onlineHelpId,
      customerId: record.customerNo,
      helpType,
      helpState: started ? 'onlinehelp_started' : 'onlinehelp_requested',
      staffId: started ? (record.agentId ?? null) : null,
      requestedAt: record.helpRequestedAt,
      startedAt: started ? (record.helpStartedAt ?? record.helpRequestedAt) : null,
      interactionId,
      sessionId,
      stuck,
    };
    this.live.set(s.customerId, s);
    this.remember({ interactionId, sessionId, customerId: s.customerId });
    return s;
  }

  private remember(i: KnownInteraction): void {
    this.interactions.set(i.interactionId, i);
    this.interactionBySession.set(i.sessionId, i);
  }

  private begin(s: LiveSession, staffId: string, at: number = this.clock()): void {
    const record = this.recordOf(s);
    const now = Math.max(at, s.requestedAt);
    if (!this.staffById.has(staffId)) this.staffById.set(staffId, { staffId, name: `Agent ${staffId}`, role: 'agent' });
    s.helpState = 'onlinehelp_started';
    s.staffId = staffId;
    s.startedAt = now;
    Object.assign(record, {
      helpState: s.helpState,
      agentId: staffId,
      agentName: this.staffById.get(staffId)?.name,
      helpStartedAt: now,
      waitTime: Math.round((now - s.requestedAt) / 1000),
      conversationDetailLink: transcriptLink(record.onlineHelpId, randomHex(this.rng, 24)),
    });
  }

  private end(s: LiveSession, state: EndState): HelpRecord {
    const record = this.recordOf(s);
    const now = Math.max(this.clock(), s.startedAt ?? s.requestedAt);
    this.live.delete(s.customerId);
    if (s.startedAt === null || state === 'onlinehelp_cancelled_by_customer') {
      // Help never started: the documented optional fields stay absent.
      for (const k of ['agentId', 'agentName', 'helpStartedAt', 'helpEndedAt', 'helpTime', 'conversationDetailLink'] as const) delete record[k];
      return Object.assign(record, { helpState: 'onlinehelp_cancelled_by_customer', waitTime: Math.round((now - s.requestedAt) / 1000) });
    }
    return Object.assign(record, { helpState: state, helpEndedAt: now, helpTime: Math.round((now - s.startedAt) / 1000) });
  }

  private recordOf(s: LiveSession): HelpRecord {
    const record = this.records.get(s.onlineHelpId);
    if (!record) throw new AppError('internal', `Live session ${s.onlineHelpId} has no record.`);
    return record;
  }

  private installRecords(records: readonly HelpRecord[]): void {
    this.records = new Map(records.map((r) => [r.onlineHelpId, { ...r }]));
    this.sortedCache = null;
    for (const id of this.records.keys()) if (id >= this.nextId) this.nextId = id + 1;
  }

  private sorted(): HelpRecord[] {
    this.sortedCache ??= [...this.records.values()].sort(newestFirst);
    return this.sortedCache;
  }
}
