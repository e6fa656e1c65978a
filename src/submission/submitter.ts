/**
 * The background submitter: retries PENDING tasks whose time has come (provider busy, unreachable,
 * an outcome to recover, a slot to wait for), oldest first. It runs on a timer and whenever a slot
 * may have freed up (`wake`).
 */
import { and, asc, eq, lte, or, sql } from 'drizzle-orm';
import type { Transaction } from '../db/connection.js';
import { type TaskRow, tasks } from '../db/schema.js';
import {
  type Claim,
  type ClaimPrecondition,
  claimNewTask,
  countInFlight,
  type NewTaskClaim,
} from './claim.js';
import { carryOutClaim, type SubmissionDeps, submitTask } from './submit-task.js';

export interface Submitter {
  /**
   * Claims a task that `tx` has just inserted, for the create mutation's own first attempt: the
   * task is stored and claimed by one commit.
   */
  claimNew<Checked>(
    tx: Transaction,
    task: TaskRow,
    precondition?: ClaimPrecondition<Checked>,
  ): Promise<NewTaskClaim>;
  /** Acts on a claim once its transaction has committed; returns the task's state afterwards. */
  carryOut(claim: Claim): Promise<TaskRow | undefined>;
  /** Runs a pass soon, e.g. because a task finished and freed a provider slot. */
  wake(): void;
  /** Stops the timer and waits for the pass under way. */
  stop(): Promise<void>;
}

export interface SubmitterOptions {
  /** Time between passes when nothing wakes the submitter, ms. @default 1_000 */
  intervalMs?: number;
}

export function startSubmitter(deps: SubmissionDeps, options: SubmitterOptions = {}): Submitter {
  const intervalMs = options.intervalMs ?? 1_000;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const runPass = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = submitDueTasks(deps)
      .catch((error: unknown) => deps.logger.error({ err: error }, 'submitter pass failed'))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          runPass();
        }
      });
  };
  const timer = setInterval(runPass, intervalMs);
  timer.unref();

  return {
    claimNew: (tx, task, precondition) => claimNewTask(tx, task, deps.claim, precondition),
    carryOut: (claim) => carryOutClaim(deps, claim),
    wake: runPass,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** One pass: every due task that may recover, plus as many new ones as there are free slots. */
async function submitDueTasks(deps: SubmissionDeps): Promise<void> {
  const due = and(
    eq(tasks.status, 'PENDING'),
    lte(tasks.nextAttemptAt, sql`now()`),
    or(sql`${tasks.leaseExpiresAt} is null`, lte(tasks.leaseExpiresAt, sql`now()`)),
  );
  const freeSlots = Math.max(0, deps.claim.maxConcurrency - (await countInFlight(deps.db)));
  const [recovering, fresh] = await Promise.all([
    deps.db
      .select({ id: tasks.id })
      .from(tasks)
      .where(and(due, eq(tasks.createMayHaveSucceeded, true)))
      .orderBy(asc(tasks.createdAt))
      .limit(100),
    freeSlots === 0
      ? Promise.resolve([])
      : deps.db
          .select({ id: tasks.id })
          .from(tasks)
          .where(and(due, eq(tasks.createMayHaveSucceeded, false)))
          .orderBy(asc(tasks.createdAt))
          .limit(freeSlots),
  ]);
  await Promise.all([...recovering, ...fresh].map(({ id }) => submitTask(deps, id)));
}
