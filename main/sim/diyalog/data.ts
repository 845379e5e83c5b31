// Seeded, deterministic data for the Diyalog simulator: customers, staff, live sessions
// and a help history shaped like a bank's (business hours heavier, quiet weekends,
// and records sharing one helpRequestedAt so clients must cope with ties).

import type { HelpRecord, HelpType } from '../../../shared/diyalog';

export type Rng = () => number;

/** mulberry32: tiny, fast and good enough for reproducible test data. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

export function randomDigits(rng: Rng, length: number): string {
  let s = String(randomInt(rng, 1, 9));
  while (s.length < length) s += String(randomInt(rng, 0, 9));
  return s;
}

export function randomHex(rng: Rng, length: number): string {
  let s = '';
  while (s.length < length) s += Math.floor(rng() * 16).toString(16);
  return s;
}

export interface SimCustomer {
  customerId: string;
  name: string;
}

export interface SimStaff {
  staffId: string;
  name: string;
  role: 'agent' | 'supervisor';
}

export interface SeededLiveSession {
  onlineHelpId: number;
  customerId: string;
  helpType: HelpType;
  interactionId: string;
  sessionId: string;
  /** An agent app that crashed: started hours ago and never ended. */
  stuck: boolean;
  /** Served now by another staff member than the history row names (a transfer). */
  servedBy?: string;
}

/** An interaction the customer gave up on before waiting on a newer one (the 403 case). */
export interface SeededPastInteraction {
  interactionId: string;
  sessionId: string;
  customerId: string;
  onlineHelpId: number;
}

export interface SeedData {
  customers: SimCustomer[];
  staff: SimStaff[];
  /** Oldest first; ids ascend with helpRequestedAt. */
  records: HelpRecord[];
  live: SeededLiveSession[];
  pastInteractions: SeededPastInteraction[];
}

export const TRANSCRIPT_HOST = 'https://web.diyalog.test';
export const DEMO_STAFF_ID = '45186';

const FIRST_NAMES = [
  'Ayşe', 'Mehmet', 'Çağla', 'İbrahim', 'Fatma', 'Mustafa', 'Emine', 'Ahmet', 'Hatice', 'Ali',
  'Zeynep', 'Hüseyin', 'Elif', 'Hasan', 'Şule', 'Murat', 'Gülşen', 'Ömer', 'Özlem', 'Yusuf',
  'Büşra', 'Emre', 'Merve', 'Burak', 'Selin', 'Oğuz', 'Derya', 'Tuğba', 'Kadir', 'İrem',
  'Serkan', 'Nur', 'Barış', 'Ebru', 'Gökhan', 'Ümran', 'Çetin', 'Dilek', 'Şenol', 'Sevgi',
];
const LAST_NAMES = [
  'Yılmaz', 'Öztürk', 'Şahin', 'Güneş', 'Kaya', 'Demir', 'Çelik', 'Yıldız', 'Yıldırım', 'Aydın',
  'Özdemir', 'Arslan', 'Doğan', 'Kılıç', 'Aslan', 'Kara', 'Koç', 'Kurt', 'Özkan', 'Şimşek',
  'Polat', 'Erdoğan', 'Aktaş', 'Korkmaz', 'Bulut', 'Karaca', 'Tekin', 'Uçar', 'Güler', 'Ekinci',
];

// The vendor documents' example numbers, so copy-pasted doc requests work against the simulator.
const FIXED_CUSTOMERS: SimCustomer[] = [
  { customerId: '2337368', name: 'Ayşe Yılmaz' },
  { customerId: '7403713', name: 'Mehmet Öztürk' },
  { customerId: '70022', name: 'Çağla Şahin' },
  { customerId: '123456', name: 'İbrahim Güneş' },
];
const FIXED_STAFF: SimStaff[] = [
  { staffId: DEMO_STAFF_ID, name: 'Zeynep Arslan', role: 'supervisor' },
  { staffId: '45001', name: 'Burak Kaya', role: 'agent' },
  { staffId: '45187', name: 'Elif Demir', role: 'agent' },
];
/**
 * Free text typed into a bank's systems: names a CSV must quote (a comma, quotes, a line break)
 * and one a spreadsheet must not run (a leading '='), in the demo and in every test.
 */
export const AWKWARD_NAMES = ['Yılmaz, Ayşe', 'Mehmet "Memo" Öztürk', 'Çağla Şahin\nKaraca', '=HYPERLINK("https://example.com","Ali Kaya")'];
const CUSTOMER_COUNT = 300;
const STAFF_COUNT = 24;
const SUPERVISOR_COUNT = 3;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const HISTORY_DAYS = 90;
/** Istanbul has been UTC+3 all year since 2016. */
const ISTANBUL_OFFSET = 3 * HOUR;
/** Relative weight of each local hour of the day: a branch-hours bank. */
const HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 4, 10, 18, 22, 22, 16, 20, 22, 20, 16, 12, 8, 6, 4, 3, 2, 1];
const HOUR_WEIGHT_TOTAL = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);

const ENDED_STATES = [
  { state: 'onlinehelp_ended_by_customer', weight: 50, display: 'Ended by customer' },
  { state: 'onlinehelp_ended_by_agent', weight: 34, display: 'Ended by agent' },
  { state: 'onlinehelp_ended_customer_kill_app', weight: 8, display: null },
] as const;
const CANCEL_SHARE = 0.12;
/** The vendor sample shows display strings; a small share keeps clients honest about both. */
const DISPLAY_STRING_SHARE = 0.02;

export function transcriptLink(onlineHelpId: number, token: string): string {
  return `${TRANSCRIPT_HOST}/onlinehelpdetail.html?id=${onlineHelpId}&t=${token}`;
}

export function newInteractionId(rng: Rng): string {
  return randomDigits(rng, 10);
}

export function newSessionId(rng: Rng): string {
  return randomDigits(rng, 12);
}

function makeCustomers(rng: Rng): SimCustomer[] {
  const customers = [...FIXED_CUSTOMERS];
  const ids = new Set(customers.map((c) => c.customerId));
  while (customers.length < CUSTOMER_COUNT) {
    const customerId = randomDigits(rng, 7);
    if (ids.has(customerId)) continue;
    ids.add(customerId);
    customers.push({ customerId, name: `${pick(rng, FIRST_NAMES)} ${pick(rng, LAST_NAMES)}` });
  }
  // Renamed after the draw, so the rest of the seeded world stays as it was.
  AWKWARD_NAMES.forEach((name, i) => (customers[FIXED_CUSTOMERS.length + i]!.name = name));
  return customers;
}

function makeStaff(rng: Rng): SimStaff[] {
  const staff = [...FIXED_STAFF];
  const ids = new Set(staff.map((s) => s.staffId));
  while (staff.length < STAFF_COUNT) {
    const staffId = String(randomInt(rng, 45002, 46999));
    if (ids.has(staffId)) continue;
    ids.add(staffId);
    const role = staff.filter((s) => s.role === 'supervisor').length < SUPERVISOR_COUNT ? 'supervisor' : 'agent';
    staff.push({ staffId, name: `${pick(rng, FIRST_NAMES)} ${pick(rng, LAST_NAMES)}`, role });
  }
  return staff;
}

/** A request time in the last 90 days: weekdays and business hours (Istanbul) heavier. */
function randomRequestTime(rng: Rng, now: number): number {
  for (;;) {
    const dayStart = Math.floor((now + ISTANBUL_OFFSET) / DAY) * DAY - randomInt(rng, 0, HISTORY_DAYS - 1) * DAY;
    const weekday = new Date(dayStart).getUTCDay();
    if ((weekday === 0 || weekday === 6) && rng() > 0.35) continue;
    let r = rng() * HOUR_WEIGHT_TOTAL;
    let hour = 0;
    while (hour < 23 && r >= (HOUR_WEIGHTS[hour] ?? 0)) r -= HOUR_WEIGHTS[hour++] ?? 0;
    const t = dayStart - ISTANBUL_OFFSET + hour * HOUR + Math.floor(rng() * HOUR);
    // Keep clear of the live sessions, which are the newest records.
    if (t < now - 10 * MINUTE && t > now - HISTORY_DAYS * DAY) return t;
  }
}

/**
 * Request times for `count` finished records, with shared-timestamp groups: several of
 * 2–5 records and, when there is room, one of 25 (more than a page) at a round minute
 * ~12 days ago, like a batch import.
 */
function requestTimes(rng: Rng, count: number, now: number): number[] {
  const times: number[] = [];
  if (count >= 100) {
    const day = Math.floor((now + ISTANBUL_OFFSET) / DAY) * DAY - 12 * DAY;
    const bigGroupAt = day - ISTANBUL_OFFSET + 10 * HOUR + 30 * MINUTE;
    for (let i = 0; i < 25; i++) times.push(bigGroupAt);
  }
  const smallGroups = Math.min(8, Math.floor(count / 40));
  for (let g = 0; g < smallGroups; g++) {
    const at = randomRequestTime(rng, now);
    const size = randomInt(rng, 2, 5);
    for (let i = 0; i < size; i++) times.push(at);
  }
  while (times.length < count) times.push(randomRequestTime(rng, now));
  times.length = count;
  return times.sort((a, b) => a - b);
}

function finishedRecord(rng: Rng, requestedAt: number, customer: SimCustomer, agents: SimStaff[]): HelpRecord {
  const base = { onlineHelpId: 0, customerNo: customer.customerId, customerName: customer.name, helpRequestedAt: requestedAt };
  if (rng() < CANCEL_SHARE) {
    return { ...base, helpState: 'onlinehelp_cancelled_by_customer', waitTime: randomInt(rng, 4, 300) };
  }
  let r = rng() * ENDED_STATES.reduce((a, s) => a + s.weight, 0);
  const ended = ENDED_STATES.find((s) => (r -= s.weight) < 0) ?? ENDED_STATES[0];
  const agent = pick(rng, agents);
  const waitTime = randomInt(rng, 3, 240);
  const helpTime = randomInt(rng, 45, 1800);
  const helpStartedAt = requestedAt + waitTime * 1000 + randomInt(rng, 0, 999);
  return {
    ...base,
    agentId: agent.staffId,
    agentName: agent.name,
    helpState: ended.display !== null && rng() < DISPLAY_STRING_SHARE ? ended.display : ended.state,
    helpStartedAt,
    helpEndedAt: helpStartedAt + helpTime * 1000 + randomInt(rng, 0, 999),
    waitTime,
    helpTime,
  };
}

interface LivePlan {
  helpType: HelpType;
  stuck: boolean;
  waiting: boolean;
  /** how long ago the customer asked for help */
  agoMs: [number, number];
  /** Look-alike: now in help with another staff member than the row names. */
  transferred?: true;
  /** Look-alike: ended, but the history row was never updated (still "started"). */
  unreported?: true;
  /** Look-alike: a row for a customer iscustomerinonlinehelp does not know. */
  unknownCustomer?: true;
}

// Three crashed agent apps (stuck for hours), a handful of healthy sessions (all started
// within the last 12 minutes), three customers on the waiting screen, and look-alikes a
// stuck-session finder must drop: their rows show help started hours ago and never ended,
// but the customer is now with another staff member, no longer in help, or unknown.
const LIVE_PLAN: LivePlan[] = [
  { helpType: 'inbound', stuck: true, waiting: false, agoMs: [5 * HOUR, 9 * HOUR] },
  { helpType: 'outbound', stuck: true, waiting: false, agoMs: [3 * HOUR, 6 * HOUR] },
  { helpType: 'inbound', stuck: true, waiting: false, agoMs: [26 * HOUR, 30 * HOUR] },
  { helpType: 'inbound', stuck: false, waiting: false, agoMs: [2 * MINUTE, 12 * MINUTE] },
  { helpType: 'inbound', stuck: false, waiting: false, agoMs: [2 * MINUTE, 12 * MINUTE] },
  { helpType: 'outbound', stuck: false, waiting: false, agoMs: [2 * MINUTE, 12 * MINUTE] },
  { helpType: 'outbound', stuck: false, waiting: false, agoMs: [2 * MINUTE, 12 * MINUTE] },
  { helpType: 'inbound', stuck: false, waiting: true, agoMs: [20_000, 3 * MINUTE] },
  { helpType: 'inbound', stuck: false, waiting: true, agoMs: [20_000, 3 * MINUTE] },
  { helpType: 'inbound', stuck: false, waiting: true, agoMs: [20_000, 3 * MINUTE] },
  { helpType: 'inbound', stuck: false, waiting: false, agoMs: [2 * HOUR, 7 * HOUR], transferred: true },
  { helpType: 'inbound', stuck: false, waiting: false, agoMs: [1 * HOUR, 20 * HOUR], unreported: true },
  { helpType: 'outbound', stuck: false, waiting: false, agoMs: [1 * HOUR, 20 * HOUR], unreported: true },
  { helpType: 'inbound', stuck: false, waiting: false, agoMs: [1 * HOUR, 20 * HOUR], unknownCustomer: true },
];

/** Everything the simulator starts with. `historySize` is the total record count, live sessions included. */
export function seedDiyalogData(seed: number, historySize: number, now: number): SeedData {
  const rng = createRng(seed);
  const customers = makeCustomers(rng);
  const staff = makeStaff(rng);
  const agents = staff.filter((s) => s.role === 'agent');

  const plan = historySize >= 40 ? LIVE_PLAN : [];
  // Live customers come from the far end of the list so the doc-example customers stay idle.
  const split = customers.length - plan.length;
  const liveCustomers = customers.slice(split);
  const idleCustomers = customers.slice(0, split);
  // The waiting customer who abandoned an older interaction first (one extra cancelled record).
  const pastCount = plan.length > 0 ? 1 : 0;

  const finishedCount = Math.max(0, historySize - plan.length - pastCount);
  const records = requestTimes(rng, finishedCount, now).map((t) => finishedRecord(rng, t, pick(rng, idleCustomers), agents));

  const live: SeededLiveSession[] = [];
  const pastInteractions: SeededPastInteraction[] = [];
  // Ids are assigned once all records exist; these remember which record each belongs to.
  const liveRecords = new Map<SeededLiveSession, HelpRecord>();
  const pastRecords = new Map<SeededPastInteraction, HelpRecord>();
  plan.forEach((p, i) => {
    const customer = p.unknownCustomer ? { customerId: randomDigits(rng, 8), name: `${pick(rng, FIRST_NAMES)} ${pick(rng, LAST_NAMES)}` } : liveCustomers[i];
    if (!customer) return;
    const requestedAt = now - randomInt(rng, p.agoMs[0], p.agoMs[1]);
    const base = { onlineHelpId: 0, customerNo: customer.customerId, customerName: customer.name, helpRequestedAt: requestedAt };
    let record: HelpRecord = { ...base, helpState: 'onlinehelp_requested' };
    if (!p.waiting) {
      const agent = pick(rng, agents);
      const waitTime = p.helpType === 'outbound' ? 0 : randomInt(rng, 5, 120);
      record = { ...base, agentId: agent.staffId, agentName: agent.name, helpState: 'onlinehelp_started', helpStartedAt: requestedAt + waitTime * 1000, waitTime };
    }
    const session: SeededLiveSession = { onlineHelpId: 0, customerId: customer.customerId, helpType: p.helpType, interactionId: newInteractionId(rng), sessionId: newSessionId(rng), stuck: p.stuck };
    if (p.transferred) session.servedBy = pick(rng, agents.filter((a) => a.staffId !== record.agentId)).staffId;
    records.push(record);
    if (p.unreported || p.unknownCustomer) return;
    live.push(session);
    liveRecords.set(session, record);
    if (p.waiting && pastInteractions.length < pastCount) {
      const abandonedAt = requestedAt - randomInt(rng, 60_000, 5 * MINUTE);
      const past = { interactionId: newInteractionId(rng), sessionId: newSessionId(rng), customerId: customer.customerId, onlineHelpId: 0 };
      const pastRecord: HelpRecord = { ...base, helpState: 'onlinehelp_cancelled_by_customer', helpRequestedAt: abandonedAt, waitTime: randomInt(rng, 20, 59) };
      records.push(pastRecord);
      pastInteractions.push(past);
      pastRecords.set(past, pastRecord);
    }
  });

  // Ids ascend with request time, ties broken by insertion order, as a database sequence would.
  const sorted = records.map((r, i) => ({ r, i })).sort((a, b) => a.r.helpRequestedAt - b.r.helpRequestedAt || a.i - b.i).map(({ r }) => r);
  const firstId = 120_000 + randomInt(rng, 0, 9_999);
  sorted.forEach((r, n) => {
    r.onlineHelpId = firstId + n;
    if (r.agentId !== undefined) r.conversationDetailLink = transcriptLink(r.onlineHelpId, randomHex(rng, 24));
  });
  for (const [s, r] of liveRecords) s.onlineHelpId = r.onlineHelpId;
  for (const [p, r] of pastRecords) p.onlineHelpId = r.onlineHelpId;

  return { customers, staff, records: sorted, live, pastInteractions };
}
