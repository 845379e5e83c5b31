// The supervisor desk (issue 18, §2.5) for the window: the agents' assistance requests that
// reach this supervisor, with alerts; the board of the supervisor's agents; one agent's
// interactions at a time. Its own ICWS session (purpose `supervisorDesk`), started when the
// window first asks, so an agent who never opens the desk never logs in twice.
//
// A 403 on the subscription (not a workgroup supervisor) is said once, as the desk's state
// `refused` with error `not_supervisor`; nothing subscribes again until the user asks
// (`supervise.retry`) or the ICWS settings or password change.

import { Disposables } from '../../shared/disposables';
import { AppError, ERROR_CODES, guidance, isAppError, toErrorValue } from '../../shared/errors';
import type { ErrorCode, ErrorValue } from '../../shared/errors';
import type { AgentBoard, AgentInteractions, SupervisorDesk } from '../../shared/supervisor';
import type { InteractionsClient } from '../icws/interactions';
import type { IcwsStack } from './clients';
import type { Feature, FeatureDeps } from './feature';
import { SupervisorAlerts } from './supervisor-alerts';

export type SupervisorCalls =
  | 'supervise.list'
  | 'supervise.accept'
  | 'supervise.ignore'
  | 'supervise.answer'
  | 'supervise.retry'
  | 'agents.list'
  | 'agents.interactions'
  | 'agents.closeInteractions';

export interface SupervisorFeature extends Feature<SupervisorCalls> {
  /** Starts again with what the settings and keychain say now (when the window asked for the desk). */
  reconfigure(): Promise<void>;
}

/** How long opening one agent's interactions waits for the server before it answers with what it has. */
const AGENT_QUEUE_WAIT_MS = 10_000;

const notConfigured = (): ErrorValue =>
  new AppError('missing_credentials', 'ICWS is not configured: set the server, user and password in Settings.', { guidance: guidance('guidance.configureIcws') }).toValue();

interface AgentView {
  client: InteractionsClient;
  teardown: Disposables;
  error: ErrorValue | null;
}

interface Live {
  stack: IcwsStack;
  teardown: Disposables;
  agents: Map<string, AgentView>;
}

export function createSupervisorFeature({ ctx, emit }: FeatureDeps): SupervisorFeature {
  const alerts = new SupervisorAlerts(() => ctx.config.get().icws.userId);
  let wanted = false;
  let stopping = false;
  let live: Live | null = null;
  let desk: SupervisorDesk = { state: 'off', requests: [], stale: false, error: null };
  let board: AgentBoard = { agents: [], error: null };

  const setDesk = (next: Partial<SupervisorDesk>) => {
    desk = { ...desk, ...next };
    emit('supervise.changed', desk);
  };
  const setBoard = (next: AgentBoard) => {
    board = next;
    emit('agents.changed', board);
  };

  async function stopLive(): Promise<void> {
    const current = live;
    live = null;
    if (!current) return;
    current.teardown.dispose();
    for (const view of current.agents.values()) view.teardown.dispose();
    await Promise.allSettled([...current.agents.values()].map((v) => v.client.stop()));
    await current.stack.stop();
  }

  function watchAgents(l: Live): void {
    const agents = ctx.config.get().supervisor.agents;
    l.stack.userStatuses.watch(agents).then(
      () => {
        if (live === l) setBoard({ agents: l.stack.userStatuses.rows(), error: null });
      },
      (e: unknown) => {
        if (live === l) setBoard({ agents: agents.map((userId) => ({ userId, statusId: null, loggedIn: null, onPhone: null, since: null, error: null })), error: toErrorValue(e) });
      },
    );
  }

  async function start(): Promise<void> {
    await stopLive();
    alerts.reset();
    if (stopping || !wanted) return;
    const stack = await ctx.clients.icws('supervisorDesk');
    if (!stack) {
      setDesk({ state: 'off', requests: [], stale: false, error: notConfigured() });
      setBoard({ agents: [], error: notConfigured() });
      return;
    }
    const l: Live = { stack, teardown: new Disposables(), agents: new Map() };
    live = l;
    l.teardown.addAll(
      stack.supervisor.onChange((requests) => {
        if (live !== l) return;
        for (const alert of alerts.next(requests)) emit('supervise.alert', alert);
        setDesk({ state: 'live', requests, stale: stack.supervisor.stale, error: null });
      }),
      stack.supervisor.onStaleChange((stale) => {
        if (live === l) setDesk({ stale });
      }),
      stack.userStatuses.onChange((rows) => {
        if (live === l) setBoard({ agents: rows, error: null });
      }),
      // While the session is down the desk says why (it keeps trying by itself); back up, that goes.
      stack.session.onStateChange((state) => {
        if (live !== l || (desk.state !== 'starting' && desk.state !== 'live')) return;
        if (state.state === 'down') {
          const code: ErrorCode = (ERROR_CODES as readonly string[]).includes(state.code) ? (state.code as ErrorCode) : 'unavailable';
          setDesk({ error: { code, message: state.reason } });
        } else if (state.state === 'up' && desk.error) setDesk({ error: null });
      }),
      // Never a secret in these: what the server said, for an administrator's look.
      stack.supervisor.onError((e) => console.warn(`companion: supervisor desk: ${e.message}`)),
      stack.userStatuses.onError((e) => console.warn(`companion: agents board: ${e.message}`)),
    );
    setDesk({ state: 'starting', requests: [], stale: false, error: null });
    // Connecting may take long (backoff while the server is away): the window follows the events.
    stack.supervisor.start().catch((e: unknown) => {
      if (live !== l) return;
      const value = toErrorValue(e);
      setDesk({ state: value.code === 'not_supervisor' ? 'refused' : 'failed', requests: [], error: value });
    });
    watchAgents(l);
  }

  // One (re)start at a time, each reading the settings when its turn comes (as assistance does).
  let queue: Promise<void> = Promise.resolve();
  function reconfigure(): Promise<void> {
    const run = queue.then(start);
    queue = run.catch(() => undefined);
    return run;
  }

  async function ensureStarted(): Promise<void> {
    if (wanted) return queue;
    wanted = true;
    await reconfigure();
  }

  /** The desk's stack for an action; refused (403) or unconfigured, the desk's own error instead. */
  function stack(): IcwsStack {
    if (live && desk.state !== 'refused') return live.stack;
    const error = desk.error ?? notConfigured();
    throw new AppError(error.code, error.message, error.guidance ? { guidance: error.guidance } : {});
  }

  function agentInteractions(userId: string): AgentInteractions {
    const view = live?.agents.get(userId.toLowerCase());
    return { userId, interactions: view?.client.list() ?? [], error: view?.error ?? null };
  }

  const teardown = new Disposables();
  teardown.add(
    ctx.config.onChange(async (before, after) => {
      if (!wanted) return;
      const icwsChanged = JSON.stringify(before.icws) !== JSON.stringify(after.icws) || before.language !== after.language;
      if (icwsChanged) return reconfigure();
      if (JSON.stringify(before.supervisor.agents) !== JSON.stringify(after.supervisor.agents) && live) watchAgents(live);
    }),
  );

  return {
    reconfigure: () => (wanted ? reconfigure() : Promise.resolve()),
    handlers: {
      'supervise.list': async () => {
        await ensureStarted();
        return desk;
      },
      'supervise.retry': async () => {
        wanted = true;
        await reconfigure();
        return desk;
      },
      'supervise.accept': async ({ assistanceId }) => stack().supervisor.accept(assistanceId),
      'supervise.ignore': async ({ assistanceId }) => stack().supervisor.ignore(assistanceId),
      'supervise.answer': async ({ assistanceId, text }) => stack().supervisor.answer(assistanceId, text),
      'agents.list': async () => {
        await ensureStarted();
        return board;
      },
      'agents.interactions': async ({ userId }) => {
        await ensureStarted();
        const l = live;
        if (!l) return { userId, interactions: [], error: desk.error ?? notConfigured() };
        const key = userId.toLowerCase();
        if (!l.agents.has(key)) {
          const client = l.stack.agentQueue(userId);
          const view: AgentView = { client, teardown: new Disposables(), error: null };
          l.agents.set(key, view);
          const changed = () => emit('agents.interactionsChanged', agentInteractions(userId));
          view.teardown.add(client.onChange(changed));
          try {
            await client.start(AbortSignal.timeout(AGENT_QUEUE_WAIT_MS));
            await client.whenSynced(AbortSignal.timeout(AGENT_QUEUE_WAIT_MS));
          } catch (e) {
            // §2.5: a 403 on an agent's user queue is the missing queue-monitoring right.
            view.error =
              isAppError(e) && e.details.status === 403
                ? { code: 'no_queue_right', message: `No right to monitor the queue of ${userId} on the ICWS server (403).` }
                : toErrorValue(e);
            changed();
          }
        }
        return agentInteractions(userId);
      },
      'agents.closeInteractions': async ({ userId }) => {
        const view = live?.agents.get(userId.toLowerCase());
        if (view) {
          live?.agents.delete(userId.toLowerCase());
          view.teardown.dispose();
          await view.client.stop();
        }
        return { ok: true };
      },
    },
    async stop() {
      stopping = true;
      teardown.dispose();
      await queue;
      await stopLive();
    },
  };
}
