/**
 * Taking a PENDING task for one submission attempt. Claims are serialized across every gateway
 * instance by a transaction-scoped advisory lock, so the count of tasks in flight upstream and the
 * claim that adds to it cannot interleave.
 */
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Database } from '../db/connection.js';
import { type TaskRow, tasks } from '../db/schema.js';
import { IN_FLIGHT_STATUSES } from '../tasks/task-status.js';

/** Arbitrary constant naming the submission lock among the database's advisory locks. */
const SUBMISSION_LOCK_KEY = 0x4b_6c_69_6e; // "Klin"

export type Claim =
  | {
      kind: 'claimed';
      task: TaskRow;
      /** An earlier create may have reached the provider: look the task up before creating. */
      mustRecoverFirst: boolean;
    }
  | { kind: 'at-capacity'; task: TaskRow; inFlight: number }
  | { kind: 'not-claimable'; task: TaskRow | undefined };

export interface ClaimOptions {
  instanceId: string;
  /** Tasks in flight upstream the provider account may hold. */
  maxConcurrency: number;
  /** How long the claim holds before another instance may take the task over, ms. */
  leaseMs: number;
}

export async function claimForSubmission(
  db: Database,
  taskId: string,
  options: ClaimOptions,
): Promise<Claim> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SUBMISSION_LOCK_KEY})`);
    const [row] = await tx
      .select({ task: tasks, leaseActive: leaseActiveSql })
      .from(tasks)
      .where(eq(tasks.id, taskId))
      .for('update');
    const task = row?.task;
    if (task === undefined || task.status !== 'PENDING' || row?.leaseActive)
      return { kind: 'not-claimable', task };
    // A task whose create may have landed already holds a provider slot (it is counted below), so
    // recovering it never waits for capacity.
    if (!task.createMayHaveSucceeded) {
      const inFlight = await countInFlight(tx);
      if (inFlight >= options.maxConcurrency) return { kind: 'at-capacity', task, inFlight };
    }
    const [claimed] = await tx
      .update(tasks)
      .set({
        leaseOwner: options.instanceId,
        leaseExpiresAt: sql`now() + ${options.leaseMs} * interval '1 millisecond'`,
        // Set before the create is sent: a crash from here on leaves the task marked for recovery.
        createMayHaveSucceeded: true,
        submitAttempts: sql`${tasks.submitAttempts} + 1`,
      })
      .where(eq(tasks.id, taskId))
      .returning();
    if (claimed === undefined) return { kind: 'not-claimable', task };
    return { kind: 'claimed', task: claimed, mustRecoverFirst: task.createMayHaveSucceeded };
  });
}

/** Judged on the database's clock, which every instance shares. */
const leaseActiveSql = sql<boolean>`coalesce(${tasks.leaseExpiresAt} > now(), false)`;

type Executor = Pick<Database, 'select'>;

/** Tasks that hold, or may hold, a provider slot. */
export async function countInFlight(db: Executor): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(tasks)
    .where(
      or(
        inArray(tasks.status, [...IN_FLIGHT_STATUSES]),
        and(eq(tasks.status, 'PENDING'), eq(tasks.createMayHaveSucceeded, true)),
      ),
    );
  return row?.count ?? 0;
}
