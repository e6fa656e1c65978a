/**
 * How long until a task in flight is read again. Generation takes from half a minute to several
 * minutes, so young tasks are read at the base interval and older ones less often: a 10-minute
 * task costs a few dozen reads, not 120.
 */
import type { TaskRow } from '../db/schema.js';

/** Age (ms since submission) from which each slowdown applies, and its factor. */
const SLOWDOWNS: readonly { fromAgeMs: number; factor: number }[] = [
  { fromAgeMs: 10 * 60_000, factor: 6 },
  { fromAgeMs: 3 * 60_000, factor: 3 },
  { fromAgeMs: 60_000, factor: 2 },
];

/** ±20 %, so tasks submitted together are not read in lockstep. */
const JITTER = 0.2;

export function nextPollDelayMs(
  task: Pick<TaskRow, 'submittedAt' | 'createdAt'>,
  baseMs: number,
  now: number = Date.now(),
  random: () => number = Math.random,
): number {
  const ageMs = now - (task.submittedAt ?? task.createdAt).getTime();
  const factor = SLOWDOWNS.find((slowdown) => ageMs >= slowdown.fromAgeMs)?.factor ?? 1;
  return baseMs * factor * (1 - JITTER + random() * 2 * JITTER);
}
