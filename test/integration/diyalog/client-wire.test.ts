// The client against a tiny scripted node:http server, for answers the simulator
// never gives: bodies that are not JSON or break the schema, odd statuses, missing headers.

import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DiyalogClient } from '../../../main/diyalog/client';
import type { DiyalogClientOptions } from '../../../main/diyalog/client';
import { rejection } from '../../support/rejection';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
let script: (req: Seen) => Reply = () => ({ status: 200, body: '{}' });

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      const reply = script(s);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
});

const SECRET = 'wire-test-secret';

function client(over: Partial<DiyalogClientOptions> = {}): DiyalogClient {
  return new DiyalogClient({
    baseUrl,
    credentials: { keyId: 'KEY-1', secret: SECRET },
    requesterUserId: '45186',
    fetch,
    retryBaseMs: 1,
    random: () => 0,
    ...over,
  });
}

const json = (value: unknown, status = 200): Reply => ({ status, body: JSON.stringify(value) });


describe('what goes on the wire', () => {
  it('signs exactly the bytes it sends, with the documented headers', async () => {
    script = () => json({ isInHelp: false });
    const c = client({ baseUrl: `${baseUrl}/api/`, clock: () => Date.UTC(2021, 2, 9, 13, 28, 32) });
    await c.isCustomerInOnlineHelp(' 70022 ');
    const [req] = seen;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/api/v1/application/iscustomerinonlinehelp');
    expect(req?.body).toBe('{"customerId":"70022"}');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['x-dlg-date']).toBe('Tue, 09 Mar 2021 13:28:32 GMT');
    expect(req?.headers['x-dlg-requester-userid']).toBe('45186');
    // Recomputed here from what arrived, not from what the client meant to send.
    const sts = `POST\napplication/json\n${req?.headers['x-dlg-date']}\n${req?.body}\n${req?.url}`;
    const expected = createHmac('sha256', SECRET).update(sts, 'utf8').digest('base64');
    expect(req?.headers['x-dlg-authorization']).toBe(`DLGA KEY-1:${expected}`);
  });

  it('sends agentId (not agentUserId) and leaves absent filters out', async () => {
    script = () => json([]);
    await client().getOnlineHelpList({ startDate: 1, endDate: 2, agentId: '45186' });
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ startDate: 1, endDate: 2, agentId: '45186' });
  });
});

describe('answers the simulator never gives', () => {
  it('a 200 that is not JSON is bad_response', async () => {
    script = () => ({ status: 200, body: '<html>proxy login</html>' });
    const e = await rejection(client().isCustomerInOnlineHelp('70022'));
    expect(e.code).toBe('bad_response');
    expect(e.details.status).toBe(200);
  });

  it('a 200 that breaks the schema is bad_response, and is not retried', async () => {
    script = () => json({ isInHelp: 'yes' });
    const c = client();
    expect((await rejection(c.isCustomerInOnlineHelp('70022'))).code).toBe('bad_response');
    script = () => json([{ onlineHelpId: 1 }]);
    expect((await rejection(c.getOnlineHelpList({ startDate: 1, endDate: 2 }))).code).toBe('bad_response');
    script = () => json({ message: 'no isSuccess' });
    expect((await rejection(c.finishOnlineHelp('70022', '45186'))).code).toBe('bad_response');
    expect(c.requestCount).toBe(3);
  });

  it('keeps display-string states as they came and drops a non-string detail link', async () => {
    script = () =>
      json([
        {
          onlineHelpId: 12345,
          customerNo: '2337368',
          customerName: 'Customer Name1',
          agentId: '45186',
          agentName: 'Agent 45186',
          helpState: 'Ended by customer',
          helpRequestedAt: 1,
          helpStartedAt: 2,
          helpEndedAt: 3,
          waitTime: 4,
          helpTime: 12,
          conversationDetailLink: 77,
          somethingNew: true,
        },
        { onlineHelpId: 12346, customerNo: 7403713, customerName: 'C2', helpState: 'onlinehelp_requested', helpRequestedAt: 0 },
      ]);
    const records = await client().getOnlineHelpList({ startDate: 0, endDate: 5 });
    expect(records).toEqual([
      {
        onlineHelpId: 12345,
        customerNo: '2337368',
        customerName: 'Customer Name1',
        agentId: '45186',
        agentName: 'Agent 45186',
        helpState: 'Ended by customer',
        helpRequestedAt: 1,
        helpStartedAt: 2,
        helpEndedAt: 3,
        waitTime: 4,
        helpTime: 12,
      },
      { onlineHelpId: 12346, customerNo: '7403713', customerName: 'C2', helpState: 'onlinehelp_requested', helpRequestedAt: 0 },
    ]);
    expect(Object.keys(records[1] ?? {})).not.toContain('agentId');
  });

  it('maps the three header messages to auth_header_rejected and other 400s to bad_response', async () => {
    for (const message of [
      'Required headers not found',
      'Authorization failed due to data format not valid',
      'Authorization failed due to date not valid',
    ]) {
      script = () => ({ status: 400, body: message });
      const e = await rejection(client().isCustomerInOnlineHelp('70022'));
      expect(e.code).toBe('auth_header_rejected');
      expect(e.details.status).toBe(400);
    }
    script = () => ({ status: 400, body: 'Bad Request' });
    expect((await rejection(client().isCustomerInOnlineHelp('70022'))).code).toBe('bad_response');
  });

  it('an unexpected status is bad_response with the status in details, never retried', async () => {
    script = () => ({ status: 418, body: 'teapot' });
    const c = client();
    const e = await rejection(c.getOnlineHelpList({ startDate: 1, endDate: 2 }));
    expect(e.code).toBe('bad_response');
    expect(e.details.status).toBe(418);
    expect(c.requestCount).toBe(1);
  });

  it('a redirect is unexpected_redirect, never followed, never retried', async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      seen = [];
      script = () => ({ status, body: '', headers: { location: '/elsewhere?token=abc' } });
      const c = client();
      const e = await rejection(c.isCustomerInOnlineHelp('70022'));
      expect(e.code).toBe('unexpected_redirect');
      expect(e.details.status).toBe(status);
      // Only the origin of the Location is shown.
      expect(e.message).toContain(baseUrl);
      expect(e.message).not.toContain('token=abc');
      expect(seen.map((r) => r.url)).toEqual(['/v1/application/iscustomerinonlinehelp']);
    }
  });

  it('a gateway failure (502/503/504) is unavailable, retried for reads', async () => {
    for (const status of [502, 503, 504]) {
      script = () => ({ status, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } });
      const c = client();
      const e = await rejection(c.isCustomerInOnlineHelp('70022'));
      expect(e.code).toBe('unavailable');
      expect(e.details.status).toBe(status);
      expect(c.requestCount).toBe(3);
    }
  });

  it('a finish behind a 504 is a lost answer (unavailable, gateway), sent once and never settled by the client', async () => {
    script = () => ({ status: 504, body: 'Gateway Timeout' });
    const e = await rejection(client().finishOnlineHelp('70022', '45186'));
    expect(e).toMatchObject({ code: 'unavailable', details: { reason: 'gateway' } });
    // Settling it (iscustomerinonlinehelp) is the recovery service's job, which audits it.
    expect(seen.map((r) => r.url)).toEqual(['/v1/application/finishonlinehelp']);
  });

  it('a 500 carries the server text, truncated', async () => {
    script = () => ({ status: 500, body: `NullPointerException ${'x'.repeat(1000)}` });
    const c = client({ readRetries: 0 });
    const e = await rejection(c.isCustomerInOnlineHelp('70022'));
    expect(e.code).toBe('server_error');
    expect(e.details.status).toBe(500);
    expect(e.message).toContain('NullPointerException');
    expect(e.message.length).toBeLessThan(400);
  });

  it('a 403 without a Date header is clock_skew at once', async () => {
    script = () => ({ status: 403, body: 'Request time may not be correct.', headers: { date: '' } });
    const c = client();
    const e = await rejection(c.isCustomerInOnlineHelp('70022'));
    expect(e.code).toBe('clock_skew');
    expect(c.requestCount).toBe(1);
  });

  it('a messaging-detail link that is not http(s) is bad_response', async () => {
    script = () => json({ isSuccess: true, conversationDetailLink: 'javascript:alert(1)' });
    const q = { staffId: '45186', customerId: '70022', startDate: 1, endDate: 2 };
    expect((await rejection(client().getMessagingDetail(q))).code).toBe('bad_response');
    script = () => json({ isSuccess: true });
    expect((await rejection(client().getMessagingDetail(q))).code).toBe('bad_response');
  });

  it('maps interactionisnotdelivered error codes', async () => {
    const cases: [number | undefined, string][] = [
      [400, 'invalid_input'],
      [402, 'customer_not_waiting'],
      [403, 'waiting_other_interaction'],
      [499, 'operation_failed'],
      [undefined, 'operation_failed'],
    ];
    for (const [errorCode, code] of cases) {
      script = () => json({ isSuccess: false, message: 'nope', errorCode });
      const c = client();
      const e = await rejection(c.interactionIsNotDelivered({ sessionId: 'S-1' }));
      expect(e.code).toBe(code);
      expect(c.requestCount).toBe(1);
    }
    script = () => json({ isSuccess: true, message: 'Customer waiting will be stopped.' });
    await expect(client().interactionIsNotDelivered({ interactionId: 'I-1', message: 'Şu an yardımcı olamıyoruz.' })).resolves.toEqual({
      outcome: 'released',
      message: 'Customer waiting will be stopped.',
    });
    expect(JSON.parse(seen.at(-1)?.body ?? '')).toEqual({ interactionId: 'I-1', message: 'Şu an yardımcı olamıyoruz.' });
  });

  it('a connection refused is unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const c = client({ baseUrl: `http://127.0.0.1:${port}` });
    const e = await rejection(c.isCustomerInOnlineHelp('70022'));
    expect(e.code).toBe('unavailable');
    expect(c.requestCount).toBe(3);
  });
});

describe('refusing before sending', () => {
  it('missing credentials or staff number → missing_credentials, nothing sent', async () => {
    const cases: Partial<DiyalogClientOptions>[] = [
      { credentials: { keyId: '', secret: SECRET } },
      { credentials: { keyId: 'KEY-1', secret: '' } },
      { requesterUserId: '  ' },
    ];
    for (const over of cases) {
      const c = client(over);
      expect((await rejection(c.isCustomerInOnlineHelp('70022'))).code).toBe('missing_credentials');
      expect(c.requestCount).toBe(0);
    }
    expect(seen).toHaveLength(0);
  });

  it('a base URL that is not http(s) → invalid_input, nothing sent', async () => {
    for (const url of ['ftp://example.test', 'not a url', '']) {
      const c = client({ baseUrl: url });
      expect((await rejection(c.isCustomerInOnlineHelp('70022'))).code).toBe('invalid_input');
      expect(c.requestCount).toBe(0);
    }
    expect(seen).toHaveLength(0);
  });

  it('an already-aborted signal → cancelled, nothing sent', async () => {
    const c = client();
    const e = await rejection(c.isCustomerInOnlineHelp('70022', { signal: AbortSignal.abort() }));
    expect(e.code).toBe('cancelled');
    expect(c.requestCount).toBe(0);
  });

  it('error messages never carry the secret or the signature', async () => {
    script = () => ({ status: 401, body: 'Authorization failed' });
    const e = await rejection(client().isCustomerInOnlineHelp('70022'));
    expect(e.code).toBe('auth_failed');
    const signature = String(seen[0]?.headers['x-dlg-authorization']).split(':')[1] ?? '';
    expect(e.message).not.toContain(SECRET);
    expect(e.message).not.toContain(signature);
    expect(JSON.stringify(e.details)).not.toContain(signature);
  });
});
