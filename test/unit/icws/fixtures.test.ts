// The client's parsers over the hand-written bodies in test/fixtures/icws/ (shaped as real
// servers and Genesys' own clients show, §2.4): every file has an expectation here.

import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyDetailsMessage, applyListMessage, currentRequests, emptyView } from '../../../main/icws/assistance-view';
import type { AssistanceView } from '../../../main/icws/assistance-view';
import { codeForStatus } from '../../../main/icws/errors';
import { QUEUE_CONTENTS_TYPE, QUEUE_SUBSCRIPTION_STATE_TYPE, applyQueueContents, currentInteractions, emptyInteractionsView, parseQueueContents } from '../../../main/icws/interactions-view';
import { DEFAULT_QUEUE_SUBSCRIPTION_ID } from '../../../main/icws/interactions';
import { configuredTarget, namesItself } from '../../../main/icws/servers';
import { SUPERVISOR_ASSISTANCE_TYPE, applySupervisorList, currentSupervisorRequests, emptySupervisorView, parseSupervisorListMessage } from '../../../main/icws/supervisor-view';
import {
  ASSISTANCE_DETAILS_TYPE,
  ASSISTANCE_LIST_TYPE,
  ASSISTANCE_SUBSCRIPTION_STATE_TYPE,
  CONNECTION_STATE_CHANGE_TYPE,
  connectAnswerSchema,
  errorBodySchema,
  featuresAnswerSchema,
  featuresOf,
  messageSchema,
  parseConnectionStateChange,
  parseDetailsMessage,
  parseListMessage,
  parseSubscriptionState,
  toFeatures,
} from '../../../main/icws/wire';

const DIR = fileURLToPath(new URL('../../fixtures/icws/', import.meta.url));
const fixture = (name: string): unknown => JSON.parse(readFileSync(`${DIR}${name}`, 'utf8'));
const RECEIVED = '2020-10-29T09:00:00.000Z';
const REQUEST = '6f1c2a9e-0b7d-4f43-9a51-3c2d8e7b1a10';

function ok<T>(result: { value: T; problems: string[] } | { error: string }): { value: T; problems: string[] } {
  if ('error' in result) throw new Error(result.error);
  return result;
}

const use = (name: string) => fixture(name);
// The fixtures this file reads, from its own text: the check below then holds in any order
// and when a single test is run, unlike a set the other tests fill as they run.
const covered = new Set([...readFileSync(fileURLToPath(import.meta.url), 'utf8').matchAll(/\buse\('([^']+)'\)/g)].map((m) => m[1]));

describe('ICWS answers', () => {
  it('a login answer: session, token, features; its only alternate is its own short name', () => {
    const answer = connectAnswerSchema.parse(use('connect-201.json'));
    expect(answer).toMatchObject({ sessionId: '1107561001', csrfToken: expect.any(String), icServer: 'cic-icws', alternateHostList: ['cic-icws'] });
    expect(featuresOf(answer)?.get('interactions')).toBe(10);
    const conn = { target: configuredTarget('https://cic-icws.bank.local:8019'), icServer: answer.icServer ?? null };
    expect(answer.alternateHostList?.every((h) => namesItself(h, conn))).toBe(true);
    expect(namesItself('icserver2', conn)).toBe(false);
  });

  it('a switchover refusal names the other server by bare host name', () => {
    const body = errorBodySchema.parse(use('connect-503-switchover.json'));
    expect(body.alternateHostList).toEqual(['icserver2']);
    expect(codeForStatus(503, body, { connect: true })).toBe('server_error');
  });

  it('maps the error bodies to stable codes', () => {
    expect(codeForStatus(400, errorBodySchema.parse(use('connect-400-authentication.json')), { connect: true })).toBe('auth_failed');
    expect(codeForStatus(401, errorBodySchema.parse(use('error-401-session.json')))).toBe('session_expired');
    const cookie = errorBodySchema.parse(use('error-cookie-invalid.json'));
    for (const status of [400, 401, 403, 500]) expect(codeForStatus(status, cookie)).toBe('session_expired');
  });

  it('keeps the message of an error body with odd fields', () => {
    const body = errorBodySchema.parse(use('error-odd-fields.json'));
    expect(body).toMatchObject({ message: 'Assistance can only be requested on an ACD-routed interaction.', errorCode: undefined, alternateHostList: ['icserver2'] });
    expect(codeForStatus(400, body)).toBe('operation_failed');
  });

  it('reads the feature list', () => {
    const features = toFeatures(featuresAnswerSchema.parse(use('features.json')).featureInfoList);
    expect(Object.fromEntries(features)).toEqual({ connection: 3, interactions: 9, messaging: 1 });
  });
});

describe('ICWS messages', () => {
  it('every message has __type and isDelta', () => {
    for (const name of readdirSync(DIR).filter((f) => f.startsWith('message-'))) {
      expect(messageSchema.safeParse(fixture(name)).success, name).toBe(true);
    }
  });

  it('connection state: Down with and without shouldReconnect', () => {
    const ended = use('message-connection-down-ended.json') as { __type: string };
    expect(ended.__type).toBe(CONNECTION_STATE_CHANGE_TYPE);
    expect(ok(parseConnectionStateChange(ended))).toEqual({
      value: { previous: 'up', next: 'down', reason: 'Oturumunuz bir yönetici tarafından sonlandırıldı.', shouldReconnect: false },
      problems: [],
    });
    expect(ok(parseConnectionStateChange(use('message-connection-down.json'))).value).toEqual({
      previous: 'up',
      next: 'down',
      reason: 'The Session Manager is shutting down.',
    });
  });

  it('subscription state: Suspended, Faulted with its error, Normal', () => {
    const states = [use('message-subscription-suspended.json'), use('message-subscription-faulted.json'), use('message-subscription-normal.json')].map((fixed) => {
      const raw = fixed as { __type: string };
      expect(raw.__type).toBe(ASSISTANCE_SUBSCRIPTION_STATE_TYPE);
      return ok(parseSubscriptionState(raw)).value;
    });
    expect(states).toEqual([
      { state: 'suspended' },
      { state: 'faulted', error: { errorId: 'error.server.subscriptionFaulted', message: 'The subscription could not be kept up to date.' } },
      { state: 'normal' },
    ]);
  });

  it('list, details (basic and extended times) and a newer server\'s enumerations build one view', () => {
    let view: AssistanceView = emptyView;
    const list = use('message-list-full.json') as { __type: string };
    expect(list.__type).toBe(ASSISTANCE_LIST_TYPE);
    view = applyListMessage(view, ok(parseListMessage(list)).value).view;

    const details = use('message-details-full.json') as { __type: string };
    expect(details.__type).toBe(ASSISTANCE_DETAILS_TYPE);
    view = applyDetailsMessage(view, ok(parseDetailsMessage(details, RECEIVED)).value).view;
    expect(currentRequests(view)[0]).toMatchObject({
      assistanceId: REQUEST,
      interactionId: '1001234567',
      state: 'accepted',
      participants: [
        { userId: 'deniz.yilmaz', action: 'initiated' },
        { userId: 'selin.kaya', action: 'accepted' },
        { userId: 'mert.demir', action: 'ignored' },
      ],
    });

    const extended = ok(parseDetailsMessage(use('message-details-extended-times.json'), RECEIVED));
    expect(extended.problems).toEqual([]);
    view = applyDetailsMessage(view, extended.value).view;

    const newer = ok(parseDetailsMessage(use('message-details-unknown-enums.json'), RECEIVED));
    expect(newer.problems).toHaveLength(3);
    view = applyDetailsMessage(view, newer.value).view;

    view = applyListMessage(view, ok(parseListMessage(use('message-list-delta.json'))).value).view;
    const [request, ...others] = currentRequests(view);
    expect(others).toEqual([]);
    expect(request?.state).toBe('unknown');
    expect(request?.participants.find((p) => p.userId === 'selin.kaya')?.action).toBe('unknown');
    expect(request?.messages.map((m) => [m.text, m.timeAdded])).toEqual([
      ['Müşteri kart limitinin artırılmasını istiyor.', '2020-10-29T08:20:18.000Z'],
      ['Geliyorum, bir dakika.', '2020-10-29T08:21:05.000Z'],
      ['Onaylandı, 50 bine kadar.', '2020-10-29T08:22:40.125Z'],
      ['Teşekkürler.', '2020-10-29T08:23:02.000Z'],
      ['Transferred to the escalation desk.', RECEIVED],
      ['Noted.', '2020-10-29T08:25:30.000Z'],
    ]);
  });

  it('the user\'s queue (QUEUE-NOTES.md): a full list, a delta, a newer server\'s odd entries, a faulted subscription', () => {
    const full = use('message-queue-contents-full.json') as { __type: string; subscriptionId: string };
    expect([full.__type, full.subscriptionId]).toEqual([QUEUE_CONTENTS_TYPE, DEFAULT_QUEUE_SUBSCRIPTION_ID]);
    const first = ok(parseQueueContents(full));
    expect(first.problems).toEqual([]);
    let view = applyQueueContents(emptyInteractionsView, first.value).view;
    // The conference member (conferenceParentId) is left out, as Genesys' own client does.
    expect(currentInteractions(view)).toEqual([
      {
        interactionId: '1001234567',
        type: 'Call',
        state: 'connected',
        stateText: 'ACD - Assigned: Deniz Yılmaz',
        remoteName: 'Ayşe Yılmaz',
        remoteAddress: '+905321234567',
        direction: 'inbound',
        workgroup: 'Bireysel Bankacılık',
        initiatedAt: '2020-10-29T08:15:02.000Z',
      },
      expect.objectContaining({ interactionId: '1001234570', type: 'Chat', remoteAddress: 'cagla.sahin@example.com', workgroup: 'Dijital Kanallar' }),
      expect.objectContaining({ interactionId: '1001234575', direction: 'outbound', workgroup: '' }),
    ]);

    view = applyQueueContents(view, ok(parseQueueContents(use('message-queue-contents-delta.json'))).value).view;
    expect(currentInteractions(view).map((i) => [i.interactionId, i.state, i.stateText, i.remoteName])).toEqual([
      ['1001234567', 'held', 'Held', 'Ayşe Yılmaz'],
      ['1001234570', 'connected', 'Connected', 'Çağla Şahin'],
      ['1001234580', 'alerting', 'ACD - Alerting: Deniz Yılmaz', 'Mehmet Öztürk'],
    ]);

    const odd = ok(parseQueueContents(use('message-queue-contents-odd.json')));
    expect(odd.problems).toHaveLength(5);
    view = applyQueueContents(view, odd.value).view;
    expect(currentInteractions(view)).toEqual([
      expect.objectContaining({ interactionId: '1001234567', state: 'held' }),
      // A state sent as a number (some server versions): 2 is Held.
      expect.objectContaining({ interactionId: '1001234570', state: 'held', stateText: 'Held' }),
      {
        interactionId: '1001234590',
        type: 'Generic Object',
        state: 'unknown',
        stateText: '',
        remoteName: 'Zehra Koç',
        remoteAddress: '',
        direction: 'inbound',
        workgroup: '',
        initiatedAt: null,
      },
    ]);

    const faulted = use('message-queue-subscription-faulted.json') as { __type: string; subscriptionId: string };
    expect([faulted.__type, faulted.subscriptionId]).toEqual([QUEUE_SUBSCRIPTION_STATE_TYPE, DEFAULT_QUEUE_SUBSCRIPTION_ID]);
    expect(ok(parseSubscriptionState(faulted)).value).toEqual({
      state: 'faulted',
      error: { errorId: 'error.server.subscriptionFaulted', message: 'The subscription could not be kept up to date.' },
    });
  });

  it('the supervisor\'s list (§2.5): the first whole, a change with full details and a removal, a newer server\'s numbers as unknown', () => {
    const full = use('message-supervisor-list-full.json') as { __type: string };
    expect(full.__type).toBe(SUPERVISOR_ASSISTANCE_TYPE);
    const first = ok(parseSupervisorListMessage(full));
    expect(first.problems).toEqual([]);
    let view = applySupervisorList(emptySupervisorView, first.value, 'me').view;
    expect(currentSupervisorRequests(view)).toEqual([
      {
        assistanceId: REQUEST,
        interactionId: '1001000001',
        problemDescription: 'Müşteri limit artışı istiyor, onay verebilir misiniz?',
        workgroup: 'Bireysel Bankacılık',
        initiator: { userId: 'ayse.yilmaz', displayName: 'Ayşe Yılmaz' },
        state: 'open',
        myAction: 'none',
        acceptedBy: null,
        messages: [],
        participants: [],
      },
      expect.objectContaining({ assistanceId: '0b6a4d1e-2f1c-4a8e-9d3b-7e5f1c2a9b80', state: 'accepted', myAction: 'ignored', acceptedBy: null }),
    ]);

    const delta = ok(parseSupervisorListMessage(use('message-supervisor-list-delta.json')));
    const change = applySupervisorList(view, delta.value, 'me');
    view = change.view;
    expect(change.removed).toEqual(['0b6a4d1e-2f1c-4a8e-9d3b-7e5f1c2a9b80']);
    // Accepted by this supervisor: "me" until the conversation names the display name.
    expect(currentSupervisorRequests(view)).toEqual([expect.objectContaining({ assistanceId: REQUEST, state: 'accepted', myAction: 'accepted', acceptedBy: { userId: 'me', displayName: 'me' } })]);

    const odd = ok(parseSupervisorListMessage(use('message-supervisor-list-odd.json')));
    expect(odd.value.requestsAdded).toEqual([
      {
        assistanceId: '9a8b7c6d-0000-4000-8000-000000000001',
        interactionId: '1001000009',
        problemDescription: 'Yeni sürüm',
        workgroup: '',
        initiator: { userId: 'elif.aydin', displayName: 'elif.aydin' },
        state: 'unknown',
        myAction: 'unknown',
      },
    ]);
    expect(odd.value.requestsRemoved).toEqual(['gone-1']);
    expect(odd.problems).toEqual([
      'requestsAdded[0].state: 5 is not a known state, read as unknown',
      'requestsAdded[0].action: 7 is not a known action, read as unknown',
      'requestsAdded[0].workgroup: 42, read as empty',
      'requestsAdded[1]: no assistanceId, left out',
      'requestsRemoved: 1 entries that are not ids left out',
    ]);
  });

  it('has an expectation for every fixture', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
    expect(files.filter((f) => !covered.has(f))).toEqual([]);
  });
});
