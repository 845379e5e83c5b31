// `companion assistance ...` against the ICWS simulator (each command logs in, works and
// logs out), and `companion sim`, which serves both simulators until it is stopped. In-process,
// but for `watch` stopped by a real SIGINT.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssistanceRequest } from '../../../shared/assistance';
import type { HelpStateAnswer } from '../../../shared/diyalog';
import { DEMO_ICWS_SUPERVISOR, startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim, SimRequestRecord } from '../../../main/sim/icws/server';
import {
  LineReader,
  cleanEnv,
  closedPort,
  eventually,
  expectError,
  okJson,
  runCompanion,
  spawnCompanion,
  startCompanion,
  stopWith,
  tempDir,
} from './cli-harness';

const SUPERVISOR_REPLY = 'Geliyorum, bir dakika.';
const LOGIN = /^\/icws\/connection$/;
const LOGOUT = /^\/icws\/[^/]+\/connection$/;

let sim: IcwsSim;
let dataDir: { path: string; remove: () => Promise<void> };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sim = await startIcwsSim({ supervisor: { acceptDelayMs: 20, reply: SUPERVISOR_REPLY } });
  dataDir = await tempDir('assistance');
  env = cleanEnv({
    COMPANION_ICWS_URL: sim.url,
    COMPANION_ICWS_USER: sim.user.userId,
    COMPANION_ICWS_PASSWORD: sim.user.password,
    COMPANION_DATA_DIR: dataDir.path,
  });
});

afterAll(async () => {
  await sim?.close();
  await dataDir?.remove();
});

const companion = (...args: string[]) => runCompanion(args, env);

/** Runs one command and checks it logged in at most once and logged out as often as it logged in. */
async function loggedOut<T>(work: () => Promise<T>, logins = 1): Promise<T> {
  const from = sim.control.requests.length;
  const value = await work();
  const exchanges: SimRequestRecord[] = sim.control.requests.slice(from);
  const opened = exchanges.filter((r) => r.method === 'POST' && LOGIN.test(r.path) && r.status === 201);
  const closed = exchanges.filter((r) => r.method === 'DELETE' && LOGOUT.test(r.path) && r.status === 204);
  expect(opened, JSON.stringify(exchanges)).toHaveLength(logins);
  expect(closed, JSON.stringify(exchanges)).toHaveLength(logins);
  expect(sim.control.sessions()).toEqual([]);
  return value;
}

async function list(): Promise<AssistanceRequest[]> {
  const { requests } = okJson<{ requests: AssistanceRequest[] }>(await loggedOut(() => companion('assistance', 'list', '--json')));
  return requests;
}

async function create(interactionId: string, text: string): Promise<string> {
  const answer = okJson<{ assistanceId: string }>(await loggedOut(() => companion('assistance', 'create', interactionId, '--text', text, '--json')));
  expect(Object.keys(answer)).toEqual(['assistanceId']);
  return answer.assistanceId;
}

describe('companion assistance', () => {
  it('create → list (with the supervisor reply) → update → complete, logging out after each', async () => {
    const interactionId = sim.interactionIds[0]!;
    const assistanceId = await create(interactionId, 'Kart iadesi için onay gerekiyor.');

    const accepted = await eventually(async () => {
      const found = (await list()).find((r) => r.assistanceId === assistanceId);
      return found?.messages.some((m) => m.participantId === DEMO_ICWS_SUPERVISOR.userId) ? found : undefined;
    }, 'the scripted supervisor reply');
    expect(accepted).toMatchObject({
      assistanceId,
      interactionId,
      state: 'accepted',
      messages: [
        { text: 'Kart iadesi için onay gerekiyor.', participantId: sim.user.userId },
        { text: SUPERVISOR_REPLY, participantId: DEMO_ICWS_SUPERVISOR.userId },
      ],
    });
    expect(accepted.participants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: sim.user.userId, action: 'initiated' }),
        expect.objectContaining({ userId: DEMO_ICWS_SUPERVISOR.userId, action: 'accepted' }),
      ]),
    );

    const updated = okJson(await loggedOut(() => companion('assistance', 'update', assistanceId, '--text', 'Müşteri hatta bekliyor.', '--json')));
    expect(updated).toEqual({ assistanceId, ok: true });
    const afterUpdate = (await list()).find((r) => r.assistanceId === assistanceId);
    expect(afterUpdate?.messages.map((m) => m.text)).toContain('Müşteri hatta bekliyor.');

    expect(okJson(await loggedOut(() => companion('assistance', 'complete', assistanceId, '--json')))).toEqual({ assistanceId, ok: true });
    expect((await list()).map((r) => r.assistanceId)).not.toContain(assistanceId);
  });

  it('watch --json prints one line per change until SIGINT, exits 0 and logs out', async () => {
    const assistanceId = await create(sim.interactionIds[1]!, 'İzleme testi.');
    const from = sim.control.requests.length;
    const child = spawnCompanion(['assistance', 'watch', '--json'], env);
    const lines = new LineReader(child);
    try {
      const first = JSON.parse(await lines.next()) as { requests: AssistanceRequest[] };
      expect(first.requests.map((r) => r.assistanceId)).toContain(assistanceId);
      expect(sim.control.sessions()).toHaveLength(1);

      sim.control.supervisorMessage(assistanceId, 'Şimdi bakıyorum.');
      for (;;) {
        const { requests } = JSON.parse(await lines.next()) as { requests: AssistanceRequest[] };
        const texts = requests.find((r) => r.assistanceId === assistanceId)?.messages.map((m) => m.text) ?? [];
        if (texts.includes('Şimdi bakıyorum.')) break;
      }
    } finally {
      const exit = await stopWith(child, 'SIGINT');
      expect(exit, lines.stderr).toEqual({ code: 0, signal: null });
    }
    for (const line of lines.drain()) expect(() => JSON.parse(line) as unknown).not.toThrow();
    const exchanges = sim.control.requests.slice(from);
    expect(exchanges.filter((r) => r.method === 'DELETE' && LOGOUT.test(r.path) && r.status === 204)).toHaveLength(1);
    expect(sim.control.sessions()).toEqual([]);

    await loggedOut(() => companion('assistance', 'complete', assistanceId, '--json'));
  });

  it('exits 1 with not_found for an unknown request or interaction, and still logs out', async () => {
    expectError(await loggedOut(() => companion('assistance', 'complete', 'no-such-assistance', '--json')), 1, 'not_found');
    expectError(await loggedOut(() => companion('assistance', 'create', '99999999', '--text', 'hi', '--json')), 1, 'not_found');
  });

  it('exits 2 on bad usage and never connects', async () => {
    const before = sim.control.requestCount;
    const results = await Promise.all([
      companion('assistance', 'create', '--text', 'no interaction', '--json'),
      companion('assistance', 'create', sim.interactionIds[2]!, '--json'),
      companion('assistance', 'update', 'a1', '--json'),
      companion('assistance', 'complete', '--json'),
      runCompanion(['assistance', 'list', '--json'], { ...env, COMPANION_ICWS_URL: 'not a url' }),
    ]);
    for (const result of results) expectError(result, 2, 'invalid_input');
    expect(sim.control.requestCount).toBe(before);
  });

  it('exits 3 on a wrong password or no configuration, and 4 when the server is unreachable', async () => {
    const wrong = 'not-the-password-9876';
    const { COMPANION_ICWS_URL: _url, ...noUrl } = env;
    const port = await closedPort();
    const [badPassword, unconfigured, unreachable] = await Promise.all([
      runCompanion(['assistance', 'list', '--json'], { ...env, COMPANION_ICWS_PASSWORD: wrong }),
      runCompanion(['assistance', 'list', '--json'], noUrl),
      runCompanion(['assistance', 'list', '--json'], { ...env, COMPANION_ICWS_URL: `http://127.0.0.1:${port}` }),
    ]);
    expectError(badPassword, 3, 'auth_failed');
    expect(badPassword.stdout + badPassword.stderr).not.toContain(wrong);
    expect(expectError(unconfigured, 3, 'missing_credentials').message).toContain('COMPANION_ICWS_URL');
    expectError(unreachable, 4, 'unavailable');
    expect(sim.control.sessions()).toEqual([]);
  });
});

describe('companion sim', () => {
  interface SimLine {
    diyalog: { url: string; keyId: string; secret: string; staffId: string };
    icws: { url: string; alternateUrl: string; userId: string; password: string; interactionIds: string[]; supervisors: { userId: string; password: string }[] };
  }

  // Interrupted in-process (what SIGTERM does through the entry; the watch above gets a real SIGINT).
  it('prints one JSON line with URLs and demo credentials that work, and stops when interrupted', async () => {
    const demoData = await tempDir('sim');
    const run = startCompanion(['sim'], cleanEnv({ COMPANION_DATA_DIR: demoData.path }));
    const lines = new LineReader(run);
    let line: SimLine;
    try {
      line = JSON.parse(await lines.next()) as SimLine;
      expect(line).toMatchObject({
        diyalog: { url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+/), keyId: expect.any(String), secret: expect.any(String), staffId: expect.any(String) },
        icws: {
          url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+/),
          alternateUrl: expect.any(String),
          userId: expect.any(String),
          password: expect.any(String),
          interactionIds: expect.arrayContaining([expect.any(String)]),
        },
      });
      const simEnv = cleanEnv({
        COMPANION_DIYALOG_URL: line.diyalog.url,
        COMPANION_DIYALOG_KEY_ID: line.diyalog.keyId,
        COMPANION_DIYALOG_SECRET: line.diyalog.secret,
        COMPANION_STAFF_ID: line.diyalog.staffId,
        COMPANION_ICWS_URL: line.icws.url,
        COMPANION_ICWS_USER: line.icws.userId,
        COMPANION_ICWS_PASSWORD: line.icws.password,
        COMPANION_DATA_DIR: demoData.path,
      });
      const [state, assistance] = await Promise.all([
        runCompanion(['help-state', '70022', '--json'], simEnv),
        runCompanion(['assistance', 'list', '--json'], simEnv),
      ]);
      expect(okJson<HelpStateAnswer>(state).customerId).toBe('70022');
      expect(okJson<{ requests: unknown[] }>(assistance).requests).toEqual(expect.any(Array));
      // The demo agent's supervisors it prints can answer it from a terminal.
      const [supervisor] = line.icws.supervisors;
      const desk = await runCompanion(['supervise', 'list', '--json'], { ...simEnv, COMPANION_ICWS_USER: supervisor!.userId, COMPANION_ICWS_PASSWORD: supervisor!.password });
      expect(okJson<{ requests: unknown[] }>(desk).requests).toEqual(expect.any(Array));
    } finally {
      run.interrupt();
      expect((await run.finished).code, lines.stderr).toBe(0);
      await demoData.remove();
    }
    expect(lines.drain()).toEqual([]);
    await expect(fetch(`${line.icws.url}/icws/connection/features`)).rejects.toThrow();
    await expect(fetch(`${line.diyalog.url}/v1/application/iscustomerinonlinehelp`, { method: 'POST' })).rejects.toThrow();
  });
});
