// The Diyalog simulator over real HTTP. Requests are signed here with a minimal signer
// of our own (and one openssl-computed literal), never with the simulator's or the
// client's code, so a signing mistake on either side shows up.

import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HelpRecord } from '../../../shared/diyalog';
import { DEMO_DIYALOG_CREDENTIALS, startDiyalogSim, type DiyalogSim, type DiyalogSimOptions } from '../../../main/sim/diyalog/server';

const T0 = Date.parse('Tue, 09 Mar 2021 13:28:32 GMT');
const DATE0 = 'Tue, 09 Mar 2021 13:28:32 GMT';
const MIN = 60_000;
const IS_IN_HELP = '/v1/application/iscustomerinonlinehelp';
const FINISH = '/v1/application/finishonlinehelp';
const LIST = '/v1/reporting/getonlinehelplist';
const DETAIL = '/v1/reporting/getmessagingdetail';
const NOT_DELIVERED = '/v1/application/interactionisnotdelivered';

interface Call {
  body?: string;
  date?: string;
  contentType?: string;
  authorization?: string;
  secret?: string;
  keyId?: string;
  /** what goes into stringToSign when it differs from what is sent */
  signedBody?: string;
  signedPath?: string;
  omit?: string[];
}

interface Answer {
  status: number;
  type: string | null;
  date: string | null;
  text: string;
}

function signature(secret: string, method: string, contentType: string, date: string, body: string, path: string): string {
  return createHmac('sha256', secret).update(`${method}\n${contentType}\n${date}\n${body}\n${path}`).digest('base64');
}

async function call(sim: DiyalogSim, endpoint: string, payload: unknown, c: Call = {}): Promise<Answer> {
  const body = c.body ?? JSON.stringify(payload);
  const date = c.date ?? DATE0;
  const contentType = c.contentType ?? 'application/json';
  const path = new URL(sim.url).pathname.replace(/\/$/, '') + endpoint;
  const sig = signature(c.secret ?? sim.credentials.secret, 'POST', contentType, date, c.signedBody ?? body, c.signedPath ?? path);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-dlg-date': date,
    'x-dlg-requester-userid': sim.staffId,
    'x-dlg-authorization': c.authorization ?? `DLGA ${c.keyId ?? sim.credentials.keyId}:${sig}`,
  };
  for (const name of c.omit ?? []) delete headers[name];
  const res = await fetch(sim.url + endpoint, { method: 'POST', headers, body });
  return { status: res.status, type: res.headers.get('content-type'), date: res.headers.get('date'), text: await res.text() };
}

async function json<T = Record<string, unknown>>(sim: DiyalogSim, endpoint: string, payload: unknown): Promise<T> {
  const a = await call(sim, endpoint, payload);
  expect(a.status, a.text).toBe(200);
  expect(a.type).toMatch(/^application\/json/);
  return JSON.parse(a.text) as T;
}

function start(options: DiyalogSimOptions = {}): Promise<DiyalogSim> {
  return startDiyalogSim({ now: () => T0, ...options });
}

function record(onlineHelpId: number, helpRequestedAt: number, extra: Partial<HelpRecord> = {}): HelpRecord {
  return { onlineHelpId, customerNo: '2337368', customerName: 'Ayşe Yılmaz', helpState: 'onlinehelp_cancelled_by_customer', helpRequestedAt, waitTime: 10, ...extra };
}

describe('Diyalog simulator: DLGA authentication', () => {
  let sim: DiyalogSim;
  const ok = { customerId: '2337368' };
  beforeAll(async () => {
    sim = await start({ historySize: 50 });
  });
  afterAll(() => sim.close());

  it('accepts the openssl-computed signature of a documented request', async () => {
    expect(sim.credentials).toEqual(DEMO_DIYALOG_CREDENTIALS);
    const a = await call(sim, IS_IN_HELP, ok, {
      body: '{"customerId":"2337368"}',
      authorization: `DLGA ${DEMO_DIYALOG_CREDENTIALS.keyId}:cXZ0k3dDlM4MlWh0b8MZhggSJMk8OnWMgWbN+b0YvYg=`,
    });
    expect(a).toMatchObject({ status: 200, text: '{"isInHelp":false}' });
  });

  it.each(['x-dlg-date', 'x-dlg-requester-userid', 'x-dlg-authorization'])('400 Required headers not found without %s', async (name) => {
    const a = await call(sim, IS_IN_HELP, ok, { omit: [name] });
    expect(a).toMatchObject({ status: 400, text: 'Required headers not found' });
    expect(a.type).toMatch(/^text\/plain/);
  });

  it.each(['Bearer abc', 'DLGA', 'DLGA keyonly', `DLGA :sig`, `DLGA ${DEMO_DIYALOG_CREDENTIALS.keyId}:`, 'dlga a:b', 'DLGA a b:c'])(
    '400 data format not valid for %j',
    async (authorization) => {
      expect(await call(sim, IS_IN_HELP, ok, { authorization })).toMatchObject({ status: 400, text: 'Authorization failed due to data format not valid' });
    },
  );

  it.each([
    'Tue, 9 Mar 2021 13:28:32 GMT',
    'Sal, 09 Mar 2021 13:28:32 GMT',
    'Tue, 09 Mart 2021 13:28:32 GMT',
    'Wed, 09 Mar 2021 13:28:32 GMT',
    'Tue, 09 Mar 2021 13:28:32 +03:00',
    'Tue, 09 Mar 2021 13:28:32 +2500',
    'Tue, 09 Mar 2021 13:28:32 EET',
    'Tue, 09 Mar 2021 24:00:00 GMT',
    'Tue, 30 Feb 2021 13:28:32 GMT',
    '2021-03-09T13:28:32Z',
  ])('400 date not valid for %j', async (date) => {
    expect(await call(sim, IS_IN_HELP, ok, { date })).toMatchObject({ status: 400, text: 'Authorization failed due to date not valid' });
  });

  // The document: "include your local time zone; if missing, GMT is assumed".
  it.each([
    ['GMT', DATE0],
    ['an offset of +0300 (Istanbul)', 'Tue, 09 Mar 2021 16:28:32 +0300'],
    ['an offset of -0500', 'Tue, 09 Mar 2021 08:28:32 -0500'],
    ['+0000', 'Tue, 09 Mar 2021 13:28:32 +0000'],
    ['no zone (GMT assumed)', 'Tue, 09 Mar 2021 13:28:32'],
  ])('accepts a date with %s', async (_label, date) => {
    expect(await call(sim, IS_IN_HELP, ok, { date })).toMatchObject({ status: 200 });
  });

  it('a zone-less date is read as GMT: the same wall time written in Istanbul is 3 hours off, so 403', async () => {
    // 16:28:32 with no zone is GMT 16:28:32: three hours after the server's 13:28:32.
    expect(await call(sim, IS_IN_HELP, ok, { date: 'Tue, 09 Mar 2021 16:28:32' })).toMatchObject({ status: 403 });
    expect(await call(sim, IS_IN_HELP, ok, { date: 'Tue, 09 Mar 2021 13:28:32 +0300' })).toMatchObject({ status: 403 });
  });

  it.each<[string, Call]>([
    ['a wrong secret', { secret: 'not-the-secret' }],
    ['an unknown key id', { keyId: 'AAAAAAA-0000-0000-0000-000000000000' }],
    ['a body changed after signing', { body: '{"customerId":"2337368"}', signedBody: '{"customerId": "2337368"}' }],
    ['a re-serialised body', { body: '{\n  "customerId" : "2337368"\n}', signedBody: '{"customerId":"2337368"}' }],
    ['another path', { signedPath: FINISH }],
  ])('401 Authorization failed for %s', async (_label, c) => {
    expect(await call(sim, IS_IN_HELP, ok, c)).toMatchObject({ status: 401, text: 'Authorization failed' });
  });

  it('401 when the Content-Type sent differs from the one signed', async () => {
    const sig = signature(sim.credentials.secret, 'POST', 'application/json', DATE0, JSON.stringify(ok), IS_IN_HELP);
    const a = await call(sim, IS_IN_HELP, ok, { contentType: 'application/json; charset=utf-8', authorization: `DLGA ${sim.credentials.keyId}:${sig}` });
    expect(a).toMatchObject({ status: 401, text: 'Authorization failed' });
  });

  it('401 when the newline between body and path is left out (the pseudo-code form) on an `example` server', async () => {
    const body = JSON.stringify(ok);
    const sig = createHmac('sha256', sim.credentials.secret).update(`POST\napplication/json\n${DATE0}\n${body}${IS_IN_HELP}`).digest('base64');
    expect(await call(sim, IS_IN_HELP, ok, { authorization: `DLGA ${sim.credentials.keyId}:${sig}` })).toMatchObject({ status: 401 });
  });

  it.each([
    ['example', 'sha256'],
    ['example', 'sha1'],
    ['pseudocode', 'sha256'],
    ['pseudocode', 'sha1'],
  ] as const)('a server checking the %s form with %s accepts exactly that and nothing else', async (form, algorithm) => {
    const body = JSON.stringify(ok);
    const sign = (f: string, a: string) =>
      createHmac(a, sim.credentials.secret)
        .update(`POST\napplication/json\n${DATE0}\n${body}${f === 'example' ? '\n' : ''}${IS_IN_HELP}`)
        .digest('base64');
    sim.control.setSigning({ form, algorithm });
    try {
      expect(sim.control.signing).toEqual({ form, algorithm });
      for (const f of ['example', 'pseudocode']) {
        for (const a of ['sha256', 'sha1']) {
          const answer = await call(sim, IS_IN_HELP, ok, { body, authorization: `DLGA ${sim.credentials.keyId}:${sign(f, a)}` });
          expect(answer.status, `${f}/${a}`).toBe(f === form && a === algorithm ? 200 : 401);
        }
      }
    } finally {
      sim.control.setSigning({ form: 'example', algorithm: 'sha256' });
    }
  });

  it('signs the raw bytes: any whitespace and UTF-8 are fine when signed as sent', async () => {
    const body = '{\n\t"customerId" : "2337368",\n\t"note" : "İbrahim Güneş"\n}';
    expect(await call(sim, IS_IN_HELP, null, { body })).toMatchObject({ status: 200, text: '{"isInHelp":false}' });
  });

  it('403 beyond ±15 minutes of the server clock, 200 at exactly 15', async () => {
    for (const delta of [15 * MIN + 1000, -(15 * MIN + 1000)]) {
      const a = await call(sim, IS_IN_HELP, ok, { date: new Date(T0 + delta).toUTCString() });
      expect(a).toMatchObject({ status: 403, text: 'Request time may not be correct.', date: DATE0 });
    }
    for (const delta of [15 * MIN, -15 * MIN]) {
      expect((await call(sim, IS_IN_HELP, ok, { date: new Date(T0 + delta).toUTCString() })).status).toBe(200);
    }
  });

  it('rejectSkewAlways answers 403 to a fresh, well-signed request until turned off', async () => {
    sim.control.rejectSkewAlways(true);
    expect((await call(sim, IS_IN_HELP, ok)).status).toBe(403);
    expect((await call(sim, IS_IN_HELP, ok, { secret: 'wrong' })).status).toBe(401);
    sim.control.rejectSkewAlways(false);
    expect((await call(sim, IS_IN_HELP, ok)).status).toBe(200);
  });

  it('every answer carries the server clock in Date, offset included, so a client can correct its skew', async () => {
    sim.control.setClockOffset(40 * MIN);
    try {
      const rejected = await call(sim, IS_IN_HELP, ok);
      expect(rejected.status).toBe(403);
      expect(rejected.date).toBe(new Date(T0 + 40 * MIN).toUTCString());
      const retried = await call(sim, IS_IN_HELP, ok, { date: rejected.date ?? '' });
      expect(retried).toMatchObject({ status: 200, date: new Date(T0 + 40 * MIN).toUTCString() });
    } finally {
      sim.control.setClockOffset(0);
    }
    const notFound = await fetch(`${sim.url}/v1/nothing`, { method: 'POST' });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('date')).toBe(DATE0);
  });

  it('logs path, status and requester, but no secret', async () => {
    sim.control.resetCounters();
    await call(sim, IS_IN_HELP, ok);
    await call(sim, IS_IN_HELP, ok, { secret: 'wrong' });
    expect(sim.control.requestCount).toBe(2);
    expect(sim.control.requests).toEqual([
      { path: IS_IN_HELP, status: 200, requester: sim.staffId },
      { path: IS_IN_HELP, status: 401, requester: sim.staffId },
    ]);
  });
});

describe('Diyalog simulator: endpoints', () => {
  let sim: DiyalogSim;
  beforeAll(async () => {
    sim = await start();
  });
  afterAll(() => sim.close());

  it('seeds Turkish customers, 5-digit staff numbers and live sessions, some stuck for hours', () => {
    const names = sim.control.customers().map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['Ayşe Yılmaz', 'Mehmet Öztürk', 'Çağla Şahin', 'İbrahim Güneş']));
    expect(names.length).toBeGreaterThanOrEqual(200);
    expect(sim.control.staff().every((s) => /^\d{5}$/.test(s.staffId))).toBe(true);
    const live = sim.control.liveSessions();
    expect(new Set(live.map((s) => s.helpType))).toEqual(new Set(['inbound', 'outbound']));
    const stuck = live.filter((s) => s.helpState === 'onlinehelp_started' && T0 - (s.startedAt ?? T0) > 2 * 60 * MIN);
    expect(stuck.length).toBeGreaterThanOrEqual(2);
  });

  it('iscustomerinonlinehelp: unknown, idle, waiting and in help', async () => {
    expect(await json(sim, IS_IN_HELP, { customerId: 'nobody' })).toEqual({ isInHelp: false, errorCode: 400 });
    expect(await json(sim, IS_IN_HELP, { customerId: '7403713' })).toEqual({ isInHelp: false });
    const waiting = sim.control.waitingInteractions()[0];
    expect(waiting).toBeDefined();
    expect(await json(sim, IS_IN_HELP, { customerId: waiting?.customerId })).toEqual({ isInHelp: false });
    sim.control.startSession('7403713', '45001', 'outbound');
    expect(await json(sim, IS_IN_HELP, { customerId: '7403713' })).toEqual({ isInHelp: true, helpType: 'outbound', staffId: '45001' });
  });

  it('finishonlinehelp ends a started session once; the second call answers errorCode 400', async () => {
    sim.control.startSession('70022', '45187', 'inbound');
    expect(await json(sim, FINISH, { customerId: '70022', staffId: '45001' })).toEqual({
      isSuccess: false,
      message: 'No conversation found between peers.',
      errorCode: 400,
    });
    expect(await json(sim, FINISH, { customerId: '70022', staffId: '45187' })).toEqual({ isSuccess: true, message: 'Conversation will be stop with peers.' });
    expect(sim.control.session('70022')).toBeNull();
    expect(await json(sim, FINISH, { customerId: '70022', staffId: '45187' })).toMatchObject({ isSuccess: false, errorCode: 400 });
    const ended = sim.control.history().find((r) => r.customerNo === '70022');
    expect(ended).toMatchObject({ helpState: 'onlinehelp_ended_by_agent', agentId: '45187', helpEndedAt: T0, helpTime: 0 });
  });

  it('stuck sessions show in the history as onlinehelp_started and a supervisor can end them', async () => {
    const stuck = sim.control.liveSessions().find((s) => s.helpState === 'onlinehelp_started' && T0 - (s.startedAt ?? T0) > 2 * 60 * MIN);
    if (!stuck?.staffId) throw new Error('no stuck session seeded');
    const list = await json<HelpRecord[]>(sim, LIST, { startDate: stuck.requestedAt, endDate: stuck.requestedAt, customerId: stuck.customerId });
    expect(list).toEqual([expect.objectContaining({ onlineHelpId: stuck.onlineHelpId, helpState: 'onlinehelp_started', agentId: stuck.staffId })]);
    expect(list[0]).not.toHaveProperty('helpEndedAt');
    expect(await json(sim, FINISH, { customerId: stuck.customerId, staffId: stuck.staffId })).toMatchObject({ isSuccess: true });
  });

  it('getmessagingdetail gives an https link, or isSuccess false for an inverted range', async () => {
    const okAnswer = await json(sim, DETAIL, { staffId: '45186', customerId: '2337368', startDate: T0 - 60 * MIN, endDate: T0 });
    expect(okAnswer).toEqual({ isSuccess: true, conversationDetailLink: expect.stringMatching(/^https:\/\/\S+[?&]token=[0-9a-f]{16,}$/) });
    const bad = await json(sim, DETAIL, { staffId: '45186', customerId: '2337368', startDate: T0, endDate: T0 - 1 });
    expect(bad).toEqual({ isSuccess: false, conversationDetailLink: '', error: expect.any(String) });
  });

  it('interactionisnotdelivered: 400 without ids, 403 for an abandoned interaction, release once, then 402', async () => {
    expect(await json(sim, NOT_DELIVERED, { message: 'x' })).toMatchObject({ isSuccess: false, errorCode: 400 });
    expect(await json(sim, NOT_DELIVERED, { interactionId: '1' })).toMatchObject({ isSuccess: false, errorCode: 402 });
    const [first, second] = sim.control.waitingInteractions();
    if (!first || !second) throw new Error('expected two waiting customers');
    sim.control.endSession(first.customerId);
    const again = sim.control.requestSession(first.customerId);
    expect(await json(sim, NOT_DELIVERED, { interactionId: first.interactionId })).toMatchObject({ isSuccess: false, errorCode: 403 });
    expect(await json(sim, NOT_DELIVERED, { interactionId: again.interactionId, message: 'Şu an yardımcı olamıyoruz.' })).toEqual({
      isSuccess: true,
      message: 'Customer waiting will be stopped.',
    });
    expect(sim.control.session(first.customerId)).toBeNull();
    expect(sim.control.releasedInteractions()).toContainEqual(expect.objectContaining({ interactionId: again.interactionId, message: 'Şu an yardımcı olamıyoruz.' }));
    expect(await json(sim, NOT_DELIVERED, { interactionId: again.interactionId })).toMatchObject({ errorCode: 402 });
    // By session id alone.
    expect(await json(sim, NOT_DELIVERED, { sessionId: second.sessionId })).toMatchObject({ isSuccess: true });
    expect(sim.control.waitingInteractions().map((w) => w.interactionId)).not.toContain(second.interactionId);
  });

  it.each<[string, string]>([
    ['invalid JSON', '{"customerId": '],
    ['an empty body', ''],
    ['a missing field', '{}'],
    ['a number where a string is documented', '{"customerId": 70022}'],
    ['an array', '["70022"]'],
  ])('answers 500 in plain text for %s', async (_label, body) => {
    const a = await call(sim, IS_IN_HELP, null, { body });
    expect(a.status).toBe(500);
    expect(a.type).toMatch(/^text\/plain/);
    expect(a.text.length).toBeGreaterThan(0);
  });

  it('404 for an unknown path, 405 for another method', async () => {
    expect((await call(sim, '/v1/application/finishonlinehelps', {})).status).toBe(404);
    const get = await fetch(sim.url + IS_IN_HELP);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});

describe('Diyalog simulator: getonlinehelplist pagination', () => {
  let sim: DiyalogSim;
  let all: HelpRecord[];
  beforeAll(async () => {
    sim = await start({ seed: 7 });
    all = sim.control.history();
  });
  afterAll(() => sim.close());

  const list = (q: Record<string, unknown>) => json<HelpRecord[]>(sim, LIST, q);

  it('seeds 3000 records over 90 days, business hours heavier, with shared timestamps', () => {
    expect(all).toHaveLength(3000);
    expect(Math.min(...all.map((r) => r.helpRequestedAt))).toBeGreaterThan(T0 - 91 * 24 * 60 * MIN);
    const groups = new Map<number, number>();
    for (const r of all) groups.set(r.helpRequestedAt, (groups.get(r.helpRequestedAt) ?? 0) + 1);
    const sizes = [...groups.values()].filter((n) => n > 1);
    expect(sizes).toContain(25);
    expect(sizes.filter((n) => n >= 2 && n <= 5).length).toBeGreaterThanOrEqual(3);
    // 09:00–18:00 Istanbul is 06:00–15:00 UTC: 9 of 24 hours, well over half the traffic.
    const office = all.filter((r) => new Date(r.helpRequestedAt).getUTCHours() >= 6 && new Date(r.helpRequestedAt).getUTCHours() < 15);
    expect(office.length / all.length).toBeGreaterThan(0.55);
    expect(all.every((r) => r.agentId === undefined || r.conversationDetailLink?.startsWith('https://'))).toBe(true);
  });

  it('answers the newest 20 in range, newest first, ties by id descending', async () => {
    const page = await list({ startDate: 0, endDate: T0 });
    expect(page).toHaveLength(20);
    expect(page.map((r) => r.onlineHelpId)).toEqual(all.slice(0, 20).map((r) => r.onlineHelpId));
    for (let i = 1; i < page.length; i++) {
      const [a, b] = [page[i - 1] as HelpRecord, page[i] as HelpRecord];
      expect(a.helpRequestedAt > b.helpRequestedAt || (a.helpRequestedAt === b.helpRequestedAt && a.onlineHelpId > b.onlineHelpId)).toBe(true);
    }
  });

  it('a page at the 25-record timestamp repeats itself: the client must step past it', async () => {
    const counts = new Map<number, number>();
    for (const r of all) counts.set(r.helpRequestedAt, (counts.get(r.helpRequestedAt) ?? 0) + 1);
    const ts = [...counts].find(([, n]) => n === 25)?.[0] ?? NaN;
    const group = all.filter((r) => r.helpRequestedAt === ts);
    const first = await list({ startDate: 0, endDate: ts });
    const top = first.filter((r) => r.helpRequestedAt === ts);
    expect(top.map((r) => r.onlineHelpId)).toEqual(group.slice(0, top.length).map((r) => r.onlineHelpId));
    const again = await list({ startDate: 0, endDate: ts });
    expect(again).toEqual(first);
    const exact = await list({ startDate: ts, endDate: ts });
    expect(exact).toHaveLength(20);
    expect(exact.every((r) => r.helpRequestedAt === ts)).toBe(true);
    const past = await list({ startDate: 0, endDate: ts - 1 });
    expect(past.every((r) => r.helpRequestedAt < ts)).toBe(true);
  });

  it('filters by customerId and agentId', async () => {
    const agentId = all.find((r) => r.agentId)?.agentId ?? '';
    const byAgent = await list({ startDate: 0, endDate: T0, agentId });
    expect(byAgent.length).toBeGreaterThan(0);
    expect(byAgent.every((r) => r.agentId === agentId)).toBe(true);
    const customerNo = all[100]?.customerNo ?? '';
    const byCustomer = await list({ startDate: 0, endDate: T0, customerId: customerNo });
    expect(byCustomer.map((r) => r.onlineHelpId)).toEqual(all.filter((r) => r.customerNo === customerNo).slice(0, 20).map((r) => r.onlineHelpId));
  });

  it('both bounds are inclusive, display-string states pass through, optional fields stay absent', async () => {
    // A simulator of its own: replacing the history of the shared one would change what the
    // other tests here see, in whatever order they run.
    const own = await start({ seed: 7 });
    try {
      own.control.replaceHistory([
        record(1, 1000),
        record(2, 2000),
        record(3, 3000, { helpState: 'Ended by customer', agentId: '45001', agentName: 'Burak Kaya', helpStartedAt: 3100, helpEndedAt: 9000, helpTime: 5 }),
        record(4, 3000),
        record(5, 4000),
      ]);
      const page = await call(own, LIST, { startDate: 2000, endDate: 3000 });
      const records = JSON.parse(page.text) as HelpRecord[];
      expect(records.map((r) => r.onlineHelpId)).toEqual([4, 3, 2]);
      expect(records[1]?.helpState).toBe('Ended by customer');
      expect(records[0]).toEqual({ onlineHelpId: 4, customerNo: '2337368', customerName: 'Ayşe Yılmaz', helpState: 'onlinehelp_cancelled_by_customer', helpRequestedAt: 3000, waitTime: 10 });
      expect(page.text).not.toContain('null');
      expect(await json<HelpRecord[]>(own, LIST, { startDate: 3001, endDate: 2999 })).toEqual([]);
      expect(own.control.history()).toHaveLength(5);
    } finally {
      await own.close();
    }
  });
});

describe('Diyalog simulator: failures, latency knobs and base path', () => {
  let sim: DiyalogSim;
  const ok = { customerId: '2337368' };
  beforeAll(async () => {
    sim = await start({ historySize: 50, basePath: '/api/', latencyMs: 1 });
  });
  afterAll(() => sim.close());

  it('serves under the base path, which is part of the signed PATH', async () => {
    expect(new URL(sim.url).pathname).toBe('/api');
    expect((await call(sim, IS_IN_HELP, ok)).status).toBe(200);
    expect((await call(sim, IS_IN_HELP, ok, { signedPath: IS_IN_HELP })).status).toBe(401);
    expect((await fetch(`${new URL(sim.url).origin}${IS_IN_HELP}`, { method: 'POST' })).status).toBe(404);
  });

  it('failNext: a plain-text 500, a dropped connection, a broken JSON body; then normal again', async () => {
    sim.control.resetCounters();
    sim.control.failNext(1, '500');
    const err = await call(sim, IS_IN_HELP, ok);
    expect(err.status).toBe(500);
    expect(err.type).toMatch(/^text\/plain/);
    expect(err.text).toMatch(/Exception/);

    sim.control.failNext(1, 'drop');
    await expect(call(sim, IS_IN_HELP, ok)).rejects.toThrow();

    sim.control.failNext(1, 'bad_json');
    const bad = await call(sim, IS_IN_HELP, ok);
    expect(bad.status).toBe(200);
    expect(() => JSON.parse(bad.text)).toThrow();

    expect((await call(sim, IS_IN_HELP, ok)).status).toBe(200);
    expect(sim.control.requests.map((r) => r.status)).toEqual([500, 0, 200, 200]);
  });

  it('failureRate 1 fails every request, both ways, from the seeded PRNG; 0 fails none', async () => {
    sim.control.setFailureRate(1);
    const outcomes = await Promise.all(
      Array.from({ length: 24 }, () => call(sim, IS_IN_HELP, ok).then((a) => String(a.status), () => 'drop')),
    );
    sim.control.setFailureRate(0);
    expect(new Set(outcomes)).toEqual(new Set(['500', 'drop']));
    expect((await call(sim, IS_IN_HELP, ok)).status).toBe(200);
    expect(() => sim.control.setFailureRate(1.5)).toThrow();
  });
});

describe('Diyalog simulator: demo mode', () => {
  it('nothing moves in test mode; demoStep moves sessions but never the stuck ones', async () => {
    const sim = await start({ historySize: 200, demoTickMs: 5 });
    // The control: the same world and tick with demo on. Once it has moved, the test-mode world
    // has had the same ticks' time, so a timer running there would have moved it too.
    const demo = await start({ historySize: 200, demo: true, demoTickMs: 5 });
    try {
      const before = sim.control.history();
      const demoBefore = demo.control.history();
      await vi.waitFor(() => expect(demo.control.history()).not.toEqual(demoBefore), { timeout: 5000, interval: 5 });
      expect(sim.control.history()).toEqual(before);
      const stuck = sim.control.liveSessions().filter((s) => s.stuck);
      expect(stuck.length).toBeGreaterThan(0);
      for (let i = 0; i < 200; i++) sim.control.demoStep();
      const after = sim.control.history();
      expect(after.length).toBeGreaterThan(before.length);
      const states = new Set(after.slice(0, after.length - before.length).map((r) => r.helpState));
      expect(states.size).toBeGreaterThan(1);
      for (const s of stuck) expect(sim.control.session(s.customerId)).toMatchObject({ helpState: 'onlinehelp_started', stuck: true });
    } finally {
      await Promise.all([sim.close(), demo.close()]);
    }
  });

  it('with demo on, sessions appear and progress on the timer', async () => {
    const sim = await start({ historySize: 200, demo: true, demoTickMs: 5 });
    try {
      const initial = sim.control.history().length;
      await vi.waitFor(
        () => {
          const fresh = sim.control.history().slice(0, sim.control.history().length - initial);
          expect(fresh.some((r) => r.helpState === 'onlinehelp_started' || r.helpState.startsWith('onlinehelp_ended'))).toBe(true);
        },
        { timeout: 5000, interval: 10 },
      );
      const newest = sim.control.history()[0];
      expect(await json(sim, LIST, { startDate: newest?.helpRequestedAt, endDate: newest?.helpRequestedAt })).toContainEqual(
        expect.objectContaining({ onlineHelpId: newest?.onlineHelpId }),
      );
    } finally {
      await sim.close();
    }
  });
});

describe('Diyalog simulator: older server versions and the vendor examples (specs README §1.3)', () => {
  it('getmessagingdetail for an unknown staff member answers the vendor failure example byte for byte', async () => {
    const sim = await start({ historySize: 50 });
    try {
      const a = await call(sim, DETAIL, { staffId: '99999', customerId: '2337368', startDate: 1, endDate: 2 });
      expect(a).toMatchObject({ status: 200, text: '{"conversationDetailLink":"","error":"Staff not found in the system","isSuccess":false}' });
      expect(await json(sim, DETAIL, { staffId: '45186', customerId: '2337368', startDate: 1, endDate: 2 })).toMatchObject({ isSuccess: true });
    } finally {
      await sim.close();
    }
  });

  it('pageSize 25 answers 25 records, and can be switched to 20 and back', async () => {
    const sim = await start({ historySize: 200, pageSize: 25 });
    try {
      const all = { startDate: 0, endDate: T0 };
      expect(await json<unknown[]>(sim, LIST, all)).toHaveLength(25);
      sim.control.setPageSize(20);
      expect(await json<unknown[]>(sim, LIST, all)).toHaveLength(20);
      expect(() => sim.control.setPageSize(0)).toThrow();
    } finally {
      await sim.close();
    }
  });

  it('historyAgentField agentUserId: filters by agentUserId and ignores agentId, as an unknown field', async () => {
    const sim = await start({ historySize: 200, historyAgentField: 'agentUserId' });
    try {
      const agent = sim.control.history().find((r) => r.agentId !== undefined)?.agentId ?? '';
      const byOld = await json<HelpRecord[]>(sim, LIST, { startDate: 0, endDate: T0, agentUserId: agent });
      expect(byOld.length).toBeGreaterThan(0);
      expect(byOld.every((r) => r.agentId === agent)).toBe(true);
      const byNew = await json<HelpRecord[]>(sim, LIST, { startDate: 0, endDate: T0, agentId: agent });
      expect(byNew.some((r) => r.agentId !== agent)).toBe(true);
      sim.control.setHistoryAgentField('agentId');
      expect((await json<HelpRecord[]>(sim, LIST, { startDate: 0, endDate: T0, agentId: agent })).every((r) => r.agentId === agent)).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it('redirectNext answers the next POSTs with the redirect, before any signature check', async () => {
    const sim = await start({ historySize: 50 });
    try {
      sim.control.redirectNext(1, 'https://elsewhere.test/v1/application/iscustomerinonlinehelp', 308);
      const res = await fetch(sim.url + IS_IN_HELP, { method: 'POST', body: '{}', redirect: 'manual' });
      expect(res.status).toBe(308);
      expect(res.headers.get('location')).toBe('https://elsewhere.test/v1/application/iscustomerinonlinehelp');
      expect((await call(sim, IS_IN_HELP, { customerId: '2337368' })).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it.each([
    ['signingForm', { signingForm: 'other' }],
    ['pageSize', { pageSize: 0 }],
    ['historyAgentField', { historyAgentField: 'agent' }],
  ])('refuses a bad %s', async (_label, options) => {
    await expect(start(options as DiyalogSimOptions)).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
