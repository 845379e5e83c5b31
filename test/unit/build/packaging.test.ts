// Issue 9, "The packaged app": what the configuration must hold (the fuses, asar), that it
// is the one electron-builder loads (by electron-builder's own loader and schema), that what
// it names exists and that what the app loads at run time is shipped. Its other values
// (ids, targets, installer options) are choices the file states; a copy here would only
// change with them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, matchesGlob, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Configuration } from 'electron-builder';
import config from '../../../electron.config';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);

const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null): Promise<Configuration>;
  validateConfiguration(config: Configuration, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { main: string; scripts: Record<string, string>; build?: unknown };

/** Whether electron-builder's `files` patterns ship `path` (the last pattern that matches decides). */
function shipped(path: string): boolean {
  let included = false;
  for (const p of (config.files as unknown[]).filter((f): f is string => typeof f === 'string')) {
    if (p.startsWith('!')) {
      if (matchesGlob(path, p.slice(1))) included = false;
    } else if (matchesGlob(path, p)) included = true;
  }
  return included;
}

/** Every string in the configuration that names a file or folder under build/ (icons, installer icons). */
function resources(value: unknown): string[] {
  if (typeof value === 'string') return value.startsWith('build/') ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(resources);
  if (value && typeof value === 'object') return Object.values(value).flatMap(resources);
  return [];
}

/** Every file under `dir`, relative to the root. */
function filesUnder(dir: string): string[] {
  return readdirSync(`${ROOT}${dir}`, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

describe('electron.config.ts', () => {
  it('sets every Electron fuse the issue names, exactly: no plain Node, no NODE_OPTIONS or --inspect, only the checked app.asar', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // onlyLoadAppFromAsar and the integrity check mean nothing without an asar.
    expect(config.asar).toBe(true);
  });

  it('is the configuration electron-builder loads: `npm run dist` names it, and there is no other for it to find', async () => {
    expect(pkg.scripts.dist).toMatch(/(^|&& )electron-builder --config electron.config.ts$/);
    const loaded = await getConfig(ROOT, `${ROOT}electron.config.ts`);
    // The same object, but for electron-builder's own form of `files` (one filter set).
    expect(loaded).toEqual({ ...config, files: [{ filter: config.files }] });
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
    // Without --config, electron-builder looks for electron-builder.{yml,json,js,ts,...} and a
    // "build" key in package.json: a second configuration there would win over this one.
    expect(pkg.build).toBeUndefined();
    const found = await getConfig(ROOT, null);
    expect(found.appId).toBeUndefined();
    expect(found.electronFuses).toBeUndefined();
  });

  it('names only resources that exist (every icon and installer icon under build/)', () => {
    const named = [...new Set(resources(config))];
    expect(named).toEqual(expect.arrayContaining([config.win?.icon, config.mac?.icon, config.linux?.icon]));
    for (const path of named) expect(existsSync(`${ROOT}${path}`), path).toBe(true);
    expect(existsSync(`${ROOT}${config.directories?.buildResources}`)).toBe(true);
  });

  it('ships the entry package.json names, the preload it loads beside it and the window, and rebuilds keytar for Electron', () => {
    // main/app/main.ts loads ./preload.cjs beside itself, and the window is out/renderer/index.html.
    const entry = pkg.main;
    for (const path of ['package.json', entry, join(dirname(entry), 'preload.cjs'), 'out/renderer/index.html']) expect(shipped(path), path).toBe(true);
    expect(pkg.scripts.dist).toMatch(/electron-builder install-app-deps/);
  });

  it.skipIf(!existsSync(`${ROOT}out/app`))('ships every file the build put in out/ (split chunks too), never a source map, never a source file', () => {
    const built = filesUnder('out');
    expect(built).toContain(pkg.main);
    for (const path of built) expect(shipped(path), path).toBe(!path.endsWith('.map'));
    for (const path of ['main', 'shared', 'renderer'].flatMap(filesUnder)) expect(shipped(path), path).toBe(false);
  });
});

/** Width and height of a PNG, after checking its signature and that its pixels inflate. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.toString('ascii', 12, 16)).toBe('IHDR');
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    if (bytes.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
    at += length + 12;
  }
  // 8-bit RGBA: one filter byte and 4 bytes a pixel per row.
  expect(inflateSync(Buffer.concat(idat)).length).toBe(height * (width * 4 + 1));
  return { width, height };
}

describe('icons in build/', () => {
  it('has real PNGs at 512 and 256 (and the Linux set) plus a 1024 master', () => {
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(readFileSync(`${ROOT}build/icons/${size}x${size}.png`))).toEqual({ width: size, height: size });
    }
    expect(pngSize(readFileSync(`${ROOT}build/icon.png`))).toEqual({ width: 1024, height: 1024 });
  });

  it('has a Windows .ico with a 256 image, and a macOS .icns with 512 and 1024', () => {
    const ico = readFileSync(`${ROOT}build/icon.ico`);
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1);
    const entries = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ({
      size: ico[6 + i * 16] || 256,
      length: ico.readUInt32LE(6 + i * 16 + 8),
      offset: ico.readUInt32LE(6 + i * 16 + 12),
    }));
    expect(entries.map((e) => e.size)).toEqual([16, 32, 48, 256]);
    const big = entries.find((e) => e.size === 256)!;
    expect(pngSize(ico.subarray(big.offset, big.offset + big.length))).toEqual({ width: 256, height: 256 });

    const icns = readFileSync(`${ROOT}build/icon.icns`);
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types = new Map<string, Buffer>();
    for (let at = 8; at < icns.length; ) {
      const length = icns.readUInt32BE(at + 4);
      types.set(icns.toString('ascii', at, at + 4), icns.subarray(at + 8, at + length));
      at += length;
    }
    expect(pngSize(types.get('ic09')!)).toEqual({ width: 512, height: 512 });
    expect(pngSize(types.get('ic10')!)).toEqual({ width: 1024, height: 1024 });
  });
});
