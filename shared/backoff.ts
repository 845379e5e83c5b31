/**
 * Full-jitter exponential backoff: a random delay in [base, min(cap, base * 2^attempt)].
 * Jitter keeps a floor of agent desktops (or a page's reconnects) from retrying in step
 * after an outage. Shared: main's clients and the renderer's transport both back off.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(baseMs + random() * Math.max(0, ceiling - baseMs));
}
