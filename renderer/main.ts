// Renderer entry. The Svelte UI mounts here once the app shell and the contract land.
const root = document.getElementById('app');
if (root) root.textContent = 'Agent Companion';
