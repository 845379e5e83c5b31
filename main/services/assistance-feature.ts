import type { ConnectionState } from '../../shared/assistance';
import { Disposables } from '../../shared/disposables';
import type { EventPayload } from '../../shared/contract';
import { AssistanceService } from './assistance';
import { AssistanceAlerts } from './assistance-alerts';
import type { Feature, FeatureDeps } from './feature';

export type AssistanceCalls = 'assistance.list' | 'assistance.create' | 'assistance.addMessage' | 'assistance.complete' | 'assistance.loginAgain' | 'interactions.list';

export interface AssistanceFeature extends Feature<AssistanceCalls> {
  /** null while ICWS is not configured. */
  connection(): ConnectionState | null;
  /** Logs in again with what the settings and keychain say now (or logs out when unconfigured). */
  reconfigure(): Promise<void>;
  /** The list may be out of date; the listener hears each change. */
  stale(): boolean;
  onStaleChange(listener: (stale: boolean) => void): () => void;
}

/** Agent assistance over one ICWS session, following the ICWS settings and password. */
export function createAssistanceFeature({ ctx, emit }: FeatureDeps): AssistanceFeature {
  // What the agent did not write and has not seen yet becomes an alert; the agent's own
  // messages never do. Known messages carry over a re-login of the same account, so what
  // arrived while the session was down still alerts once it shows.
  const alerts = new AssistanceAlerts(() => ctx.config.get().icws.userId);
  const assistance = new AssistanceService((event, payload) => {
    emit(event, payload);
    if (event === 'assistance.changed') {
      for (const alert of alerts.next(payload as EventPayload<'assistance.changed'>)) emit('assistance.alert', alert);
    }
  });

  // One reconfiguration at a time, each reading the settings when its turn comes: overlapping
  // ones (a burst of settings changes) would each log in and all but one session would leak,
  // and a slow keychain read could let an older configuration win.
  let queue: Promise<void> = Promise.resolve();
  let stopping = false;
  // The account the known messages belong to: a new login of the same account (a language
  // switch, a new password) keeps them, so a reply that lands while the new session loads its
  // first list still alerts; another account starts afresh.
  let alertsAccount: string | null = null;
  function reconfigure(): Promise<void> {
    const run = queue.then(async () => {
      if (stopping) return;
      const account = ctx.secrets.accountOf('icws');
      if (account !== alertsAccount) {
        alerts.reset();
        alertsAccount = account;
      }
      await assistance.configure(await ctx.clients.icws());
    });
    queue = run.catch(() => undefined);
    return run;
  }

  // The server ended the session and asked us not to log in by ourselves: only the user's
  // "Log in again" (or new ICWS settings) may. A language switch meanwhile waits for that login.
  const waitsForUser = () => {
    const c = assistance.connection;
    return c?.state === 'down' && c.code === 'session_ended';
  };
  let languageChangedMeanwhile = false;

  const teardown = new Disposables();
  teardown.add(ctx.config.onChange(async (before, after) => {
    const icwsChanged = JSON.stringify(before.icws) !== JSON.stringify(after.icws);
    // The language is sent at login, so it takes a new session too, but never one the user did not ask for.
    if (!icwsChanged && before.language !== after.language && waitsForUser()) {
      languageChangedMeanwhile = true;
      return;
    }
    if (icwsChanged || before.language !== after.language) await reconfigure();
  }));

  return {
    connection: () => assistance.connection,
    reconfigure,
    stale: () => assistance.stale,
    onStaleChange: (listener) => assistance.onStaleChange(listener),
    handlers: {
      'assistance.list': async () => assistance.list(),
      'assistance.create': async ({ interactionId, text }) => ({ assistanceId: await assistance.create(interactionId, text) }),
      'assistance.addMessage': async ({ assistanceId, text }) => {
        await assistance.addMessage(assistanceId, text);
        return { ok: true };
      },
      'assistance.complete': async ({ assistanceId }) => {
        await assistance.complete(assistanceId);
        return { ok: true };
      },
      'assistance.loginAgain': async () => {
        const c = assistance.connection;
        if (c?.state === 'down' && c.code === 'connect_refused') {
          // The server refused the login (no licence, an expired password) and nothing has tried
          // since: the user says it is fixed. A fresh stack logs in, subscribes and starts again.
          await reconfigure();
        } else if (languageChangedMeanwhile && waitsForUser()) {
          // A fresh login in the language chosen since the server ended the session.
          languageChangedMeanwhile = false;
          await reconfigure();
        } else await assistance.loginAgain();
        return { ok: true };
      },
      // Same ICWS session as assistance: the picker offers these instead of a typed id.
      'interactions.list': async () => assistance.interactions(),
    },
    async stop() {
      stopping = true;
      teardown.dispose();
      await queue;
      await assistance.stop();
    },
  };
}
