import type { Configuration } from 'electron-builder';

// electron-builder configuration (`npm run dist`). What matters here is what a person on
// the machine could do with the installed app: the fuses below make the signed binary
// refuse to act as a plain Node (ELECTRON_RUN_AS_NODE, NODE_OPTIONS, --inspect) and refuse
// to load code that is not the shipped, integrity-checked app.asar, so the confirmation
// in front of a force-end cannot be sidestepped by starting the app differently.
const config: Configuration = {
  appId: 'com.agentcompanion.app',
  productName: 'Agent Companion',
  copyright: 'Agent Companion',
  directories: { output: 'release', buildResources: 'build' },
  // All of out/ (esbuild may split the Node side into chunks), never a source map: a map
  // carries the whole source and is no use to anyone running the app.
  files: ['out/**/*', '!out/**/*.map', '!**/*.map', 'package.json'],
  asar: true,
  // keytar is a native addon: rebuilt for Electron (N-API, so the same build still loads
  // in Node for the `companion` command and the tests).
  npmRebuild: true,
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
    grantFileProtocolExtraPrivileges: false,
  },
  win: {
    target: ['nsis'],
    icon: 'build/icon.ico',
  },
  nsis: {
    // An assisted installer: the user picks "only for me" (no admin) or "for everyone"
    // (elevates), as bank desktops are managed either way.
    oneClick: false,
    perMachine: false,
    selectPerMachineByDefault: false,
    allowElevation: true,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    createStartMenuShortcut: true,
    shortcutName: 'Agent Companion',
    installerIcon: 'build/icon.ico',
    uninstallerIcon: 'build/icon.ico',
    // The settings, audit log and demo data stay: the audit trail outlives an uninstall.
    deleteAppDataOnUninstall: false,
  },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.business',
    icon: 'build/icon.icns',
    hardenedRuntime: true,
  },
  dmg: {
    title: 'Agent Companion',
    icon: 'build/icon.icns',
  },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Office',
    icon: 'build/icons',
    executableName: 'agent-companion',
    maintainer: 'Agent Companion <support@agentcompanion.invalid>',
    synopsis: 'Live-help companion for Diyalog agents and supervisors',
  },
  deb: {
    // keytar talks to the Secret Service through libsecret; without it no secret can be kept.
    depends: ['libgtk-3-0', 'libnotify4', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0', 'libuuid1', 'libsecret-1-0'],
  },
  appImage: {
    artifactName: '${productName}-${version}-${arch}.${ext}',
  },
};

export default config;
