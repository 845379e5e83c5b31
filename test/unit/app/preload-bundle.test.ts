// A sandboxed preload can require nothing but 'electron': the built bundle must inline the
// rest, and must stay small (it runs before every page of the window).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const BUNDLE = 'out/app/preload.cjs';

describe('the built preload', () => {
  it('exists (npm test builds before running the tests)', () => {
    expect(existsSync(BUNDLE), `${BUNDLE} is missing: run "npm run build" first`).toBe(true);
  });

  it('requires only electron and exposes one object through contextBridge', () => {
    const code = readFileSync(BUNDLE, 'utf8');
    const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(code).toContain('exposeInMainWorld');
    expect(code).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\)/);
  });

  it('carries the contract names, not its schemas', () => {
    const code = readFileSync(BUNDLE, 'utf8');
    expect(code).toContain('recovery.forceEnd');
    expect(code.length).toBeLessThan(20_000);
  });
});
