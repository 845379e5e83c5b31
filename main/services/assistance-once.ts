// Assistance work for one command (the `companion assistance …` commands): log in with the
// command-line policy (a few attempts, then give up), do one thing, log out. The window's
// long-lived session is assistance.ts; both get their ICWS stack from the client provider.

import type { AssistanceList } from '../../shared/assistance';
import { Disposables } from '../../shared/disposables';
import { AppError } from '../../shared/errors';
import type { AssistanceClient } from '../icws/assistance';
import type { IcwsStack } from './clients';
import type { ServiceContext } from './context';

/** How long a command waits for the server's first assistance list before it gives up. */
export const ASSISTANCE_SYNC_TIMEOUT_MS = 15_000;

async function withStack<T>(ctx: ServiceContext, work: (stack: IcwsStack) => Promise<T>): Promise<T> {
  const stack = await ctx.clients.requireIcws('cli');
  try {
    return await work(stack);
  } finally {
    await stack.stop();
  }
}

async function synced(assistance: AssistanceClient, signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
  await assistance.start(signal);
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    await assistance.whenSynced(signal ? AbortSignal.any([signal, deadline]) : deadline);
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new AppError('unavailable', 'The ICWS server did not send the assistance list in time.');
  }
}

/** The user's open requests with their messages, and whether the list may be out of date. */
export function listAssistance(ctx: ServiceContext, signal?: AbortSignal, timeoutMs = ASSISTANCE_SYNC_TIMEOUT_MS): Promise<AssistanceList> {
  return withStack(ctx, async (stack) => {
    await synced(stack.assistance, signal, timeoutMs);
    return stack.assistance.snapshot();
  });
}

/** Asks a supervisor for help on an interaction; the new request's id. */
export function createAssistance(ctx: ServiceContext, interactionId: string, text: string, signal?: AbortSignal): Promise<string> {
  return withStack(ctx, (stack) => stack.assistance.request(interactionId, text, signal));
}

export function addAssistanceMessage(ctx: ServiceContext, assistanceId: string, text: string, signal?: AbortSignal): Promise<void> {
  return withStack(ctx, (stack) => stack.assistance.addMessage(assistanceId, text, signal));
}

export function completeAssistance(ctx: ServiceContext, assistanceId: string, signal?: AbortSignal): Promise<void> {
  return withStack(ctx, (stack) => stack.assistance.complete(assistanceId, signal));
}

/**
 * Calls `onList` with the list once it has come and on every change, until `signal` aborts.
 * Rejects with session_ended when the server ends the session and asks not to log in again
 * by ourselves: a watch cannot go on.
 */
export function watchAssistance(ctx: ServiceContext, onList: (list: AssistanceList) => void, signal: AbortSignal, timeoutMs = ASSISTANCE_SYNC_TIMEOUT_MS): Promise<void> {
  return withStack(ctx, async ({ assistance, session }) => {
    const teardown = new Disposables();
    const emit = () => onList(assistance.snapshot());
    try {
      try {
        await synced(assistance, signal, timeoutMs);
      } catch (e) {
        // Interrupted while the first list was still coming in: the way a watch ends, not an error.
        if (signal.aborted) return;
        throw e;
      }
      // The first document is the whole list once it has come in; every change after it is one more.
      teardown.addAll(assistance.onChange(emit), assistance.onStaleChange(emit));
      emit();
      await new Promise<void>((resolve, reject) => {
        if (session.ended) return reject(session.ended);
        teardown.add(session.onEnded(reject));
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
