// `companion assistance watch` when the ICWS server ends the session (connectionStateChangeMessage,
// Down, shouldReconnect false): the watch does not log in again by itself; it ends with exit 4
// and the error code `session_ended`, carrying the server's reason. Both pump modes. In-process.

import { afterEach, describe, expect, it } from 'vitest';
import type { AssistanceRequest } from '../../../shared/assistance';
import type { ErrorValue } from '../../../shared/errors';
import { startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim } from '../../../main/sim/icws/server';
import { LineReader, cleanEnv, startCompanion, tempDir } from './cli-harness';

const LOGIN = /^\/icws\/connection$/;

let sim: IcwsSim | undefined;
let dataDir: { path: string; remove: () => Promise<void> } | undefined;

afterEach(async () => {
  await sim?.close();
  await dataDir?.remove();
  sim = undefined;
  dataDir = undefined;
});

describe.each([
  ['server-sent events', 2],
  ['short polling', 1],
] as const)('companion assistance watch, %s', (_mode, messagingVersion) => {
  it('ends with exit 4 and session_ended when the server ends the session, without logging in again', async () => {
    sim = await startIcwsSim({ supervisor: false, messagingVersion });
    dataDir = await tempDir('assistance-ended');
    const env = cleanEnv({
      COMPANION_ICWS_URL: sim.url,
      COMPANION_ICWS_USER: sim.user.userId,
      COMPANION_ICWS_PASSWORD: sim.user.password,
      COMPANION_DATA_DIR: dataDir.path,
    });
    const run = startCompanion(['assistance', 'watch', '--json'], env);
    const lines = new LineReader(run);
    try {
      const first = JSON.parse(await lines.next()) as { requests: AssistanceRequest[]; stale: boolean };
      expect(first).toEqual({ requests: [], stale: false });

      const reason = 'Your session was ended by an administrator.';
      expect(sim.control.endSessions({ reason, shouldReconnect: false })).toBe(1);
      expect((await run.finished).code, lines.stderr).toBe(4);

      const rest = lines.drain().map((l) => JSON.parse(l) as { error?: ErrorValue });
      expect(rest.at(-1)).toEqual({ error: { code: 'session_ended', message: reason } });
      expect(sim.control.requests.filter((r) => r.method === 'POST' && LOGIN.test(r.path))).toHaveLength(1);
      expect(sim.control.sessions()).toEqual([]);
    } finally {
      run.interrupt();
      await run.finished;
    }
  });
});
