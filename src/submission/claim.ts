/**
 * Taking a PENDING task for one submission attempt. Claims are serialized across every gateway
 * instance by a transaction-scoped advisory lock, so the count of tasks in flight upstream and the
 * claim that adds to it cannot interleave. The lock is taken as late as possible and held for as
 * few round trips as possible: every create passes through it.
 */
import { and, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../db/connection.js';
import { providerSlotHolders, type TaskRow, tasks } from '../db/schema.js';
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

/** A task the claiming transaction inserted itself is always claimable, capacity permitting. */
export type NewTaskClaim = Exclude<Claim, { kind: 'not-claimable' }>;

export interface ClaimOptions {
  instanceId: string;
  /** Tasks in flight upstream the provider account may hold. */
  maxConcurrency: number;
  /** How long the claim holds before another instance may take the task over, ms. */
  leaseMs: number;
}

/** Claims a stored task that may have been attempted before (the background submitter's case). */
export async function claimForSubmission(
  db: Database,
  taskId: string,
  options: ClaimOptions,
): Promise<Claim> {
  return db.transaction(async (tx) => {
    await lockSubmissions(tx);
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
      .set(claimColumns(options))
      .where(eq(tasks.id, taskId))
      .returning();
    if (claimed === undefined) return { kind: 'not-claimable', task };
    return { kind: 'claimed', task: claimed, mustRecoverFirst: task.createMayHaveSucceeded };
  });
}

/**
 * A value the claiming transaction must check before it claims (a tenant's quota, say), read in
 * the statement that takes the submission lock: one round trip fewer than a statement of its own.
 * `check` throws to refuse; the transaction then rolls back, lock and all.
 */
export interface ClaimPrecondition<Checked> {
  read: SQL<Checked>;
  check(value: Checked): void;
}

/**
 * Claims a task inserted by `tx` itself, before it commits: no other transaction can see the task
 * yet and it was never attempted, so one conditional update decides, and the task is stored and
 * claimed with a single commit.
 *
 * Far below capacity the claim takes the submission lock in shared mode, so creates do not queue
 * behind one another. That stays exact: a claim that does not see another one yet is running at
 * the same time, on a database connection of its own, so at most `max_connections` claims are
 * unseen by any count; a claim under the shared lock only succeeds when even that many could not
 * reach the limit. The exclusive lock waits for every shared holder, so exact claims near the limit
 * see them all.
 */
export async function claimNewTask<Checked>(
  tx: Transaction,
  task: TaskRow,
  options: ClaimOptions,
  precondition?: ClaimPrecondition<Checked>,
): Promise<NewTaskClaim> {
  const limit = options.maxConcurrency;
  if ((await lockForNewClaim(tx, task.id, limit, precondition)) === 'shared') {
    const roomyStill = sql`(${inFlightCountSql}) + ${maxConnectionsSql} < ${limit}`;
    const claimed = await claimIf(tx, task.id, options, roomyStill);
    if (claimed !== undefined) return { kind: 'claimed', task: claimed, mustRecoverFirst: false };
    // Capacity came close meanwhile. Holding the shared lock, waiting for the exclusive one could
    // deadlock with another such claim: the submitter, which takes it alone, claims the task soon.
    return { kind: 'at-capacity', task, inFlight: await countInFlight(tx) };
  }
  const claimed = await claimIf(tx, task.id, options, sql`(${inFlightCountSql}) < ${limit}`);
  if (claimed !== undefined) return { kind: 'claimed', task: claimed, mustRecoverFirst: false };
  return { kind: 'at-capacity', task, inFlight: await countInFlight(tx) };
}

async function claimIf(
  tx: Transaction,
  taskId: string,
  options: ClaimOptions,
  condition: SQL,
): Promise<TaskRow | undefined> {
  const [claimed] = await tx
    .update(tasks)
    .set(claimColumns(options))
    .where(and(eq(tasks.id, taskId), condition))
    .returning();
  return claimed;
}

/**
 * Takes the submission lock, shared when the provider slots in use are so few that no race among
 * claims can use up the rest, else exclusive; one statement, so the lock costs no round trip of
 * its own. The counts that decide the claim come after, in a statement that sees every claim
 * committed before the lock was granted.
 */
async function lockForNewClaim<Checked>(
  tx: Transaction,
  taskId: string,
  limit: number,
  precondition: ClaimPrecondition<Checked> | undefined,
): Promise<'shared' | 'exclusive'> {
  const [row] = await tx
    .select({
      mode: sql<'shared' | 'exclusive'>`case when (${inFlightCountSql}) + ${maxConnectionsSql} < ${limit}
        then (select 'shared' from pg_advisory_xact_lock_shared(${SUBMISSION_LOCK_KEY}))
        else (select 'exclusive' from pg_advisory_xact_lock(${SUBMISSION_LOCK_KEY})) end`,
      checked: precondition?.read ?? sql<undefined>`null`,
    })
    // Read through the task's own row: drizzle selects from a table.
    .from(tasks)
    .where(eq(tasks.id, taskId));
  // No row would mean no lock taken at all: never claim then.
  if (row === undefined) throw new Error(`task ${taskId} is not visible to the transaction claiming it`);
  if (precondition !== undefined) precondition.check(row.checked as Checked);
  return row.mode;
}

/** Every claim not yet committed holds one of these. */
const maxConnectionsSql = sql`current_setting('max_connections')::int`;

async function lockSubmissions(tx: Transaction): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${SUBMISSION_LOCK_KEY})`);
}

function claimColumns(options: ClaimOptions) {
  return {
    leaseOwner: options.instanceId,
    leaseExpiresAt: sql`now() + ${options.leaseMs} * interval '1 millisecond'`,
    // Set before the create is sent: a crash from here on leaves the task marked for recovery.
    createMayHaveSucceeded: true,
    submitAttempts: sql`${tasks.submitAttempts} + 1`,
  } satisfies Partial<Record<keyof TaskRow, unknown>>;
}

/** Judged on the database's clock, which every instance shares. */
const leaseActiveSql = sql<boolean>`coalesce(${tasks.leaseExpiresAt} > now(), false)`;

/**
 * Tasks that hold, or may hold, a provider slot. The database keeps their count in
 * `provider_slot_holders` (drizzle/0003 defines the same predicate for its triggers); this is the
 * specification that count is tested against.
 */
export const holdsProviderSlot: SQL | undefined = or(
  inArray(tasks.status, [...IN_FLIGHT_STATUSES]),
  and(eq(tasks.status, 'PENDING'), eq(tasks.createMayHaveSucceeded, true)),
);

/**
 * The count as of the statement's snapshot, as exact as counting the tasks themselves: each change
 * to it commits, or not, with the task change that caused it.
 */
const slotHoldersSum = sql<number>`coalesce(sum(${providerSlotHolders.holders}), 0)::int`;
const inFlightCountSql = sql`select ${slotHoldersSum} from ${providerSlotHolders}`;

type Executor = Pick<Database, 'select'>;

/** Tasks that hold, or may hold, a provider slot. */
export async function countInFlight(db: Executor): Promise<number> {
  const [row] = await db.select({ count: slotHoldersSum }).from(providerSlotHolders);
  return row?.count ?? 0;
}
