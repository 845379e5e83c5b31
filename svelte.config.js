// TypeScript in <script lang="ts"> through Vite's own transform; nothing else is preprocessed.
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

export default {
  preprocess: vitePreprocess(),
};
