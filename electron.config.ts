import type { Configuration } from 'electron-builder';

// electron-builder configuration. Packaging lands with the app shell; this typed
// stub keeps the file honest (it must typecheck) until then.
const config: Configuration = {
  appId: 'com.agentcompanion.app',
  productName: 'Agent Companion',
  directories: { output: 'release', buildResources: 'build' },
  files: ['out/**/*', 'package.json'],
  linux: { target: ['AppImage'], category: 'Office' },
  win: { target: ['nsis'] },
  mac: { target: ['dmg'], category: 'public.app-category.business' },
};

export default config;
