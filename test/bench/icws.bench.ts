import { z } from 'zod';
import type { AssistanceRequest } from '../../shared/assistance';
import { AppError } from '../../shared/errors';
import { sleep } from '../../main/http';
import { AssistanceClient } from '../../main/icws/assistance';
import { MessagePump } from '../../main/icws/messaging';
import { IcwsSession } from '../../main/icws/session';
import { createRng } from '../../main/sim/diyalog/data';
import type { Rng } from '../../main/sim/diyalog/data';
import { startIcwsSim } from '../../main/sim/icws/server';
import type { IcwsSim } from '../../main/sim/icws/server';
import type { BenchRow } from './table';

const MESSAGES = 200;
const WARM_UP = 5;
const IDLE_WINDOW_MS = 10_000;
/** MessagePump's default, which the assistance service runs with. */
const POLL_INTERVAL_MS = 1_000;
const SSE_GAP_MS = 20;
const SEEN_TIMEOUT_MS = 10_000;

type Mode = 'sse' | 'poll';
const MODE_NAME: Record<Mode, string> = { sse: 'SSE', poll: `short poll every ${POLL_INTERVAL_MS / 1000} s` };

const messagesAddedSchema = z.object({ messagesAdded: z.array(z.object({ text: z.string() })).optional() });

interface Client {
  session: IcwsSession;
  assistance: AssistanceClient;
  errors: AppError[];
}

/**
 * Supervisor message → the client's change event, and the requests an idle session costs,
 * with server-sent events and with short polling, each against its own simulator.
 */
export async function benchAssistanceMessaging(): Promise<BenchRow[]> {
  const latency: BenchRow[] = [];
  const idle: BenchRow[] = [];
  for (const mode of ['sse', 'poll'] as const) {
    const rows = await benchMode(mode);
    latency.push(rows.latency);
    idle.push(rows.idle);
  }
  return [...latency, ...idle];
}

async function benchMode(mode: Mode): Promise<{ latency: BenchRow; idle: BenchRow }> {
  const sim = await startIcwsSim({ supervisor: false });
  const session = new IcwsSession({
    baseUrl: sim.url,
    credentials: { userId: sim.user.userId, password: sim.user.password },
    fetch: globalThis.fetch,
  });
  const pump = new MessagePump(session, { mode, pollIntervalMs: POLL_INTERVAL_MS });
  const client: Client = { session, assistance: new AssistanceClient(session, pump), errors: [] };
  pump.onError((e) => client.errors.push(e));
  client.assistance.onError((e) => client.errors.push(e));
  try {
    await client.assistance.start();
    const assistanceId = await client.assistance.request(sim.interactionIds[0]!, 'Benchmark: customer asks for a limit increase.');
    // The details subscription follows the list delta; until its first message, supervisor messages go nowhere.
    await waitForChange(client, (r) => r.some((x) => x.assistanceId === assistanceId && x.interactionId !== null), 'the new request');
    // Accepted up front, so that each supervisor message below is one details message.
    const accepted = waitForChange(client, (r) => r.some((x) => x.assistanceId === assistanceId && x.state === 'accepted'), 'the acceptance');
    sim.control.supervisorAccept(assistanceId);
    await accepted;

    const latency = await measureLatency(sim, client, mode, assistanceId);
    const idle = await measureIdle(sim, mode, createRng(20261125));
    const errors = client.errors.length > 0 ? `; ${client.errors.length} client errors (${client.errors[0]!.code})` : '';
    return { latency: { ...latency, detail: latency.detail + errors }, idle };
  } finally {
    await client.assistance.stop();
    await pump.stop();
    await session.logout();
    await sim.close();
  }
}

async function measureLatency(sim: IcwsSim, client: Client, mode: Mode, assistanceId: string): Promise<BenchRow> {
  // Phase against the poll timer matters: a gap spread over a whole interval samples it evenly.
  const gapMs = mode === 'poll' ? POLL_INTERVAL_MS : SSE_GAP_MS;
  const rng = createRng(mode === 'poll' ? 20261123 : 20261124);
  const queuedAt = new Map<string, number>();
  const offQueued = sim.control.onMessageQueued((e) => {
    if (e.sessionId !== client.session.sessionId) return;
    const parsed = messagesAddedSchema.safeParse(e.message);
    for (const m of parsed.data?.messagesAdded ?? []) queuedAt.set(m.text, e.queuedAt);
  });
  const times: number[] = [];
  try {
    for (let i = -WARM_UP; i < MESSAGES; i++) {
      await sleep(randomGap(rng, gapMs));
      const text = `Benchmark ${mode} message ${i}`;
      const seen = waitForChange(client, (r) => r.some((x) => x.assistanceId === assistanceId && x.messages.some((m) => m.text === text)), text);
      sim.control.supervisorMessage(assistanceId, text);
      const seenAt = await seen;
      const queued = queuedAt.get(text);
      if (queued === undefined) throw new AppError('internal', `The simulator never queued "${text}" for the benchmark session.`);
      if (i >= 0) times.push(seenAt - queued);
    }
  } finally {
    offQueued();
  }
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
  return {
    bench: `ICWS supervisor message → client change event, ${MODE_NAME[mode]}`,
    value: `p50 ${p(0.5)} ms`,
    detail: `p99 ${p(0.99)} ms over ${MESSAGES} messages`,
  };
}

/** The session is started, subscribed and has one open request; nothing happens for a while. */
async function measureIdle(sim: IcwsSim, mode: Mode, rng: Rng): Promise<BenchRow> {
  // The last message was just seen, right after a poll: a window opened now would always miss one.
  await sleep(randomGap(rng, POLL_INTERVAL_MS));
  const beforeCount = sim.control.requestCount;
  const beforeLog = sim.control.requests.length;
  const started = performance.now();
  await sleep(IDLE_WINDOW_MS);
  const seconds = (performance.now() - started) / 1000;
  const count = sim.control.requestCount - beforeCount;
  const kinds = [...new Set(sim.control.requests.slice(beforeLog).map((r) => `${r.method} ${r.path.replace(/^\/icws\/[^/]+\//, '')}`))];
  const streamGets = sim.control.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/messaging/messages')).length;
  const streaming = sim.control.sessions().some((s) => s.streaming);
  const what = mode === 'sse' ? `stream ${streaming ? 'still open' : 'CLOSED'}, ${streamGets} stream GET since login` : kinds.join(', ') || 'nothing';
  return {
    bench: `ICWS idle session, requests per minute, ${MODE_NAME[mode]}`,
    value: `${Math.round((count * 60) / seconds)} /min`,
    detail: `${count} requests in ${seconds.toFixed(1)} s (${what})`,
  };
}

function randomGap(rng: Rng, maxMs: number): number {
  return Math.floor(rng() * maxMs);
}

/** performance.now() at the first change event whose list passes `test` (now, if the current list already does). */
function waitForChange(client: Client, test: (requests: AssistanceRequest[]) => boolean, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    if (test(client.assistance.list())) return resolve(performance.now());
    const timer = setTimeout(() => {
      off();
      reject(new AppError('unavailable', `No change event with ${what} within ${SEEN_TIMEOUT_MS} ms.`));
    }, SEEN_TIMEOUT_MS);
    const off = client.assistance.onChange((requests) => {
      const at = performance.now();
      if (!test(requests)) return;
      clearTimeout(timer);
      off();
      resolve(at);
    });
  });
}
