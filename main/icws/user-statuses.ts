// The supervisor's agents' statuses (§2.5): `PUT messaging/subscriptions/status/user-statuses
// {userIds}` → userStatusMessage (a full list, then changes). One row per agent asked for, in
// the order asked, whatever the server says: an agent the server refuses (403: no right to see
// that user's status) or does not know (400/404) is a row with its error, never a blank board.
//
// How a server words a refusal of one user among many is not public: when the whole PUT is
// refused, each user is asked for on its own (`GET status/user-statuses/{userId}`), the
// refused rows keep their error, and the rest are subscribed again.

import { z } from 'zod';
import type { AgentStatusRow } from '../../shared/supervisor';
import { Disposables } from '../../shared/disposables';
import { AppError, isAppError } from '../../shared/errors';
import { badResponse } from './errors';
import { Listeners, SyncGate } from './listeners';
import type { Unsubscribe } from './listeners';
import type { MessagePump } from './messaging';
import type { IcwsSession } from './session';
import { fromIcwsTime, parseId } from './wire';
import type { IcwsMessage } from './wire';

export const USER_STATUS_TYPE = 'urn:inin.com:status:userStatusMessage';
export const USER_STATUS_SUBSCRIPTION = 'messaging/subscriptions/status/user-statuses';

// Lenient (§2.4): a field we cannot read is null, the row is kept.
const userStatusSchema = z.looseObject({
  userId: z.string().min(1),
  statusId: z.string().nullable().optional().catch(null),
  loggedIn: z.boolean().nullable().optional().catch(null),
  onPhone: z.boolean().nullable().optional().catch(null),
  statusChanged: z.string().nullable().optional().catch(null),
});
type UserStatus = z.infer<typeof userStatusSchema>;

function since(raw: string | null | undefined): string | null {
  if (!raw) return null;
  try {
    return fromIcwsTime(raw);
  } catch {
    return null;
  }
}

const blank = (userId: string, error: AgentStatusRow['error'] = null): AgentStatusRow => ({ userId, statusId: null, loggedIn: null, onPhone: null, since: null, error });

/** A refusal of one user in plain words, with a code of its own. */
function rowError(e: unknown, userId: string): AgentStatusRow['error'] {
  if (!isAppError(e)) return { code: 'internal', message: String(e) };
  const status = e.details.status;
  if (status === 403) return { code: 'no_status_right', message: `No right to see the status of ${userId} (the server answered 403).` };
  if (status === 404 || e.code === 'not_found' || status === 400) return { code: 'not_found', message: `The ICWS server knows no user ${userId}.` };
  return e.toValue();
}

export class UserStatusesClient {
  readonly #session: IcwsSession;
  readonly #pump: MessagePump;
  readonly #changes = new Listeners<AgentStatusRow[]>();
  readonly #errors = new Listeners<AppError>();
  /** lower-case user id → row, for the users asked for */
  #rows = new Map<string, AgentStatusRow>();
  #order: string[] = [];
  #subscribed: string[] = [];
  /** lower-case ids the server has told us of since the last watch */
  #heard = new Set<string>();
  readonly #sync = new SyncGate(() => this.#synced());
  #handlers: Disposables | null = null;

  constructor(session: IcwsSession, pump: MessagePump) {
    this.#session = session;
    this.#pump = pump;
  }

  /**
   * Follows these users (replacing any earlier list). Resolves once the rows say what the
   * server said of each: subscribed, or refused with the reason on the row. Throws only what
   * concerns the whole board (no session, the server unreachable).
   */
  async watch(userIds: readonly string[], signal?: AbortSignal): Promise<void> {
    const ids = [...new Set(userIds.map((id) => parseId(id, 'user id')))];
    this.#order = ids;
    this.#heard = new Set();
    this.#rows = new Map(ids.map((id) => [id.toLowerCase(), this.#rows.get(id.toLowerCase()) ?? blank(id)]));
    await this.#session.connect(signal);
    if (!this.#handlers) {
      const handlers = new Disposables();
      handlers.add(this.#pump.on(USER_STATUS_TYPE, (m) => this.#onStatus(m)));
      this.#handlers = handlers;
    }
    this.#pump.start();
    if (ids.length === 0) {
      await this.#unsubscribe();
      this.#emit();
      return;
    }
    try {
      await this.#subscribe(ids, signal);
    } catch (e) {
      if (!isAppError(e) || ![400, 403, 404].includes(e.details.status as number)) throw e;
      // One or more users refused the whole list: find which, and follow the others.
      const refused = await this.#probe(ids, signal);
      const allowed = ids.filter((id) => !refused.has(id));
      for (const [id, error] of refused) {
        this.#rows.set(id.toLowerCase(), blank(id, error));
        this.#heard.add(id.toLowerCase());
      }
      if (allowed.length > 0) await this.#subscribe(allowed, signal);
      else await this.#unsubscribe();
    }
    this.#emit();
  }

  async stop(): Promise<void> {
    this.#handlers?.dispose();
    this.#handlers = null;
    this.#rows.clear();
    this.#order = [];
    await this.#unsubscribe().catch(() => undefined);
  }

  /** Resolves once every row says something: the server's status, or why it has none. */
  whenSynced(signal?: AbortSignal): Promise<void> {
    return this.#sync.wait(signal);
  }

  #synced(): boolean {
    return this.#order.every((id) => this.#heard.has(id.toLowerCase()));
  }

  rows(): AgentStatusRow[] {
    return this.#order.map((id) => structuredClone(this.#rows.get(id.toLowerCase()) ?? blank(id)));
  }

  onChange(listener: (rows: AgentStatusRow[]) => void): Unsubscribe {
    return this.#changes.add(listener);
  }

  onError(listener: (error: AppError) => void): Unsubscribe {
    return this.#errors.add(listener);
  }

  async #subscribe(ids: string[], signal?: AbortSignal): Promise<void> {
    await this.#session.subscribe(USER_STATUS_SUBSCRIPTION, { userIds: ids }, signal);
    this.#subscribed = ids;
  }

  async #unsubscribe(): Promise<void> {
    if (this.#subscribed.length === 0) return;
    this.#subscribed = [];
    await this.#session.unsubscribe(USER_STATUS_SUBSCRIPTION);
  }

  /** Asks for each user alone; the ones the server refuses, with why. */
  async #probe(ids: string[], signal?: AbortSignal): Promise<Map<string, AgentStatusRow['error']>> {
    const refused = new Map<string, AgentStatusRow['error']>();
    for (const id of ids) {
      try {
        const status = await this.#session.request('GET', `status/user-statuses/${encodeURIComponent(id)}`, { schema: userStatusSchema, signal });
        this.#rows.set(id.toLowerCase(), this.#row(id, status));
        this.#heard.add(id.toLowerCase());
      } catch (e) {
        if (isAppError(e) && [400, 403, 404].includes(e.details.status as number)) refused.set(id, rowError(e, id));
        else throw e;
      }
    }
    return refused;
  }

  #row(userId: string, status: UserStatus): AgentStatusRow {
    return { userId, statusId: status.statusId ?? null, loggedIn: status.loggedIn ?? null, onPhone: status.onPhone ?? null, since: since(status.statusChanged), error: null };
  }

  #onStatus(message: IcwsMessage): void {
    const list = message.userStatusList;
    if (!Array.isArray(list)) return this.#errors.emit(badResponse('user status message', 'no userStatusList', 200));
    let changed = false;
    for (const entry of list) {
      const parsed = userStatusSchema.safeParse(entry);
      if (!parsed.success) {
        this.#errors.emit(badResponse('user status message', 'an entry without a userId, left out', 200));
        continue;
      }
      const key = parsed.data.userId.toLowerCase();
      const known = this.#rows.get(key);
      // A user we did not ask for (an older list's) is not ours to show.
      if (!known) continue;
      // A change names only what changed: keep what we knew of the rest.
      const next: AgentStatusRow = {
        userId: known.userId,
        statusId: parsed.data.statusId !== undefined ? parsed.data.statusId : known.statusId,
        loggedIn: parsed.data.loggedIn !== undefined ? parsed.data.loggedIn : known.loggedIn,
        onPhone: parsed.data.onPhone !== undefined ? parsed.data.onPhone : known.onPhone,
        since: parsed.data.statusChanged !== undefined ? since(parsed.data.statusChanged) : known.since,
        error: null,
      };
      this.#rows.set(key, next);
      this.#heard.add(key);
      changed = true;
    }
    if (changed) this.#emit();
  }

  #emit(): void {
    this.#changes.emit(this.rows(), (e) => this.#errors.emit(isAppError(e) ? e : new AppError('internal', String(e))));
    this.#sync.check();
  }
}
