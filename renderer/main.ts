// Renderer entry: mounts the Svelte app once; the transport is chosen in ./bridge.
import { mount } from 'svelte';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });
