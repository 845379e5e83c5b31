// `npm run bench -- audit`: what the audit trail costs. One append (intent or outcome: a line,
// two head writes, three fsyncs, the head keyed), p50 and p99; and a bulk end of 100 sessions
// at 30 ms latency with and without the forwarder sending to a collector as it goes (rsyslogd
// over plain TCP on loopback where installed, else a loopback socket that reads and closes).

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiyalogClient } from '../../main/diyalog/client';
import { AuditForwarder } from '../../main/services/audit-forward';
import { forceEndMany } from '../../main/services/recovery';
import { startDiyalogSim, type DiyalogSim } from '../../main/sim/diyalog/server';
import { AuditLog, type AuditKeyStore } from '../../main/store/audit';
import { freePort, rsyslogCollector, rsyslogMissing } from '../support/rsyslog';
import type { BenchRow } from './table';

const APPENDS = 400;
const SESSIONS = 100;
const LATENCY_MS = 30;
const ROUNDS = 3;

class MemoryKeys implements AuditKeyStore {
  readonly #keys = new Map<string, string>();
  async getAuditKey(trail: string) {
    return this.#keys.get(trail) ?? null;
  }
  async setAuditKey(trail: string, key: string) {
    this.#keys.set(trail, key);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export async function benchAudit(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'companion-bench-audit-'));
  try {
    const log = new AuditLog(dir, Date.now, new MemoryKeys());
    const times: number[] = [];
    for (let i = 0; i < APPENDS; i++) {
      const started = performance.now();
      const id = await log.recordIntent({ actor: '45186', customerId: String(1_000_000 + i), staffId: '45187', reason: 'Agent app crashed; customer stuck in help.' });
      times.push(performance.now() - started);
      const again = performance.now();
      await log.recordOutcome(id, { outcome: 'ended', message: 'Finished.' });
      times.push(performance.now() - again);
    }
    times.sort((a, b) => a - b);
    rows.push({
      bench: `audit append (keyed head), ${times.length} appends on ${tmpdir()}`,
      value: `p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`,
      detail: `max ${times.at(-1)!.toFixed(2)} ms; each: a line, two head writes, three fsyncs`,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  rows.push(...(await benchBulkEndForwarding()));
  return rows;
}

async function benchBulkEndForwarding(): Promise<BenchRow[]> {
  const sim = await startDiyalogSim({ latencyMs: LATENCY_MS, historySize: 0 });
  const collectorDir = await mkdtemp(join(tmpdir(), 'companion-bench-collector-'));
  const port = await freePort();
  const useRsyslog = rsyslogMissing() === null;
  const rsyslog = useRsyslog ? rsyslogCollector(collectorDir, port, null) : null;
  let sink: Server | null = null;
  try {
    if (rsyslog) await rsyslog.start();
    else sink = await loopbackSink(port);
    const agent = sim.control.staff().find((s) => s.role === 'agent')!.staffId;
    const customers = sim.control.customers().map((c) => c.customerId).slice(0, SESSIONS);
    if (customers.length < SESSIONS) throw new Error(`the simulator has only ${customers.length} customers`);
    const client = new DiyalogClient({ baseUrl: sim.url, credentials: sim.credentials, requesterUserId: sim.staffId, fetch: globalThis.fetch });
    const timings = { without: [] as number[], with: [] as number[] };
    let forwarded = 0;
    // Alternated, so a slower moment of the machine does not land on one side only.
    for (let round = 0; round < ROUNDS; round++) {
      for (const forwarding of [false, true]) {
        const dir = await mkdtemp(join(tmpdir(), 'companion-bench-bulk-'));
        const audit = new AuditLog(dir, Date.now, new MemoryKeys());
        const forwarder = forwarding
          ? new AuditForwarder({ audit, collector: async () => ({ target: { transport: 'tcp', host: '127.0.0.1', port } }), pollMs: 1_000 })
          : null;
        forwarder?.start();
        for (const customerId of customers) sim.control.crashSession(customerId, agent, sim.control.serverNow() - 3_600_000);
        const started = performance.now();
        const { results } = await forceEndMany(client, audit, { actor: sim.staffId, reason: 'Bench: agent app crashed', sessions: customers.map((customerId) => ({ customerId, staffId: agent })) });
        const ms = performance.now() - started;
        if (results.some((r) => r.outcome !== 'ended')) throw new Error('a bench force-end did not end');
        (forwarding ? timings.with : timings.without).push(ms);
        if (forwarder) {
          await forwarder.flush(30_000);
          forwarded += (await audit.forwardStatus()).lastSentSeq;
          await forwarder.stop();
        }
        await rm(dir, { recursive: true, force: true });
      }
    }
    const without = median(timings.without);
    const withForwarding = median(timings.with);
    const label = `bulk end of ${SESSIONS} sessions, ${LATENCY_MS} ms latency, concurrency 4`;
    return [
      { bench: `${label}, no forwarding`, value: `${Math.round(without)} ms`, detail: `median of ${ROUNDS}: ${timings.without.map(Math.round).join(', ')} ms` },
      {
        bench: `${label}, forwarding as it goes`,
        value: `${Math.round(withForwarding)} ms`,
        detail: `median of ${ROUNDS}: ${timings.with.map(Math.round).join(', ')} ms; ${((withForwarding / without - 1) * 100).toFixed(1)} % vs none; ${forwarded} entries to ${useRsyslog ? 'rsyslogd' : 'a loopback socket (rsyslogd not installed)'}`,
      },
    ];
  } finally {
    await rsyslog?.stop();
    await new Promise<void>((resolve) => (sink ? sink.close(() => resolve()) : resolve()));
    await rm(collectorDir, { recursive: true, force: true });
    await closeSim(sim);
  }
}

async function closeSim(sim: DiyalogSim): Promise<void> {
  await sim.close();
}

/** A collector stand-in: reads everything and closes when the sender does. */
async function loopbackSink(port: number): Promise<Server> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('data', () => undefined);
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
