import type { NotDeliveredQuery } from '../diyalog/client';
import type { ServiceContext } from './context';

/**
 * Releases a customer stuck on the waiting screen (interactionisnotdelivered): the customer's
 * app stops waiting for an interaction that was never delivered. Not retried: it has an effect.
 */
export async function releaseWaitingCustomer(ctx: ServiceContext, query: NotDeliveredQuery, signal?: AbortSignal): Promise<{ outcome: 'released'; message: string }> {
  return (await ctx.clients.diyalog()).interactionIsNotDelivered(query, signal ? { signal } : {});
}
