// Renderer entry: picks the transport, builds the stores, mounts the Svelte app once.
import { mount } from 'svelte';
import App from './App.svelte';
import { startBridge } from './bridge';
import { storesContext } from './context';
import { pageNotifier, pageSupervisorNotifier } from './notifications';
import { chime } from './sound';
import { createStores } from './stores';

/** Hands a file made in the page to the user: the browser's (or Electron's) download. */
function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // After the click has handed the blob over; revoking at once can cancel it in some engines.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

const notifyPage = pageNotifier();
const notifyPageOfDesk = pageSupervisorNotifier();
const stores = createStores(startBridge(), {
  visible: () => document.visibilityState === 'visible',
  openWindow: (url) => void window.open(url, '_blank', 'noopener,noreferrer'),
  download,
  // A supervisor answered: the page's notification where main cannot show one, and the sound if chosen.
  notify: (alert) => {
    notifyPage?.(alert);
    if (stores.settings.view?.settings.alertSound) chime();
  },
  // An agent asked, or wrote on a request this supervisor accepted: the same notification and sound.
  notifySupervisor: (alert) => {
    notifyPageOfDesk?.(alert);
    if (stores.settings.view?.settings.alertSound) chime();
  },
});

export default mount(App, { target, context: storesContext(stores) });
