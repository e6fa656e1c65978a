/**
 * How long until a task in flight is read again. Generation takes from half a minute to several
 * minutes, so young tasks are read at the base interval and older ones less often: a 10-minute
 * task costs a few dozen reads, not 120. A task flagged stale is read at the slowest cadence.
 */
import type { TaskRow } from '../db/schema.js';

/** Age (ms since submission) from which each slowdown applies, and its factor; slowest first. */
const SLOWDOWNS: readonly { fromAgeMs: number; factor: number }[] = [
  { fromAgeMs: 10 * 60_000, factor: 6 },
  { fromAgeMs: 3 * 60_000, factor: 3 },
  { fromAgeMs: 60_000, factor: 2 },
];

const SLOWEST_FACTOR = 6;

/** ±20 %, so tasks submitted together are not read in lockstep. */
const JITTER = 0.2;

export function nextPollDelayMs(
  task: Pick<TaskRow, 'submittedAt' | 'createdAt'> & Partial<Pick<TaskRow, 'staleFlaggedAt'>>,
  baseMs: number,
  now: number = Date.now(),
  random: () => number = Math.random,
): number {
  const ageMs = now - inFlightSince(task).getTime();
  const factor =
    task.staleFlaggedAt != null
      ? SLOWEST_FACTOR
      : (SLOWDOWNS.find((slowdown) => ageMs >= slowdown.fromAgeMs)?.factor ?? 1);
  return baseMs * factor * (1 - JITTER + random() * 2 * JITTER);
}

/** When the task went upstream; a task adopted without a submission time counts from its creation. */
export function inFlightSince(task: Pick<TaskRow, 'submittedAt' | 'createdAt'>): Date {
  return task.submittedAt ?? task.createdAt;
}
