// The agent's current interactions (ICWS queue subscription on the user's own queue), as the
// interaction picker shows them. Facts and sources: test/fixtures/icws/QUEUE-NOTES.md.

/**
 * `Eic_State`, one letter on the wire (a number on some server versions). `system`: dialing,
 * initializing, station audio (`S`); `suspended`: the system put it on hold (`X`). A letter
 * a newer server sends that we do not know is `unknown`; `none`: not set yet.
 */
export const INTERACTION_STATES = [
  'alerting',
  'connected',
  'held',
  'messaging',
  'offering',
  'parked',
  'proceeding',
  'suspended',
  'system',
  'disconnected_local',
  'disconnected_remote',
  'none',
  'unknown',
] as const;
export type InteractionState = (typeof INTERACTION_STATES)[number];

/** States the app has its own words for; `none` and `unknown` show the server's (`stateText`). */
export type WordedInteractionState = Exclude<InteractionState, 'none' | 'unknown'>;

export function isWordedInteractionState(state: InteractionState): state is WordedInteractionState {
  return state !== 'none' && state !== 'unknown';
}

/**
 * `Eic_ObjectType` values the app words in the user's language, as the server spells them
 * (compared without regard to case). Only `Call` is verified (QUEUE-NOTES.md); the others are
 * CIC's usual names, and a type not listed here is shown as the server sent it.
 */
export const KNOWN_INTERACTION_TYPES = { call: 'Call', chat: 'Chat', email: 'Email', callback: 'Callback' } as const;
export type KnownInteractionType = keyof typeof KNOWN_INTERACTION_TYPES;

export function knownInteractionType(type: string): KnownInteractionType | null {
  const wanted = type.trim().toLowerCase();
  for (const [known, spelled] of Object.entries(KNOWN_INTERACTION_TYPES) as [KnownInteractionType, string][]) {
    if (spelled.toLowerCase() === wanted) return known;
  }
  return null;
}

export const INTERACTION_DIRECTIONS = ['inbound', 'outbound', 'unknown'] as const;
export type InteractionDirection = (typeof INTERACTION_DIRECTIONS)[number];

export interface AgentInteraction {
  interactionId: string;
  /** `Eic_ObjectType` as the server sends it (`Call` for a telephone call); '' when not sent */
  type: string;
  state: InteractionState;
  /** `Eic_CallStateString`: the server's own words for the state (administrators may customize them); '' when not sent */
  stateText: string;
  /** `Eic_RemoteName`; '' when not sent */
  remoteName: string;
  /** `Eic_RemoteAddress` (a number or address); '' when not sent */
  remoteAddress: string;
  /** `Eic_CallDirection` */
  direction: InteractionDirection;
  /** `Eic_WorkgroupName`: the workgroup queue it came through; '' when it came to the user directly */
  workgroup: string;
  /** `Eic_InitiationTime` as ISO 8601 (extended, UTC); null when not sent or unreadable */
  initiatedAt: string | null;
}

/** Disconnected interactions stay in the queue until removed; the picker may grey them out. */
export function isDisconnected(state: InteractionState): boolean {
  return state === 'disconnected_local' || state === 'disconnected_remote';
}
