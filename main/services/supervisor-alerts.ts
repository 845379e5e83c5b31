import type { SupervisorAlert, SupervisorRequest } from '../../shared/supervisor';

/**
 * Follows the supervisor's list and says what deserves a notification: a request that was
 * not there before, and a new message from the agent on a request this supervisor accepted.
 * The first list after a (re)start only sets what is known, so a login does not re-announce
 * the day's requests. Messages carry no id: the nth repeat of the same text at the same time
 * is part of the key (as for the agent's alerts).
 */
export class SupervisorAlerts {
  #knownIds: Set<string> | null = null;
  #knownMessages = new Set<string>();
  readonly #ownUserId: () => string | null;

  constructor(ownUserId: () => string | null) {
    this.#ownUserId = ownUserId;
  }

  reset(): void {
    this.#knownIds = null;
    this.#knownMessages = new Set();
  }

  next(requests: readonly SupervisorRequest[]): SupervisorAlert[] {
    const first = this.#knownIds === null;
    const knownIds = this.#knownIds ?? new Set<string>();
    const knownMessages = this.#knownMessages;
    this.#knownIds = new Set(requests.map((r) => r.assistanceId));
    this.#knownMessages = new Set(requests.flatMap((r) => keyed(r).map(([key]) => key)));
    if (first) return [];
    const own = this.#ownUserId()?.toLowerCase() ?? null;
    const alerts: SupervisorAlert[] = [];
    for (const r of requests) {
      const base = { assistanceId: r.assistanceId, interactionId: r.interactionId, workgroup: r.workgroup, from: r.initiator.displayName || r.initiator.userId };
      if (!knownIds.has(r.assistanceId)) {
        // A request that arrives already accepted or completed is no call to act.
        if (r.state === 'open') alerts.push({ ...base, kind: 'request', text: r.problemDescription, at: r.messages[0]?.timeAdded ?? new Date().toISOString() });
        continue;
      }
      if (r.myAction !== 'accepted') continue;
      for (const [key, m] of keyed(r)) {
        if (knownMessages.has(key) || m.participantId.toLowerCase() === own || m.participantId !== r.initiator.userId) continue;
        alerts.push({ ...base, kind: 'message', text: m.text, at: m.timeAdded });
      }
    }
    return alerts;
  }
}

function keyed(r: SupervisorRequest): [string, SupervisorRequest['messages'][number]][] {
  const seen = new Map<string, number>();
  return r.messages.map((m) => {
    const base = `${r.assistanceId}\u0000${m.participantId}\u0000${m.timeAdded}\u0000${m.text}`;
    const nth = seen.get(base) ?? 0;
    seen.set(base, nth + 1);
    return [`${base}\u0000${nth}`, m];
  });
}
