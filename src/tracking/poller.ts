/**
 * The background poller: reads tasks in flight from the provider and applies what it says through
 * the one status writer. Work is shared between gateway instances through leases taken with
 * `FOR UPDATE SKIP LOCKED`, so each task is polled by one instance at a time and a crashed
 * instance's tasks are taken over once its leases expire.
 */
import { and, eq, inArray, lte, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/connection.js';
import { type TaskRow, tasks } from '../db/schema.js';
import { applyTaskChange, statusChangeFromWire, type TaskWriter } from '../tasks/apply-task-change.js';
import { IN_FLIGHT_STATUSES, isTerminal } from '../tasks/task-status.js';
import type { KlingClient } from '../upstream/client.js';
import { KlingError } from '../upstream/errors.js';
import { nextPollDelayMs } from './poll-schedule.js';

export interface PollerDeps extends TaskWriter {
  readonly kling: KlingClient;
  readonly logger: Logger;
  readonly instanceId: string;
  /** Called when a task reaches a terminal state, freeing a provider slot. */
  readonly onSlotFreed: () => void;
}

export interface PollerOptions {
  /** Base interval between two reads of one task, ms. */
  pollIntervalMs: number;
  /** How often the poller looks for due tasks, ms. @default min(1_000, pollIntervalMs) */
  tickMs?: number;
  /** Tasks one tick may take. @default 50 */
  batchSize?: number;
  /** How long a poll lease holds, ms. @default 60_000 */
  leaseMs?: number;
}

export interface Poller {
  /** Polls due tasks now (tests and shutdown-free nudges). */
  pollNow(): Promise<void>;
  stop(): Promise<void>;
}

export function startPoller(deps: PollerDeps, options: PollerOptions): Poller {
  const tickMs = options.tickMs ?? Math.min(1_000, options.pollIntervalMs);
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    running ??= pollDueTasks(deps, options)
      .catch((error: unknown) => deps.logger.error({ err: error }, 'poller pass failed'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(tick, tickMs);
  timer.unref();
  return {
    pollNow: tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

async function pollDueTasks(deps: PollerDeps, options: PollerOptions): Promise<void> {
  const leased = await leaseDueTasks(
    deps.db,
    deps.instanceId,
    options.batchSize ?? 50,
    options.leaseMs ?? 60_000,
  );
  await Promise.all(leased.map((task) => pollOne(deps, options, task)));
}

/** Takes the due in-flight tasks no other instance holds, and leases them to this one. */
async function leaseDueTasks(
  db: Database,
  instanceId: string,
  limit: number,
  leaseMs: number,
): Promise<TaskRow[]> {
  const due = db
    .select({ id: tasks.id })
    .from(tasks)
    .where(
      and(
        inArray(tasks.status, [...IN_FLIGHT_STATUSES]),
        lte(tasks.nextAttemptAt, sql`now()`),
        or(sql`${tasks.leaseExpiresAt} is null`, lte(tasks.leaseExpiresAt, sql`now()`)),
      ),
    )
    .orderBy(tasks.nextAttemptAt)
    .limit(limit)
    .for('update', { skipLocked: true });
  return db
    .update(tasks)
    .set({ leaseOwner: instanceId, leaseExpiresAt: sql`now() + ${leaseMs} * interval '1 millisecond'` })
    .where(inArray(tasks.id, due))
    .returning();
}

async function pollOne(deps: PollerDeps, options: PollerOptions, task: TaskRow): Promise<void> {
  const release = { leaseOwner: null, leaseExpiresAt: null };
  const id = task.providerTaskId ?? task.externalTaskId;
  try {
    const wire = await deps.kling.getImageToVideoTask(id);
    const nextAttemptAt = new Date(Date.now() + nextPollDelayMs(task, options.pollIntervalMs));
    const result = await applyTaskChange(deps, task.id, statusChangeFromWire(wire), {
      ...release,
      nextAttemptAt,
    });
    if (result?.changed && isTerminal(result.task.status)) deps.onSlotFreed();
  } catch (error) {
    if (!(error instanceof KlingError)) throw error;
    // A provider outage never fails a task: it is read again later.
    deps.logger.warn({ taskId: task.id, error: error.errorName }, 'poll failed; will retry');
    const nextAttemptAt = new Date(Date.now() + nextPollDelayMs(task, options.pollIntervalMs) * 2);
    await applyTaskChange(deps, task.id, null, { ...release, nextAttemptAt });
  }
}

/** Releases every lease this instance holds, so another instance can take over at once. */
export async function releaseLeases(db: Database, instanceId: string): Promise<void> {
  await db
    .update(tasks)
    .set({ leaseOwner: null, leaseExpiresAt: null })
    .where(eq(tasks.leaseOwner, instanceId));
}
