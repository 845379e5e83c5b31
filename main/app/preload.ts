// The sandboxed renderer's only door to main: one frozen object built from the contract.
// Bundled as CommonJS (a sandboxed preload cannot require local files), and it never
// hands out ipcRenderer itself or the IPC event objects.
import { contextBridge, ipcRenderer } from 'electron';
import type { CompanionApi } from '../../shared/contract';
import { isCallName, isEventName, type EventName } from '../../shared/contract-names';
import { CALL_CHANNEL_PREFIX, EVENT_CHANNEL } from './channels';

const api: CompanionApi = {
  call(name, input) {
    if (!isCallName(name)) {
      return Promise.resolve({ ok: false, error: { code: 'invalid_input', message: `Unknown call: ${String(name)}` } });
    }
    return ipcRenderer.invoke(CALL_CHANNEL_PREFIX + name, input);
  },
  on(event, listener) {
    if (!isEventName(event)) throw new Error(`Unknown event: ${String(event)}`);
    const handler = (_e: unknown, name: EventName, payload: unknown) => {
      if (name === event) (listener as (p: unknown) => void)(payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.off(EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('companion', Object.freeze(api));
