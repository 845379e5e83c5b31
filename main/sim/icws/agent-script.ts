// Scripted agents for demo mode (§2.5's knob "scripted agents that raise requests"): the
// agents of the workgroups a supervisor runs see their statuses change now and then, and
// while that supervisor's desk is open they raise assistance requests, thank whoever
// answers and press Done a little later. Timers only; everything goes through the state as
// a real agent's client would, so the supervisor sees the same messages.

import type { IcwsSimState } from './state';

export interface AgentScriptOptions {
  /** whose agents play: the supervisor the demo logs in as */
  supervisor: string;
  /** how often a status changes (one agent at a time) */
  statusEveryMs: number;
  /** how often an agent raises a request while fewer than two are open */
  raiseEveryMs: number;
  /** how long after a supervisor's message the agent thanks them and presses Done */
  replyAfterMs: number;
}

const STATUSES = [
  { statusId: 'Available', onPhone: false },
  { statusId: 'Available', onPhone: true },
  { statusId: 'Follow Up', onPhone: false },
  { statusId: 'At Lunch', onPhone: false },
  { statusId: 'Do Not Disturb', onPhone: true },
] as const;

const QUESTIONS = [
  'Müşteri kredi kartı limitinin iki katına çıkarılmasını istiyor, onay verebilir misiniz?',
  'Müşteri faiz indirimi talep ediyor, kampanya kapsamında mı?',
  'Kayıp kart bildirimi sonrası müşteri acil nakit istiyor, ne yapalım?',
  'Müşteri şikâyetini yöneticiye iletmek istiyor, bağlayabilir misiniz?',
];

/** Starts the script; the returned function stops every timer it set. */
export function startAgentScript(state: IcwsSimState, options: AgentScriptOptions): () => void {
  const timers = new Set<NodeJS.Timeout>();
  let turn = 0;
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };
  const every = (ms: number, run: () => void) => {
    const timer = setInterval(run, ms);
    timers.add(timer);
  };
  const agents = () => state.agentsOf(options.supervisor);
  /** The requests a scripted agent answered already: each is thanked and completed once. */
  const handled = new Set<string>();

  every(options.statusEveryMs, () => {
    const list = agents();
    if (list.length === 0) return;
    const agent = list[turn % list.length]!;
    const next = STATUSES[(turn * 3 + 1) % STATUSES.length]!;
    turn++;
    state.setUserStatus(agent, { statusId: next.statusId, onPhone: next.onPhone });
  });

  // Checked often, so a desk just opened gets its first request within a few seconds.
  let lastRaised = -Infinity;
  every(Math.min(3_000, options.raiseEveryMs), () => {
    const mine = new Set(agents().map((a) => a.toLowerCase()));
    const open = state.openRequests().filter((r) => mine.has(r.initiator.toLowerCase()));
    // A request nobody sees is no demo: only while the supervisor's desk is open.
    if (!state.supervisorDeskOpen(options.supervisor) || open.length >= 2) return;
    if (open.length > 0 && Date.now() - lastRaised < options.raiseEveryMs) return;
    lastRaised = Date.now();
    const busy = new Set(open.map((r) => r.initiator.toLowerCase()));
    const agent = agents().find((a) => !busy.has(a.toLowerCase()));
    if (!agent) return;
    const workgroup = state.workgroupsOf(agent)[0] ?? '';
    const interactionId = state.addInteraction(agent, { supervisor: 'silent', workgroup, remoteName: 'Demo Müşteri', remoteAddress: '+905550000000' });
    state.createRequest(state.user(agent), interactionId, QUESTIONS[turn++ % QUESTIONS.length]!);
  });

  // Once a supervisor has written, the agent thanks them and presses Done.
  every(500, () => {
    const mine = new Set(agents().map((a) => a.toLowerCase()));
    for (const r of state.openRequests()) {
      if (!mine.has(r.initiator.toLowerCase()) || handled.has(r.assistanceId)) continue;
      if (r.lastFrom === null || r.lastFrom.toLowerCase() === r.initiator.toLowerCase()) continue;
      handled.add(r.assistanceId);
      const agent = state.user(r.initiator);
      later(options.replyAfterMs, () => {
        if (!state.addAgentMessage(agent, r.assistanceId, 'Teşekkürler, müşteriye iletiyorum.')) return;
        later(options.replyAfterMs * 2, () => void state.complete(agent, r.assistanceId));
      });
    }
  });

  return () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
}
