/**
 * The one writer of task status. Submission, the poller and provider callbacks all change a task
 * through here: it only moves a task forward, and in the same transaction records an event with the
 * next sequence number and announces the change, so subscribers hear of it exactly when it is
 * durable, on every instance.
 */
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../db/connection.js';
import { type StoredVideo, type TaskRow, type TaskStatus, taskEvents, tasks } from '../db/schema.js';
import type { WireTask } from '../upstream/wire.js';
import { IN_FLIGHT_STATUSES, movesForward, STATUS_FROM_WIRE, type TaskFailureCode } from './task-status.js';

export interface StatusChange {
  status: TaskStatus;
  message?: string | null;
  failureCode?: TaskFailureCode | null;
  providerTaskId?: string;
  videos?: StoredVideo[];
  unitsCharged?: string | null;
  /** Kling's `updated_at`, ms. */
  providerUpdatedAt?: number;
}

/** Work-queue fields written whether or not the status moves (leases, schedule, notes). */
export type Bookkeeping = Partial<
  Pick<
    TaskRow,
    | 'nextAttemptAt'
    | 'leaseOwner'
    | 'leaseExpiresAt'
    | 'createMayHaveSucceeded'
    | 'submitAttempts'
    | 'statusMessage'
    | 'submittedAt'
    | 'providerTaskId'
    | 'staleFlaggedAt'
  >
>;

export interface ApplyResult {
  task: TaskRow;
  /** Whether the status moved (and an event was recorded and published). */
  changed: boolean;
}

export interface TaskWriter {
  readonly db: Database;
  /** LISTEN/NOTIFY channel of task changes. */
  readonly taskEventsChannel: string;
}

export async function applyTaskChange(
  writer: TaskWriter,
  taskId: string,
  change: StatusChange | null,
  bookkeeping: Bookkeeping = {},
): Promise<ApplyResult | undefined> {
  return writer.db.transaction(async (tx) => {
    const [current] = await tx.select().from(tasks).where(eq(tasks.id, taskId)).for('update');
    if (current === undefined) return undefined;
    const moves = change !== null && movesForward(current.status, change.status);
    const sequence = moves ? current.eventSequence + 1 : current.eventSequence;
    const statusFields = moves && change !== null ? statusColumns(change, sequence) : {};
    const [task] = await tx
      .update(tasks)
      .set({ ...bookkeeping, ...statusFields, ...pollSchedule(bookkeeping, current), updatedAt: sql`now()` })
      .where(eq(tasks.id, taskId))
      .returning();
    if (task === undefined) return undefined;
    if (moves && change !== null) {
      const event = sql`values (${taskId}, ${sequence}, ${change.status}, ${change.message ?? null})`;
      await tx.execute(recordEventSql(writer.taskEventsChannel, task.owner, event));
    }
    return { task, changed: moves };
  });
}

/**
 * `applyTaskChange` for a writer that knows the task's current state, because it holds the task's
 * lease (the submitter with a task it just claimed): the change, its event and its announcement in
 * one statement, one round trip instead of five. Should the task have changed meanwhile (a
 * callback overtaking the create's answer), it falls back to `applyTaskChange`, which decides on
 * the state it then reads.
 */
export async function applyTaskChangeTo(
  writer: TaskWriter,
  known: TaskRow,
  change: StatusChange,
  bookkeeping: Bookkeeping = {},
): Promise<ApplyResult | undefined> {
  if (!movesForward(known.status, change.status)) {
    return applyTaskChange(writer, known.id, change, bookkeeping);
  }
  const { db } = writer;
  const sequence = known.eventSequence + 1;
  const changed = db.$with('changed').as(
    db
      .update(tasks)
      .set({
        ...bookkeeping,
        ...statusColumns(change, sequence),
        ...pollSchedule(bookkeeping, known),
        updatedAt: sql`now()`,
      })
      // Unchanged since it was read: the event sequence moves with every status change.
      .where(and(eq(tasks.id, known.id), eq(tasks.eventSequence, known.eventSequence)))
      .returning(),
  );
  const event = sql`select ${changed.id}, ${changed.eventSequence}, ${changed.status}, ${change.message ?? null}::text from ${changed}`;
  const recorded = db
    .$with('recorded', { announced: sql<string>`announced` })
    .as(recordEventSql(writer.taskEventsChannel, known.owner, event));
  const [task] = await db.with(changed, recorded).select().from(changed);
  if (task === undefined) return applyTaskChange(writer, known.id, change, bookkeeping);
  return { task, changed: true };
}

/**
 * Records the event rows `source` yields (task id, sequence, status, message) and announces each on
 * the task channel, in one statement of the transaction that changes the task: the announcement
 * reaches listeners only when that transaction commits.
 */
function recordEventSql(channel: string, owner: string, source: SQL): SQL {
  const announcement = sql`json_build_object('taskId', task_id, 'owner', ${owner}::text, 'status', status, 'sequence', sequence)::text`;
  return sql`insert into ${taskEvents} (task_id, sequence, status, message) ${source}
    returning pg_notify(${channel}, ${announcement}) as announced`;
}

/**
 * Inserts a new task (PENDING, event sequence 1) with its first event and that event's
 * announcement, in one statement of the creating transaction. Nothing is inserted, and undefined
 * returned, when the owner already has a task under the same idempotency key (a concurrent create
 * with that key waits until the first one commits).
 *
 * `thenLock`, an advisory lock expression, is taken in the same statement once the task is in
 * (one round trip fewer than a statement of its own); the statements after it see every commit of
 * its previous holder.
 */
export async function insertTaskWithFirstEvent(
  tx: Transaction,
  channel: string,
  values: typeof tasks.$inferInsert,
  thenLock?: SQL,
): Promise<TaskRow | undefined> {
  const inserted = tx.$with('inserted').as(
    tx
      .insert(tasks)
      .values(values)
      .onConflictDoNothing({ target: [tasks.owner, tasks.idempotencyKey] })
      .returning(),
  );
  const lock = thenLock === undefined ? sql`` : sql` cross join lateral (select ${thenLock}) as locked`;
  const event = sql`select ${inserted.id}, ${inserted.eventSequence}, ${inserted.status}, null::text from ${inserted}${lock}`;
  const recorded = tx
    .$with('recorded', { announced: sql<string>`announced` })
    .as(recordEventSql(channel, values.owner, event));
  const [task] = await tx.with(inserted, recorded).select().from(inserted);
  return task;
}

/**
 * A task already in flight is never scheduled earlier than it is: a callback that pushed its next
 * poll out (callbacks evidently arrive) must not be undone by the create's answer landing after it.
 * A PENDING task takes the schedule as given (its first poll, or a freed slot making it due).
 */
function pollSchedule(bookkeeping: Bookkeeping, current: Pick<TaskRow, 'status'>): { nextAttemptAt?: SQL } {
  const next = bookkeeping.nextAttemptAt;
  if (next === undefined || !IN_FLIGHT_STATUSES.includes(current.status)) return {};
  return { nextAttemptAt: sql`greatest(${tasks.nextAttemptAt}, ${next.toISOString()}::timestamptz)` };
}

function statusColumns(change: StatusChange, sequence: number): Partial<TaskRow> {
  return {
    status: change.status,
    eventSequence: sequence,
    statusMessage: change.message ?? null,
    ...(change.failureCode === undefined ? {} : { failureCode: change.failureCode }),
    ...(change.providerTaskId === undefined ? {} : { providerTaskId: change.providerTaskId }),
    ...(change.videos === undefined ? {} : { videos: change.videos }),
    ...(change.unitsCharged === undefined ? {} : { unitsCharged: change.unitsCharged }),
    ...(change.providerUpdatedAt === undefined ? {} : { providerUpdatedAt: change.providerUpdatedAt }),
  };
}

/** What the provider says of a task, as a change the gateway can apply. */
export function statusChangeFromWire(wire: WireTask): StatusChange {
  const status = STATUS_FROM_WIRE[wire.task_status];
  const message = wire.task_status_msg ? wire.task_status_msg : null;
  return {
    status,
    message,
    failureCode: status === 'FAILED' ? 'GENERATION_FAILED' : null,
    providerTaskId: wire.task_id,
    videos: wire.task_result.map((video) => ({
      id: video.id,
      url: video.url,
      watermarkUrl: video.watermark_url ?? null,
      // Kling sends seconds as a decimal string ("5.041").
      duration: Number.parseFloat(video.duration),
    })),
    unitsCharged: wire.final_unit_deduction ?? null,
    providerUpdatedAt: wire.updated_at,
  };
}
