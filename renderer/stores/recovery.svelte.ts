// The supervisor's Recovery screen: find sessions left open by a crashed agent application
// (main walks the history and confirms each with iscustomerinonlinehelp), pick some, end
// them in one go with one confirmation and one reason, and watch each row's outcome.
//
// The window searched is main's: with no dates the store sends none, main searches its
// default window, and the result says which window that was. Which rows are over is the
// outcome's (DONE_OUTCOMES): those leave the selection and cannot be chosen again.

import { Disposables } from '../../shared/disposables';
import type { EventPayload } from '../../shared/contract';
import type { ErrorValue } from '../../shared/errors';
import { DONE_OUTCOMES, type SearchWindow, type StuckSearchProgress, type StuckSearchResult, type StuckSession } from '../../shared/recovery';
import { safeCall, type RendererApi } from '../bridge';
import { fromLocalInput, toLocalInput } from '../format';
import { optionalId, type Problem } from '../validate';

/** One row of a bulk force-end: its outcome, then (after the whole bulk) the re-check. */
export type BulkRow = EventPayload<'recovery.outcome'>['row'];

const DAY_MS = 24 * 3600 * 1000;
export const DEFAULT_OLDER_THAN_MINUTES = 15;
/** The one-click wider search the screen offers when a search covered less than this. */
export const WIDER_SEARCH_DAYS = 7;

type Field = 'from' | 'to' | 'agent' | 'customer' | 'olderThan' | 'reason';

export const sessionKey = (s: { customerId: string; staffId: string }) => `${s.customerId}\u0000${s.staffId}`;

/** Whether a row's outcome leaves nothing to do: it can no longer be chosen to end. */
export const isOver = (row: BulkRow | undefined): boolean => row !== undefined && row.checking !== true && DONE_OUTCOMES.includes(row.outcome);

export class RecoveryStore {
  /** Empty: main's default window (up to now, when only `from` is given). */
  from = $state('');
  to = $state('');
  agent = $state('');
  customer = $state('');
  olderThan = $state(String(DEFAULT_OLDER_THAN_MINUTES));
  problems = $state<Partial<Record<Field, Problem>>>({});

  searchId = $state<string | null>(null);
  running = $state(false);
  progress = $state<StuckSearchProgress | null>(null);
  result = $state.raw<StuckSearchResult | null>(null);
  error = $state<ErrorValue | null>(null);

  selected = $state<Record<string, boolean>>({});
  /** The confirmation listing the selected sessions is open. */
  confirming = $state(false);
  jobId = $state<string | null>(null);
  ending = $state(false);
  /** Outcome per session (sessionKey), as each settles. */
  outcomes = $state<Record<string, BulkRow>>({});
  endProgress = $state<{ done: number; total: number } | null>(null);
  endError = $state<ErrorValue | null>(null);

  readonly sessions: StuckSession[] = $derived(this.result?.sessions ?? []);
  /** Sessions that can still be ended: every one found but those whose outcome says it is over. */
  readonly endable: StuckSession[] = $derived(this.sessions.filter((s) => !isOver(this.outcomes[sessionKey(s)])));
  readonly chosen: StuckSession[] = $derived(this.endable.filter((s) => this.selected[sessionKey(s)]));
  readonly allSelected: boolean = $derived(this.endable.length > 0 && this.chosen.length === this.endable.length);
  /** The window the shown result searched (main's word). */
  readonly window: SearchWindow | null = $derived(this.result?.window ?? null);
  /** The last search covered less than WIDER_SEARCH_DAYS: the screen offers those days in one click. */
  readonly canWiden: boolean = $derived(
    this.window !== null && Date.parse(this.window.to) - Date.parse(this.window.from) < WIDER_SEARCH_DAYS * DAY_MS - 60_000,
  );
  /** Rows whose outcome leaves something to do (not ended, unknown, failed). */
  readonly unsettled: number = $derived(Object.values(this.outcomes).filter((r) => !DONE_OUTCOMES.includes(r.outcome)).length);

  readonly #api: RendererApi;
  readonly #clock: () => number;

  constructor(api: RendererApi, options: { clock?: () => number } = {}) {
    this.#api = api;
    this.#clock = options.clock ?? Date.now;
  }

  /** The user has read why a search or an end failed; the next one that fails says so again. */
  dismissErrors(): void {
    this.error = null;
    this.endError = null;
  }

  start(): () => void {
    const teardown = new Disposables();
    teardown.addAll(
      this.#api.on('recovery.progress', (e) => {
        if (e.searchId !== this.searchId) return;
        this.progress = e.progress;
        // The last progress says the search is over: the result is asked for (it may also be pushed).
        if (e.progress.phase === 'done') void this.catchUp();
      }),
      this.#api.on('recovery.done', (e) => {
        if (e.searchId === this.searchId) this.#finishSearch(e.result, e.error);
      }),
      this.#api.on('recovery.outcome', (e) => {
        if (e.jobId !== this.jobId) return;
        this.#settleRow(e.row);
        this.endProgress = { done: e.done, total: e.total };
      }),
      this.#api.on('recovery.ended', (e) => {
        if (e.jobId !== this.jobId) return;
        for (const row of e.results ?? []) this.#settleRow(row);
        this.ending = false;
        this.endError = e.error;
      }),
      this.#api.onReconnect(() => void this.catchUp()),
    );
    return () => teardown.dispose();
  }

  setFrom(value: string): void {
    this.from = value;
  }

  setTo(value: string): void {
    this.to = value;
  }

  async find(): Promise<void> {
    if (this.running) return;
    const next: Partial<Record<Field, Problem>> = {};
    // An empty date is left to main (its default window); a filled one must be a date.
    const startDate = this.from.trim() === '' ? undefined : fromLocalInput(this.from);
    const endDate = this.to.trim() === '' ? undefined : fromLocalInput(this.to, true);
    if (startDate === null) next.from = { key: 'history.badDate' };
    if (endDate === null) next.to = { key: 'history.badDate' };
    else if (startDate !== undefined && startDate !== null && endDate !== undefined && startDate > endDate) next.to = { key: 'history.badRange' };
    const agentId = optionalId(this.agent);
    const customerId = optionalId(this.customer);
    if (!agentId.ok) next.agent = agentId.problem;
    if (!customerId.ok) next.customer = customerId.problem;
    const olderThan = Number(this.olderThan);
    if (!Number.isInteger(olderThan) || olderThan < 0 || olderThan > 7 * 24 * 60) next.olderThan = { key: 'recovery.badMinutes' };
    this.problems = next;
    if (Object.keys(next).length > 0 || startDate === null || endDate === null || !agentId.ok || !customerId.ok) return;

    this.error = null;
    this.result = null;
    this.progress = null;
    this.selected = {};
    this.outcomes = {};
    this.endProgress = null;
    this.endError = null;
    this.running = true;
    this.searchId = null;
    const started = await safeCall(this.#api, 'recovery.find', {
      ...(startDate !== undefined && { startDate }),
      ...(endDate !== undefined && { endDate }),
      olderThanMinutes: olderThan,
      ...(agentId.value ? { agentId: agentId.value } : {}),
      ...(customerId.value ? { customerId: customerId.value } : {}),
    });
    if (!started.ok) {
      this.running = false;
      this.error = started.error;
      return;
    }
    this.searchId = started.value.searchId;
    // A fast search may have finished before its id came back: ask once.
    void this.catchUp();
  }

  async cancel(): Promise<void> {
    if (!this.searchId || !this.running) return;
    const answer = await safeCall(this.#api, 'recovery.cancel', { searchId: this.searchId });
    if (!answer.ok) this.error = answer.error;
  }

  /** Asks where the search stands: after a reconnect, or when progress says it is over. */
  async catchUp(): Promise<void> {
    const id = this.searchId;
    if (!id || !this.running) return;
    const answer = await safeCall(this.#api, 'recovery.result', { searchId: id });
    if (id !== this.searchId || !this.running) return;
    if (!answer.ok) {
      if (answer.error.code !== 'unavailable') this.#finishSearch(null, answer.error);
      return;
    }
    const state = answer.value;
    if (state.status === 'done') this.#finishSearch(state.result, null);
    else if (state.status === 'failed') this.#finishSearch(null, state.error);
    else this.progress = state.progress;
  }

  /** "Find stuck sessions of this agent" (from the Agents board): the agent's id, nothing else, searched at once unless a search runs. */
  forAgent(agentId: string): void {
    this.agent = agentId;
    this.customer = '';
    void this.find();
  }

  /** Searches the last WIDER_SEARCH_DAYS days up to now, with the same other filters. */
  async findWider(): Promise<void> {
    if (this.running) return;
    this.from = toLocalInput(this.#clock() - WIDER_SEARCH_DAYS * DAY_MS);
    this.to = '';
    await this.find();
  }

  toggle(session: StuckSession): void {
    const key = sessionKey(session);
    if (isOver(this.outcomes[key])) return;
    this.selected[key] = !this.selected[key];
  }

  toggleAll(): void {
    const all = !this.allSelected;
    this.selected = Object.fromEntries(this.endable.map((s) => [sessionKey(s), all]));
  }

  askEnd(asking: boolean): void {
    this.confirming = asking && this.chosen.length > 0;
  }

  /** Ends the chosen sessions: one reason, one confirmation (the dialog), an outcome per row. */
  async endSelected(reason: string): Promise<void> {
    const sessions = this.chosen.map((s) => ({ customerId: s.customerId, staffId: s.staffId }));
    if (sessions.length === 0 || this.ending) return;
    if (reason.trim() === '') {
      this.problems = { ...this.problems, reason: { key: 'force.reasonRequired' } };
      return;
    }
    this.ending = true;
    this.endError = null;
    // Rows ended by an earlier run keep their outcome (and stay out of the selection).
    for (const s of sessions) delete this.outcomes[sessionKey(s)];
    this.endProgress = { done: 0, total: sessions.length };
    const started = await safeCall(this.#api, 'recovery.endMany', { sessions, reason: reason.trim(), confirmed: true });
    this.confirming = false;
    if (!started.ok) {
      this.ending = false;
      this.endError = started.error;
      return;
    }
    this.jobId = started.value.jobId;
  }

  /** Stops a bulk end: rows not sent yet are not sent (their outcome says so). */
  async stopEnding(): Promise<void> {
    if (!this.jobId || !this.ending) return;
    const answer = await safeCall(this.#api, 'recovery.cancelEnd', { jobId: this.jobId });
    if (!answer.ok) this.endError = answer.error;
  }

  /** Searches again with the same filters: which sessions are still stuck now. */
  async recheck(): Promise<void> {
    await this.find();
  }

  /** A row's outcome; a session it says is over leaves the selection. */
  #settleRow(row: BulkRow): void {
    const key = sessionKey(row);
    this.outcomes[key] = row;
    if (isOver(row)) delete this.selected[key];
  }

  #finishSearch(result: StuckSearchResult | null, error: ErrorValue | null): void {
    if (!this.running) return;
    this.running = false;
    this.result = result;
    this.error = error;
  }
}
