// The only file that touches ipcMain and sends to a window (lint holds every other file in
// main/app to that): one handler per contract call, one channel for events.
import type { WebContents } from 'electron';
import { ipcMain } from 'electron';
import type { EventName, EventPayload, Language } from '../../shared/contract';
import { CALL_NAMES } from '../../shared/contract-names';
import { checkEvent, dispatch, type Handlers } from '../services/dispatch';
import { CALL_CHANNEL_PREFIX, EVENT_CHANNEL } from './channels';
import { isTrustedSender } from './ipc-sender';

/** One handler per contract call; each checks the sender and goes through `dispatch`, refusals worded in the user's language. */
export function registerIpc(handlers: Handlers, language: () => Language): () => void {
  for (const name of CALL_NAMES) {
    ipcMain.handle(CALL_CHANNEL_PREFIX + name, (event, input: unknown) => {
      if (!isTrustedSender(event.senderFrame)) {
        return { ok: false, error: { code: 'invalid_input', message: 'Calls are accepted from the companion window only.' } };
      }
      return dispatch(handlers, name, input, language());
    });
  }
  return () => {
    for (const name of CALL_NAMES) ipcMain.removeHandler(CALL_CHANNEL_PREFIX + name);
  };
}

/** Sends a contract event to a window, validated first. */
export function sendEvent<E extends EventName>(contents: WebContents, event: E, payload: EventPayload<E>): void {
  const checked = checkEvent(event, payload);
  if (checked !== undefined && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, event, checked);
}
