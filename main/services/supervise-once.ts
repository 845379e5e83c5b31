// Supervisor-desk work for one command (`companion supervise …`, `companion agents`): log in
// with the command-line policy, do one thing, log out. The window's long-lived desk is
// supervisor-feature.ts; both get their ICWS stack from the client provider.

import { Disposables } from '../../shared/disposables';
import { AppError } from '../../shared/errors';
import type { AgentBoard, SupervisorActionResult, SupervisorRequest } from '../../shared/supervisor';
import type { IcwsStack } from './clients';
import type { ServiceContext } from './context';

/** How long a command waits for the server's first list before it gives up. */
export const SUPERVISE_SYNC_TIMEOUT_MS = 15_000;

async function withStack<T>(ctx: ServiceContext, work: (stack: IcwsStack) => Promise<T>): Promise<T> {
  const stack = await ctx.clients.requireIcws('cli');
  try {
    return await work(stack);
  } finally {
    await stack.stop();
  }
}

async function bounded(signal: AbortSignal | undefined, timeoutMs: number, what: string, wait: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    await wait(signal ? AbortSignal.any([signal, deadline]) : deadline);
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new AppError('unavailable', `The ICWS server did not send ${what} in time.`);
  }
}

/** How long a command waits for the listed requests' conversations (who accepted) before it prints without them. */
const CONVERSATIONS_WAIT_MS = 3_000;

/**
 * Subscribes (not_supervisor for a 403) and waits for the first full list, then briefly for the
 * conversations, which name who accepted: their subscription is inferred (§2.5), so a server
 * that does not deliver them costs a moment, not the command.
 */
async function synced(stack: IcwsStack, signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
  await stack.supervisor.start(signal);
  await bounded(signal, timeoutMs, 'the list of assistance requests', (s) => stack.supervisor.whenSynced(s));
  const deadline = AbortSignal.timeout(CONVERSATIONS_WAIT_MS);
  await stack.supervisor.whenConversations(signal ? AbortSignal.any([signal, deadline]) : deadline).catch((e: unknown) => {
    if (signal?.aborted) throw e;
  });
}

/** The requests that reach this supervisor, as the server lists them now. */
export function listSupervisorRequests(ctx: ServiceContext, signal?: AbortSignal, timeoutMs = SUPERVISE_SYNC_TIMEOUT_MS): Promise<SupervisorRequest[]> {
  return withStack(ctx, async (stack) => {
    await synced(stack, signal, timeoutMs);
    return stack.supervisor.list();
  });
}

/**
 * Calls `onList` with the list once it has come and on every change, until `signal` aborts.
 * Rejects with session_ended when the server ends the session and asks not to log in again.
 */
export function watchSupervisorRequests(ctx: ServiceContext, onList: (requests: SupervisorRequest[]) => void, signal: AbortSignal, timeoutMs = SUPERVISE_SYNC_TIMEOUT_MS): Promise<void> {
  return withStack(ctx, async (stack) => {
    const teardown = new Disposables();
    try {
      try {
        await synced(stack, signal, timeoutMs);
      } catch (e) {
        // Interrupted while the first list was still coming in: the way a watch ends.
        if (signal.aborted) return;
        throw e;
      }
      teardown.add(stack.supervisor.onChange(onList));
      onList(stack.supervisor.list());
      await new Promise<void>((resolve, reject) => {
        if (stack.session.ended) return reject(stack.session.ended);
        teardown.add(stack.session.onEnded(reject));
        if (signal.aborted) return resolve();
        const onAbort = () => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
        teardown.add(() => signal.removeEventListener('abort', onAbort));
      });
    } finally {
      teardown.dispose();
    }
  });
}

export type SupervisorDeed = { kind: 'accept' } | { kind: 'ignore' } | { kind: 'answer'; text: string };

/**
 * Accepts, ignores or answers a request. The subscription comes first: a non-supervisor hears
 * not_supervisor from the same 403 as the window, whatever the action resource would say.
 */
export function actOnRequest(ctx: ServiceContext, assistanceId: string, deed: SupervisorDeed, signal?: AbortSignal): Promise<SupervisorActionResult> {
  return withStack(ctx, async (stack) => {
    await stack.supervisor.start(signal);
    if (deed.kind === 'accept') return stack.supervisor.accept(assistanceId, signal);
    if (deed.kind === 'ignore') return stack.supervisor.ignore(assistanceId, signal);
    return stack.supervisor.answer(assistanceId, deed.text, signal);
  });
}

/** The board of the configured agents (`supervisor.agents`) as the server says it now. */
export function agentsBoard(ctx: ServiceContext, signal?: AbortSignal, timeoutMs = SUPERVISE_SYNC_TIMEOUT_MS): Promise<AgentBoard> {
  const agents = ctx.config.get().supervisor.agents;
  if (agents.length === 0) return Promise.resolve({ agents: [], error: null });
  return withStack(ctx, async (stack) => {
    await stack.userStatuses.watch(agents, signal);
    await bounded(signal, timeoutMs, 'the agents\' statuses', (s) => stack.userStatuses.whenSynced(s));
    return { agents: stack.userStatuses.rows(), error: null };
  });
}
