// The supervisor desk (ICWS, ../shared/specs §2.5), as both processes see it: the agents'
// assistance requests that reach this supervisor, and the board of the supervisor's agents.
// The schemas live in contract.ts; these are the types they are checked against.

import type { AssistanceMessage, AssistanceParticipant } from './assistance';
import type { ErrorValue } from './errors';
import type { AgentInteraction } from './interactions';

/**
 * A request's state for every supervisor: `open` (ICWS 0, nobody accepted yet), `accepted`
 * (1, some supervisor did), `completed` (2, the agent pressed Done; it leaves the list next).
 * ICWS enumerations may grow: a number we do not know is `unknown`, the rest is kept.
 */
export const SUPERVISOR_REQUEST_STATES = ['open', 'accepted', 'completed', 'unknown'] as const;
export type SupervisorRequestState = (typeof SUPERVISOR_REQUEST_STATES)[number];

/** This supervisor's own action on a request (ICWS `action`: 0 none, 2 ignored, 3 accepted). */
export const SUPERVISOR_ACTIONS = ['none', 'accepted', 'ignored', 'unknown'] as const;
export type SupervisorAction = (typeof SUPERVISOR_ACTIONS)[number];

export interface SupervisorPerson {
  userId: string;
  displayName: string;
}

export interface SupervisorRequest {
  assistanceId: string;
  interactionId: string;
  /** The agent's first text. */
  problemDescription: string;
  workgroup: string;
  initiator: SupervisorPerson;
  state: SupervisorRequestState;
  myAction: SupervisorAction;
  /**
   * Who accepted it ("Accepted by <name>"), from the conversation's participants (action 3);
   * null while nobody has, or before the conversation's first message came.
   */
  acceptedBy: SupervisorPerson | null;
  /** The conversation, as the agent side shows it: empty until its first details message. */
  messages: AssistanceMessage[];
  participants: AssistanceParticipant[];
}

/**
 * Where the desk stands. `off`: ICWS is not configured (error says what is missing);
 * `starting`: logging in and subscribing; `live`: the list is current (unless `stale`);
 * `refused`: the server said 403 (error code `not_supervisor`), said once and not retried
 * until the user asks (`supervise.retry`) or the ICWS settings change; `failed`: another
 * error that the session's own reconnecting did not cure (error says which).
 */
export const SUPERVISOR_DESK_STATES = ['off', 'starting', 'live', 'refused', 'failed'] as const;
export type SupervisorDeskState = (typeof SUPERVISOR_DESK_STATES)[number];

export interface SupervisorDesk {
  state: SupervisorDeskState;
  /** Every request the server lists for this supervisor, in the order they came (open, accepted and completed alike). */
  requests: SupervisorRequest[];
  /** The server suspended the subscription or ended the session: the list may be out of date. */
  stale: boolean;
  error: ErrorValue | null;
}

/** What a supervisor did; the command line prints it as is. */
export const SUPERVISOR_DID = ['accepted', 'ignored', 'answered'] as const;
export interface SupervisorActionResult {
  assistanceId: string;
  action: (typeof SUPERVISOR_DID)[number];
}

/**
 * A new request, or a new message from the agent on a request this supervisor accepted:
 * worth a notification, an unread mark and the optional sound.
 */
export interface SupervisorAlert {
  kind: 'request' | 'message';
  assistanceId: string;
  interactionId: string;
  workgroup: string;
  /** The sender's display name (their user id when nobody named them). */
  from: string;
  text: string;
  /** ISO 8601 */
  at: string;
}

/**
 * One agent on the board (ICWS userStatusMessage). A row the server refused (403: no right
 * to see this user's status, code `no_status_right`) or does not know (code `not_found`)
 * carries its error and nulls, never vanishes.
 */
export interface AgentStatusRow {
  userId: string;
  /** The status as ICWS names it (`Available`, `Do Not Disturb`, …); null until known. */
  statusId: string | null;
  loggedIn: boolean | null;
  onPhone: boolean | null;
  /** When the status last changed, ISO 8601; null when the server did not say. */
  since: string | null;
  error: ErrorValue | null;
}

/** The board: one row per configured agent (`supervisor.agents`), in the settings' order. */
export interface AgentBoard {
  agents: AgentStatusRow[];
  /** The whole board failed (ICWS not configured, not reachable); rows then carry no error of their own. */
  error: ErrorValue | null;
}

/**
 * One agent's current interactions (a queue subscription on the agent's user queue). A 403
 * (no queue-monitoring right on that queue) is error code `no_queue_right`.
 */
export interface AgentInteractions {
  userId: string;
  interactions: AgentInteraction[];
  error: ErrorValue | null;
}
