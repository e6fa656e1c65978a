/**
 * Watching tasks live. Each stream starts listening before it reads the current state, so a change
 * that lands while a client subscribes is never lost; every delivered task carries its event
 * sequence, and anything at or below what was already delivered is skipped, so duplicates from the
 * at-least-once fan-out never reach the client.
 */
import { and, asc, eq, gte } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.js';
import { type TaskRow, tasks } from '../db/schema.js';
import type { Deliveries } from '../tasks/task-events.js';
import { isTerminal } from '../tasks/task-status.js';
import { getTask } from './task-queries.js';

/** Replays reach this far before `since` (and before a notification outage), ms: commit order and
 * timestamps can disagree by the length of a transaction, and a duplicate is harmless. */
const REPLAY_GRACE_MS = 5_000;
/** Most tasks one replay delivers. */
const REPLAY_LIMIT = 500;

/**
 * The task's current state (unless the client saw it already: `afterSequence`), then each change;
 * completes after a terminal state. On resume the current state carries every missed event in
 * `events`.
 */
export function watchTask(
  ctx: GatewayContext,
  taskId: string | null,
  afterSequence: number | null | undefined,
): AsyncIterableIterator<TaskRow> {
  return new Stoppable((listen) => streamTask(ctx, taskId, afterSequence, listen));
}

/**
 * Every change to the viewer's tasks. With `since`, first replays the viewer's tasks changed since
 * then (current state each), so a client resumes after a dropped connection without a gap.
 */
export function watchMyTasks(
  ctx: GatewayContext,
  since: Date | null | undefined,
): AsyncIterableIterator<TaskRow> {
  return new Stoppable((listen) => streamMyTasks(ctx, since, listen));
}

/** Opens a stream's deliveries, so that stopping the stream can end them. */
type Listen = (open: () => Deliveries) => Deliveries;

async function* streamTask(
  ctx: GatewayContext,
  taskId: string | null,
  afterSequence: number | null | undefined,
  listen: Listen,
): AsyncGenerator<TaskRow> {
  const release = ctx.subscriptionSlots.acquire(ctx.viewer.id);
  const deliveries = taskId === null ? undefined : listen(() => ctx.events.watchTask(taskId));
  try {
    let current = taskId === null ? null : await getTask(ctx, taskId);
    // Another tenant's task looks exactly like a missing one.
    if (current === null || deliveries === undefined) throw taskNotFound();
    const { id, status } = current;
    let delivered = afterSequence ?? 0;
    if (current.eventSequence > delivered) {
      delivered = current.eventSequence;
      yield current;
    }
    // An idle stream keeps no row: the transport remembers what it executed for a row while the row
    // lives, and this one (read for this subscriber alone) would live as long as the stream.
    current = null;
    if (isTerminal(status)) return;
    for await (const delivery of deliveries) {
      const task = delivery.kind === 'changed' ? delivery.task : await getTask(ctx, id);
      if (task === null || task.eventSequence <= delivered) continue;
      delivered = task.eventSequence;
      yield task;
      if (isTerminal(task.status)) return;
    }
  } finally {
    await deliveries?.return();
    release();
  }
}

async function* streamMyTasks(
  ctx: GatewayContext,
  since: Date | null | undefined,
  listen: Listen,
): AsyncGenerator<TaskRow> {
  const release = ctx.subscriptionSlots.acquire(ctx.viewer.id);
  const deliveries = listen(() => ctx.events.watchOwner(ctx.viewer.id));
  // Highest sequence delivered per task still in flight; finished tasks never change again.
  const delivered = new Map<string, number>();
  try {
    if (since) {
      for (const task of await tasksChangedSince(ctx, since)) if (isNew(delivered, task)) yield task;
    }
    for await (const delivery of deliveries) {
      const changed =
        delivery.kind === 'changed' ? [delivery.task] : await tasksChangedSince(ctx, delivery.since);
      for (const task of changed) if (task.owner === ctx.viewer.id && isNew(delivered, task)) yield task;
    }
  } finally {
    await deliveries.return();
    release();
  }
}

/** Whether `task` is news to a stream that has delivered `delivered`; records it if so. */
function isNew(delivered: Map<string, number>, task: TaskRow): boolean {
  if (task.eventSequence <= (delivered.get(task.id) ?? 0)) return false;
  if (isTerminal(task.status)) delivered.delete(task.id);
  else delivered.set(task.id, task.eventSequence);
  return true;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * A stream the client can stop at any moment. `return()` on an async generator that waits for the
 * next delivery would only be seen after that delivery arrived, holding its listener and its slot
 * until then; ending the deliveries first lets the generator finish (and free both) at once.
 */
class Stoppable<T> implements AsyncIterableIterator<T> {
  readonly #stream: AsyncGenerator<T>;
  #deliveries: Deliveries | undefined;
  #stopped = false;

  constructor(produce: (listen: Listen) => AsyncGenerator<T>) {
    this.#stream = produce((open) => this.#listen(open));
  }

  next(): Promise<IteratorResult<T>> {
    return this.#stopped ? Promise.resolve(DONE) : this.#stream.next();
  }

  async return(): Promise<IteratorReturnResult<undefined>> {
    this.#stopped = true;
    await this.#deliveries?.return();
    await this.#stream.return(undefined);
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #listen(open: () => Deliveries): Deliveries {
    const deliveries = open();
    this.#deliveries = deliveries;
    if (this.#stopped) void deliveries.return();
    return deliveries;
  }
}

async function tasksChangedSince(ctx: GatewayContext, since: Date): Promise<TaskRow[]> {
  const from = new Date(since.getTime() - REPLAY_GRACE_MS);
  return ctx.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.owner, ctx.viewer.id), gte(tasks.updatedAt, from)))
    .orderBy(asc(tasks.updatedAt))
    .limit(REPLAY_LIMIT);
}

function taskNotFound(): GraphQLError {
  return new GraphQLError('No task with this id', { extensions: { code: 'NOT_FOUND' } });
}
