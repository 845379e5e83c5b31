// A supervisor's answer to the agent's window, end to end on loopback: from the supervisor
// desk's `answer()` call (its POST to the inferred action path) to the agent's assistance
// client announcing the message (the event the window's `assistance.changed` is made of),
// two sessions of their own over server-sent events, as the app runs them. Timings only;
// nothing here asserts.

import { AppError } from '../../shared/errors';
import type { AssistanceRequest } from '../../shared/assistance';
import { sleep } from '../../main/http';
import { AssistanceClient } from '../../main/icws/assistance';
import { MessagePump } from '../../main/icws/messaging';
import { IcwsSession } from '../../main/icws/session';
import { SupervisorAssistanceClient } from '../../main/icws/supervisor-assistance';
import { createRng } from '../../main/sim/diyalog/data';
import { DEMO_ICWS_SUPERVISOR, startIcwsSim } from '../../main/sim/icws/server';
import type { SimUser } from '../../main/sim/icws/state';
import type { BenchRow } from './table';

const ANSWERS = 200;
const WARM_UP = 5;
const GAP_MS = 20;
const SEEN_TIMEOUT_MS = 10_000;

function stack(url: string, user: Readonly<SimUser>) {
  const session = new IcwsSession({ baseUrl: url, credentials: { userId: user.userId, password: user.password }, fetch: globalThis.fetch });
  const pump = new MessagePump(session, { mode: 'sse' });
  return { session, pump };
}

export async function benchSupervisorAnswer(): Promise<BenchRow[]> {
  const sim = await startIcwsSim({ supervisor: false });
  const agentSide = stack(sim.url, sim.user);
  const deskSide = stack(sim.url, DEMO_ICWS_SUPERVISOR);
  const agent = new AssistanceClient(agentSide.session, agentSide.pump);
  const desk = new SupervisorAssistanceClient(deskSide.session, deskSide.pump, { userId: DEMO_ICWS_SUPERVISOR.userId });
  const errors: AppError[] = [];
  for (const source of [agent, desk, agentSide.pump, deskSide.pump]) source.onError((e) => errors.push(e));
  try {
    await Promise.all([agent.start(), desk.start()]);
    const assistanceId = await agent.request(sim.interactionIds[0]!, 'Benchmark: limit onayı?');
    await waitFor(agent, (r) => r.some((x) => x.assistanceId === assistanceId), 'the new request');
    await until(() => desk.list().some((r) => r.assistanceId === assistanceId), 'the request on the desk');
    await desk.accept(assistanceId);
    await waitFor(agent, (r) => r.some((x) => x.assistanceId === assistanceId && x.state === 'accepted'), 'the acceptance');

    const rng = createRng(20261207);
    const times: number[] = [];
    for (let i = -WARM_UP; i < ANSWERS; i++) {
      await sleep(Math.floor(rng() * GAP_MS));
      const text = `Benchmark answer ${i}`;
      const started = performance.now();
      const seen = waitFor(agent, (r) => r.some((x) => x.assistanceId === assistanceId && x.messages.some((m) => m.text === text)), text);
      await desk.answer(assistanceId, text);
      const seenAt = await seen;
      if (i >= 0) times.push(seenAt - started);
    }
    times.sort((a, b) => a - b);
    const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
    const problems = errors.length > 0 ? `; ${errors.length} client errors (${errors[0]!.code})` : '';
    return [
      {
        bench: 'Supervisor answer → agent\'s client change event, SSE, two sessions (goal p99 < 50 ms)',
        value: `p99 ${p(0.99)} ms`,
        detail: `p50 ${p(0.5)} ms, max ${times.at(-1)!.toFixed(2)} ms over ${ANSWERS} answers (POST to the inferred path, fan-out, stream)${problems}`,
      },
    ];
  } finally {
    await desk.stop();
    await agent.stop();
    for (const side of [agentSide, deskSide]) {
      await side.pump.stop();
      await side.session.logout();
    }
    await sim.close();
  }
}

/** performance.now() at the agent's first change event whose list passes `test` (now, if it already does). */
function waitFor(client: AssistanceClient, test: (requests: AssistanceRequest[]) => boolean, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    if (test(client.list())) return resolve(performance.now());
    const timer = setTimeout(() => {
      off();
      reject(new AppError('unavailable', `No change event with ${what} within ${SEEN_TIMEOUT_MS} ms.`));
    }, SEEN_TIMEOUT_MS);
    const off = client.onChange((requests) => {
      const at = performance.now();
      if (!test(requests)) return;
      clearTimeout(timer);
      off();
      resolve(at);
    });
  });
}

async function until(test: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + SEEN_TIMEOUT_MS;
  while (!test()) {
    if (performance.now() > deadline) throw new AppError('unavailable', `No ${what} within ${SEEN_TIMEOUT_MS} ms.`);
    await sleep(5);
  }
}
