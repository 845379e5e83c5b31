import type { AssistanceRequest } from '../../shared/assistance';
import type { AssistanceAlert } from '../../shared/contract';

type Message = AssistanceRequest['messages'][number];

/**
 * Each message of a request with its identity: ICWS gives messages no id, and the same
 * text may come twice at one time, so the nth such repeat is part of the key.
 */
function* keyedMessages(r: AssistanceRequest): Generator<[key: string, message: Message]> {
  const seen = new Map<string, number>();
  for (const m of r.messages) {
    const base = `${r.assistanceId}\u0000${m.participantId}\u0000${m.timeAdded}\u0000${m.text}`;
    const nth = seen.get(base) ?? 0;
    seen.set(base, nth + 1);
    yield [`${base}\u0000${nth}`, m];
  }
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
    this.#known = new Set(requests.flatMap((r) => [...keyedMessages(r)].map(([key]) => key)));
    if (known === null) return [];
    const own = this.#ownUserId();
    const alerts: AssistanceAlert[] = [];
    for (const r of requests) {
      for (const [key, m] of keyedMessages(r)) {
        if (known.has(key) || m.participantId === own) continue;
        const from = r.participants.find((p) => p.userId === m.participantId)?.displayName ?? m.participantId;
        alerts.push({ assistanceId: r.assistanceId, interactionId: r.interactionId, from, text: m.text, at: m.timeAdded });
      }
    }
    return alerts;
  }
}
