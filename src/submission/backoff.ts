/**
 * When to try again after the provider said "later": exponential growth with equal jitter, so a
 * burst of waiting tasks spreads out instead of retrying in lockstep.
 */
export interface BackoffPolicy {
  /** First delay, ms. */
  baseMs: number;
  /** Largest delay, ms. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 };

/** Delay in ms before attempt `attempt + 1` (attempt counts from 1), within [ceiling / 2, ceiling]. */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}
