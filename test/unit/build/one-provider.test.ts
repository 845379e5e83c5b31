// DESIGN.md, "One composition root": clients are built in one place, the client provider
// (main/services/clients.ts), for a purpose with one reconnect policy each. This reads every
// product file and fails on a protocol client built anywhere else.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const PROVIDER = 'main/services/clients.ts';
/** Every class that speaks a wire protocol with the user's credentials. */
const CLIENTS = ['DiyalogClient', 'IcwsSession', 'MessagePump', 'AssistanceClient', 'InteractionsClient', 'SupervisorAssistanceClient', 'UserStatusesClient'];
const BUILT = new RegExp(`\\bnew\\s+(${CLIENTS.join('|')})\\b`, 'g');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|svelte)$/.test(e.name) ? [path] : [];
  });
}

describe('one client provider', () => {
  // The simulators are servers, not clients; tests build clients of their own on purpose.
  const product = ['main', 'renderer', 'shared'].flatMap(sourceFiles).filter((f) => !f.startsWith('main/sim/'));

  it('no product file but the provider builds a protocol client', () => {
    const elsewhere = product
      .filter((f) => f !== PROVIDER)
      .flatMap((f) => [...readFileSync(join(root, f), 'utf8').matchAll(BUILT)].map((m) => `${relative(root, join(root, f))}: new ${m[1]}`));
    expect(elsewhere).toEqual([]);
  });

  it('the provider builds each of them (the check above reads the right names)', () => {
    const built = new Set([...readFileSync(join(root, PROVIDER), 'utf8').matchAll(BUILT)].map((m) => m[1]));
    expect([...built].sort()).toEqual([...CLIENTS].sort());
  });
});
