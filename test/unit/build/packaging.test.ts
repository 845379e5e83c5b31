// Issue 9, "The packaged app": the configuration electron-builder would load, checked the
// way electron-builder itself loads and validates it, and the icons it points at.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { matchesGlob } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Configuration } from 'electron-builder';
import config from '../../../electron.config';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);

describe('electron.config.ts', () => {
  it('sets every Electron fuse the issue names, exactly', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs into asar, with the app id, product name and icons in build/', () => {
    expect(config.asar).toBe(true);
    expect(config.appId).toBe('com.agentcompanion.app');
    expect(config.productName).toBe('Agent Companion');
    expect(config.directories?.buildResources).toBe('build');
    expect(config.win?.icon).toBe('build/icon.ico');
    expect(config.mac?.icon).toBe('build/icon.icns');
    expect(config.linux?.icon).toBe('build/icons');
  });

  it('builds NSIS (per-user or per-machine, the user chooses), dmg, AppImage and deb', () => {
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowElevation: true });
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.deb?.depends).toContain('libsecret-1-0');
  });

  it('ships all of out/ (split chunks too) and package.json, never a source map', () => {
    const patterns = (config.files as string[]).filter((p) => typeof p === 'string');
    const shipped = (path: string) => {
      let included = false;
      for (const p of patterns) {
        if (p.startsWith('!')) {
          if (matchesGlob(path, p.slice(1))) included = false;
        } else if (matchesGlob(path, p)) included = true;
      }
      return included;
    };
    for (const path of ['out/app/main.js', 'out/app/preload.cjs', 'out/app/chunk-7QX2.js', 'out/cli/companion.js', 'out/renderer/index.html', 'out/renderer/assets/index-abc.js', 'package.json']) {
      expect(shipped(path), path).toBe(true);
    }
    for (const path of ['out/app/main.js.map', 'out/app/chunk-7QX2.js.map', 'out/renderer/assets/index-abc.js.map', 'out/cli/companion.js.map', 'main/app/main.ts', 'test/unit/build/packaging.test.ts']) {
      expect(shipped(path), path).toBe(false);
    }
  });

  it('is what electron-builder itself loads and accepts (its own loader and schema)', async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      getConfig(projectDir: string, configPath: string): Promise<Configuration>;
      validateConfiguration(config: Configuration, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    const loaded = await getConfig(ROOT, `${ROOT}electron.config.ts`);
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
    expect(loaded.electronFuses).toEqual(config.electronFuses);
    expect(loaded.asar).toBe(true);
  });
});

describe('package.json for packaging', () => {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
    main: string;
    scripts: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  it('rebuilds the native keytar for Electron before packaging', () => {
    expect(pkg.scripts.dist).toMatch(/electron-builder install-app-deps|@electron\/rebuild|electron-rebuild/);
    expect(pkg.scripts.dist).toContain('--config electron.config.ts');
  });

  it('uses Electron 45 and starts the built main', () => {
    expect(pkg.devDependencies.electron).toMatch(/^\^?45\.\d+\.\d+$/);
    expect((require('electron/package.json') as { version: string }).version).toMatch(/^45\./);
    expect(pkg.main).toBe('out/app/main.js');
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
