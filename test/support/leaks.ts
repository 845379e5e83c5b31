// A setup file (vitest.config.ts setupFiles): a test file that leaves a timer, a socket, a
// server or a child process running fails, naming what it left. Left running, such a thing
// keeps firing into the next file's tests in the same worker, holds a port, or keeps the
// worker from exiting: the flakes that show up two files later.
//
// What counts is process.getActiveResourcesInfo(): what keeps the event loop alive (Timeout,
// TCPSocketWrap, TCPServerWrap, ProcessWrap for a child process, ...; an
// unref'd timer or server is not in it). What was running before the file's own code ran is
// the worker's, not the file's. When the file's last afterAll is done, its resources get up
// to LEAK_GRACE_MS to go (a socket closes on the next turn, a child takes a moment to exit).

import { createHook } from 'node:async_hooks';
import { afterAll } from 'vitest';

/** Resources that come and go with any file read or write in flight, never held by a test. */
const IGNORED = new Set(['FSReqCallback', 'FSReqPromise', 'FileHandle', 'FileHandleCloseReq', 'StatWatcher', 'TTYWrap']);
const LEAK_GRACE_MS = 2_000;
const POLL_MS = 20;

// Taken before a test file installs fake timers: the wait below must be a real one.
const realSetTimeout = globalThis.setTimeout;
const realDateNow = Date.now.bind(Date);

function census(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) if (!IGNORED.has(type)) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** What `now` holds beyond `before`, e.g. ['Timeout ×2', 'TCPServerWrap']. */
function beyond(before: Map<string, number>, now: Map<string, number>): string[] {
  const extra: string[] = [];
  for (const [type, n] of now) {
    const more = n - (before.get(type) ?? 0);
    if (more > 0) extra.push(more === 1 ? type : `${type} ×${more}`);
  }
  return extra.sort();
}

// Evaluated before the test file is imported: what a file opens at import time is its own.
const before = census();

// LEAK_STACKS=1 adds where each timer, socket, server or child still alive was created
// (async_hooks: slower, so only when asked).
const TRACKED = new Set(['Timeout', 'Immediate', 'TCPWRAP', 'TCPSERVERWRAP', 'PIPEWRAP', 'PIPESERVERWRAP', 'PROCESSWRAP', 'UDPWRAP']);
const created = new Map<number, { type: string; resource: object; stack: string }>();
if (process.env.LEAK_STACKS) {
  createHook({
    init(id, type, _trigger, resource: object) {
      if (TRACKED.has(type)) created.set(id, { type, resource, stack: new Error().stack?.split('\n').slice(2, 14).join('\n') ?? '' });
    },
    destroy(id) {
      created.delete(id);
    },
  }).enable();
}

function stacks(): string {
  const alive = [...created.values()].filter(({ resource }) => {
    const r = resource as { hasRef?: () => boolean; _destroyed?: boolean };
    return r._destroyed !== true && (r.hasRef?.() ?? true);
  });
  return alive.map(({ type, stack }) => `\n--- ${type}\n${stack}`).join('');
}

afterAll(async () => {
  const deadline = realDateNow() + LEAK_GRACE_MS;
  let left = beyond(before, census());
  while (left.length > 0 && realDateNow() < deadline) {
    await new Promise((resolve) => realSetTimeout(resolve, POLL_MS));
    left = beyond(before, census());
  }
  if (left.length > 0) {
    throw new Error(
      `This test file left running, ${LEAK_GRACE_MS} ms after its last afterAll: ${left.join(', ')}. ` +
        'Close it in an afterAll (a server, a client, a companion, a timer; a Disposables from shared/disposables.ts helps). ' +
        (process.env.LEAK_STACKS ? `Created at:${stacks()}` : 'LEAK_STACKS=1 says where each was created.'),
    );
  }
}, LEAK_GRACE_MS + 5_000);
