// Stale while Suspended or Faulted, one re-subscribe after a growing wait, fresh on Normal or
// a full list (but not while the server has ended the session).

import { describe, expect, it } from 'vitest';
import { SubscriptionFreshness } from '../../../main/icws/subscription-freshness';

function freshness(ended = false) {
  const resubscribed: number[] = [];
  const changes: boolean[] = [];
  let resolveNext: (() => void) | undefined;
  const f = new SubscriptionFreshness({
    backoff: { baseMs: 5, capMs: 20 },
    random: () => 0.5,
    resubscribe: () => {
      resubscribed.push(Date.now());
      resolveNext?.();
    },
    sessionEnded: () => ended,
    onListenerError: (e) => {
      throw e;
    },
  });
  f.onChange((stale) => changes.push(stale));
  const nextResubscribe = () => new Promise<void>((resolve) => (resolveNext = resolve));
  return { f, resubscribed, changes, nextResubscribe };
}

describe('SubscriptionFreshness', () => {
  it('is stale on a fault and re-subscribes once for faults that come while it waits', async () => {
    const { f, resubscribed, changes, nextResubscribe } = freshness();
    const next = nextResubscribe();
    f.faulted();
    f.faulted();
    expect(f.stale).toBe(true);
    await next;
    expect(resubscribed).toHaveLength(1);
    expect(changes).toEqual([true]);
    f.recovered();
    expect(f.stale).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('says nothing stale after the client stops, and a later fault starts over', async () => {
    const { f, resubscribed, changes, nextResubscribe } = freshness();
    f.faulted();
    f.reset();
    expect(f.stale).toBe(false);
    const next = nextResubscribe();
    f.faulted();
    await next;
    expect(f.stale).toBe(true);
    expect(resubscribed.length).toBeGreaterThanOrEqual(1);
    expect(changes).toEqual([true, true]);
  });

  it('stays stale after the server ended the session, whatever Normal says', () => {
    const { f, changes } = freshness(true);
    f.ended();
    f.recovered();
    expect(f.stale).toBe(true);
    expect(changes).toEqual([true]);
  });
});
