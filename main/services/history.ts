import type { HistoryQuery, HistoryResult } from '../../shared/diyalog';
import { dateRangeSchema, idSchema, parseInput } from '../../shared/validation';
import type { DiyalogClient } from '../diyalog/client';
import { partialWalkOf, walkHistory, type WalkOptions } from '../diyalog/history-walker';

/**
 * Walks a whole date range of help history. A client of its own per walk (from the client
 * provider's `diyalogFactory`), so the request count is this walk's alone even while other
 * calls share the connection.
 */
export async function walkHelpHistory(
  newClient: () => DiyalogClient,
  query: HistoryQuery,
  options: WalkOptions = {},
): Promise<HistoryResult> {
  parseInput(dateRangeSchema, { startDate: query.startDate, endDate: query.endDate }, 'date range');
  if (query.customerId !== undefined) parseInput(idSchema, query.customerId, 'customer id');
  if (query.agentId !== undefined) parseInput(idSchema, query.agentId, 'agent id');
  const client = newClient();
  try {
    const result = await walkHistory((q, signal) => client.getOnlineHelpList(q, { signal }), query, options);
    return { items: result.items, requests: client.requestCount, warnings: result.warnings };
  } catch (e) {
    const partial = partialWalkOf(e);
    if (partial && partial.items.length > 0 && e !== null && typeof e === 'object') partials.set(e, { items: partial.items, requests: client.requestCount, warnings: partial.warnings });
    throw e;
  }
}

const partials = new WeakMap<object, HistoryResult>();

/** What a cancelled or failed walk had found, given the error it rejected with (shown as partial). */
export function partialHistoryOf(error: unknown): HistoryResult | undefined {
  return error !== null && typeof error === 'object' ? partials.get(error) : undefined;
}
