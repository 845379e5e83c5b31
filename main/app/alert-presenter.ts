// Carries out what alerts.ts decides when a supervisor writes (or, on the supervisor desk, an
// agent asks or writes): a desktop notification that brings the window back when clicked, a
// flashing taskbar entry, a badge. Electron's types only: main.ts passes the window and a desk
// (Notification, app.setBadgeCount).

import type { BrowserWindow } from 'electron';
import type { AssistanceAlert } from '../../shared/contract';
import type { Companion } from '../services/companion';
import type { SupervisorAlert } from '../../shared/supervisor';
import { onAlert, onFocus, onSupervisorAlert, type AlertActions, type AlertState } from './alerts';

export type AttentionWindow = Pick<BrowserWindow, 'isMinimized' | 'restore' | 'focus' | 'isFocused' | 'isDestroyed' | 'flashFrame' | 'on'>;

/** What the desktop offers besides the window. */
export interface AlertDesk {
  /** Shows a notification (when the platform has them); `onClick` runs when the user clicks it. */
  notify(notification: { title: string; body: string }, onClick: () => void): void;
  setBadge(count: number): void;
}

/** Brings the window to the front, restored if it was minimized (a notification clicked, a second launch). */
export function bringToFront(window: Pick<BrowserWindow, 'isMinimized' | 'restore' | 'focus'>): void {
  if (window.isMinimized()) window.restore();
  window.focus();
}

/** Follows the companion's assistance alerts for one window; returns the unsubscribe. */
export function followAlerts(window: AttentionWindow, companion: Pick<Companion, 'subscribe' | 'language'>, desk: AlertDesk): () => void {
  let state: AlertState = { unread: 0 };
  const apply = (actions: AlertActions) => {
    state = actions.next;
    if (actions.notification) desk.notify(actions.notification, () => bringToFront(window));
    window.flashFrame(actions.flash);
    desk.setBadge(actions.badge);
  };
  window.on('focus', () => apply(onFocus()));
  return companion.subscribe((event, payload) => {
    if (event === 'assistance.alert' && !window.isDestroyed()) apply(onAlert(payload as AssistanceAlert, window.isFocused(), state, companion.language()));
    // The supervisor desk's alerts: the same notification, flash and badge (one count for both).
    if (event === 'supervise.alert' && !window.isDestroyed()) apply(onSupervisorAlert(payload as SupervisorAlert, window.isFocused(), state, companion.language()));
  });
}
