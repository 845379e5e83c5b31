// What the status bar says about the session, and who hears when it changes: connecting,
// switching to another server, up (with the channel), or down with the reason. A live
// session whose server stops answering shows as down until it answers again.

import type { ConnectionState } from '../../shared/assistance';
import type { AppError } from '../../shared/errors';
import { Listeners } from './listeners';
import type { Unsubscribe } from './listeners';

export type UpState = Extract<ConnectionState, { state: 'up' }>;

export class ConnectionStatus {
  readonly #listeners = new Listeners<ConnectionState>();
  #state: ConnectionState = { state: 'down', reason: 'Not connected.', code: 'unavailable' };

  get state(): ConnectionState {
    return this.#state;
  }

  onChange(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.#listeners.add(listener);
  }

  set(state: ConnectionState): void {
    this.#state = state;
    this.#listeners.emit(state);
  }

  down(error: AppError): void {
    this.set({ state: 'down', reason: error.message, code: error.code });
  }

  /** The live session's server did not answer: down, if it was up. */
  unreachable(error: AppError): void {
    if (error.code === 'unavailable' && this.#state.state === 'up') this.down(error);
  }

  /** The live session's server answered again: up, if it was down. */
  reachable(up: UpState): void {
    if (this.#state.state === 'down') this.set(up);
  }
}
