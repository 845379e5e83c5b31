// History search: main walks the period in slices (history.start) and pushes progress;
// the result arrives once, as history.done, for the walk this store started. The result is
// then filtered and sorted here (30,000 rows: kept as raw state, never made deeply reactive)
// and the table shows a window of it (renderer/virtual.ts).

import { Disposables } from '../../shared/disposables';
import type { CallOutput, EventPayload, Language } from '../../shared/contract';
import type { HelpRecord, HistoryProgress, HistoryResult } from '../../shared/diyalog';
import type { ErrorValue } from '../../shared/errors';
import { translateHelpState } from '../../shared/i18n';
import { safeCall, type RendererApi } from '../bridge';
import { historyCsv } from '../csv';
import { fromLocalInput, toLocalInput } from '../format';
import { optionalId, type Problem } from '../validate';
import { language } from './language.svelte';

const WEEK_MS = 7 * 24 * 3600 * 1000;

type Field = 'from' | 'to' | 'customer' | 'agent';
type Done = Omit<EventPayload<'history.done'>, 'walkId'>;

export const SORT_KEYS = ['requested', 'customer', 'agent', 'state', 'wait', 'help'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'ascending' | 'descending';

export interface HistoryFilter {
  /** A help state as the server sends it; '' for all. */
  state: string;
  /** Part of the agent's id or name, any case; '' for all. */
  agent: string;
  /** Part of the customer's number or name, any case; '' for all. */
  customer: string;
}

export interface HistoryStoreOptions {
  clock?: () => number;
  /** The browser host cannot open windows: the page opens the link main vetted. */
  openWindow?: (url: string) => void;
  /** Hands a finished file to the user (a download in the page). */
  download?: (fileName: string, text: string) => void;
}

// Built on the first sort by text, not on import: Chromium takes 15-30 ms to build the Turkish
// collator, and the first screen (the help watch) imports this store but never sorts.
const collators: Partial<Record<Language, Intl.Collator>> = {};
const collatorFor = (lang: Language) => (collators[lang] ??= new Intl.Collator(lang, { sensitivity: 'base', numeric: true }));

const lower = (lang: Language, s: string) => s.toLocaleLowerCase(lang === 'tr' ? 'tr' : 'en');

/** Records matching every part of the filter (text parts match ids and names, any case). */
export function filterRecords(records: readonly HelpRecord[], filter: HistoryFilter, lang: Language): HelpRecord[] {
  const agent = lower(lang, filter.agent.trim());
  const customer = lower(lang, filter.customer.trim());
  if (!filter.state && !agent && !customer) return records as HelpRecord[];
  return records.filter(
    (r) =>
      (!filter.state || r.helpState === filter.state) &&
      (!agent || lower(lang, `${r.agentId ?? ''}\u0000${r.agentName ?? ''}`).includes(agent)) &&
      (!customer || lower(lang, `${r.customerNo}\u0000${r.customerName}`).includes(customer)),
  );
}

/** A sorted copy; a record without the sorted value (no agent, no wait time) goes last either way. */
export function sortRecords(records: readonly HelpRecord[], key: SortKey, direction: SortDirection, lang: Language): HelpRecord[] {
  const sign = direction === 'ascending' ? 1 : -1;
  const byText = (get: (r: HelpRecord) => string | undefined) => {
    const collator = collatorFor(lang);
    // Keys first, then one sort of indices: a collator call per comparison, not a property walk.
    const keys = records.map(get);
    const order = records.map((_, i) => i);
    order.sort((a, b) => {
      const ka = keys[a];
      const kb = keys[b];
      if (!ka || !kb) return ka ? -1 : kb ? 1 : a - b;
      return sign * collator.compare(ka, kb) || a - b;
    });
    return order.map((i) => records[i] as HelpRecord);
  };
  const byNumber = (get: (r: HelpRecord) => number | undefined) =>
    [...records].sort((a, b) => {
      const na = get(a);
      const nb = get(b);
      if (na === undefined || nb === undefined) return na !== undefined ? -1 : nb !== undefined ? 1 : 0;
      return sign * (na - nb);
    });
  switch (key) {
    case 'requested':
      return byNumber((r) => r.helpRequestedAt);
    case 'wait':
      return byNumber((r) => r.waitTime);
    case 'help':
      return byNumber((r) => r.helpTime);
    case 'customer':
      return byText((r) => `${r.customerName}\u0000${r.customerNo}`);
    case 'agent':
      return byText((r) => (r.agentName || r.agentId ? `${r.agentName ?? ''}\u0000${r.agentId ?? ''}` : undefined));
    case 'state': {
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache for one sort, never rendered
      const labels = new Map<string, string>();
      return byText((r) => {
        let label = labels.get(r.helpState);
        if (label === undefined) labels.set(r.helpState, (label = translateHelpState(lang, r.helpState)));
        return label;
      });
    }
  }
}

/** Seconds left, from the share of slices done and the time it took; null until there is a rate. */
export function secondsLeft(progress: HistoryProgress | null, elapsedMs: number): number | null {
  if (!progress || progress.slicesTotal <= 0 || progress.slicesDone <= 0 || elapsedMs <= 0) return null;
  const left = progress.slicesTotal - progress.slicesDone;
  if (left <= 0) return 0;
  return Math.ceil(((elapsedMs / progress.slicesDone) * left) / 1000);
}

export class HistoryStore {
  from = $state('');
  to = $state('');
  customer = $state('');
  agent = $state('');
  problems = $state<Partial<Record<Field, Problem>>>({});
  /** The user set the date themselves; untouched, "to" means now at the moment of the search. */
  fromSet = $state(false);
  toSet = $state(false);

  walkId = $state<string | null>(null);
  running = $state(false);
  progress = $state<HistoryProgress | null>(null);
  /** When the running search started, and (while it runs) seconds left by the rate so far. */
  startedAt = $state<number | null>(null);
  etaSeconds = $state<number | null>(null);
  result = $state.raw<HistoryResult | null>(null);
  error = $state<ErrorValue | null>(null);
  transcriptError = $state<ErrorValue | null>(null);
  transcriptOpened = $state(false);
  exporting = $state(false);
  exportError = $state<ErrorValue | null>(null);

  filter = $state<HistoryFilter>({ state: '', agent: '', customer: '' });
  sortKey = $state<SortKey>('requested');
  sortDirection = $state<SortDirection>('descending');
  /**
   * The summary's charts above the table, folded until the user opens them (and as they left
   * them after that): on a laptop screen the first records come first.
   */
  summaryOpen = $state(false);

  /** A result that is not the whole period: the search was cancelled or failed part way. */
  readonly partial: boolean = $derived(this.result !== null && this.error !== null);
  readonly filtered: HelpRecord[] = $derived(this.result ? filterRecords(this.result.items, this.filter, language.current) : []);
  /** What the table shows and Export writes: filtered, then sorted. */
  readonly rows: HelpRecord[] = $derived(sortRecords(this.filtered, this.sortKey, this.sortDirection, language.current));
  /** The states present in the result, for the state filter. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a throwaway Set inside a derived
  readonly states: string[] = $derived(this.result ? [...new Set(this.result.items.map((r) => r.helpState))].sort() : []);
  readonly filtering: boolean = $derived(this.filter.state !== '' || this.filter.agent.trim() !== '' || this.filter.customer.trim() !== '');

  readonly #api: RendererApi;
  readonly #clock: () => number;
  readonly #openWindow: (url: string) => void;
  readonly #download: (fileName: string, text: string) => void;
  // Events of a walk can arrive before history.start answers with its id: kept until then.
  #starting = false;
  /** Whether main said Diyalog answers, at its last status (null before the first). */
  #diyalogOk: boolean | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping only, never rendered
  readonly #early = new Map<string, { progress?: HistoryProgress; done?: Done }>();

  constructor(api: RendererApi, options: HistoryStoreOptions = {}) {
    this.#api = api;
    this.#clock = options.clock ?? Date.now;
    this.#openWindow = options.openWindow ?? (() => {});
    this.#download = options.download ?? (() => {});
    this.#defaultRange();
  }

  start(): () => void {
    const teardown = new Disposables();
    teardown.addAll(
      this.#api.on('history.progress', (e) => {
        if (e.walkId === this.walkId) this.#setProgress(e.progress);
        else if (this.#starting) this.#early.set(e.walkId, { ...this.#early.get(e.walkId), progress: e.progress });
      }),
      this.#api.on('history.done', (e) => {
        if (e.walkId === this.walkId) this.#finish(e);
        else if (this.#starting) this.#early.set(e.walkId, { ...this.#early.get(e.walkId), done: e });
      }),
      this.#api.onReconnect(() => void this.catchUp()),
      // Main's Diyalog health is fed by every Diyalog call (a history walk's too): once it is ok
      // again after failing, an error a failed search or transcript met is not the news any more.
      this.#api.on('status.changed', (status) => {
        const ok = status.diyalog.health.state === 'ok';
        if (ok && this.#diyalogOk !== true) this.#diyalogAnswers();
        this.#diyalogOk = ok;
      }),
    );
    return () => teardown.dispose();
  }

  setFrom(value: string): void {
    this.from = value;
    this.fromSet = true;
  }

  setTo(value: string): void {
    this.to = value;
    this.toSet = true;
  }

  /** Back to "the last week up to now", each end following the clock again. */
  resetRange(): void {
    this.fromSet = false;
    this.toSet = false;
    this.#defaultRange();
  }

  toggleSort(key: SortKey): void {
    if (this.sortKey === key) this.sortDirection = this.sortDirection === 'ascending' ? 'descending' : 'ascending';
    else {
      this.sortKey = key;
      // Times read newest first; names and states A to Z.
      this.sortDirection = key === 'requested' || key === 'wait' || key === 'help' ? 'descending' : 'ascending';
    }
  }

  clearFilter(): void {
    this.filter = { state: '', agent: '', customer: '' };
  }

  /**
   * One agent's help history (from the Agents board): the search's agent is theirs, nothing
   * else narrows it, and it starts at once unless a search is already running (then the
   * field is filled and the user searches when it ends).
   */
  forAgent(agentId: string): void {
    this.agent = agentId;
    this.customer = '';
    this.clearFilter();
    void this.search();
  }

  async search(): Promise<void> {
    if (this.running) return;
    // An end the user did not set is now, at this search, not when the window opened.
    const now = this.#clock();
    if (!this.toSet) this.to = toLocalInput(now);
    if (!this.fromSet) this.from = toLocalInput(now - WEEK_MS);
    const next: Partial<Record<Field, Problem>> = {};
    const startDate = fromLocalInput(this.from);
    const endDate = this.toSet ? fromLocalInput(this.to, true) : now;
    if (startDate === null) next.from = { key: 'history.badDate' };
    if (endDate === null) next.to = { key: 'history.badDate' };
    else if (startDate !== null && startDate > endDate) next.to = { key: 'history.badRange' };
    const customerId = optionalId(this.customer);
    const agentId = optionalId(this.agent);
    if (!customerId.ok) next.customer = customerId.problem;
    if (!agentId.ok) next.agent = agentId.problem;
    this.problems = next;
    if (Object.keys(next).length > 0 || startDate === null || endDate === null || !customerId.ok || !agentId.ok) return;

    this.error = null;
    this.result = null;
    this.progress = null;
    this.etaSeconds = null;
    this.transcriptError = null;
    this.exportError = null;
    this.walkId = null;
    this.running = true;
    this.startedAt = now;
    this.#starting = true;
    this.#early.clear();
    const started = await safeCall(this.#api, 'history.start', {
      startDate,
      endDate,
      ...(customerId.value ? { customerId: customerId.value } : {}),
      ...(agentId.value ? { agentId: agentId.value } : {}),
    });
    this.#starting = false;
    if (!started.ok) {
      this.running = false;
      this.error = started.error;
      return;
    }
    const walkId = started.value.walkId;
    this.walkId = walkId;
    const seen = this.#early.get(walkId);
    this.#early.clear();
    if (seen?.progress) this.#setProgress(seen.progress);
    if (seen?.done) this.#finish(seen.done);
  }

  async cancel(): Promise<void> {
    if (!this.walkId || !this.running) return;
    const answer = await safeCall(this.#api, 'history.cancel', { walkId: this.walkId });
    if (!answer.ok) this.error = answer.error;
  }

  /**
   * After the link to main came back: the done event may have been lost with it, and a
   * search must not spin forever for it.
   */
  async catchUp(): Promise<void> {
    const id = this.walkId;
    if (!this.running || !id) return;
    const answer = await safeCall(this.#api, 'history.result', { walkId: id });
    if (id !== this.walkId || !this.running) return;
    if (!answer.ok) {
      // Lost again: the next reconnect asks again. Anything else (main restarted and
      // forgot the walk) ends the search.
      if (answer.error.code !== 'unavailable') this.#finish({ result: null, error: answer.error });
      return;
    }
    const walk = answer.value;
    if (walk.status === 'done') this.#finish({ result: walk.result, error: null });
    else if (walk.status === 'failed') this.#finish({ result: partialOf(walk), error: walk.error });
    else if (!this.progress || walk.progress.slicesDone >= this.progress.slicesDone) this.#setProgress(walk.progress);
  }

  async openTranscript(record: HelpRecord): Promise<void> {
    if (!record.conversationDetailLink) return;
    this.transcriptError = null;
    this.transcriptOpened = false;
    const answer = await safeCall(this.#api, 'transcript.open', { url: record.conversationDetailLink });
    if (!answer.ok) {
      this.transcriptError = answer.error;
      return;
    }
    if (!answer.value.opened) this.#openWindow(answer.value.url);
    else this.transcriptOpened = true;
  }

  dismissTranscriptError(): void {
    this.transcriptError = null;
  }

  dismissExportError(): void {
    this.exportError = null;
  }

  /**
   * Diyalog answers again. A search that failed outright leaves nothing to read, so its error
   * goes; a partial result keeps its note, which says what is missing from the rows shown.
   */
  #diyalogAnswers(): void {
    if (!this.running && this.result === null) this.error = null;
    this.transcriptError = null;
  }

  /** The rows shown, as CSV, handed to the user as a file. */
  async exportCsv(): Promise<void> {
    if (this.exporting || this.rows.length === 0) return;
    this.exporting = true;
    this.exportError = null;
    try {
      const text = historyCsv(this.rows);
      const stamp = toLocalInput(this.#clock()).replace(/[-:]/g, '').replace('T', '-');
      this.#download(`history-${stamp}${this.partial ? '-partial' : ''}.csv`, text);
    } catch (e) {
      this.exportError = { code: 'internal', message: e instanceof Error ? e.message : String(e) };
    } finally {
      this.exporting = false;
    }
  }

  #defaultRange(): void {
    const now = this.#clock();
    this.from = toLocalInput(now - WEEK_MS);
    this.to = toLocalInput(now);
  }

  #setProgress(progress: HistoryProgress): void {
    this.progress = progress;
    this.etaSeconds = this.startedAt === null ? null : secondsLeft(progress, this.#clock() - this.startedAt);
  }

  #finish(e: Done): void {
    if (!this.running) return;
    this.running = false;
    this.etaSeconds = null;
    this.result = e.result;
    this.error = e.error;
    // Progress events are throttled: the last one may be older than the result.
    if (e.result && !e.error) {
      const total = this.progress?.slicesTotal || 1;
      this.progress = { slicesDone: total, slicesTotal: total, records: e.result.items.length, requests: e.result.requests };
    } else if (e.result && this.progress) {
      this.progress = { ...this.progress, records: e.result.items.length, requests: e.result.requests };
    }
  }
}

/**
 * The records a failed or cancelled walk found before it stopped, when main sends them
 * (`result` beside `error`); the contract's `failed` status may carry them too.
 */
function partialOf(walk: Extract<CallOutput<'history.result'>, { status: 'failed' }>): HistoryResult | null {
  const extra = walk as { result?: HistoryResult | null };
  return extra.result ?? null;
}
