// `companion supervise …` and `companion agents` against the ICWS simulator, in-process: the
// issue's JSON shapes exactly, a request raised by an agent going through list, accept,
// answer and the agent's Done as two supervisors see it, ignore, watch (one line per change
// until interrupted), the non-supervisor's exit 1 with not_supervisor, the action path
// setting, the agents board with a refused and an unknown row, and input refused before
// anything is sent.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ICWS_AGENTS, DEMO_ICWS_SUPERVISOR, DEMO_ICWS_SUPERVISOR_2, startIcwsSim } from '../../../main/sim/icws/server';
import type { IcwsSim } from '../../../main/sim/icws/server';
import type { SimUser } from '../../../main/sim/icws/state';
import { LineReader, cleanEnv, expectError, okJson, runCompanion, startCompanion, tempDir } from './cli-harness';
import { waitUntil } from '../../support/wait';

let sim: IcwsSim;
let dataDir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  sim = await startIcwsSim({ supervisor: false });
  dataDir = await tempDir('supervise');
});

afterAll(async () => {
  await sim?.close();
  await dataDir?.remove();
});

const envFor = (user: Readonly<SimUser>, extra: Record<string, string> = {}) =>
  cleanEnv({ COMPANION_ICWS_URL: sim.url, COMPANION_ICWS_USER: user.userId, COMPANION_ICWS_PASSWORD: user.password, COMPANION_DATA_DIR: dataDir.path, ...extra });
const as = (user: Readonly<SimUser>, ...args: string[]) => runCompanion(args, envFor(user));

interface Row {
  assistanceId: string;
  state: string;
  myAction: string;
}
const rows = async (user: Readonly<SimUser>) => okJson<{ requests: Row[] }>(await as(user, 'supervise', 'list', '--json')).requests;

describe('companion supervise', () => {
  it('list, accept, answer: the issue\'s shapes, as both supervisors and the agent see them', async () => {
    const { assistanceId, interactionId } = sim.control.raiseRequest('demo.agent', 'Limit onayı?', 'Bireysel Bankacılık');
    const listed = okJson<{ requests: unknown[] }>(await as(DEMO_ICWS_SUPERVISOR, 'supervise', 'list', '--json'));
    expect(listed).toEqual({
      requests: [
        {
          assistanceId,
          interactionId,
          problemDescription: 'Limit onayı?',
          workgroup: 'Bireysel Bankacılık',
          initiator: { userId: 'demo.agent', displayName: 'Deniz Yılmaz' },
          state: 'open',
          myAction: 'none',
        },
      ],
    });

    expect(okJson(await as(DEMO_ICWS_SUPERVISOR, 'supervise', 'accept', assistanceId, '--json'))).toEqual({ assistanceId, action: 'accepted' });
    expect(await rows(DEMO_ICWS_SUPERVISOR)).toMatchObject([{ assistanceId, state: 'accepted', myAction: 'accepted' }]);
    expect(await rows(DEMO_ICWS_SUPERVISOR_2)).toMatchObject([{ assistanceId, state: 'accepted', myAction: 'none' }]);

    expect(okJson(await as(DEMO_ICWS_SUPERVISOR, 'supervise', 'answer', assistanceId, 'Onaylandı, devam edin.', '--json'))).toEqual({ assistanceId, action: 'answered' });
    // The agent's own command sees the answer from Selin.
    const agent = okJson<{ requests: { assistanceId: string; messages: { text: string; participantId: string }[] }[] }>(await as(sim.user, 'assistance', 'list', '--json'));
    expect(agent.requests.find((r) => r.assistanceId === assistanceId)?.messages.at(-1)).toMatchObject({ text: 'Onaylandı, devam edin.', participantId: 'demo.supervisor' });

    // People's text names who accepted.
    const text = await as(DEMO_ICWS_SUPERVISOR_2, 'supervise', 'list');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('accepted (accepted by Selin Kaya)');
    expect(text.stdout).toContain('Limit onayı?');

    expect((await as(sim.user, 'assistance', 'complete', assistanceId, '--json')).code).toBe(0);
    expect(await rows(DEMO_ICWS_SUPERVISOR)).toEqual([]);
    expect(sim.control.sessions()).toEqual([]);
  });

  it('ignore changes only the ignoring supervisor\'s own action; a late accept is refused in the server\'s words (exit 1)', async () => {
    const { assistanceId } = sim.control.raiseRequest('demo.agent', 'Faiz?', 'Kredi Kartları');
    expect(okJson(await as(DEMO_ICWS_SUPERVISOR_2, 'supervise', 'ignore', assistanceId, '--json'))).toEqual({ assistanceId, action: 'ignored' });
    expect(await rows(DEMO_ICWS_SUPERVISOR_2)).toMatchObject([{ assistanceId, state: 'open', myAction: 'ignored' }]);
    expect(await rows(DEMO_ICWS_SUPERVISOR)).toMatchObject([{ assistanceId, state: 'open', myAction: 'none' }]);
    await as(DEMO_ICWS_SUPERVISOR, 'supervise', 'accept', assistanceId, '--json');
    const late = expectError(await as(DEMO_ICWS_SUPERVISOR_2, 'supervise', 'accept', assistanceId, '--json'), 1, 'operation_failed');
    expect(late.message).toContain('already accepted');
    sim.control.removeRequest(assistanceId);
  });

  it('a user who supervises no workgroup: exit 1, not_supervisor, for list, watch and every action', async () => {
    const agent = DEMO_ICWS_AGENTS[0]!;
    for (const args of [['supervise', 'list'], ['supervise', 'watch'], ['supervise', 'accept', 'a-1'], ['supervise', 'answer', 'a-1', 'Merhaba']]) {
      const error = expectError(await as(agent, ...args, '--json'), 1, 'not_supervisor');
      expect(error.message).toContain('not a workgroup supervisor');
    }
    const text = await as(agent, 'supervise', 'list');
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('not_supervisor');
  });

  it('watch --json prints the list, then one line per change, until interrupted (exit 0)', async () => {
    const run = startCompanion(['supervise', 'watch', '--json'], envFor(DEMO_ICWS_SUPERVISOR));
    const lines = new LineReader(run);
    try {
      expect(JSON.parse(await lines.next())).toEqual({ requests: [] });
      const { assistanceId } = sim.control.raiseRequest('demo.agent', 'Yeni', 'Dijital Kanallar');
      expect(JSON.parse(await lines.next())).toMatchObject({ requests: [{ assistanceId, state: 'open', myAction: 'none' }] });
      sim.control.removeRequest(assistanceId);
      // Its conversation may come in between: read until the removal.
      let last: { requests: unknown[] };
      do last = JSON.parse(await lines.next()) as { requests: unknown[] };
      while (last.requests.length > 0);
    } finally {
      run.interrupt();
    }
    expect((await run.finished).code).toBe(0);
    await waitUntil('the watch to log out', () => sim.control.sessions().length === 0);
  });

  it('takes actions at the path the setting names when the server differs', async () => {
    const other = 'interactions/supervisor-assistance/{assistanceId}/action';
    sim.control.setSupervisorActionPath(other);
    try {
      const { assistanceId } = sim.control.raiseRequest('demo.agent', 'Yol?', 'Bireysel Bankacılık');
      const inferred = expectError(await as(DEMO_ICWS_SUPERVISOR, 'supervise', 'accept', assistanceId, '--json'), 1, 'not_found');
      expect(inferred.message).toContain('icws.supervisorAssistanceActionPath');
      const set = await runCompanion(['settings', 'set', 'icws.supervisorAssistanceActionPath', other, '--json'], envFor(DEMO_ICWS_SUPERVISOR));
      expect(set.code, set.stderr).toBe(0);
      expect(okJson(await as(DEMO_ICWS_SUPERVISOR, 'supervise', 'accept', assistanceId, '--json'))).toEqual({ assistanceId, action: 'accepted' });
      const posts = sim.control.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/${assistanceId}/action`));
      expect(posts.map((r) => r.status)).toEqual([204]);
      sim.control.removeRequest(assistanceId);
    } finally {
      sim.control.setSupervisorActionPath(null);
      await runCompanion(['settings', 'set', 'icws.supervisorAssistanceActionPath', 'null'], envFor(DEMO_ICWS_SUPERVISOR));
    }
  });

  it('refuses bad input before anything is sent (exit 2)', async () => {
    const before = sim.control.requestCount;
    expectError(await as(DEMO_ICWS_SUPERVISOR, 'supervise', 'accept', '--json'), 2, 'invalid_input');
    expectError(await as(DEMO_ICWS_SUPERVISOR, 'supervise', 'accept', 'a/b', '--json'), 2, 'invalid_input');
    expectError(await as(DEMO_ICWS_SUPERVISOR, 'supervise', 'answer', 'a-1', '--json'), 2, 'invalid_input');
    expectError(await as(DEMO_ICWS_SUPERVISOR, 'supervise', 'answer', 'a-1', '   ', '--json'), 2, 'invalid_input');
    expectError(await runCompanion(['settings', 'set', 'icws.supervisorAssistanceActionPath', 'interactions/no-placeholder', '--json'], envFor(DEMO_ICWS_SUPERVISOR)), 2, 'invalid_input');
    expectError(await runCompanion(['settings', 'set', 'icws.supervisorAssistanceActionPath', '../{assistanceId}', '--json'], envFor(DEMO_ICWS_SUPERVISOR)), 2, 'invalid_input');
    expect(sim.control.requestCount).toBe(before);
  });
});

describe('companion agents', () => {
  it('the board of supervisor.agents in the issue\'s shape; a refused and an unknown user are rows with their errors', async () => {
    sim.control.setUserStatus('demo.agent3', { statusId: 'At Lunch', onPhone: true });
    const env = envFor(sim.user, { COMPANION_SUPERVISOR_AGENTS: 'demo.agent2, demo.agent3' });
    const board = okJson<{ agents: unknown[] }>(await runCompanion(['agents', '--json'], env));
    const since = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/);
    expect(board).toEqual({
      agents: [
        { userId: 'demo.agent2', statusId: 'Available', loggedIn: true, onPhone: false, since },
        { userId: 'demo.agent3', statusId: 'At Lunch', loggedIn: true, onPhone: true, since },
      ],
    });

    sim.control.setUserStatus('demo.agent3', { hidden: true });
    try {
      const set = await runCompanion(['settings', 'set', 'supervisor.agents', 'demo.agent2,ghost.user,demo.agent3', '--json'], envFor(sim.user));
      expect(set.code, set.stderr).toBe(0);
      const mixed = okJson<{ agents: { userId: string; error?: { code: string } }[] }>(await as(sim.user, 'agents', '--json'));
      expect(mixed.agents.map((a) => [a.userId, a.error?.code ?? null])).toEqual([
        ['demo.agent2', null],
        ['ghost.user', 'not_found'],
        ['demo.agent3', 'no_status_right'],
      ]);
      const text = await as(sim.user, 'agents');
      expect(text.stdout).toContain('demo.agent2  Available  logged in  off the phone');
      expect(text.stdout).toContain('ghost.user');
    } finally {
      sim.control.setUserStatus('demo.agent3', { hidden: false });
      await runCompanion(['settings', 'set', 'supervisor.agents', 'null'], envFor(sim.user));
    }
  });

  it('with no agents configured says how to set them, without logging in', async () => {
    const before = sim.control.requestCount;
    expect(okJson(await as(sim.user, 'agents', '--json'))).toEqual({ agents: [] });
    expect((await as(sim.user, 'agents')).stdout).toContain('supervisor.agents');
    expect(sim.control.requestCount).toBe(before);
  });

  it('a bad agent id in the variable is refused naming the variable (exit 2)', async () => {
    const error = expectError(await runCompanion(['agents', '--json'], envFor(sim.user, { COMPANION_SUPERVISOR_AGENTS: 'demo.agent2,bad\tid' })), 2, 'invalid_input');
    expect(error.message).toContain('COMPANION_SUPERVISOR_AGENTS');
  });
});
