// Wiring for the ICWS client tests: a session, its pump and the assistance client against
// a simulator, with fast backoff and a recorder of connection states.

import type { ConnectionState } from '../../../shared/assistance';
import type { AppError } from '../../../shared/errors';
import { AssistanceClient } from '../../../main/icws/assistance';
import type { AssistanceClientOptions } from '../../../main/icws/assistance';
import { MessagePump } from '../../../main/icws/messaging';
import type { MessagePumpOptions } from '../../../main/icws/messaging';
import { IcwsSession } from '../../../main/icws/session';
import type { IcwsSessionOptions } from '../../../main/icws/session';
import type { IcwsSim } from '../../../main/sim/icws/server';
import { waitUntil } from '../../support/wait';
export { rejection } from '../../support/rejection';

export interface Client {
  session: IcwsSession;
  pump: MessagePump;
  assistance: AssistanceClient;
  states: ConnectionState[];
  errors: AppError[];
  shutdown(): Promise<void>;
}

export function makeClient(
  sim: Pick<IcwsSim, 'url' | 'user'>,
  options: Partial<IcwsSessionOptions> = {},
  pumpOptions: MessagePumpOptions = {},
  assistanceOptions: AssistanceClientOptions = {},
): Client {
  const session = new IcwsSession({
    baseUrl: sim.url,
    credentials: { userId: sim.user.userId, password: sim.user.password },
    fetch: (input, init) => fetch(input, init),
    reconnect: { baseMs: 5, capMs: 50 },
    ...options,
  });
  const pump = new MessagePump(session, { backoff: { baseMs: 5, capMs: 50 }, ...pumpOptions });
  const assistance = new AssistanceClient(session, pump, assistanceOptions);
  const states: ConnectionState[] = [];
  const errors: AppError[] = [];
  session.onStateChange((s) => states.push(s));
  pump.onError((e) => errors.push(e));
  assistance.onError((e) => errors.push(e));
  return {
    session,
    pump,
    assistance,
    states,
    errors,
    async shutdown() {
      await assistance.stop();
      await pump.stop();
      await session.logout();
    },
  };
}

/** Resolves with the first value `subscribe` hands its listener that `accept` takes; fails with `what` after 10 s. */
export function nextEvent<T>(what: string, subscribe: (listener: (value: T) => void) => () => void, accept: (value: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, 10_000);
    const off = subscribe((value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

/** Polls `probe` until it returns something other than undefined/false; fails naming `what` after 10 s. */
export function waitFor<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  return waitUntil(what, probe);
}
