// What real Diyalog servers do differently from our first reading (specs README §1.1, §1.3,
// issues 9 and 10), each against the simulator set up that way: both canonical strings to
// sign and both algorithms (found after a 401 and remembered), a server clock too far off to
// trust, redirects, plain http, 25-record pages, the older `agentUserId` filter and the
// vendor's "Staff not found" answer.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiyalogClient, MAX_CLOCK_OFFSET_MS } from '../../../main/diyalog/client';
import type { DiyalogClientOptions } from '../../../main/diyalog/client';
import { walkHistory } from '../../../main/diyalog/history-walker';
import type { SignatureAlgorithm, SigningForm } from '../../../main/diyalog/signing';
import type { FetchLike } from '../../../main/http';
import { startDiyalogSim } from '../../../main/sim/diyalog/server';
import type { DiyalogSim, DiyalogSimOptions } from '../../../main/sim/diyalog/server';
import type { LearnedSigning } from '../../../shared/settings';
import { rejection } from '../../support/rejection';

const sims: DiyalogSim[] = [];
afterAll(() => Promise.all(sims.map((s) => s.close())));

async function sim(options: DiyalogSimOptions = {}): Promise<DiyalogSim> {
  const s = await startDiyalogSim({ historySize: 60, seed: 11, ...options });
  sims.push(s);
  return s;
}

function client(on: DiyalogSim, over: Partial<DiyalogClientOptions> = {}): DiyalogClient {
  return new DiyalogClient({
    baseUrl: on.url,
    credentials: on.credentials,
    requesterUserId: on.staffId,
    fetch,
    retryBaseMs: 1,
    random: () => 0.5,
    ...over,
  });
}

const statuses = (s: DiyalogSim) => s.control.requests.map((r) => r.status);
const originOf = (s: DiyalogSim) => new URL(s.url).origin;

/** A customer with no live session. */
function idleCustomer(s: DiyalogSim): string {
  const live = new Set(s.control.liveSessions().map((x) => x.customerId));
  const c = s.control.customers().find((x) => !live.has(x.customerId));
  if (!c) throw new Error('no idle customer');
  return c.customerId;
}

describe('signing: both canonical forms × both algorithms', () => {
  // The order the client tries: its start (example/sha256), the other form, then SHA1 with each form.
  const cases: [SigningForm, SignatureAlgorithm, number[]][] = [
    ['example', 'sha256', [200]],
    ['pseudocode', 'sha256', [401, 200]],
    ['example', 'sha1', [401, 401, 200]],
    ['pseudocode', 'sha1', [401, 401, 401, 200]],
  ];

  it.each(cases)('a server checking %s/%s: a default client finds it, reports it once, then signs that way at once', async (form, algorithm, expected) => {
    const s = await sim({ signingForm: form, signatureAlgorithm: algorithm });
    const learned: LearnedSigning[] = [];
    const c = client(s, { onSigningLearned: (l) => void learned.push(l) });
    await expect(c.isCustomerInOnlineHelp('70022')).resolves.toMatchObject({ customerId: '70022', isInHelp: false });
    expect(statuses(s)).toEqual(expected);
    expect(c.signing).toEqual({ form, algorithm, confirmed: true });
    expect(learned).toEqual([{ origin: originOf(s), form, algorithm }]);

    s.control.resetCounters();
    await c.getOnlineHelpList({ startDate: 0, endDate: s.control.serverNow() });
    expect(statuses(s)).toEqual([200]);
    expect(learned).toHaveLength(1);
  });

  it.each(cases)('a server checking %s/%s: a client started from the remembered fact needs one request and reports nothing', async (form, algorithm) => {
    const s = await sim({ signingForm: form, signatureAlgorithm: algorithm });
    const learned: LearnedSigning[] = [];
    const c = client(s, { learnedSigning: { origin: originOf(s), form, algorithm }, onSigningLearned: (l) => void learned.push(l) });
    await c.isCustomerInOnlineHelp('70022');
    expect(statuses(s)).toEqual([200]);
    expect(learned).toEqual([]);
  });

  it('a remembered fact for another origin is ignored: the client starts from its configured way', async () => {
    const s = await sim({ signingForm: 'pseudocode' });
    const c = client(s, { learnedSigning: { origin: 'https://other.bank.example', form: 'pseudocode', algorithm: 'sha1' }, algorithm: 'sha256' });
    expect(c.signing).toEqual({ form: 'example', algorithm: 'sha256', confirmed: false });
    await c.isCustomerInOnlineHelp('70022');
    expect(statuses(s)).toEqual([401, 200]);
  });

  it('the configured start (form and algorithm) is tried first', async () => {
    const s = await sim({ signingForm: 'pseudocode', signatureAlgorithm: 'sha1' });
    const c = client(s, { form: 'pseudocode', algorithm: 'sha1' });
    await c.isCustomerInOnlineHelp('70022');
    expect(statuses(s)).toEqual([200]);
  });

  it('a remembered fact gone stale (the server was upgraded) is found again and reported', async () => {
    const s = await sim({ signingForm: 'example' });
    const learned: LearnedSigning[] = [];
    const c = client(s, { learnedSigning: { origin: originOf(s), form: 'pseudocode', algorithm: 'sha1' }, onSigningLearned: (l) => void learned.push(l) });
    await c.isCustomerInOnlineHelp('70022');
    // pseudocode/sha1 → example/sha1 → pseudocode/sha256 → example/sha256
    expect(statuses(s)).toEqual([401, 401, 401, 200]);
    expect(learned).toEqual([{ origin: originOf(s), form: 'example', algorithm: 'sha256' }]);

    // And again when the server changes under a running client.
    s.control.setSigning({ form: 'pseudocode' });
    s.control.resetCounters();
    await c.isCustomerInOnlineHelp('70022');
    expect(statuses(s)).toEqual([401, 200]);
    expect(learned.at(-1)).toEqual({ origin: originOf(s), form: 'pseudocode', algorithm: 'sha256' });
  });

  it('a force-end is found the same way and ends the session exactly once: a 401 did nothing', async () => {
    const s = await sim({ signingForm: 'pseudocode', signatureAlgorithm: 'sha1' });
    const customer = idleCustomer(s);
    s.control.startSession(customer, '45001', 'inbound');
    const result = await client(s).finishOnlineHelp(customer, '45001');
    expect(result.outcome).toBe('ended');
    expect(statuses(s)).toEqual([401, 401, 401, 200]);
    expect(s.control.session(customer)).toBeNull();
    expect(s.control.history().find((r) => r.customerNo === customer)?.helpState).toBe('onlinehelp_ended_by_agent');
  });

  it('a callback that throws or rejects does not fail the request', async () => {
    const s = await sim({ signingForm: 'pseudocode' });
    const throwing = client(s, {
      onSigningLearned: () => {
        throw new Error('disk full');
      },
    });
    await expect(throwing.isCustomerInOnlineHelp('70022')).resolves.toMatchObject({ isInHelp: false });
    const rejecting = client(s, { onSigningLearned: () => Promise.reject(new Error('disk full')) });
    await expect(rejecting.isCustomerInOnlineHelp('70022')).resolves.toMatchObject({ isInHelp: false });
  });

  it('a wrong secret on a pseudocode server: every way is tried once, auth_failed, and no report', async () => {
    const s = await sim({ signingForm: 'pseudocode' });
    const learned: LearnedSigning[] = [];
    const c = client(s, { credentials: { keyId: s.credentials.keyId, secret: 'wrong' }, onSigningLearned: (l) => void learned.push(l) });
    expect((await rejection(c.isCustomerInOnlineHelp('70022'))).code).toBe('auth_failed');
    expect(statuses(s)).toEqual([401, 401, 401, 401]);
    expect(learned).toEqual([]);
  });
});

describe('server clock', () => {
  const HOUR = 3_600_000;
  let s: DiyalogSim;
  const now = Date.UTC(2025, 5, 2, 9, 0, 0);
  beforeAll(async () => {
    s = await sim({ now: () => now });
  });
  afterEach(() => {
    s.control.setClockOffset(0);
    s.control.resetCounters();
  });

  it.each([11 * HOUR, -11 * HOUR, 12 * HOUR])('an offset of %d ms is learned: re-signed once with the server time', async (offset) => {
    s.control.setClockOffset(offset);
    const c = client(s, { clock: () => now });
    await expect(c.isCustomerInOnlineHelp('70022')).resolves.toMatchObject({ isInHelp: false });
    expect(statuses(s)).toEqual([403, 200]);
    expect(c.clockOffsetMs).toBe(offset);
  });

  it.each([13 * HOUR, -13 * HOUR, 365 * 24 * HOUR])('an offset of %d ms is clock_skew naming both times, and nothing is re-signed', async (offset) => {
    s.control.setClockOffset(offset);
    const c = client(s, { clock: () => now });
    const e = await rejection(c.finishOnlineHelp('70022', '45001'));
    expect(e.code).toBe('clock_skew');
    expect(e.message).toContain(new Date(now).toISOString());
    expect(e.message).toContain(new Date(now + offset).toISOString());
    expect(e.details).toMatchObject({ status: 403, offsetMs: offset, localTime: now, serverTime: now + offset });
    expect(statuses(s)).toEqual([403]);
    expect(c.clockOffsetMs).toBe(0);
    expect(Math.abs(offset)).toBeGreaterThan(MAX_CLOCK_OFFSET_MS);
  });
});

/** A second server that records every request reaching it: the redirect target. */
interface Listener {
  url: string;
  seen: { url: string; headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

async function listener(): Promise<Listener> {
  const seen: Listener['seen'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"isSuccess":true,"message":"Conversation will be stop with peers."}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('redirects', () => {
  let s: DiyalogSim;
  let target: Listener;
  beforeAll(async () => {
    s = await sim();
    target = await listener();
  });
  afterAll(() => target.close());

  it('the listener does record a followed redirect (what a default fetch would do)', async () => {
    s.control.redirectNext(1, `${target.url}/v1/application/finishonlinehelp`, 307);
    // A fetch that follows, carrying a signed-looking header: the control for the test below.
    await fetch(`${s.url}/v1/application/finishonlinehelp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-dlg-authorization': 'DLGA key:signature' },
      body: '{}',
    });
    expect(target.seen.map((r) => r.headers['x-dlg-authorization'])).toEqual(['DLGA key:signature']);
    target.seen.length = 0;
  });

  it.each([301, 302, 303, 307, 308] as const)('a %d from the server is unexpected_redirect; nothing signed reaches the target', async (status) => {
    s.control.resetCounters();
    const customer = idleCustomer(s);
    s.control.startSession(customer, '45001', 'inbound');
    s.control.redirectNext(1, `${target.url}/v1/application/finishonlinehelp`, status);
    const c = client(s);
    const e = await rejection(c.finishOnlineHelp(customer, '45001'));
    expect(e.code).toBe('unexpected_redirect');
    expect(e.details).toMatchObject({ status, location: target.url });
    expect(target.seen).toEqual([]);
    expect(c.requestCount).toBe(1);
    // The session is still live: nothing was done anywhere.
    expect(s.control.session(customer)?.helpState).toBe('onlinehelp_started');
    s.control.endSession(customer);
  });

  it('a read is not retried after a redirect either', async () => {
    s.control.redirectNext(1, `${target.url}/v1/application/iscustomerinonlinehelp`);
    const c = client(s);
    expect((await rejection(c.isCustomerInOnlineHelp('70022'))).code).toBe('unexpected_redirect');
    expect(c.requestCount).toBe(1);
    expect(target.seen).toEqual([]);
    await expect(c.isCustomerInOnlineHelp('70022')).resolves.toMatchObject({ isInHelp: false });
  });
});

describe('plain http', () => {
  let s: DiyalogSim;
  beforeAll(async () => {
    s = await sim();
  });

  /** Resolves diyalog.bank.test to the simulator, as a LAN DNS would: the host name is not loopback. */
  function lanFetch(sent: string[]): FetchLike {
    return (input, init) => {
      sent.push(String(input));
      const url = new URL(String(input));
      url.host = new URL(s.url).host;
      return fetch(url, init);
    };
  }

  it('http to a host other than this computer is refused before anything is sent', async () => {
    const sent: string[] = [];
    const port = new URL(s.url).port;
    const c = client(s, { baseUrl: `http://diyalog.bank.test:${port}`, fetch: lanFetch(sent) });
    const e = await rejection(c.isCustomerInOnlineHelp('70022'));
    expect(e.code).toBe('invalid_input');
    expect(e.details).toMatchObject({ field: 'baseUrl', reason: 'insecure_http' });
    expect(e.message).toContain('allowInsecureHttp');
    expect(sent).toEqual([]);
    expect(c.requestCount).toBe(0);
  });

  it('allowed with allowInsecureHttp', async () => {
    const sent: string[] = [];
    const port = new URL(s.url).port;
    const c = client(s, { baseUrl: `http://diyalog.bank.test:${port}`, fetch: lanFetch(sent), allowInsecureHttp: true });
    await expect(c.isCustomerInOnlineHelp('70022')).resolves.toMatchObject({ isInHelp: false });
    expect(sent).toEqual([`http://diyalog.bank.test:${port}/v1/application/iscustomerinonlinehelp`]);
  });

  it('loopback needs no setting: 127.0.0.1 and localhost', async () => {
    const port = new URL(s.url).port;
    await expect(client(s).isCustomerInOnlineHelp('70022')).resolves.toMatchObject({ isInHelp: false });
    await expect(client(s, { baseUrl: `http://localhost:${port}` }).isCustomerInOnlineHelp('70022')).resolves.toMatchObject({ isInHelp: false });
  });
});

describe('older servers: 25 records a page', () => {
  it('the walker gets every record of a 25-per-page server, in fewer calls than from a 20-per-page one', async () => {
    const old = await sim({ historySize: 700, seed: 5, pageSize: 25 });
    const current = await sim({ historySize: 700, seed: 5 });
    const now = old.control.serverNow();
    const query = { startDate: now - 100 * 86_400_000, endDate: now + 60_000 };
    const inRange = (s: DiyalogSim) => s.control.history().filter((r) => r.helpRequestedAt >= query.startDate && r.helpRequestedAt <= query.endDate);
    const expected = inRange(old);
    expect(expected.length).toBeGreaterThan(600);

    for (const concurrency of [1, 4]) {
      const c25 = client(old);
      const r25 = await walkHistory((q, signal) => c25.getOnlineHelpList(q, { signal }), query, { concurrency });
      expect(r25.items.map((r) => r.onlineHelpId)).toEqual(expected.map((r) => r.onlineHelpId));
      // The seeded data has 25 records at one minute: a full 25-page, so it is still reported.
      expect(r25.warnings.map((w) => w.timestamp)).toHaveLength(1);

      // The same data from a 20-per-page server: that group cannot be paged through there.
      const c20 = client(current);
      const r20 = await walkHistory((q, signal) => c20.getOnlineHelpList(q, { signal }), query, { concurrency });
      const overflowAt = r20.warnings.map((w) => w.timestamp);
      expect(overflowAt).toHaveLength(1);
      const got = new Set(r20.items.map((r) => r.onlineHelpId));
      const missed = inRange(current).filter((r) => !got.has(r.onlineHelpId));
      expect(missed).toHaveLength(5);
      expect(missed.every((r) => overflowAt.includes(r.helpRequestedAt))).toBe(true);
      expect(r25.pages).toBeLessThan(r20.pages);
    }
  });

  it('a 25-per-page answer really holds 25', async () => {
    const old = await sim({ historySize: 200, pageSize: 25 });
    const page = await client(old).getOnlineHelpList({ startDate: 0, endDate: old.control.serverNow() });
    expect(page).toHaveLength(25);
    old.control.setPageSize(20);
    expect(await client(old).getOnlineHelpList({ startDate: 0, endDate: old.control.serverNow() })).toHaveLength(20);
  });
});

describe('the history agent filter: agentId or agentUserId', () => {
  /** Records the JSON bodies sent. */
  function recordingFetch(bodies: Record<string, unknown>[]): FetchLike {
    return (input, init) => {
      bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
      return fetch(input, init);
    };
  }

  it.each(['agentId', 'agentUserId'] as const)('a server reading %s: the client configured the same gets exactly that agent', async (field) => {
    const s = await sim({ historySize: 300, historyAgentField: field });
    const agent = s.control.history().find((r) => r.agentId !== undefined)?.agentId ?? '';
    const bodies: Record<string, unknown>[] = [];
    const c = client(s, { historyAgentField: field, fetch: recordingFetch(bodies) });
    const query = { startDate: 0, endDate: s.control.serverNow(), agentId: agent };
    const result = await walkHistory((q, signal) => c.getOnlineHelpList(q, { signal }), query, { concurrency: 1 });
    const expected = s.control.history().filter((r) => r.agentId === agent);
    expect(result.items.map((r) => r.onlineHelpId)).toEqual(expected.map((r) => r.onlineHelpId));
    const other = field === 'agentId' ? 'agentUserId' : 'agentId';
    expect(bodies.length).toBeGreaterThan(0);
    expect(bodies.every((b) => b[field] === agent && !(other in b))).toBe(true);
  });

  it('a server reading agentUserId ignores agentId and answers for everyone: the client says which setting to change', async () => {
    const s = await sim({ historySize: 300, historyAgentField: 'agentUserId' });
    const agent = s.control.history().find((r) => r.agentId !== undefined)?.agentId ?? '';
    const e = await rejection(client(s).getOnlineHelpList({ startDate: 0, endDate: s.control.serverNow(), agentId: agent }));
    expect(e.code).toBe('bad_response');
    expect(e.details).toMatchObject({ reason: 'agent_filter_ignored', field: 'agentId' });
    expect(e.message).toContain('agentUserId');

    // The simulator's knob: switched to the current name, the default client works.
    s.control.setHistoryAgentField('agentId');
    const page = await client(s).getOnlineHelpList({ startDate: 0, endDate: s.control.serverNow(), agentId: agent });
    expect(page.length).toBeGreaterThan(0);
    expect(page.every((r) => r.agentId === agent)).toBe(true);
  });
});

describe('getmessagingdetail for an unknown staff member', () => {
  it('is staff_not_found, with the server text', async () => {
    const s = await sim();
    const e = await rejection(client(s).getMessagingDetail({ staffId: '99999', customerId: '2337368', startDate: 1, endDate: 2 }));
    expect(e.code).toBe('staff_not_found');
    expect(e.message).toContain('99999');
    expect(e.message).toContain('Staff not found in the system');
    await expect(client(s).getMessagingDetail({ staffId: '45001', customerId: '2337368', startDate: 1, endDate: 2 })).resolves.toMatchObject({
      url: expect.stringMatching(/^https:\/\//),
    });
  });
});
