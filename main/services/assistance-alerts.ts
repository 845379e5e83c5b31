import type { AssistanceRequest } from '../../shared/assistance';
import type { AssistanceAlert } from '../../shared/contract';

/** A message's identity: ICWS gives messages no id, and the same text may come twice. */
const keyOf = (assistanceId: string, m: { participantId: string; timeAdded: string; text: string }, nth: number) =>
  `${assistanceId}\u0000${m.participantId}\u0000${m.timeAdded}\u0000${m.text}\u0000${nth}`;

function messageKeys(requests: readonly AssistanceRequest[]): Set<string> {
  const keys = new Set<string>();
  for (const r of requests) {
    const seen = new Map<string, number>();
    for (const m of r.messages) {
      const base = keyOf(r.assistanceId, m, 0);
      const nth = seen.get(base) ?? 0;
      seen.set(base, nth + 1);
      keys.add(keyOf(r.assistanceId, m, nth));
    }
  }
  return keys;
}

/**
 * Follows the assistance list and says which messages are new and from someone else (a
 * supervisor): what deserves a desktop notification, a taskbar flash and an unread mark.
 * The first list after a (re)connection only sets what is known: a login must not
 * re-announce every message of the day.
 */
export class AssistanceAlerts {
  #known: Set<string> | null = null;
  readonly #ownUserId: () => string | null;

  constructor(ownUserId: () => string | null) {
    this.#ownUserId = ownUserId;
  }

  /** Forget what is known: the next list is a fresh start (a new session). */
  reset(): void {
    this.#known = null;
  }

  next(requests: readonly AssistanceRequest[]): AssistanceAlert[] {
    const known = this.#known;
    this.#known = messageKeys(requests);
    if (known === null) return [];
    const own = this.#ownUserId();
    const alerts: AssistanceAlert[] = [];
    for (const r of requests) {
      const seen = new Map<string, number>();
      for (const m of r.messages) {
        const base = keyOf(r.assistanceId, m, 0);
        const nth = seen.get(base) ?? 0;
        seen.set(base, nth + 1);
        if (known.has(keyOf(r.assistanceId, m, nth)) || m.participantId === own) continue;
        const from = r.participants.find((p) => p.userId === m.participantId)?.displayName ?? m.participantId;
        alerts.push({ assistanceId: r.assistanceId, interactionId: r.interactionId, from, text: m.text, at: m.timeAdded });
      }
    }
    return alerts;
  }
}
