/**
 * Tasks in flight far longer than any real generation. They are never failed or dropped (the
 * provider may still finish them): they get a note in their status message, once, and are read at
 * the slowest cadence from then on.
 */
import type { TaskRow } from '../db/schema.js';
import type { Bookkeeping, StatusChange } from '../tasks/apply-task-change.js';
import { isTerminal } from '../tasks/task-status.js';
import { inFlightSince } from './poll-schedule.js';

type StaleInput = Pick<TaskRow, 'submittedAt' | 'createdAt' | 'staleFlaggedAt'>;

/** The flag and its note, when the task has just become stale; nothing otherwise. */
export function staleFlag(task: StaleInput, staleAfterMs: number, now: number = Date.now()): Bookkeeping {
  if (task.staleFlaggedAt !== null) return {};
  const ageMs = now - inFlightSince(task).getTime();
  if (ageMs < staleAfterMs) return {};
  return { staleFlaggedAt: new Date(now), statusMessage: staleNote(ageMs) };
}

/**
 * A stale task that moves forward without a word from the provider keeps its note: the status
 * writer replaces the message with the change's.
 */
export function keepStaleNote(
  task: StaleInput,
  change: StatusChange,
  flag: Bookkeeping,
  now: number = Date.now(),
): StatusChange {
  const stale = task.staleFlaggedAt !== null || flag.staleFlaggedAt !== undefined;
  if (!stale || isTerminal(change.status) || change.message) return change;
  return { ...change, message: staleNote(now - inFlightSince(task).getTime()) };
}

export function staleNote(ageMs: number): string {
  const age = ageMs >= 60_000 ? `${Math.floor(ageMs / 60_000)} min` : `${Math.floor(ageMs / 1_000)} s`;
  return `No final status from the provider after ${age}; still checking`;
}
