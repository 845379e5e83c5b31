// ICWS agent-assistance domain types shared by main and the renderer.

// ICWS enumerations may grow: a number a newer server sends that we do not know is
// `unknown`, and the rest of its message is kept.
export type AssistanceState = 'none' | 'accepted' | 'completed' | 'unknown';
export type ParticipantAction = 'none' | 'initiated' | 'ignored' | 'accepted' | 'unknown';

export interface AssistanceMessage {
  text: string;
  participantId: string;
  /** ISO 8601 (extended, UTC), converted from ICWS' basic format */
  timeAdded: string;
}

export interface AssistanceParticipant {
  userId: string;
  displayName: string;
  action: ParticipantAction;
}

export interface AssistanceRequest {
  assistanceId: string;
  interactionId: string | null;
  state: AssistanceState;
  messages: AssistanceMessage[];
  participants: AssistanceParticipant[];
}

/**
 * The agent's requests as the live view knows them. `stale`: the server said the
 * subscription was Suspended or Faulted, so the list may be out of date until it says
 * Normal again or sends a full list (the client re-subscribes by itself meanwhile).
 */
export interface AssistanceList {
  requests: AssistanceRequest[];
  stale: boolean;
}

/**
 * `down` with code `session_ended`: the server ended the session and asked not to log in
 * again automatically (an administrator, or the user logged in elsewhere); `reason` is the
 * server's own text. Nothing logs in again until the user asks.
 */
export type ConnectionState =
  | { state: 'connecting' }
  | {
      state: 'up';
      host: string;
      /** messages arrive by server-sent events (else by short polling) */
      sse: boolean;
      /** polling because a proxy held the event stream back; the stream is tried again later */
      proxyBuffering?: boolean | undefined;
      /** set when the server says the password expires within a week (PASSWORD_EXPIRY_WARNING_DAYS) */
      passwordExpiresInDays?: number | undefined;
    }
  | { state: 'switching'; host: string }
  | { state: 'down'; reason: string; code: string };
