// Main saves the window's geometry itself, in the settings file of the data dir, beside what
// other processes write there; the renderer has no part in it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { windowGeometryStore } from '../../../main/app/window-geometry-store';
import { SettingsStore } from '../../../main/store/settings';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'companion-geometry-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const fileOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as Record<string, unknown>;

describe('windowGeometryStore', () => {
  it('a data dir that does not exist yet has no geometry, and is not created by reading it', async () => {
    const dir = join(dataDir, 'not-yet');
    expect(await windowGeometryStore(dir).load()).toBeUndefined();
    await windowGeometryStore(dir).save({ width: 1000, height: 700, x: -1500, y: 40, maximized: true });
    expect(fileOf(dir).window).toEqual({ width: 1000, height: 700, x: -1500, y: 40, maximized: true });
    expect(await windowGeometryStore(dir).load()).toEqual({ width: 1000, height: 700, x: -1500, y: 40, maximized: true });
  });

  it('keeps what else the file holds, even what another process wrote after this one loaded', async () => {
    const other = new SettingsStore(dataDir);
    await other.load();
    await other.update({ staffId: 'S100', watchList: ['C1'] });
    const store = windowGeometryStore(dataDir);
    expect(await store.load()).toBeUndefined();
    await other.update({ watchList: ['C1', 'C2'] });
    await store.save({ width: 900, height: 600, x: 0, y: 0, maximized: false });
    expect(fileOf(dataDir)).toMatchObject({ staffId: 'S100', watchList: ['C1', 'C2'], window: { width: 900, height: 600, x: 0, y: 0, maximized: false } });
    // And the other process's next write keeps the window.
    await other.update({ theme: 'dark' });
    expect(fileOf(dataDir)).toMatchObject({ theme: 'dark', window: { width: 900, height: 600 } });
  });

  it('an unreadable settings file means no geometry; it is moved aside by the store as usual', async () => {
    writeFileSync(join(dataDir, 'settings.json'), '{ not json');
    const store = windowGeometryStore(dataDir);
    expect(await store.load()).toBeUndefined();
    await store.save({ width: 800, height: 500, maximized: false });
    expect(fileOf(dataDir).window).toEqual({ width: 800, height: 500, maximized: false });
  });

  it('a load that failed is tried again by the next save, whose failure reaches the caller', async () => {
    // A file where the data dir should be: nothing can be read or written there.
    const blocked = join(dataDir, 'blocked');
    writeFileSync(blocked, '');
    const store = windowGeometryStore(join(blocked, 'data'));
    await expect(store.save({ width: 800, height: 500, maximized: false })).rejects.toThrow();
    expect(await store.load()).toBeUndefined();
    await expect(store.save({ width: 800, height: 500, maximized: false })).rejects.toThrow();
  });
});
