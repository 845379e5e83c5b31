// The composition root against the real simulators, the real keychain and a temp data dir,
// driven only through dispatch() as either transport would. Run under `sh test/with-keyring.sh`.

import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import keytar from 'keytar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallInput, CallName, CallOutput, EventName, EventPayload } from '../../../shared/contract';
import type { ErrorValue } from '../../../shared/errors';
import { createCompanion, type Companion } from '../../../main/services/companion';
import { startDemo } from '../../../main/services/demo';
import { checkEvent, dispatch } from '../../../main/services/dispatch';
import { diyalogAccount } from '../../../main/services/secrets';
import { Keychain } from '../../../main/store/keychain';
import { TRANSCRIPT_HOST } from '../../../main/sim/diyalog/data';
import { startDiyalogSim, type DiyalogSim } from '../../../main/sim/diyalog/server';
import { startIcwsSim, type IcwsSim } from '../../../main/sim/icws/server';
import { waitUntil } from '../../support/wait';

const SUPERVISOR_REPLY = 'Geliyorum, bir dakika.';
const DAY = 86_400_000;
const TRANSCRIPT_HOSTNAME = new URL(TRANSCRIPT_HOST).hostname;

const service = `agent-companion-test-${randomUUID()}`;
const realKeychain = new Keychain(service);
/** The real keychain, with a count of reads: the secret must be read once, not per poll. */
let keychainReads = 0;
const keychain = {
  getSecret: (kind: 'diyalog' | 'icws', account: string) => {
    keychainReads += 1;
    return realKeychain.getSecret(kind, account);
  },
  setSecret: realKeychain.setSecret.bind(realKeychain),
  deleteSecret: realKeychain.deleteSecret.bind(realKeychain),
};
let dataDir: string;
let diyalogSim: DiyalogSim;
let icwsSim: IcwsSim;
let companion: Companion;

type Recorded = { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName];
const recorded: Recorded[] = [];
const dropped: EventName[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'companion-test-'));
  diyalogSim = await startDiyalogSim({ historySize: 300, seed: 11 });
  icwsSim = await startIcwsSim({ supervisor: { acceptDelayMs: 20, reply: SUPERVISOR_REPLY } });
  companion = await createCompanion({ dataDir, fetch, secrets: keychain, demo: false, version: '9.9.9-test', osLocale: 'tr-TR', connectionTestIntervalMs: 0 });
  // Every event goes through the same check the transports apply.
  companion.subscribe((event, payload) => {
    const checked = checkEvent(event, payload);
    if (checked === undefined) dropped.push(event);
    else recorded.push({ event, payload: checked } as Recorded);
  });
  // Configured here, not by the first test: each test then stands alone, in any order.
  await configure(companion);
  await icwsUp();
  // Subscribed: the first assistance list (said even when empty) is what was there before any test asks.
  await waitFor('the first assistance list', () => recorded.some((r) => r.event === 'assistance.changed'));
});

afterAll(async () => {
  await companion?.stop();
  await Promise.all([diyalogSim?.close(), icwsSim?.close()]);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  for (const svc of [service, `${service}-fresh`, `${service}-stop`]) {
    for (const { account } of await keytar.findCredentials(svc)) await keytar.deletePassword(svc, account);
  }
});

/** Points a companion at the two simulators, with both secrets in its keychain. */
async function configure(c: Companion): Promise<void> {
  await call(
    'settings.update',
    {
      diyalog: { baseUrl: diyalogSim.url, keyId: diyalogSim.credentials.keyId, transcriptHosts: [TRANSCRIPT_HOSTNAME] },
      staffId: diyalogSim.staffId,
      icws: { baseUrl: icwsSim.url, userId: icwsSim.user.userId },
    },
    c,
  );
  await call('secret.set', { kind: 'diyalog', secret: diyalogSim.credentials.secret }, c);
  await call('secret.set', { kind: 'icws', secret: icwsSim.user.password }, c);
}

async function call<N extends CallName>(name: N, input: CallInput<N>, c: Companion = companion): Promise<CallOutput<N>> {
  const result = await dispatch(c.handlers, name, input);
  if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as CallOutput<N>;
}

async function refused(name: CallName, input: unknown, c: Companion = companion): Promise<ErrorValue> {
  const result = await dispatch(c.handlers, name, input);
  if (result.ok) throw new Error(`${name} succeeded: ${JSON.stringify(result.value)}`);
  return result.error;
}

const waitFor = <T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> => waitUntil(what, probe);

/** The first event named `event`, recorded at or after `since`, that `match` accepts. */
function waitForEvent<E extends EventName>(event: E, match: (payload: EventPayload<E>) => boolean, since = 0): Promise<EventPayload<E>> {
  return waitFor(`a ${event} event`, () => {
    for (const r of recorded.slice(since)) if (r.event === event && match(r.payload as EventPayload<E>)) return r.payload as EventPayload<E>;
    return undefined;
  });
}

const eventsOf = <E extends EventName>(event: E, since = 0): EventPayload<E>[] =>
  recorded.slice(since).flatMap((r) => (r.event === event ? [r.payload as EventPayload<E>] : []));

const icwsUp = (c: Companion = companion) => waitFor('ICWS up', async () => (await call('status.get', {}, c)).icws?.state === 'up');

/** A customer with no live session, different each call. */
const idleCustomer = (() => {
  const used = new Set<string>();
  return (): string => {
    const live = new Set(diyalogSim.control.liveSessions().map((s) => s.customerId));
    const free = diyalogSim.control.customers().find((c) => !live.has(c.customerId) && !used.has(c.customerId));
    if (!free) throw new Error('no idle customer left');
    used.add(free.customerId);
    return free.customerId;
  };
})();

describe('createCompanion against the simulators', () => {
  it('is configured through settings.update and secret.set, and never shows a secret', async () => {
    // From nothing, on a companion, data dir and keychain service of its own.
    const freshDir = await mkdtemp(join(tmpdir(), 'companion-fresh-'));
    const freshKeychain = new Keychain(`${service}-fresh`);
    const fresh = await createCompanion({ dataDir: freshDir, fetch, secrets: freshKeychain, demo: false, version: '9.9.9-test', osLocale: 'tr-TR', connectionTestIntervalMs: 0 });
    try {
      const initial = await call('settings.get', {}, fresh);
      expect(initial.secrets).toEqual({ diyalog: false, icws: false });
      expect(initial.recoveredFrom).toBeNull();

      // A secret needs the account it belongs to first.
      expect(await refused('secret.set', { kind: 'diyalog', secret: diyalogSim.credentials.secret }, fresh)).toMatchObject({ code: 'invalid_input' });
      expect(await refused('secret.set', { kind: 'icws', secret: icwsSim.user.password }, fresh)).toMatchObject({ code: 'invalid_input' });
      // And a secret never rides in the settings.
      const smuggled = await refused('settings.update', { diyalog: { keyId: diyalogSim.credentials.keyId, secret: diyalogSim.credentials.secret } }, fresh);
      expect(smuggled.code).toBe('invalid_input');
      expect(smuggled.message).not.toContain(diyalogSim.credentials.secret);
      expect((await call('settings.get', {}, fresh)).settings.diyalog.keyId).toBeNull();

      const view = await call(
        'settings.update',
        {
          diyalog: { baseUrl: diyalogSim.url, keyId: diyalogSim.credentials.keyId, transcriptHosts: [TRANSCRIPT_HOSTNAME] },
          staffId: diyalogSim.staffId,
          icws: { baseUrl: icwsSim.url, userId: icwsSim.user.userId },
        },
        fresh,
      );
      expect(view.settings).toMatchObject({ staffId: diyalogSim.staffId, diyalog: { keyId: diyalogSim.credentials.keyId }, icws: { userId: icwsSim.user.userId } });
      expect(view.secrets).toEqual({ diyalog: false, icws: false });

      expect(await call('secret.set', { kind: 'diyalog', secret: diyalogSim.credentials.secret }, fresh)).toEqual({ ok: true });
      expect(await call('secret.set', { kind: 'icws', secret: icwsSim.user.password }, fresh)).toEqual({ ok: true });
      // In the real keychain, under the key id and user@host.
      expect(await freshKeychain.getSecret('diyalog', diyalogAccount(diyalogSim.credentials.keyId, diyalogSim.url))).toBe(diyalogSim.credentials.secret);
      expect(await freshKeychain.getSecret('icws', `${icwsSim.user.userId}@${new URL(icwsSim.url).host}`)).toBe(icwsSim.user.password);

      const configured = await call('settings.get', {}, fresh);
      expect(configured.secrets).toEqual({ diyalog: true, icws: true });
      await icwsUp(fresh);
      const shown = [JSON.stringify(configured), JSON.stringify(await call('status.get', {}, fresh)), await readFile(join(freshDir, 'settings.json'), 'utf8')];
      for (const text of shown) {
        expect(text).not.toContain(diyalogSim.credentials.secret);
        expect(text).not.toContain(icwsSim.user.password);
      }
    } finally {
      await fresh.stop();
      await rm(freshDir, { recursive: true, force: true });
    }
  });

  it('tests both connections, and reports a wrong secret as auth_failed without showing it', async () => {
    const diyalog = await call('connection.test', { target: 'diyalog' });
    expect(diyalog).toMatchObject({ ok: true, latencyMs: expect.any(Number), host: new URL(diyalogSim.url).host, clockOffsetSeconds: 0 });
    const icws = await call('connection.test', { target: 'icws' });
    expect(icws).toMatchObject({ ok: true, host: new URL(icwsSim.url).host, clockOffsetSeconds: null });

    // A clock 20 minutes off is corrected, and the test says by how much.
    diyalogSim.control.setClockOffset(20 * 60_000);
    try {
      const skewed = await call('connection.test', { target: 'diyalog' });
      expect(Math.abs((skewed.clockOffsetSeconds ?? 0) - 1200)).toBeLessThanOrEqual(2);
    } finally {
      diyalogSim.control.setClockOffset(0);
    }

    const wrong = `wrong-${randomUUID()}`;
    try {
      await call('secret.set', { kind: 'diyalog', secret: wrong });
      const error = await refused('connection.test', { target: 'diyalog' });
      expect(error.code).toBe('auth_failed');
      expect(error.message).not.toContain(wrong);
    } finally {
      await call('secret.set', { kind: 'diyalog', secret: diyalogSim.credentials.secret });
    }
    try {
      await call('secret.set', { kind: 'icws', secret: wrong });
      const error = await refused('connection.test', { target: 'icws' });
      expect(error.code).toBe('auth_failed');
      expect(error.message).not.toContain(wrong);
      // The live session went down for the same reason, and the status says so.
      const down = await waitFor('ICWS down', async () => {
        const status = await call('status.get', {});
        return status.icws?.state === 'down' && status.icws.code === 'auth_failed' && status;
      });
      expect(JSON.stringify(down)).not.toContain(wrong);
    } finally {
      await call('secret.set', { kind: 'icws', secret: icwsSim.user.password });
    }
    expect(await call('connection.test', { target: 'diyalog' })).toMatchObject({ ok: true });
    await icwsUp();
  });

  it('watches a customer in help, force-ends the session through the audit log, and sees it end', async () => {
    const customerId = idleCustomer();
    const staffId = '45001';
    diyalogSim.control.startSession(customerId, staffId, 'outbound');
    const since = recorded.length;

    const list = await call('watch.add', { customerId });
    expect(list.map((e) => e.customerId)).toContain(customerId);
    const changed = await waitForEvent('watch.changed', (e) => e.customerId === customerId && e.state !== null, since);
    expect(changed).toMatchObject({ error: null, state: { customerId, isInHelp: true, helpType: 'outbound', staffId } });
    expect((await call('watch.list', {})).find((e) => e.customerId === customerId)?.state?.isInHelp).toBe(true);
    expect((await call('settings.get', {})).settings.watchList).toContain(customerId);

    // Without the dialog's confirmation nothing happens, not even an audit line.
    expect(await refused('recovery.forceEnd', { customerId, staffId, reason: 'Agent app crashed' })).toMatchObject({ code: 'invalid_input' });
    expect(await refused('recovery.forceEnd', { customerId, staffId, reason: 'Agent app crashed', confirmed: false })).toMatchObject({ code: 'invalid_input' });
    expect((await call('audit.entries', {})).filter((e) => e.customerId === customerId)).toEqual([]);
    expect(diyalogSim.control.session(customerId)).not.toBeNull();

    const beforeEnd = recorded.length;
    const ended = await call('recovery.forceEnd', { customerId, staffId, reason: '  Agent app crashed  ', confirmed: true });
    expect(ended).toMatchObject({ customerId, staffId, outcome: 'ended' });
    expect(diyalogSim.control.session(customerId)).toBeNull();
    const [entry] = (await call('audit.entries', {})).filter((e) => e.customerId === customerId);
    expect(entry).toMatchObject({ actor: diyalogSim.staffId, customerId, staffId, reason: 'Agent app crashed', outcome: 'ended' });

    const flipped = await waitForEvent('watch.changed', (e) => e.customerId === customerId && e.state?.isInHelp === false, beforeEnd);
    expect(flipped).toMatchObject({ error: null, state: { isInHelp: false, staffId: null } });

    // A second force-end finds the session over when it checks before sending: said so, nothing sent, audited.
    const finishesBefore = diyalogSim.control.requests.filter((r) => r.path.endsWith('/finishonlinehelp')).length;
    expect(await call('recovery.forceEnd', { customerId, staffId, reason: 'Retry', confirmed: true })).toMatchObject({ outcome: 'already_ended' });
    expect(diyalogSim.control.requests.filter((r) => r.path.endsWith('/finishonlinehelp'))).toHaveLength(finishesBefore);
    const entries = (await call('audit.entries', {})).filter((e) => e.customerId === customerId);
    expect(entries.map((e) => [e.outcome, e.code ?? null])).toEqual([
      ['already_ended', null],
      ['ended', null],
    ]);

    expect((await call('watch.remove', { customerId })).map((e) => e.customerId)).not.toContain(customerId);
    expect(await refused('watch.refresh', { customerId })).toMatchObject({ code: 'not_found' });
  });

  it('walks the history with progress events and delivers every record of the range', async () => {
    const endDate = diyalogSim.control.serverNow();
    const startDate = endDate - 30 * DAY;
    const since = recorded.length;
    const { walkId } = await call('history.start', { startDate, endDate, concurrency: 4 });
    const done = await waitForEvent('history.done', (e) => e.walkId === walkId, since);
    expect(done.error).toBeNull();

    // The seeded history holds a group of more than 20 records at one instant, which no
    // client can page through: the walk must say so, and may miss records only there.
    const inRange = diyalogSim.control.history().filter((r) => r.helpRequestedAt >= startDate && r.helpRequestedAt <= endDate);
    const got = new Set(done.result?.items.map((r) => r.onlineHelpId));
    const overflowing = new Set(done.result?.warnings.map((w) => w.timestamp));
    expect(inRange.length).toBeGreaterThan(100);
    expect(got.size).toBe(done.result?.items.length);
    expect(done.result?.items.every((r) => r.helpRequestedAt >= startDate && r.helpRequestedAt <= endDate)).toBe(true);
    expect(inRange.filter((r) => !got.has(r.onlineHelpId) && !overflowing.has(r.helpRequestedAt))).toEqual([]);
    for (const at of overflowing) {
      expect(inRange.filter((r) => r.helpRequestedAt === at).length).toBeGreaterThan(20);
      expect(done.result?.items.filter((r) => r.helpRequestedAt === at).length).toBeGreaterThanOrEqual(20);
    }
    const progress = eventsOf('history.progress', since).filter((e) => e.walkId === walkId);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((e) => e.progress.slicesTotal > 0 && e.progress.slicesDone <= e.progress.slicesTotal)).toBe(true);

    const result = await call('history.result', { walkId });
    expect(result.status).toBe('done');
    if (result.status === 'done') expect(result.result).toEqual(done.result);
    expect(await refused('history.start', { startDate: endDate, endDate: startDate })).toMatchObject({ code: 'invalid_input' });
    expect(await refused('history.result', { walkId: randomUUID() })).toMatchObject({ code: 'not_found' });
  });

  it('cancels a long walk: done with cancelled, its call in flight aborted, and no more requests', async () => {
    diyalogSim.control.resetCounters();
    // The walk's first page waits at the server: the walk is certainly running, with exactly
    // one call on the wire (concurrency 1), when it is cancelled.
    const held = diyalogSim.control.holdNext('getonlinehelplist');
    try {
      const endDate = diyalogSim.control.serverNow();
      const since = recorded.length;
      const { walkId } = await call('history.start', { startDate: endDate - 90 * DAY, endDate, concurrency: 1 });
      await held.arrived;
      expect(await call('history.result', { walkId })).toMatchObject({ status: 'running' });
      expect(await call('history.cancel', { walkId })).toEqual({ ok: true });

      const done = await waitForEvent('history.done', (e) => e.walkId === walkId, since);
      expect(done).toMatchObject({ result: null, error: { code: 'cancelled' } });
      expect(await call('history.result', { walkId })).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });
      // The cancel reached the wire: the client closed the connection of its only call, so no
      // page can come back to start another; and no other page was asked for meanwhile.
      await held.abandoned;
      expect(diyalogSim.control.requests.filter((r) => r.path.endsWith('/getonlinehelplist'))).toEqual([]);
    } finally {
      held.release();
    }
  });

  it('opens only https transcript links on a configured host', async () => {
    const endDate = Date.now();
    const { url } = await call('transcript.link', { staffId: '45001', customerId: idleCustomer(), startDate: endDate - DAY, endDate });
    expect(new URL(url).hostname).toBe(TRANSCRIPT_HOSTNAME);

    // No openExternal here (as in the browser host): the vetted url goes back to the page.
    expect(await call('transcript.open', { url })).toEqual({ opened: false, url });
    for (const bad of [
      url.replace('https:', 'http:'),
      `https://evil.example/messagingdetail.html`,
      `https://${TRANSCRIPT_HOSTNAME}.evil.example/x`,
      `https://user:pw@${TRANSCRIPT_HOSTNAME}/x`,
      'javascript:alert(1)',
      'not a link',
    ]) {
      expect(await refused('transcript.open', { url: bad }), bad).toMatchObject({ code: 'invalid_input' });
    }
  });

  it('reflects demo mode and the language in status, and switches the language', async () => {
    const status = await call('status.get', {});
    expect(status).toMatchObject({ demo: false, version: '9.9.9-test', language: 'tr', diyalog: { configured: true, hasSecret: true } });

    const since = recorded.length;
    expect(await call('language.set', { language: 'en' })).toMatchObject({ language: 'en' });
    expect((await waitForEvent('status.changed', (s) => s.language === 'en', since)).demo).toBe(false);
    expect((await call('settings.get', {})).settings.language).toBe('en');
    // null follows the OS locale again.
    expect(await call('language.set', { language: null })).toMatchObject({ language: 'tr' });
    expect((await call('settings.get', {})).settings.language).toBeNull();
    await icwsUp();
  });

  it('reads a stored secret from the keychain once, not on every poll', async () => {
    const customerId = idleCustomer();
    await call('watch.add', { customerId });
    await call('watch.refresh', { customerId });
    const before = keychainReads;
    for (let i = 0; i < 5; i++) await call('watch.refresh', { customerId });
    await call('settings.get', {});
    expect(keychainReads).toBe(before);
    await call('watch.remove', { customerId });
  });

  it('applies concurrent watch changes one after another, losing none', async () => {
    const ids = ['9100001', '9100002', '9100003', '9100004', '9100005'];
    await Promise.all(ids.map((customerId) => call('watch.add', { customerId })));
    expect((await call('settings.get', {})).settings.watchList).toEqual(expect.arrayContaining(ids));
    await Promise.all(ids.map((customerId) => call('watch.remove', { customerId })));
    const left = (await call('settings.get', {})).settings.watchList;
    expect(left.filter((id) => ids.includes(id))).toEqual([]);
  });

  it('keeps one live ICWS session however fast the settings change', async () => {
    await Promise.all([
      call('language.set', { language: 'en' }),
      call('language.set', { language: 'tr' }),
      call('language.set', { language: null }),
      call('secret.set', { kind: 'icws', secret: icwsSim.user.password }),
    ]);
    await icwsUp();
    const streaming = () => icwsSim.control.sessions().filter((s) => s.userId === icwsSim.user.userId && s.streaming);
    await waitFor('a live session', () => streaming().length > 0);
    // No wait for stragglers: each call above returned only after the reconfiguration it caused
    // had run (settings updates await their listeners, one at a time), so every login those
    // changes will ever start has started, and every session replaced has been logged out.
    expect(streaming()).toHaveLength(1);
    // A logout that lands while its login is still on the wire ends that login's session too.
    expect(icwsSim.control.sessions().filter((s) => s.userId === icwsSim.user.userId)).toHaveLength(1);
  });

  it('asks a supervisor for assistance and follows the request until the reply arrives', async () => {
    await icwsUp();
    const interactionId = icwsSim.interactionIds[0]!;
    const since = recorded.length;
    const { assistanceId } = await call('assistance.create', { interactionId, text: '  Customer asks for a limit increase.  ' });

    const replied = await waitForEvent(
      'assistance.changed',
      (list) => list.some((r) => r.assistanceId === assistanceId && r.messages.some((m) => m.text === SUPERVISOR_REPLY)),
      since,
    );
    const request = replied.find((r) => r.assistanceId === assistanceId);
    expect(request).toMatchObject({ interactionId, state: 'accepted' });
    expect(request?.messages.map((m) => m.text)).toEqual(['Customer asks for a limit increase.', SUPERVISOR_REPLY]);
    // How many change events it took is the server's batching (the request and the reply 20 ms
    // later may arrive in one read on a busy machine): not counted, only that the reply came through them.
    // The supervisor's reply is an alert (a notification, an unread mark); the agent's own text never is.
    const alert = await waitForEvent('assistance.alert', (a) => a.assistanceId === assistanceId, since);
    expect(alert).toMatchObject({ interactionId, text: SUPERVISOR_REPLY });
    expect(eventsOf('assistance.alert', since).map((a) => a.text)).not.toContain('Customer asks for a limit increase.');
    expect((await call('assistance.list', {})).map((r) => r.assistanceId)).toContain(assistanceId);

    expect(await call('assistance.addMessage', { assistanceId, text: 'Thanks!' })).toEqual({ ok: true });
    await waitForEvent('assistance.changed', (list) => list.some((r) => r.assistanceId === assistanceId && r.messages.length === 3), since);
    expect(await call('assistance.complete', { assistanceId })).toEqual({ ok: true });
    await waitFor('the request gone', async () => !(await call('assistance.list', {})).some((r) => r.assistanceId === assistanceId));
  });

  it('pushed only events that match the contract', () => {
    expect(dropped).toEqual([]);
    expect(eventsOf('connection.changed').some((s) => s.state === 'up')).toBe(true);
  });

  it('after the server ends the session, a language switch logs in nobody; Log in again does, in the new language', async () => {
    // A companion of its own: ending a session must not disturb the shared one's tests.
    const ownDir = await mkdtemp(join(tmpdir(), 'companion-ended-'));
    const own = await createCompanion({ dataDir: ownDir, fetch, secrets: new Keychain(`${service}-ended`), demo: false, version: '9.9.9-test', osLocale: 'en-US', connectionTestIntervalMs: 0 });
    try {
      const before = new Set(icwsSim.control.sessions().map((x) => x.sessionId));
      await configure(own);
      await icwsUp(own);
      const mine = await waitFor('its ICWS session', () => icwsSim.control.sessions().find((x) => !before.has(x.sessionId)));
      expect(icwsSim.control.endSessions({ reason: 'An administrator ended it.', shouldReconnect: false, sessionId: mine.sessionId })).toBe(1);
      await waitFor('the session ended by the server', async () => {
        const icws = (await call('status.get', {}, own)).icws;
        return icws?.state === 'down' && icws.code === 'session_ended';
      });

      const logins = () => icwsSim.control.requests.filter((r) => r.method === 'POST' && r.path === '/icws/connection').length;
      const loginsBefore = logins();
      await call('language.set', { language: 'tr' }, own);
      expect(logins()).toBe(loginsBefore);
      expect((await call('status.get', {}, own)).icws).toMatchObject({ state: 'down', code: 'session_ended' });

      expect(await call('assistance.loginAgain', {}, own)).toEqual({ ok: true });
      await icwsUp(own);
      expect(logins()).toBeGreaterThan(loginsBefore);
    } finally {
      await own.stop();
      await rm(ownDir, { recursive: true, force: true });
      for (const { account } of await keytar.findCredentials(`${service}-ended`)) await keytar.deletePassword(`${service}-ended`, account);
    }
  });

  it('logs out of ICWS on stop', async () => {
    // A companion of its own to stop: the shared one serves the other tests, in any order.
    const ownDir = await mkdtemp(join(tmpdir(), 'companion-stop-'));
    const own = await createCompanion({ dataDir: ownDir, fetch, secrets: new Keychain(`${service}-stop`), demo: false, version: '9.9.9-test', osLocale: 'tr-TR', connectionTestIntervalMs: 0 });
    try {
      const before = new Set(icwsSim.control.sessions().map((x) => x.sessionId));
      await configure(own);
      await icwsUp(own);
      const mine = await waitFor('its ICWS session', () => icwsSim.control.sessions().find((x) => !before.has(x.sessionId)));
      await own.stop();
      expect(icwsSim.control.sessions().map((x) => x.sessionId)).not.toContain(mine.sessionId);
      // The shared companion's session is untouched.
      expect(icwsSim.control.sessions().map((x) => x.sessionId)).toEqual([...before]);
    } finally {
      await own.stop();
      await rm(ownDir, { recursive: true, force: true });
    }
  });
});

describe('startDemo', () => {
  it('gives a configuration that works as it is', async () => {
    const base = await mkdtemp(join(tmpdir(), 'companion-demo-'));
    const demo = await startDemo(base);
    let demoCompanion: Companion | undefined;
    try {
      demoCompanion = await createCompanion({
        dataDir: demo.dataDir,
        fetch,
        secrets: demo.secrets,
        demo: true,
        version: '9.9.9-test',
        osLocale: 'en-GB',
        initialSettings: demo.settings,
      });
      const status = await dispatch(demoCompanion.handlers, 'status.get', {});
      expect(status).toMatchObject({ ok: true, value: { demo: true, language: 'en', diyalog: { configured: true, hasSecret: true } } });
      const answer = await dispatch(demoCompanion.handlers, 'connection.test', { target: 'diyalog' });
      expect(answer).toMatchObject({ ok: true, value: { ok: true } });
      expect(demo.dataDir.startsWith(base)).toBe(true);
    } finally {
      await demoCompanion?.stop();
      await demo.stop();
      await rm(base, { recursive: true, force: true });
    }
  });
});
