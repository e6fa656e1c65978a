/**
 * The poller's view of the provider's health. After a failed pass (busy, unavailable, unreachable)
 * the whole poller pauses with exponential backoff and jitter, so an outage costs a trickle of
 * probes rather than one request per task per tick; the first successful read resets it.
 */
import { type BackoffPolicy, backoffDelayMs } from '../submission/backoff.js';

export interface OutageBackoff {
  /** Whether the poller should stay away from the provider at `now` (ms). */
  isPaused(now?: number): boolean;
  /** Whether the last pass failed: the next pass should probe with one request before fanning out. */
  readonly recovering: boolean;
  /** Records a failed pass; returns when the poller resumes, ms since the epoch. */
  recordFailure(now?: number): number;
  recordSuccess(): void;
}

export function createOutageBackoff(
  policy: BackoffPolicy,
  random: () => number = Math.random,
): OutageBackoff {
  let failures = 0;
  let pausedUntil = 0;
  return {
    isPaused: (now = Date.now()) => now < pausedUntil,
    get recovering() {
      return failures > 0;
    },
    recordFailure(now = Date.now()) {
      failures += 1;
      pausedUntil = now + backoffDelayMs(failures, policy, random);
      return pausedUntil;
    },
    recordSuccess() {
      failures = 0;
      pausedUntil = 0;
    },
  };
}
