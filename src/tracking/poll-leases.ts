/**
 * Poll leases: which instance reads which task. Taken with `FOR UPDATE SKIP LOCKED`, so instances
 * never wait on each other and never take the same task; judged on the database's clock, which
 * every instance shares, so a crashed instance's tasks are taken over once its leases expire.
 */
import { and, eq, inArray, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../db/connection.js';
import { type TaskRow, tasks } from '../db/schema.js';
import { IN_FLIGHT_STATUSES } from '../tasks/task-status.js';

/** What the poller reads of a leased task: enough to find it upstream and schedule its next read. */
export type PolledTask = Pick<
  TaskRow,
  'id' | 'status' | 'providerTaskId' | 'externalTaskId' | 'createdAt' | 'submittedAt' | 'staleFlaggedAt'
>;

/**
 * The columns a lease returns: a pass leases up to a thousand tasks, and mapping whole rows (the
 * stored input above all) cost it time it then never used.
 */
const polledColumns = {
  id: tasks.id,
  status: tasks.status,
  providerTaskId: tasks.providerTaskId,
  externalTaskId: tasks.externalTaskId,
  createdAt: tasks.createdAt,
  submittedAt: tasks.submittedAt,
  staleFlaggedAt: tasks.staleFlaggedAt,
};

/**
 * Takes the in-flight tasks due within `horizonMs` (0: due now) that no other instance holds, most
 * overdue first, and leases them to this instance.
 */
export async function leaseDueTasks(
  db: Database,
  instanceId: string,
  options: { limit: number; leaseMs: number; horizonMs?: number },
): Promise<PolledTask[]> {
  const due = db
    .select({ id: tasks.id })
    .from(tasks)
    .where(
      and(
        inArray(tasks.status, [...IN_FLIGHT_STATUSES]),
        lte(tasks.nextAttemptAt, sql`now() + ${options.horizonMs ?? 0} * interval '1 millisecond'`),
        or(sql`${tasks.leaseExpiresAt} is null`, lte(tasks.leaseExpiresAt, sql`now()`)),
      ),
    )
    .orderBy(tasks.nextAttemptAt)
    .limit(options.limit)
    .for('update', { skipLocked: true });
  return db
    .update(tasks)
    .set({
      leaseOwner: instanceId,
      leaseExpiresAt: sql`now() + ${options.leaseMs} * interval '1 millisecond'`,
    })
    .where(inArray(tasks.id, due))
    .returning(polledColumns);
}

/** Releases every lease this instance holds, so another instance can take over at once. */
export async function releaseLeases(db: Database, instanceId: string): Promise<void> {
  await db
    .update(tasks)
    .set({ leaseOwner: null, leaseExpiresAt: null })
    .where(eq(tasks.leaseOwner, instanceId));
}

/** Bookkeeping that hands a task back after a read. */
export const RELEASED = { leaseOwner: null, leaseExpiresAt: null } as const;

/**
 * Hands polled tasks back in one statement: each lease released and its next read scheduled, the
 * status untouched. A task still in flight keeps a later schedule it already has (a callback may
 * have pushed its next read out meanwhile), as the status writer's schedule rule does.
 */
export async function handBack(
  db: Database,
  reads: readonly { taskId: string; nextReadAt: Date }[],
): Promise<void> {
  const ids = reads.map((read) => read.taskId);
  const nextReads = reads.map((read) => read.nextReadAt.toISOString());
  const inFlight = inArray(tasks.status, [...IN_FLIGHT_STATUSES]);
  await db.execute(sql`update ${tasks}
    set lease_owner = null, lease_expires_at = null, updated_at = now(),
      next_attempt_at = case when ${inFlight} then greatest(${tasks.nextAttemptAt}, polled.next_read_at)
        else polled.next_read_at end
    from unnest(${sql.param(ids)}::uuid[], ${sql.param(nextReads)}::timestamptz[]) as polled(task_id, next_read_at)
    where ${tasks.id} = polled.task_id`);
}
