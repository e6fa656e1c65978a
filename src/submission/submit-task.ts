/**
 * One submission attempt of one task, exactly-once: a task whose earlier create may have reached
 * the provider is looked up by its external id before anything is created again, and every
 * ambiguous outcome is resolved the same way.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { TaskRow } from '../db/schema.js';
import {
  applyTaskChange,
  applyTaskChangeTo,
  type Bookkeeping,
  statusChangeFromWire,
  type TaskWriter,
} from '../tasks/apply-task-change.js';
import { failureCodeForRefusal } from '../tasks/task-status.js';
import type { KlingClient } from '../upstream/client.js';
import { toCreateImageToVideoBody } from '../upstream/create-body.js';
import { KlingError } from '../upstream/errors.js';
import type { WireTask } from '../upstream/wire.js';
import { type BackoffPolicy, backoffDelayMs } from './backoff.js';
import { type Claim, type ClaimOptions, claimForSubmission } from './claim.js';

export interface SubmissionDeps extends TaskWriter {
  readonly kling: KlingClient;
  readonly logger: Logger;
  readonly claim: ClaimOptions;
  readonly backoff: BackoffPolicy;
  /**
   * Waits before each repeated lookup of a task the provider did not find, ms. Read-after-write lag
   * is UNCERTAIN, so a miss is confirmed a few times before the task is created again.
   */
  readonly recoveryLookupDelaysMs: readonly number[];
  /** When the poller first looks at a freshly submitted task, ms. */
  readonly firstPollAfterMs: number;
  /** The callback URL for a task, when the gateway is reachable from the provider. */
  readonly callbackUrlFor?: (task: TaskRow) => string | undefined;
}

/** Outcome of looking a task up by external id. */
type Lookup = { found: WireTask } | { missing: true } | { failed: KlingError };

/** Attempts to submit the task now; returns its state afterwards (unchanged when not claimable). */
export async function submitTask(deps: SubmissionDeps, taskId: string): Promise<TaskRow | undefined> {
  return carryOutClaim(deps, await claimForSubmission(deps.db, taskId, deps.claim));
}

/**
 * Acts on a committed claim: records the wait for a provider slot, or recovers and creates.
 * Returns the task's state afterwards (unchanged when it was not claimable).
 */
export async function carryOutClaim(deps: SubmissionDeps, claim: Claim): Promise<TaskRow | undefined> {
  if (claim.kind === 'at-capacity') {
    const note = `Waiting for a provider slot: ${claim.inFlight} of ${deps.claim.maxConcurrency} tasks in flight`;
    // Due at once: the next pass (run as soon as a slot frees) takes it.
    const waiting = { statusMessage: note, nextAttemptAt: new Date() };
    return (await applyTaskChange(deps, claim.task.id, null, waiting))?.task;
  }
  if (claim.kind === 'not-claimable') return claim.task;
  const task = claim.task;
  if (claim.mustRecoverFirst) {
    const lookup = await lookUpByExternalId(deps, task);
    if ('found' in lookup) return adopt(deps, task, lookup.found);
    if ('failed' in lookup) return postpone(deps, task, lookup.failed, { createMayHaveSucceeded: true });
  }
  return create(deps, task);
}

async function create(deps: SubmissionDeps, task: TaskRow): Promise<TaskRow | undefined> {
  const callbackUrl = deps.callbackUrlFor?.(task);
  const body = toCreateImageToVideoBody(task.input, {
    externalTaskId: task.externalTaskId,
    ...(callbackUrl === undefined ? {} : { callbackUrl }),
  });
  try {
    const created = await deps.kling.createImageToVideoTask(body);
    deps.logger.info({ taskId: task.id, providerTaskId: created.task_id }, 'task submitted to the provider');
    return adopt(deps, task, created);
  } catch (error) {
    if (!(error instanceof KlingError)) throw error;
    return afterFailedCreate(deps, task, error);
  }
}

async function afterFailedCreate(
  deps: SubmissionDeps,
  task: TaskRow,
  error: KlingError,
): Promise<TaskRow | undefined> {
  const duplicate = error.code === 1201 && /already exists/i.test(error.message);
  if (error.kind === 'ambiguous' || duplicate) {
    deps.logger.warn(
      { taskId: task.id, error: error.errorName },
      'create outcome unknown; recovering by external id',
    );
    const lookup = await lookUpByExternalId(deps, task);
    if ('found' in lookup) return adopt(deps, task, lookup.found);
    // Still unknown (or truly absent): the next attempt looks up again before creating.
    return postpone(deps, task, 'failed' in lookup ? lookup.failed : error, { createMayHaveSucceeded: true });
  }
  if (error.kind === 'refused') {
    deps.logger.info({ taskId: task.id, code: error.code }, 'provider refused the task');
    const change = {
      status: 'FAILED' as const,
      message: error.message,
      failureCode: failureCodeForRefusal(error.code),
    };
    return (
      await applyTaskChange(deps, task.id, change, { ...releaseLease(), createMayHaveSucceeded: false })
    )?.task;
  }
  // busy or auth: the provider made no task; try again later.
  if (error.kind === 'auth')
    deps.logger.error({ code: error.code }, 'the provider refused the gateway credentials');
  return postpone(deps, task, error, { createMayHaveSucceeded: false });
}

async function lookUpByExternalId(deps: SubmissionDeps, task: TaskRow): Promise<Lookup> {
  for (let attempt = 0; ; attempt++) {
    try {
      return { found: await deps.kling.getImageToVideoTask(task.externalTaskId) };
    } catch (error) {
      if (!(error instanceof KlingError)) throw error;
      if (error.kind !== 'not-found') return { failed: error };
      const wait = deps.recoveryLookupDelaysMs[attempt];
      if (wait === undefined) return { missing: true };
      await delay(wait);
    }
  }
}

async function adopt(deps: SubmissionDeps, task: TaskRow, wire: WireTask): Promise<TaskRow | undefined> {
  const bookkeeping: Bookkeeping = {
    ...releaseLease(),
    providerTaskId: wire.task_id,
    submittedAt: task.submittedAt ?? new Date(),
    nextAttemptAt: new Date(Date.now() + deps.firstPollAfterMs),
  };
  // The task was claimed by this attempt, so its state is known: one statement records the change.
  return (await applyTaskChangeTo(deps, task, statusChangeFromWire(wire), bookkeeping))?.task;
}

async function postpone(
  deps: SubmissionDeps,
  task: TaskRow,
  reason: KlingError,
  bookkeeping: Bookkeeping,
): Promise<TaskRow | undefined> {
  const waitMs = backoffDelayMs(task.submitAttempts, deps.backoff);
  const note = `Waiting to submit: provider answered ${reason.errorName}; next attempt in ${Math.ceil(waitMs / 1000)} s`;
  const schedule = { ...releaseLease(), nextAttemptAt: new Date(Date.now() + waitMs), statusMessage: note };
  return (await applyTaskChange(deps, task.id, null, { ...schedule, ...bookkeeping }))?.task;
}

function releaseLease(): Bookkeeping {
  return { leaseOwner: null, leaseExpiresAt: null };
}
