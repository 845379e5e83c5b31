import { AppError, isAppError } from '../../shared/errors';

/**
 * Runs `work` over `items` with at most `limit` at a time, in order of the list. Resolves
 * when every started item has finished. An error from `work` stops new items from starting
 * and is thrown once those in flight are done (the first error wins). An aborted `signal`
 * stops new items from starting and throws AppError('cancelled') the same way.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (failure === null && next < items.length) {
      if (signal?.aborted) {
        failure = { error: cancelledBy(signal) };
        return;
      }
      const index = next++;
      try {
        await work(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
}

/** The abort's own AppError('cancelled') when it carries one. */
export function cancelledBy(signal: AbortSignal | undefined, message = 'The operation was cancelled.'): AppError {
  const reason: unknown = signal?.reason;
  if (isAppError(reason) && reason.code === 'cancelled') return reason;
  return new AppError('cancelled', message);
}
