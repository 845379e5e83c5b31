// The contract's schemas, call by call, and dispatch()/checkEvent(): the one gate every
// transport goes through. Every call must have cases here, so a new call without tests
// fails the suite instead of slipping through.

import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CALL_NAMES,
  EVENT_NAMES,
  calls,
  events,
  type CallInput,
  type CallName,
  type EventName,
  type EventPayload,
  type SettingsView,
} from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import { checkEvent, dispatch, type Handlers } from '../../../main/services/dispatch';

const ID_65 = '7'.repeat(65);
const T = Date.UTC(2025, 2, 3, 10, 0, 0);

// Each bad case changes one thing in a good input, so it fails for the reason it names.
type CallCases = { [N in CallName]: { good: CallInput<N>[]; bad: [why: string, input: unknown][] } };
interface CallCase {
  good: unknown[];
  bad: [string, unknown][];
}

const idCases = (field: string, base: Record<string, unknown>): [string, unknown][] => [
  [`${field} missing`, Object.fromEntries(Object.entries(base).filter(([k]) => k !== field))],
  [`${field} empty`, { ...base, [field]: '' }],
  [`${field} blank`, { ...base, [field]: '   ' }],
  [`${field} a number`, { ...base, [field]: 70022 }],
  [`${field} null`, { ...base, [field]: null }],
  [`${field} with a NUL`, { ...base, [field]: '700\u000022' }],
  [`${field} with a newline`, { ...base, [field]: '700\n22' }],
  [`${field} with DEL`, { ...base, [field]: '700\u007f22' }],
  [`${field} with a C1 control`, { ...base, [field]: '700\u008522' }],
  [`${field} of 65 characters`, { ...base, [field]: ID_65 }],
];

const forceEnd = { customerId: '70022', staffId: '45001', reason: 'Agent app crashed', confirmed: true as const };
const history = { startDate: T - 86_400_000, endDate: T };
const link = { staffId: '45001', customerId: '70022', startDate: T - 3_600_000, endDate: T };
const create = { interactionId: '1000000001', text: 'Limit increase?' };
const message = { assistanceId: 'a-1', text: 'Thanks' };

const cases: CallCases = {
  'settings.get': { good: [{}], bad: [] },
  'settings.update': {
    good: [
      {},
      { staffId: '45186', language: 'tr', watchList: ['70022', '70022', '2337368'] },
      { diyalog: { baseUrl: 'https://diyalog.bank.test/api', keyId: 'AKID-1', signatureAlgorithm: 'sha1', transcriptHosts: ['web.diyalog.test'] } },
      { icws: { baseUrl: 'https://pc1.bank.test:8019', userId: 'agent.one', applicationName: 'Companion' } },
    ],
    bad: [
      ['a secret smuggled in at the top', { secret: 'hunter2' }],
      ['a secret smuggled into diyalog', { diyalog: { keyId: 'AKID-1', secret: 'hunter2' } }],
      ['a password smuggled into icws', { icws: { userId: 'agent.one', password: 'hunter2' } }],
      // The window's geometry is main's to save (main/app/window-geometry*.ts), never the page's.
      ['window geometry', { window: { width: 1200, height: 800, x: -1920, y: 0, maximized: false } }],
      ['window forgotten', { window: null }],
      ['a staff id with a control char', { staffId: '451\u000186' }],
      ['a staff id of 65 characters', { staffId: ID_65 }],
      ['an empty staff id', { staffId: '' }],
      ['a staff id as a number', { staffId: 45186 }],
      ['a base url that is not http(s)', { diyalog: { baseUrl: 'ftp://diyalog.bank.test' } }],
      ['a base url with a password', { diyalog: { baseUrl: 'https://u:p@diyalog.bank.test' } }],
      ['a base url with a query', { icws: { baseUrl: 'https://pc1.bank.test/?x=1' } }],
      ['a host name with a scheme', { diyalog: { transcriptHosts: ['https://web.diyalog.test'] } }],
      ['an unknown language', { language: 'de' }],
      ['an unknown signature algorithm', { diyalog: { signatureAlgorithm: 'md5' } }],
      ['a watch list that is not an array', { watchList: '70022' }],
      ['a watched id with a control char', { watchList: ['70022', 'x\ty'] }],
      ['a watch list over 200', { watchList: Array.from({ length: 201 }, (_, i) => String(i)) }],
    ],
  },
  'secret.set': {
    good: [{ kind: 'diyalog', secret: 's' }, { kind: 'icws', secret: 'p'.repeat(4096) }],
    bad: [
      ['an unknown kind', { kind: 'ldap', secret: 's' }],
      ['the kind missing', { secret: 's' }],
      ['the secret missing', { kind: 'diyalog' }],
      ['an empty secret', { kind: 'diyalog', secret: '' }],
      ['a secret over 4096', { kind: 'diyalog', secret: 's'.repeat(4097) }],
      ['a secret as a number', { kind: 'diyalog', secret: 1234 }],
      ['an account alongside', { kind: 'diyalog', secret: 's', account: 'AKID-1' }],
    ],
  },
  'secret.clear': {
    good: [{ kind: 'icws' }],
    bad: [
      ['the kind missing', {}],
      ['an unknown kind', { kind: 'all' }],
    ],
  },
  'connection.test': {
    good: [
      { target: 'diyalog' },
      { target: 'icws' },
      { target: 'diyalog', draft: { settings: { diyalog: { baseUrl: 'https://dlg.bank.local', keyId: 'AK1' } }, secret: 'typed-not-saved' } },
      { target: 'icws', draft: {} },
    ],
    bad: [
      ['the target missing', {}],
      ['a draft with a field settings do not have', { target: 'diyalog', draft: { settings: { secret: 'x' } } }],
      ['a draft with a bad URL', { target: 'icws', draft: { settings: { icws: { baseUrl: 'ftp://x' } } } }],
      ['a draft with an unknown key', { target: 'icws', draft: { password: 'x' } }],
      ['an unknown target', { target: 'ldap' }],
      ['the target as a number', { target: 1 }],
    ],
  },
  'status.get': { good: [{}], bad: [] },
  'language.set': {
    good: [{ language: 'tr' }, { language: 'en' }, { language: null }],
    bad: [
      ['the language missing', {}],
      ['an unknown language', { language: 'de' }],
      ['a locale instead of a language', { language: 'tr-TR' }],
    ],
  },
  'watch.list': { good: [{}], bad: [] },
  'watch.add': { good: [{ customerId: '70022' }, { customerId: 'x'.repeat(64) }], bad: idCases('customerId', { customerId: '70022' }) },
  'watch.remove': { good: [{ customerId: '70022' }], bad: idCases('customerId', { customerId: '70022' }) },
  'watch.refresh': { good: [{ customerId: '70022' }], bad: idCases('customerId', { customerId: '70022' }) },
  'watch.sessionFacts': {
    good: [{ customerId: '70022', staffId: '45001' }],
    bad: [...idCases('customerId', { customerId: '70022', staffId: '45001' }), ...idCases('staffId', { customerId: '70022', staffId: '45001' })],
  },
  'recovery.find': {
    good: [
      { startDate: T - 86_400_000, endDate: T },
      { startDate: T - 86_400_000, endDate: T, agentId: '45001', customerId: '70022', olderThanMinutes: 15 },
      { startDate: T, endDate: T, olderThanMinutes: 0 },
      // Without dates main searches its default window; with one of them, up to now or the default window before the end.
      {},
      { olderThanMinutes: 15, agentId: '45001' },
      { startDate: T - 86_400_000 },
      { endDate: T },
    ],
    bad: [
      ['the range reversed', { startDate: T, endDate: T - 1 }],
      ['a start that is not a date', { startDate: 'yesterday' }],
      ['an end before 1970', { endDate: -1 }],
      ['a negative age', { startDate: T - 1, endDate: T, olderThanMinutes: -1 }],
      ['an age that is not whole', { startDate: T - 1, endDate: T, olderThanMinutes: 1.5 }],
      ['an empty agent id', { startDate: T - 1, endDate: T, agentId: '' }],
      ['a zero-width space in a customer id', { startDate: T - 1, endDate: T, customerId: '700\u200b22' }],
    ],
  },
  'recovery.cancel': { good: [{ searchId: 's-1' }], bad: idCases('searchId', { searchId: 's-1' }) },
  'recovery.result': { good: [{ searchId: 's-1' }], bad: idCases('searchId', { searchId: 's-1' }) },
  'recovery.endMany': {
    good: [
      { sessions: [{ customerId: '70022', staffId: '45001' }], reason: 'Agent app crashed', confirmed: true },
      { sessions: [{ customerId: '70022', staffId: '45001' }, { customerId: '70023', staffId: '45002' }], reason: 'r', confirmed: true, concurrency: 4 },
    ],
    bad: [
      ['no sessions', { sessions: [], reason: 'r', confirmed: true }],
      ['not confirmed', { sessions: [{ customerId: '70022', staffId: '45001' }], reason: 'r' }],
      ['no reason', { sessions: [{ customerId: '70022', staffId: '45001' }], reason: ' ', confirmed: true }],
      ['a session without its staff', { sessions: [{ customerId: '70022' }], reason: 'r', confirmed: true }],
      ['a bidi override in an id', { sessions: [{ customerId: '700\u202e22', staffId: '45001' }], reason: 'r', confirmed: true }],
      ['a zero concurrency', { sessions: [{ customerId: '70022', staffId: '45001' }], reason: 'r', confirmed: true, concurrency: 0 }],
    ],
  },
  'recovery.cancelEnd': { good: [{ jobId: 'j-1' }], bad: idCases('jobId', { jobId: 'j-1' }) },
  'audit.verify': { good: [{}], bad: [] },
  'recovery.forceEnd': {
    good: [forceEnd, { ...forceEnd, reason: 'r'.repeat(500) }],
    bad: [
      ['confirmed missing', { customerId: '70022', staffId: '45001', reason: 'Agent app crashed' }],
      ['confirmed false', { ...forceEnd, confirmed: false }],
      ['confirmed as a string', { ...forceEnd, confirmed: 'true' }],
      ['the reason empty', { ...forceEnd, reason: '' }],
      ['the reason blank', { ...forceEnd, reason: ' \n\t ' }],
      ['the reason missing', { customerId: '70022', staffId: '45001', confirmed: true }],
      ['the reason over 500', { ...forceEnd, reason: 'r'.repeat(501) }],
      ...idCases('customerId', forceEnd),
      ...idCases('staffId', forceEnd),
    ],
  },
  'history.start': {
    good: [history, { ...history, startDate: T, endDate: T }, { ...history, customerId: '70022', agentId: '45001', concurrency: 16 }, { startDate: 0, endDate: 8.64e15 }],
    bad: [
      ['start after end', { startDate: T, endDate: T - 1 }],
      ['the start missing', { endDate: T }],
      ['the end missing', { startDate: T }],
      ['a start before 1970', { ...history, startDate: -1 }],
      ['an end past what a Date holds', { ...history, endDate: 8.64e15 + 1 }],
      ['a fractional start', { ...history, startDate: T - 0.5 }],
      ['dates as ISO text', { startDate: '2025-03-02T10:00:00Z', endDate: '2025-03-03T10:00:00Z' }],
      ['a NaN end', { ...history, endDate: Number.NaN }],
      ['concurrency 0', { ...history, concurrency: 0 }],
      ['concurrency 17', { ...history, concurrency: 17 }],
      ['fractional concurrency', { ...history, concurrency: 2.5 }],
      ['a customer id with a control char', { ...history, customerId: '70\u001b22' }],
      ['an agent id of 65 characters', { ...history, agentId: ID_65 }],
      ['an empty agent id', { ...history, agentId: '' }],
    ],
  },
  'history.cancel': {
    good: [{ walkId: '2d1c0e5a-4a4f-4c55-9f63-1f4c2b7a3f10' }],
    bad: [
      ['the walk id missing', {}],
      ['an empty walk id', { walkId: '' }],
      ['a walk id of 65 characters', { walkId: ID_65 }],
      ['a walk id as a number', { walkId: 7 }],
    ],
  },
  'history.result': {
    good: [{ walkId: 'w-1' }],
    bad: [
      ['the walk id missing', {}],
      ['an empty walk id', { walkId: '' }],
      ['a walk id of 65 characters', { walkId: ID_65 }],
    ],
  },
  'transcript.link': {
    good: [link, { ...link, startDate: T, endDate: T }],
    bad: [
      ['start after end', { ...link, startDate: T + 1 }],
      ['the end missing', { staffId: '45001', customerId: '70022', startDate: T }],
      ['a negative start', { ...link, startDate: -5 }],
      ...idCases('staffId', link),
      ...idCases('customerId', link),
    ],
  },
  'transcript.open': {
    // Which URLs may leave the app is the handler's decision (it knows the configured hosts).
    good: [{ url: 'https://web.diyalog.test/messagingdetail.html?token=abc' }],
    bad: [
      ['the url missing', {}],
      ['the url as an object', { url: { href: 'https://web.diyalog.test/' } }],
      ['a url over 4096', { url: `https://web.diyalog.test/${'a'.repeat(4096)}` }],
    ],
  },
  'ui.visibility': {
    good: [{ visible: true }, { visible: false }],
    bad: [
      ['visible missing', {}],
      ['visible as text', { visible: 'true' }],
      ['visible as a number', { visible: 1 }],
    ],
  },
  'assistance.list': { good: [{}], bad: [] },
  'assistance.create': {
    good: [create, { ...create, text: 't'.repeat(2000) }, { ...create, text: 'line one\nline two' }],
    bad: [
      ['the text empty', { ...create, text: '' }],
      ['the text blank', { ...create, text: '  \n ' }],
      ['the text over 2000', { ...create, text: 't'.repeat(2001) }],
      ['the text missing', { interactionId: '1000000001' }],
      ['the text as a number', { ...create, text: 42 }],
      ...idCases('interactionId', create),
    ],
  },
  'assistance.addMessage': {
    good: [message],
    bad: [
      ['the text empty', { ...message, text: '' }],
      ['the text over 2000', { ...message, text: 'm'.repeat(2001) }],
      ...idCases('assistanceId', message),
    ],
  },
  'assistance.complete': { good: [{ assistanceId: 'a-1' }], bad: idCases('assistanceId', { assistanceId: 'a-1' }) },
  'assistance.loginAgain': { good: [{}], bad: [] },
  'interactions.list': { good: [{}], bad: [] },
  'supervise.list': { good: [{}], bad: [['an unknown field', { all: true }]] },
  'supervise.accept': {
    good: [{ assistanceId: 'a-1' }],
    bad: [...idCases('assistanceId', { assistanceId: 'a-1' }), ['an id with a slash', { assistanceId: 'a/1' }], ['a text along', { assistanceId: 'a-1', text: 'x' }]],
  },
  'supervise.ignore': { good: [{ assistanceId: 'a-1' }], bad: [...idCases('assistanceId', { assistanceId: 'a-1' }), ['an id with a slash', { assistanceId: '../a' }]] },
  'supervise.answer': {
    good: [message, { ...message, text: 's'.repeat(2000) }],
    bad: [
      ['the text empty', { ...message, text: '' }],
      ['the text blank', { ...message, text: ' \n ' }],
      ['the text over 2000', { ...message, text: 's'.repeat(2001) }],
      ['the text missing', { assistanceId: 'a-1' }],
      ...idCases('assistanceId', message),
    ],
  },
  'supervise.retry': { good: [{}], bad: [] },
  'agents.list': { good: [{}], bad: [] },
  'agents.interactions': {
    good: [{ userId: 'agent.one' }],
    bad: [...idCases('userId', { userId: 'agent.one' }), ['a user id with a slash', { userId: 'agent/one' }]],
  },
  'agents.closeInteractions': { good: [{ userId: 'agent.one' }], bad: idCases('userId', { userId: 'agent.one' }) },
  'audit.entries': { good: [{}], bad: [] },
  'demo.useServers': {
    good: [
      { settings: { diyalog: { baseUrl: 'https://diyalog.bank.test', keyId: 'AKID-1' }, staffId: '45186' }, secrets: { diyalog: 's' } },
      { settings: { icws: { baseUrl: 'https://pc1.bank.test:8019', userId: 'agent.one' } }, secrets: {} },
    ],
    bad: [
      ['no secrets object', { settings: {} }],
      ['a secret for an unknown service', { settings: {}, secrets: { ldap: 'x' } }],
      ['window geometry (main saves it itself)', { settings: { window: { width: 900 } }, secrets: {} }],
      ['a secret smuggled into the settings', { settings: { diyalog: { secret: 'x' } }, secrets: {} }],
      ['a base url with a password', { settings: { diyalog: { baseUrl: 'https://u:p@diyalog.bank.test' } }, secrets: {} }],
    ],
  },
};

/** Bad for every call: not an object at all, or a good input with a key the contract does not know. */
function commonBad(good: unknown): [string, unknown][] {
  const fields = JSON.stringify(good).slice(1, -1);
  return [
    ['a string', 'settings'],
    ['a number', 42],
    ['an array', [good]],
    ['true', true],
    ['an unknown extra key', { ...(good as object), password: 'hunter2' }],
    // JSON.parse makes __proto__ an own key, as a structured clone from the renderer would.
    ['__proto__ as an own key', JSON.parse(`{"__proto__": {"secret": "hunter2"}${fields ? `, ${fields}` : ''}}`)],
  ];
}

function caseOf(name: string): CallCase | undefined {
  return (cases as Partial<Record<string, CallCase>>)[name];
}

/** Every handler fails the test if reached, unless overridden. */
function handlers(over: Partial<Handlers> = {}): Handlers {
  const unreached = Object.fromEntries(
    CALL_NAMES.map((name) => [
      name,
      async () => {
        throw new Error(`handler ${name} must not be reached`);
      },
    ]),
  );
  return { ...unreached, ...over } as Handlers;
}

/** Every handler answers "reached" with a code no validation failure uses. */
const reachedHandlers = handlers(
  Object.fromEntries(
    CALL_NAMES.map((name) => [
      name,
      async () => {
        throw new AppError('not_found', `reached ${name}`);
      },
    ]),
  ) as Partial<Handlers>,
);

describe('the contract: every call has test cases', () => {
  it('lists cases for every call and for no call that does not exist', () => {
    const missing = CALL_NAMES.filter((name) => {
      const c = caseOf(name);
      return !c || c.good.length === 0;
    });
    expect(missing, 'calls without a good input here').toEqual([]);
    expect(Object.keys(cases).filter((name) => !CALL_NAMES.includes(name as CallName))).toEqual([]);
  });
});

describe.each(CALL_NAMES.map((name) => [name]))('%s', (name) => {
  const c = caseOf(name) ?? { good: [], bad: [] };
  const schema = calls[name].input;
  const bad = [...c.bad, ...(c.good[0] === undefined ? [] : commonBad(c.good[0]))];

  it('accepts each good input', () => {
    expect(c.good.length).toBeGreaterThan(0);
    for (const input of c.good) {
      const result = schema.safeParse(input);
      expect(result.success, `${name} ${JSON.stringify(input).slice(0, 200)}: ${result.error?.issues[0]?.message}`).toBe(true);
    }
  });

  it('rejects each bad input', () => {
    for (const [why, input] of bad) expect(schema.safeParse(input).success, `${name} accepted ${why}`).toBe(false);
  });

  it('through dispatch: good inputs reach the handler, bad ones are invalid_input and never do', async () => {
    for (const input of c.good) {
      expect(await dispatch(reachedHandlers, name, input)).toEqual({ ok: false, error: { code: 'not_found', message: `reached ${name}` } });
    }
    for (const [why, input] of bad) {
      const result = await dispatch(reachedHandlers, name, input);
      expect(result.ok, why).toBe(false);
      if (!result.ok) {
        expect(result.error.code, why).toBe('invalid_input');
        // Worded by the one formatter (shared/validation.ts): the field, then the rule.
        expect(result.error.message, why).toMatch(/^Invalid .+: .+/);
        expect(result.error.message, why).not.toContain('hunter2');
      }
    }
  });
});

describe('input parsing hands the handler the parsed value', () => {
  it('trims ids and text before the handler sees them', async () => {
    let seen: unknown;
    const h = handlers({
      'assistance.create': async (input) => {
        seen = input;
        return { assistanceId: 'a-1' };
      },
    });
    const result = await dispatch(h, 'assistance.create', { interactionId: '  1000000001 ', text: '\n Limit? \n' });
    expect(result).toEqual({ ok: true, value: { assistanceId: 'a-1' } });
    expect(seen).toEqual({ interactionId: '1000000001', text: 'Limit?' });
  });

  it('de-duplicates a watch list in a settings update', async () => {
    let seen: unknown;
    const h = handlers({
      'settings.update': async (patch) => {
        seen = patch;
        return view();
      },
    });
    expect((await dispatch(h, 'settings.update', { watchList: ['70022', ' 70022', '123456'] })).ok).toBe(true);
    expect(seen).toEqual({ watchList: ['70022', '123456'] });
  });

  it('treats a missing input as {} for calls that take none', async () => {
    const h = handlers({ 'watch.list': async () => [] });
    expect(await dispatch(h, 'watch.list', undefined)).toEqual({ ok: true, value: [] });
    expect(await dispatch(h, 'watch.list', null)).toEqual({ ok: true, value: [] });
    expect((await dispatch(h, 'watch.add', undefined)).ok).toBe(false);
  });
});

function view(over: Partial<SettingsView> = {}): SettingsView {
  return { settings: structuredClone(DEFAULT_SETTINGS), secrets: { diyalog: true, icws: false }, recoveredFrom: null, overridden: [], locked: [], allowedRoles: ['agent', 'supervisor'], ...over };
}

describe('dispatch', () => {
  it('answers invalid_input for a name that is not a call', async () => {
    for (const name of ['settings.delete', '', 'SETTINGS.GET', 'toString', 'constructor', '__proto__', 'hasOwnProperty', 42, null, undefined, { name: 'settings.get' }]) {
      const result = await dispatch(reachedHandlers, name, {});
      expect(result, String(name)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
  });

  it('keeps a long unknown name out of the message', async () => {
    const result = await dispatch(reachedHandlers, `x${'y'.repeat(500)}`, {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message.length).toBeLessThan(120);
  });

  it('turns an AppError into {code, message} and nothing more', async () => {
    const h = handlers({
      'watch.refresh': async () => {
        throw new AppError('customer_not_found', 'No such customer: 70022.', { status: 200, serverBody: 'secret-ish detail' });
      },
    });
    const result = await dispatch(h, 'watch.refresh', { customerId: '70022' });
    expect(result).toEqual({ ok: false, error: { code: 'customer_not_found', message: 'No such customer: 70022.' } });
    if (!result.ok) expect(Object.keys(result.error).sort()).toEqual(['code', 'message']);
  });

  it('turns a plain Error, a thrown string and a synchronous throw into internal', async () => {
    const plain = handlers({
      'status.get': async () => {
        throw new TypeError('Cannot read properties of undefined');
      },
    });
    expect(await dispatch(plain, 'status.get', {})).toEqual({ ok: false, error: { code: 'internal', message: 'Cannot read properties of undefined' } });

    const thrownString = handlers({
      'status.get': async () => {
        throw 'boom';
      },
    });
    expect(await dispatch(thrownString, 'status.get', {})).toEqual({ ok: false, error: { code: 'internal', message: 'boom' } });

    const synchronous = handlers({
      'status.get': (() => {
        throw new Error('thrown before any promise');
      }) as unknown as Handlers['status.get'],
    });
    expect(await dispatch(synchronous, 'status.get', {})).toEqual({ ok: false, error: { code: 'internal', message: 'thrown before any promise' } });
  });

  it('turns an abort into cancelled', async () => {
    const h = handlers({
      'history.result': async () => {
        throw new DOMException('The operation was aborted.', 'AbortError');
      },
    });
    expect(await dispatch(h, 'history.result', { walkId: 'w-1' })).toMatchObject({ ok: false, error: { code: 'cancelled' } });
  });

  it('answers internal when a handler returns what the contract does not allow, without echoing it', async () => {
    const wrong: [CallName, unknown][] = [
      ['status.get', { demo: 'yes' }],
      ['watch.list', [{ customerId: '70022', state: null, error: null }]],
      ['connection.test', { ok: false, latencyMs: 3, host: 'hunter2', clockOffsetSeconds: null }],
      ['recovery.forceEnd', { customerId: '70022', staffId: '45001', outcome: 'maybe', message: 'hunter2' }],
      ['history.result', { status: 'paused' }],
      ['audit.entries', undefined],
      ['settings.get', { settings: DEFAULT_SETTINGS, secrets: { diyalog: 'hunter2', icws: false }, recoveredFrom: null, overridden: [], locked: [], allowedRoles: ['agent', 'supervisor'] }],
    ];
    for (const [name, value] of wrong) {
      const h = handlers({ [name]: async () => value } as Partial<Handlers>);
      const input = caseOf(name)?.good[0];
      const result = await dispatch(h, name, input);
      expect(result, name).toMatchObject({ ok: false, error: { code: 'internal' } });
      if (!result.ok) expect(result.error.message).not.toContain('hunter2');
    }
  });

  it('strips fields the contract does not name, at every depth, so a stray secret never leaves main', async () => {
    const leaky = {
      ...view(),
      secret: 'hunter2',
      secrets: { diyalog: true, icws: true, icwsPassword: 'hunter2' },
      settings: { ...structuredClone(DEFAULT_SETTINGS), diyalog: { ...DEFAULT_SETTINGS.diyalog, secret: 'hunter2' } },
    };
    const h = handlers({ 'settings.get': async () => leaky as SettingsView });
    const result = await dispatch(h, 'settings.get', {});
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(result).toEqual({ ok: true, value: view({ secrets: { diyalog: true, icws: true } }) });

    const list = handlers({
      'watch.list': async () => [{ customerId: '70022', state: null, error: null, checkedAt: null, confirmedAt: null, freshUntil: null, cookie: 'icws_1=hunter2' }],
    });
    expect(await dispatch(list, 'watch.list', {})).toEqual({ ok: true, value: [{ customerId: '70022', state: null, error: null, checkedAt: null, confirmedAt: null, freshUntil: null }] });
  });
});

// ---------------------------------------------------------------------------
// Events

const record = {
  onlineHelpId: 1001,
  customerNo: '70022',
  customerName: 'Çağla Şahin',
  agentId: '45001',
  helpState: 'onlinehelp_ended_by_agent',
  helpRequestedAt: T - 60_000,
  helpStartedAt: T - 50_000,
  helpEndedAt: T,
  waitTime: 10,
  helpTime: 50,
  conversationDetailLink: 'https://web.diyalog.test/onlinehelpdetail.html?id=1001',
};
const request = {
  assistanceId: 'a-1',
  interactionId: '1000000001',
  state: 'accepted' as const,
  messages: [{ text: 'Limit?', participantId: 'demo.agent', timeAdded: '2025-03-03T10:00:00.000Z' }],
  participants: [{ userId: 'demo.supervisor', displayName: 'Selin Kaya', action: 'accepted' as const }],
};
const status = {
  demo: false,
  version: '1.0.0',
  language: 'tr' as const,
  diyalog: { configured: true, hasSecret: true, health: { state: 'ok' as const, lastSuccessAt: 1_700_000_000_000, clockOffsetSeconds: 0, error: null } },
  icws: { state: 'down' as const, reason: 'Logged out.', code: 'cancelled' },
  assistanceStale: false,
};

const interaction = {
  interactionId: '1001000001',
  type: 'Call',
  state: 'connected' as const,
  stateText: 'Connected',
  remoteName: 'Ayşe Yılmaz',
  remoteAddress: '+905321234567',
  direction: 'inbound' as const,
  workgroup: 'Bireysel Bankacılık',
  initiatedAt: '2025-03-03T10:00:00.000Z',
};

const supervisorRequest = {
  assistanceId: 'a-1',
  interactionId: '1000000001',
  problemDescription: 'Limit?',
  workgroup: 'Bireysel Bankacılık',
  initiator: { userId: 'agent.one', displayName: 'Ayşe Demir' },
  state: 'accepted' as const,
  myAction: 'none' as const,
  acceptedBy: { userId: 'sup.two', displayName: 'Can Öz' },
  messages: request.messages,
  participants: request.participants,
};
const desk = { state: 'live' as const, requests: [supervisorRequest], stale: false, error: null };
const agentRow = { userId: 'agent.one', statusId: 'Available', loggedIn: true, onPhone: false, since: '2025-03-03T10:00:00.000Z', error: null };

type EventCases = { [E in EventName]: { good: EventPayload<E>[]; bad: [string, unknown][] } };
const eventCases: EventCases = {
  'watch.changed': {
    good: [
      { customerId: '70022', state: { customerId: '70022', isInHelp: true, helpType: 'inbound', staffId: '45001' }, error: null, checkedAt: T, confirmedAt: T, freshUntil: T + 10_000 },
      { customerId: '70022', state: null, error: { code: 'unavailable', message: 'down' }, checkedAt: T, confirmedAt: null, freshUntil: null },
    ],
    bad: [
      ['an unknown help type', { customerId: '70022', state: { customerId: '70022', isInHelp: true, helpType: 'sideways', staffId: null }, error: null, checkedAt: T, confirmedAt: T, freshUntil: T }],
      ['an unknown error code', { customerId: '70022', state: null, error: { code: 'oops', message: 'x' }, checkedAt: T, confirmedAt: null, freshUntil: null }],
      ['checkedAt missing', { customerId: '70022', state: null, error: null, confirmedAt: null, freshUntil: null }],
      ['freshness missing (main owns it: an entry without it is a bug)', { customerId: '70022', state: null, error: null, checkedAt: T }],
    ],
  },
  'watch.listed': {
    good: [[], [{ customerId: '70022', state: null, error: null, checkedAt: null, confirmedAt: null, freshUntil: null }]],
    bad: [
      ['not a list', { customerId: '70022' }],
      ['an entry without freshness', [{ customerId: '70022', state: null, error: null, checkedAt: null }]],
    ],
  },
  'history.progress': {
    good: [{ walkId: 'w-1', progress: { slicesDone: 250, slicesTotal: 1000, records: 40, requests: 3 } }],
    bad: [
      ['progress missing', { walkId: 'w-1' }],
      ['a count as text', { walkId: 'w-1', progress: { slicesDone: '1', slicesTotal: 1000, records: 0, requests: 0 } }],
    ],
  },
  'recovery.progress': {
    good: [{ searchId: 's-1', progress: { phase: 'confirm' as const, walked: 500, records: 120, candidates: 4, checked: 2, requests: 9 } }],
    bad: [['an unknown phase', { searchId: 's-1', progress: { ...{ phase: 'confirm' as const, walked: 500, records: 120, candidates: 4, checked: 2, requests: 9 }, phase: 'sleep' } }]],
  },
  'recovery.done': {
    good: [{ searchId: 's-1', result: { window: { from: '2026-11-28T09:00:00.000Z', to: '2026-12-01T09:00:00.000Z' }, sessions: [{ customerId: '70022', customerName: 'Ayşe', staffId: '45001', staffName: 'Can', onlineHelpId: 5, startedAt: '2026-12-01T09:00:00.000Z', minutes: 60 }], candidates: 3, dropped: { ended: 1, otherStaff: 1, unknown: 0 }, requests: 12 }, error: null }, { searchId: 's-1', result: null, error: { code: 'cancelled', message: 'Cancelled.' } }],
    bad: [['the window missing', { searchId: 's-1', result: { sessions: [], candidates: 0, dropped: { ended: 0, otherStaff: 0, unknown: 0 }, requests: 1 }, error: null }], ['a session without its staff', { searchId: 's-1', result: { ...{ window: { from: '2026-11-28T09:00:00.000Z', to: '2026-12-01T09:00:00.000Z' }, sessions: [{ customerId: '70022', customerName: 'Ayşe', staffId: '45001', staffName: 'Can', onlineHelpId: 5, startedAt: '2026-12-01T09:00:00.000Z', minutes: 60 }], candidates: 3, dropped: { ended: 1, otherStaff: 1, unknown: 0 }, requests: 12 }, sessions: [{ customerId: '1' }] }, error: null }]],
  },
  'recovery.outcome': {
    good: [{ jobId: 'j-1', row: { customerId: '70022', staffId: '45001', outcome: 'ended' as const, message: 'Ended.', auditId: 'a-1', recheck: { isInHelp: false, staffId: null } }, done: 1, total: 2 }, { jobId: 'j-1', row: { ...{ customerId: '70022', staffId: '45001', outcome: 'ended' as const, message: 'Ended.', auditId: 'a-1', recheck: { isInHelp: false, staffId: null } }, outcome: 'unknown' as const, code: 'server_error', recheck: null }, done: 2, total: 2 }, { jobId: 'j-1', row: { customerId: '70022', staffId: '45001', outcome: 'unknown' as const, code: 'cancelled', message: 'Checking.', auditId: 'a-1', recheck: null, checking: true as const }, done: 0, total: 2 }, { jobId: 'j-1', row: { customerId: '70022', staffId: '45001', outcome: 'not_sent' as const, code: 'cancelled', message: 'Stopped before its turn; nothing was sent.', recheck: null }, done: 1, total: 2 }],
    bad: [['checking said false', { jobId: 'j-1', row: { customerId: '70022', staffId: '45001', outcome: 'unknown' as const, message: 'm', recheck: null, checking: false }, done: 0, total: 1 }], ['an outcome not in the vocabulary', { jobId: 'j-1', row: { ...{ customerId: '70022', staffId: '45001', outcome: 'ended' as const, message: 'Ended.', auditId: 'a-1', recheck: { isInHelp: false, staffId: null } }, outcome: 'probably' }, done: 1, total: 1 }]],
  },
  'recovery.ended': {
    good: [{ jobId: 'j-1', results: [{ customerId: '70022', staffId: '45001', outcome: 'ended' as const, message: 'Ended.', auditId: 'a-1', recheck: { isInHelp: false, staffId: null } }], error: null }, { jobId: 'j-1', results: null, error: { code: 'cancelled', message: 'Cancelled.' } }],
    bad: [['results not a list', { jobId: 'j-1', results: { customerId: '70022', staffId: '45001', outcome: 'ended' as const, message: 'Ended.', auditId: 'a-1', recheck: { isInHelp: false, staffId: null } }, error: null }]],
  },
  'history.done': {
    good: [
      { walkId: 'w-1', result: { items: [record], requests: 2, warnings: [{ code: 'timestamp_overflow', timestamp: T, message: 'm' }] }, error: null },
      { walkId: 'w-1', result: null, error: { code: 'cancelled', message: 'The history search was cancelled.' } },
    ],
    bad: [
      ['result and error both missing', { walkId: 'w-1' }],
      ['a record without its id', { walkId: 'w-1', result: { items: [{ ...record, onlineHelpId: undefined }], requests: 1, warnings: [] }, error: null }],
      ['an unknown warning', { walkId: 'w-1', result: { items: [], requests: 1, warnings: [{ code: 'other', timestamp: T, message: 'm' }] }, error: null }],
    ],
  },
  'assistance.changed': {
    good: [[], [request]],
    bad: [
      ['not an array', request],
      ['an unknown state', [{ ...request, state: 'escalated' }]],
      ['a participant action as a number', [{ ...request, participants: [{ userId: 'u', displayName: 'U', action: 3 }] }]],
    ],
  },
  'assistance.alert': {
    good: [
      { assistanceId: 'a1', interactionId: '1001', from: 'Selin Kaya', text: 'Geliyorum', at: '2026-12-01T10:00:00.000Z' },
      { assistanceId: 'a1', interactionId: null, from: 'selin.kaya', text: '', at: '2026-12-01T10:00:00.000Z' },
    ],
    bad: [
      ['no sender', { assistanceId: 'a1', interactionId: null, text: 'x', at: '2026-12-01T10:00:00.000Z' }],
      ['the text as a number', { assistanceId: 'a1', interactionId: null, from: 'S', text: 1, at: '2026-12-01T10:00:00.000Z' }],
    ],
  },
  'interactions.changed': {
    good: [
      [],
      [interaction, { ...interaction, interactionId: '1001000002', type: '', state: 'unknown', stateText: '', remoteName: '', remoteAddress: '', direction: 'unknown', workgroup: '', initiatedAt: null }],
    ],
    bad: [
      ['not an array', interaction],
      ['an unknown state', [{ ...interaction, state: 'ringing' }]],
      ['a state letter as sent by ICWS', [{ ...interaction, state: 'C' }]],
      ['an unknown direction', [{ ...interaction, direction: 'sideways' }]],
      ['the id missing', [{ ...interaction, interactionId: undefined }]],
      ['a time as a number', [{ ...interaction, initiatedAt: 1_741_000_000_000 }]],
    ],
  },
  'connection.changed': {
    good: [
      { state: 'connecting' },
      { state: 'up', host: '127.0.0.1:8019', sse: true },
      // polling because a proxy held the stream back; the password expires within a week
      { state: 'up', host: '127.0.0.1:8019', sse: false, proxyBuffering: true, passwordExpiresInDays: 3 },
      { state: 'switching', host: '127.0.0.2:8019' },
      { state: 'down', reason: 'Bu kullanıcı için kullanılabilir istemci erişim lisansı yok.', code: 'connect_refused' },
      status.icws,
    ],
    bad: [
      ['up without a host', { state: 'up', sse: true }],
      ['password days as a fraction', { state: 'up', host: 'ic1', sse: true, passwordExpiresInDays: 2.5 }],
      ['proxy buffering as text', { state: 'up', host: 'ic1', sse: false, proxyBuffering: 'yes' }],
      ['an unknown state', { state: 'sleeping' }],
    ],
  },
  'status.changed': {
    good: [status, { ...status, demo: true, language: 'en', icws: null }],
    bad: [
      ['an unknown language', { ...status, language: 'de' }],
      ['diyalog missing', { ...status, diyalog: undefined }],
    ],
  },
  'supervise.changed': {
    good: [
      desk,
      { state: 'refused', requests: [], stale: false, error: { code: 'not_supervisor', message: 'Not a supervisor.' } },
      { ...desk, stale: true, requests: [{ ...supervisorRequest, state: 'unknown', myAction: 'unknown', acceptedBy: null, messages: [], participants: [] }] },
    ],
    bad: [
      ['an unknown desk state', { ...desk, state: 'sleeping' }],
      ['a request state as ICWS numbers it', { ...desk, requests: [{ ...supervisorRequest, state: 1 }] }],
      ['an unknown action', { ...desk, requests: [{ ...supervisorRequest, myAction: 'initiated' }] }],
      ['the initiator without a name', { ...desk, requests: [{ ...supervisorRequest, initiator: { userId: 'agent.one' } }] }],
      ['error missing', { state: 'live', requests: [], stale: false }],
    ],
  },
  'supervise.alert': {
    good: [{ kind: 'request', assistanceId: 'a-1', interactionId: '1001', workgroup: 'W', from: 'Ayşe Demir', text: 'Limit?', at: '2026-12-01T10:00:00.000Z' }],
    bad: [
      ['an unknown kind', { kind: 'toast', assistanceId: 'a-1', interactionId: '1001', workgroup: 'W', from: 'A', text: 'x', at: '2026-12-01T10:00:00.000Z' }],
      ['no sender', { kind: 'message', assistanceId: 'a-1', interactionId: '1001', workgroup: 'W', text: 'x', at: '2026-12-01T10:00:00.000Z' }],
    ],
  },
  'agents.changed': {
    good: [
      { agents: [], error: null },
      { agents: [agentRow, { userId: 'ghost', statusId: null, loggedIn: null, onPhone: null, since: null, error: { code: 'not_found', message: 'No such user.' } }], error: null },
      { agents: [], error: { code: 'missing_credentials', message: 'ICWS is not configured.' } },
    ],
    bad: [
      ['a row without its user', { agents: [{ ...agentRow, userId: undefined }], error: null }],
      ['on the phone as text', { agents: [{ ...agentRow, onPhone: 'yes' }], error: null }],
      ['an unknown error code', { agents: [{ ...agentRow, error: { code: 'nope', message: 'x' } }], error: null }],
    ],
  },
  'agents.interactionsChanged': {
    good: [
      { userId: 'agent.one', interactions: [interaction], error: null },
      { userId: 'agent.one', interactions: [], error: { code: 'no_queue_right', message: 'No right.' } },
    ],
    bad: [
      ['the user missing', { interactions: [], error: null }],
      ['an interaction in an unknown state', { userId: 'agent.one', interactions: [{ ...interaction, state: 'ringing' }], error: null }],
    ],
  },
};

describe('events', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('has cases for every event', () => {
    const missing = EVENT_NAMES.filter((name) => !(eventCases as Partial<Record<string, unknown>>)[name]);
    expect(missing).toEqual([]);
  });

  it.each(EVENT_NAMES.map((name) => [name]))('%s: accepts its good payloads and checkEvent drops the bad ones', (name) => {
    const c = eventCases[name] as { good: unknown[]; bad: [string, unknown][] };
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    for (const payload of c.good) {
      expect(events[name].safeParse(payload).success, JSON.stringify(payload)).toBe(true);
      expect(checkEvent(name, payload as EventPayload<typeof name>)).toEqual(payload);
    }
    expect(errors).not.toHaveBeenCalled();
    for (const [why, payload] of c.bad) {
      expect(events[name].safeParse(payload).success, why).toBe(false);
      expect(checkEvent(name, payload as EventPayload<typeof name>), why).toBeUndefined();
    }
    expect(errors).toHaveBeenCalledTimes(c.bad.length);
  });

  it('strips what an event schema does not name and never logs the payload', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const entry = { customerId: '70022', state: null, error: null, checkedAt: T, confirmedAt: null, freshUntil: null };
    expect(checkEvent('watch.changed', { ...entry, password: 'hunter2' } as EventPayload<'watch.changed'>)).toEqual(entry);
    expect(checkEvent('watch.changed', { ...entry, checkedAt: 'hunter2' } as unknown as EventPayload<'watch.changed'>)).toBeUndefined();
    expect(JSON.stringify(errors.mock.calls)).not.toContain('hunter2');
  });
});
