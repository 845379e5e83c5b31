// The Agents board: the supervisor's agents (`supervisor.agents`) with their ICWS status,
// live (main keeps the user-status subscription and pushes the whole board), sorted and
// filtered here; and one agent's current interactions, followed while the user looks at them.

import { Disposables } from '../../shared/disposables';
import type { Language } from '../../shared/contract';
import type { ErrorValue } from '../../shared/errors';
import type { AgentBoard, AgentInteractions, AgentStatusRow } from '../../shared/supervisor';
import { safeCall, type RendererApi } from '../bridge';
import { language } from './language.svelte';

export const AGENT_SORT_KEYS = ['userId', 'status', 'loggedIn', 'onPhone', 'since'] as const;
export type AgentSortKey = (typeof AGENT_SORT_KEYS)[number];
export type SortDirection = 'ascending' | 'descending';

const lower = (lang: Language, s: string) => s.toLocaleLowerCase(lang === 'tr' ? 'tr' : 'en');

/** Rows whose user id or status holds `text` (any case); all rows for an empty filter. */
export function filterAgents(rows: readonly AgentStatusRow[], text: string, lang: Language): AgentStatusRow[] {
  const wanted = lower(lang, text.trim());
  if (wanted === '') return [...rows];
  return rows.filter((r) => lower(lang, `${r.userId}\u0000${r.statusId ?? ''}`).includes(wanted));
}

/**
 * A sorted copy. A row without the sorted value (refused, unknown, not said) goes last
 * either way, so an error never hides among the answers; ties keep the settings' order.
 */
export function sortAgents(rows: readonly AgentStatusRow[], key: AgentSortKey, direction: SortDirection, lang: Language): AgentStatusRow[] {
  const sign = direction === 'ascending' ? 1 : -1;
  const collator = new Intl.Collator(lang, { sensitivity: 'base', numeric: true });
  const value = (r: AgentStatusRow): string | number | null => {
    switch (key) {
      case 'userId':
        return r.userId;
      case 'status':
        return r.statusId;
      case 'loggedIn':
        return r.loggedIn === null ? null : Number(r.loggedIn);
      case 'onPhone':
        return r.onPhone === null ? null : Number(r.onPhone);
      case 'since': {
        const at = r.since === null ? Number.NaN : Date.parse(r.since);
        return Number.isNaN(at) ? null : at;
      }
    }
  };
  const order = rows.map((r, i) => ({ r, i, v: value(r) }));
  order.sort((a, b) => {
    if (a.v === null || b.v === null) return a.v !== null ? -1 : b.v !== null ? 1 : a.i - b.i;
    const c = typeof a.v === 'string' && typeof b.v === 'string' ? collator.compare(a.v, b.v) : Number(a.v) - Number(b.v);
    return sign * c || a.i - b.i;
  });
  return order.map((o) => o.r);
}

export class AgentsStore {
  board = $state<AgentBoard | null>(null);
  /** agents.list itself failed; the board's own error is `board.error`. */
  loadError = $state<ErrorValue | null>(null);
  active = $state(false);
  filter = $state('');
  /** null: the settings' order (the supervisor's own), until a column is sorted. */
  sortKey = $state<AgentSortKey | null>(null);
  sortDirection = $state<SortDirection>('ascending');
  /** The agent whose interactions are open, and what main last said about them. */
  openUserId = $state<string | null>(null);
  interactions = $state<AgentInteractions | null>(null);
  interactionsLoading = $state(false);
  now = $state(0);

  readonly rows: AgentStatusRow[] = $derived.by(() => {
    const shown = filterAgents(this.board?.agents ?? [], this.filter, language.current);
    return this.sortKey === null ? shown : sortAgents(shown, this.sortKey, this.sortDirection, language.current);
  });
  readonly total: number = $derived(this.board?.agents.length ?? 0);

  readonly #api: RendererApi;
  readonly #clock: () => number;
  readonly #tickMs: number;
  readonly #teardown = new Disposables();
  #pushes = 0;
  #ticking = false;

  constructor(api: RendererApi, options: { clock?: () => number; tickMs?: number } = {}) {
    this.#api = api;
    this.#clock = options.clock ?? Date.now;
    this.#tickMs = options.tickMs ?? 15_000;
    this.now = this.#clock();
  }

  start(): () => void {
    this.#teardown.addAll(
      this.#api.on('agents.changed', (board) => {
        this.#pushes += 1;
        this.board = board;
        this.loadError = null;
      }),
      this.#api.on('agents.interactionsChanged', (list) => {
        if (list.userId === this.openUserId) this.interactions = list;
      }),
      this.#api.onReconnect(() => {
        if (!this.active) return;
        void this.load();
        // main may have restarted and forgotten whom the user follows.
        if (this.openUserId !== null) void this.#follow(this.openUserId);
      }),
    );
    return () => this.#teardown.dispose();
  }

  /** The user is a supervisor: the board is asked for (main subscribes on the first ask). */
  activate(): void {
    if (this.active) return;
    this.active = true;
    this.now = this.#clock();
    if (!this.#ticking) {
      this.#ticking = true;
      const timer = setInterval(() => (this.now = this.#clock()), this.#tickMs);
      this.#teardown.add(() => clearInterval(timer));
    }
    void this.load();
  }

  /** The user is an agent again: an agent's interactions are no longer followed. */
  deactivate(): void {
    this.active = false;
    if (this.openUserId !== null) void this.hideInteractions();
  }

  async load(): Promise<void> {
    const seen = this.#pushes;
    const result = await safeCall(this.#api, 'agents.list', {});
    if (!result.ok) {
      this.loadError = result.error;
      return;
    }
    this.loadError = null;
    if (this.#pushes === seen) this.board = result.value;
  }

  toggleSort(key: AgentSortKey): void {
    if (this.sortKey === key) this.sortDirection = this.sortDirection === 'ascending' ? 'descending' : 'ascending';
    else {
      this.sortKey = key;
      // The newest change, and those logged in or on the phone, first; ids A to Z.
      this.sortDirection = key === 'userId' || key === 'status' ? 'ascending' : 'descending';
    }
  }

  /** Seconds since the row's status changed, at the store's clock; null when unknown. */
  sinceSeconds(row: AgentStatusRow): number | null {
    const at = row.since === null ? Number.NaN : Date.parse(row.since);
    return Number.isNaN(at) ? null : Math.max(0, Math.round((this.now - at) / 1000));
  }

  /** Opens one agent's interactions (and stops following the one open before). */
  async showInteractions(userId: string): Promise<void> {
    const before = this.openUserId;
    if (before === userId) return;
    this.openUserId = userId;
    this.interactions = null;
    if (before !== null) void safeCall(this.#api, 'agents.closeInteractions', { userId: before });
    await this.#follow(userId);
  }

  async hideInteractions(): Promise<void> {
    const before = this.openUserId;
    this.openUserId = null;
    this.interactions = null;
    this.interactionsLoading = false;
    if (before !== null) await safeCall(this.#api, 'agents.closeInteractions', { userId: before });
  }

  async #follow(userId: string): Promise<void> {
    this.interactionsLoading = true;
    const result = await safeCall(this.#api, 'agents.interactions', { userId });
    // The user opened another agent meanwhile: this answer is not what the screen shows.
    if (this.openUserId !== userId) return;
    this.interactionsLoading = false;
    this.interactions = result.ok ? result.value : { userId, interactions: [], error: result.error };
  }
}
