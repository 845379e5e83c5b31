// What the shell does when a supervisor writes (or, on the supervisor desk, when an agent
// asks or writes): decided here as plain data, so the decision is tested without Electron;
// main.ts only carries it out.

import type { AssistanceAlert, Language } from '../../shared/contract';
import { translate } from '../../shared/i18n';
import type { SupervisorAlert } from '../../shared/supervisor';

export interface AlertState {
  /** Messages that arrived while the window was not focused. */
  unread: number;
}

export interface AlertActions {
  /** A desktop notification; null while the user is looking at the window. */
  notification: { title: string; body: string } | null;
  /** Flash the taskbar entry (Windows, Linux) until the window is focused. */
  flash: boolean;
  /** The dock or taskbar badge count. */
  badge: number;
  next: AlertState;
}

const BODY_MAX = 200;

export function onAlert(alert: AssistanceAlert, focused: boolean, state: AlertState, language: Language): AlertActions {
  return attention(translate(language, 'alert.title', { from: alert.from }), alert.text, focused, state);
}

/** The supervisor desk: a new request, or an agent's message on a request this supervisor accepted. */
export function onSupervisorAlert(alert: SupervisorAlert, focused: boolean, state: AlertState, language: Language): AlertActions {
  const title =
    alert.kind === 'request'
      ? translate(language, 'supervise.alertRequest', { from: alert.from, workgroup: alert.workgroup })
      : translate(language, 'supervise.alertMessage', { from: alert.from });
  return attention(title, alert.text, focused, state);
}

function attention(title: string, text: string, focused: boolean, state: AlertState): AlertActions {
  if (focused) return { notification: null, flash: false, badge: 0, next: { unread: 0 } };
  const unread = state.unread + 1;
  // Keep the notification to one readable paragraph; the full text is in the window.
  const flat = text.replace(/\s+/g, ' ').trim();
  const body = flat.length > BODY_MAX ? `${flat.slice(0, BODY_MAX - 1)}…` : flat;
  return { notification: { title, body }, flash: true, badge: unread, next: { unread } };
}

/** The window came to the front: the user sees the messages. */
export function onFocus(): AlertActions {
  return { notification: null, flash: false, badge: 0, next: { unread: 0 } };
}
