// Diyalog domain types shared by main (client, walker, services) and the renderer.

export const HELP_STATES = [
  'onlinehelp_requested',
  'onlinehelp_cancelled_by_customer',
  'onlinehelp_started',
  'onlinehelp_ended_by_customer',
  'onlinehelp_ended_by_agent',
  'onlinehelp_ended_customer_kill_app',
] as const;

/** A documented state, or (as the vendor's sample shows) a display string passed through as it came. */
export type HelpState = (typeof HELP_STATES)[number] | (string & {});

export type HelpType = 'inbound' | 'outbound';

export interface HelpStateAnswer {
  customerId: string;
  isInHelp: boolean;
  /** Present when the customer is in help. */
  helpType: HelpType | null;
  /** The staff member serving the customer, when in help. */
  staffId: string | null;
}

/** One record of getonlinehelplist. Optional fields are absent when the help never started. */
/** A history row as parsed from the wire: an optional field may be absent or undefined alike. */
export interface HelpRecord {
  onlineHelpId: number;
  customerNo: string;
  customerName: string;
  agentId?: string | undefined;
  agentName?: string | undefined;
  helpState: HelpState;
  /** epoch ms */
  helpRequestedAt: number;
  helpStartedAt?: number | undefined;
  helpEndedAt?: number | undefined;
  /** seconds */
  waitTime?: number | undefined;
  /** seconds */
  helpTime?: number | undefined;
  conversationDetailLink?: string | undefined;
}

export type ForceEndOutcome = 'ended' | 'already_ended';

export interface ForceEndResult {
  customerId: string;
  staffId: string;
  outcome: ForceEndOutcome;
  message: string;
}

export interface HistoryQuery {
  /** epoch ms, inclusive */
  startDate: number;
  /** epoch ms, inclusive */
  endDate: number;
  /** absent or undefined: no filter */
  customerId?: string | undefined;
  agentId?: string | undefined;
}

export interface HistoryWarning {
  code: 'timestamp_overflow';
  /** epoch ms shared by more records than one page holds */
  timestamp: number;
  message: string;
}

export interface HistoryResult {
  items: HelpRecord[];
  /** HTTP calls made, retries included */
  requests: number;
  warnings: HistoryWarning[];
}

export interface HistoryProgress {
  /** slices finished / total */
  slicesDone: number;
  slicesTotal: number;
  /** unique records found so far */
  records: number;
  requests: number;
}
