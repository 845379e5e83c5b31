// Desktop notifications for a supervisor's message where main cannot show them: the browser
// host, through the page's Notification API once the user allowed it. In Electron main shows
// them itself (with the taskbar flash), so the page stays quiet there.

import type { AssistanceAlert } from '../shared/contract';
import type { SupervisorAlert } from '../shared/supervisor';
import { translate } from '../shared/i18n';
import { language } from './stores/language.svelte';

const inElectron = () => window.companion !== undefined;
const supported = () => typeof Notification !== 'undefined' && !inElectron();

/** Asks once, from a user's click (browsers ignore a request without one). */
export function askNotificationPermission(): void {
  if (supported() && Notification.permission === 'default') void Notification.requestPermission();
}

/** The store's `notify` for this page, or undefined where main notifies. */
export function pageNotifier(): ((alert: AssistanceAlert) => void) | undefined {
  if (!supported()) return undefined;
  return (alert) => {
    // Someone looking at the window sees the message and the unread count already.
    if (Notification.permission !== 'granted' || (document.visibilityState === 'visible' && document.hasFocus())) return;
    const title = translate(language.current, 'assist.alertTitle', { from: alert.from });
    const notification = new Notification(title, { body: alert.text, tag: `assistance-${alert.assistanceId}` });
    notification.onclick = () => window.focus();
  };
}

/** The supervisor desk's `notifySupervisor` for this page: a new request, or an agent's message; undefined where main notifies. */
export function pageSupervisorNotifier(): ((alert: SupervisorAlert) => void) | undefined {
  if (!supported()) return undefined;
  return (alert) => {
    if (Notification.permission !== 'granted' || (document.visibilityState === 'visible' && document.hasFocus())) return;
    const key = alert.kind === 'request' ? 'supervise.alertRequest' : 'supervise.alertMessage';
    const title = translate(language.current, key, { from: alert.from, workgroup: alert.workgroup });
    const notification = new Notification(title, { body: alert.text, tag: `supervise-${alert.assistanceId}` });
    notification.onclick = () => window.focus();
  };
}
