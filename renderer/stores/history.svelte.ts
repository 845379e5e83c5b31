// History search: main walks the period in slices (history.start) and pushes progress;
// the result arrives once, as history.done, for the walk this store started.

import type { EventPayload } from '../../shared/contract';
import type { HelpRecord, HistoryProgress } from '../../shared/diyalog';
import type { ErrorValue } from '../../shared/errors';
import { safeCall, type RendererApi } from '../bridge';
import { fromLocalInput, toLocalInput } from '../format';
import { dateRangeProblem, optionalId, type Problem } from '../validate';

const WEEK_MS = 7 * 24 * 3600 * 1000;

type Field = 'from' | 'to' | 'customer' | 'agent';
type Done = Omit<EventPayload<'history.done'>, 'walkId'>;

export interface HistoryStoreOptions {
  clock?: () => number;
  /** The browser host cannot open windows: the page opens the link main vetted. */
  openWindow?: (url: string) => void;
}

export class HistoryStore {
  from = $state('');
  to = $state('');
  customer = $state('');
  agent = $state('');
  problems = $state<Partial<Record<Field, Problem>>>({});

  walkId = $state<string | null>(null);
  running = $state(false);
  progress = $state<HistoryProgress | null>(null);
  result = $state<EventPayload<'history.done'>['result']>(null);
  error = $state<ErrorValue | null>(null);
  transcriptError = $state<ErrorValue | null>(null);
  transcriptOpened = $state(false);

  /** Newest first. */
  readonly rows: HelpRecord[] = $derived(this.result ? [...this.result.items].sort((a, b) => b.helpRequestedAt - a.helpRequestedAt) : []);

  readonly #api: RendererApi;
  readonly #clock: () => number;
  readonly #openWindow: (url: string) => void;
  // Events of a walk can arrive before history.start answers with its id: kept until then.
  #starting = false;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping only, never rendered
  readonly #early = new Map<string, { progress?: HistoryProgress; done?: Done }>();

  constructor(api: RendererApi, options: HistoryStoreOptions = {}) {
    this.#api = api;
    this.#clock = options.clock ?? Date.now;
    this.#openWindow = options.openWindow ?? (() => {});
    const now = this.#clock();
    this.from = toLocalInput(now - WEEK_MS);
    this.to = toLocalInput(now);
  }

  start(): () => void {
    const offs = [
      this.#api.on('history.progress', (e) => {
        if (e.walkId === this.walkId) this.progress = e.progress;
        else if (this.#starting) this.#early.set(e.walkId, { ...this.#early.get(e.walkId), progress: e.progress });
      }),
      this.#api.on('history.done', (e) => {
        if (e.walkId === this.walkId) this.#finish(e);
        else if (this.#starting) this.#early.set(e.walkId, { ...this.#early.get(e.walkId), done: e });
      }),
      this.#api.onReconnect(() => void this.catchUp()),
    ];
    return () => offs.forEach((off) => off());
  }

  async search(): Promise<void> {
    if (this.running) return;
    const next: Partial<Record<Field, Problem>> = {};
    const startDate = fromLocalInput(this.from);
    const endDate = fromLocalInput(this.to, true);
    if (startDate === null) next.from = { key: 'history.badDate' };
    if (endDate === null) next.to = { key: 'history.badDate' };
    else if (startDate !== null) {
      // The one date-range rule (shared/validation.ts), as main applies it.
      const range = dateRangeProblem(startDate, endDate);
      if (range) next.to = range;
    }
    const customerId = optionalId(this.customer);
    const agentId = optionalId(this.agent);
    if (!customerId.ok) next.customer = customerId.problem;
    if (!agentId.ok) next.agent = agentId.problem;
    this.problems = next;
    if (Object.keys(next).length > 0 || startDate === null || endDate === null || !customerId.ok || !agentId.ok) return;

    this.error = null;
    this.result = null;
    this.progress = null;
    this.transcriptError = null;
    this.walkId = null;
    this.running = true;
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
    if (seen?.progress) this.progress = seen.progress;
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
    else if (walk.status === 'failed') this.#finish({ result: null, error: walk.error });
    else if (!this.progress || walk.progress.slicesDone >= this.progress.slicesDone) this.progress = walk.progress;
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

  #finish(e: Done): void {
    if (!this.running) return;
    this.running = false;
    this.result = e.result;
    this.error = e.error;
    // Progress events are throttled: the last one may be older than the result.
    if (e.result) {
      const total = this.progress?.slicesTotal || 1;
      this.progress = { slicesDone: total, slicesTotal: total, records: e.result.items.length, requests: e.result.requests };
    }
  }
}
