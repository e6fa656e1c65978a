/**
 * The gateway's task statuses and how Kling's map onto them. A task only moves forward.
 */
import type { TaskStatus } from '../db/schema.js';
import type { WireTaskStatus } from '../upstream/wire.js';

/** Kling spells success `succeed`; the gateway says SUCCEEDED. */
export const STATUS_FROM_WIRE: Readonly<Record<WireTaskStatus, TaskStatus>> = {
  submitted: 'SUBMITTED',
  processing: 'PROCESSING',
  succeed: 'SUCCEEDED',
  failed: 'FAILED',
};

const RANK: Readonly<Record<TaskStatus, number>> = {
  PENDING: 0,
  SUBMITTED: 1,
  PROCESSING: 2,
  SUCCEEDED: 3,
  FAILED: 3,
};

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['SUCCEEDED', 'FAILED'];
export const IN_FLIGHT_STATUSES: readonly TaskStatus[] = ['SUBMITTED', 'PROCESSING'];

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Whether `next` is progress from `current`; equal ranks (including two terminal states) are not. */
export function movesForward(current: TaskStatus, next: TaskStatus): boolean {
  return RANK[next] > RANK[current];
}

/**
 * Typed reasons a task is FAILED, so a UI can react without parsing messages.
 * - PROVIDER_REJECTED: the provider refused the create (e.g. 1201 invalid parameter).
 * - CONTENT_POLICY: the input triggered the provider's content policy (1300/1301).
 * - ACCOUNT_UNAVAILABLE: the provider account cannot take tasks (arrears, exhausted pack, no permission).
 * - GENERATION_FAILED: the provider accepted the task and later reported it failed.
 */
export const TASK_FAILURE_CODES = [
  'PROVIDER_REJECTED',
  'CONTENT_POLICY',
  'ACCOUNT_UNAVAILABLE',
  'GENERATION_FAILED',
] as const;
export type TaskFailureCode = (typeof TASK_FAILURE_CODES)[number];

export function failureCodeForRefusal(klingCode: number | null): TaskFailureCode {
  if (klingCode === 1300 || klingCode === 1301) return 'CONTENT_POLICY';
  if (klingCode !== null && klingCode >= 1100 && klingCode < 1200) return 'ACCOUNT_UNAVAILABLE';
  return 'PROVIDER_REJECTED';
}
