// Renderer entry: picks the transport, builds the stores, mounts the Svelte app once.
import { mount } from 'svelte';
import App from './App.svelte';
import { startBridge } from './bridge';
import { storesContext } from './context';
import { createStores } from './stores';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

const stores = createStores(startBridge(), {
  visible: () => document.visibilityState === 'visible',
  openWindow: (url) => void window.open(url, '_blank', 'noopener,noreferrer'),
});

export default mount(App, { target, context: storesContext(stores) });
