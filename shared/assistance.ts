// ICWS agent-assistance domain types shared by main and the renderer.

export type AssistanceState = 'none' | 'accepted' | 'completed';
export type ParticipantAction = 'none' | 'initiated' | 'ignored' | 'accepted';

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

export type ConnectionState =
  | { state: 'connecting' }
  | { state: 'up'; host: string; sse: boolean }
  | { state: 'switching'; host: string }
  | { state: 'down'; reason: string; code: string };
