// The parsers and the client over answer bodies written by hand from the vendor's pages
// (test/fixtures/diyalog/README.md says which page each comes from): first the wire
// schemas alone, then the client reading each body off a loopback server.

import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiyalogClient } from '../../../main/diyalog/client';
import { helpListWire, helpStateWire, messagingDetailWire, operationResultWire } from '../../../main/diyalog/wire';
import { rejection } from '../../support/rejection';

const DIR = join(__dirname, '..', '..', 'fixtures', 'diyalog');
const text = (name: string): string => readFileSync(join(DIR, name), 'utf8');
const body = (name: string): unknown => JSON.parse(text(name));

describe('fixtures: the wire schemas', () => {
  it('every fixture is valid JSON and is named in the README', () => {
    const readme = text('README.md');
    for (const name of readdirSync(DIR).filter((n) => n.endsWith('.json'))) {
      expect(() => body(name), name).not.toThrow();
      expect(readme, name).toContain(`\`${name}\``);
    }
  });

  it('getonlinehelplist, the vendor sample: display strings and all fields kept as they came', () => {
    const records = helpListWire.parse(body('getonlinehelplist.vendor-sample.json'));
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
        conversationDetailLink: 'https://web.diyalog.im/onlnehelpdetail.html/....',
      },
      {
        onlineHelpId: 12346,
        customerNo: '7403713',
        customerName: 'Customer Naem2',
        agentId: '45187',
        agentName: 'Agent 45187',
        helpState: 'Ended by agent',
        helpRequestedAt: 1,
        helpStartedAt: 2,
        helpEndedAt: 3,
        waitTime: 4,
        helpTime: 12,
        conversationDetailLink: 'https://web.diyalog.im/onlnehelpdetail.html/....',
      },
    ]);
  });

  it('getonlinehelplist, documented states: fields of a help that never started stay absent', () => {
    const [started, cancelled, ended] = helpListWire.parse(body('getonlinehelplist.documented-states.json'));
    expect(started).toMatchObject({ onlineHelpId: 120042, helpState: 'onlinehelp_started', agentId: '45186', helpStartedAt: 1615403312000 });
    expect(started).not.toHaveProperty('helpEndedAt');
    expect(cancelled).toEqual({
      onlineHelpId: 120041,
      customerNo: '7403713',
      customerName: 'Customer Naem2',
      helpState: 'onlinehelp_cancelled_by_customer',
      helpRequestedAt: 1615403000000,
      waitTime: 31,
    });
    expect(ended).toMatchObject({ helpState: 'onlinehelp_ended_customer_kill_app', helpTime: 700, helpEndedAt: 1612984900000 });
    expect(helpListWire.parse(body('getonlinehelplist.empty.json'))).toEqual([]);
  });

  it('iscustomerinonlinehelp', () => {
    expect(helpStateWire.parse(body('iscustomerinonlinehelp.in-help.json'))).toEqual({ isInHelp: true, helpType: 'inbound', staffId: '45001', errorCode: undefined });
    expect(helpStateWire.parse(body('iscustomerinonlinehelp.no-customer.json'))).toMatchObject({ isInHelp: false, errorCode: 400 });
  });

  it('finishonlinehelp and interactionisnotdelivered', () => {
    expect(operationResultWire.parse(body('finishonlinehelp.success.json'))).toMatchObject({ isSuccess: true, message: 'Conversation will be stop with peers.' });
    expect(operationResultWire.parse(body('finishonlinehelp.no-conversation.json'))).toMatchObject({ isSuccess: false, errorCode: 400 });
    expect(operationResultWire.parse(body('interactionisnotdelivered.success.json'))).toMatchObject({ isSuccess: true });
    expect(operationResultWire.parse(body('interactionisnotdelivered.not-waiting.json'))).toMatchObject({ isSuccess: false, errorCode: 402 });
  });

  it('getmessagingdetail: the http link of §1.3, and the vendor failure example', () => {
    expect(messagingDetailWire.parse(body('getmessagingdetail.success.json'))).toMatchObject({
      isSuccess: true,
      conversationDetailLink: 'http://web.diyalog.im/views.html#/messaging?staffId=45186&customerId=2337368',
    });
    expect(messagingDetailWire.parse(body('getmessagingdetail.staff-not-found.json'))).toEqual({
      isSuccess: false,
      conversationDetailLink: '',
      error: 'Staff not found in the system',
    });
  });
});

describe('fixtures: the client reading them over HTTP', () => {
  let server: Server;
  let baseUrl: string;
  let reply: { status: number; body: string; type: string } = { status: 200, body: '{}', type: 'application/json' };

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(reply.status, { 'content-type': reply.type });
        res.end(reply.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const serve = (name: string) => {
    reply = { status: 200, body: text(name), type: 'application/json;charset=UTF-8' };
  };
  const client = () =>
    new DiyalogClient({ baseUrl, credentials: { keyId: 'KEY', secret: 'secret' }, requesterUserId: '45186', fetch, readRetries: 0, retryBaseMs: 1 });
  const detail = { staffId: '45186', customerId: '2337368', startDate: 1612984180000, endDate: 1615403380000 };

  it('getonlinehelplist', async () => {
    serve('getonlinehelplist.vendor-sample.json');
    expect((await client().getOnlineHelpList({ startDate: 0, endDate: 10 })).map((r) => r.helpState)).toEqual(['Ended by customer', 'Ended by agent']);
    serve('getonlinehelplist.documented-states.json');
    expect(await client().getOnlineHelpList({ startDate: 0, endDate: 1615403380000 })).toHaveLength(3);
  });

  it('iscustomerinonlinehelp: in help, and no such customer', async () => {
    serve('iscustomerinonlinehelp.in-help.json');
    expect(await client().isCustomerInOnlineHelp('70022')).toEqual({ customerId: '70022', isInHelp: true, helpType: 'inbound', staffId: '45001' });
    serve('iscustomerinonlinehelp.no-customer.json');
    expect((await rejection(client().isCustomerInOnlineHelp('70022'))).code).toBe('customer_not_found');
  });

  it('finishonlinehelp: ended, and no conversation', async () => {
    serve('finishonlinehelp.success.json');
    expect(await client().finishOnlineHelp('123456', '45186')).toMatchObject({ outcome: 'ended', message: 'Conversation will be stop with peers.' });
    serve('finishonlinehelp.no-conversation.json');
    expect((await rejection(client().finishOnlineHelp('123456', '45186'))).code).toBe('no_conversation');
  });

  it('getmessagingdetail: the link, and "Staff not found in the system" as staff_not_found', async () => {
    serve('getmessagingdetail.success.json');
    expect(await client().getMessagingDetail(detail)).toEqual({ url: 'http://web.diyalog.im/views.html#/messaging?staffId=45186&customerId=2337368' });
    serve('getmessagingdetail.staff-not-found.json');
    const e = await rejection(client().getMessagingDetail(detail));
    expect(e.code).toBe('staff_not_found');
    expect(e.message).toContain('Staff not found in the system');
  });

  it('interactionisnotdelivered: released, and nobody waiting', async () => {
    serve('interactionisnotdelivered.success.json');
    expect(await client().interactionIsNotDelivered({ interactionId: '123456' })).toEqual({ outcome: 'released', message: 'Customer waiting will be stopped.' });
    serve('interactionisnotdelivered.not-waiting.json');
    expect((await rejection(client().interactionIsNotDelivered({ interactionId: '123456' }))).code).toBe('customer_not_waiting');
  });

  it('the HMAC error table: each status and text maps to its code', async () => {
    const expected: Record<string, string> = {
      'Required headers not found': 'auth_header_rejected',
      'Authorization failed due to data format not valid': 'auth_header_rejected',
      'Authorization failed due to date not valid': 'auth_header_rejected',
      'Authorization failed': 'auth_failed',
      // Re-signed once with the (same) server time, still refused.
      'Request time may not be correct.': 'clock_skew',
    };
    for (const row of body('auth-errors.json') as { status: number; body: string }[]) {
      reply = { status: row.status, body: row.body, type: 'text/plain;charset=UTF-8' };
      const e = await rejection(client().isCustomerInOnlineHelp('70022'));
      expect(e.code, row.body).toBe(expected[row.body]);
      expect(e.details.status).toBe(row.status);
    }
  });
});
