/**
 * Watching tasks live. Each stream starts listening before it reads the current state, so a change
 * that lands while a client subscribes is never lost; every delivered task carries its event
 * sequence, and anything at or below what was already delivered is skipped, so duplicates from the
 * at-least-once fan-out never reach the client.
 */
import { and, asc, eq, gte } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { Repeater } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import { type TaskRow, tasks } from '../db/schema.js';
import type { TaskDelivery } from '../tasks/task-events.js';
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
): AsyncIterable<TaskRow> {
  return stoppable((signal) => streamTask(ctx, taskId, afterSequence, signal));
}

async function* streamTask(
  ctx: GatewayContext,
  taskId: string | null,
  afterSequence: number | null | undefined,
  signal: AbortSignal,
): AsyncGenerator<TaskRow> {
  const release = ctx.subscriptionSlots.acquire(ctx.viewer.id);
  const deliveries = taskId === null ? undefined : ctx.events.watchTask(taskId, signal);
  try {
    const current = taskId === null ? null : await getTask(ctx, taskId);
    // Another tenant's task looks exactly like a missing one.
    if (current === null || deliveries === undefined) throw taskNotFound();
    let delivered = afterSequence ?? 0;
    if (current.eventSequence > delivered) {
      delivered = current.eventSequence;
      yield current;
    }
    if (isTerminal(current.status)) return;
    for await (const delivery of deliveries) {
      const task = await taskFrom(ctx, delivery, current.id);
      if (task === null || task.eventSequence <= delivered) continue;
      delivered = task.eventSequence;
      yield task;
      if (isTerminal(task.status)) return;
    }
  } finally {
    release();
  }
}

/**
 * Every change to the viewer's tasks. With `since`, first replays the viewer's tasks changed since
 * then (current state each), so a client resumes after a dropped connection without a gap.
 */
export async function* watchMyTasks(
  ctx: GatewayContext,
  since: Date | null | undefined,
): AsyncGenerator<TaskRow> {
  const release = ctx.subscriptionSlots.acquire(ctx.viewer.id);
  const stop = new AbortController();
  const deliveries = ctx.events.watchOwner(ctx.viewer.id, stop.signal);
  // Highest sequence delivered per task still in flight; finished tasks never change again.
  const delivered = new Map<string, number>();
  const isNew = (task: TaskRow): boolean => {
    if (task.eventSequence <= (delivered.get(task.id) ?? 0)) return false;
    if (isTerminal(task.status)) delivered.delete(task.id);
    else delivered.set(task.id, task.eventSequence);
    return true;
  };
  try {
    if (since) {
      for (const task of await tasksChangedSince(ctx, since)) if (isNew(task)) yield task;
    }
    for await (const delivery of deliveries) {
      const changed =
        delivery.kind === 'changed' ? [delivery.task] : await tasksChangedSince(ctx, delivery.since);
      for (const task of changed) if (task.owner === ctx.viewer.id && isNew(task)) yield task;
    }
  } finally {
    release();
  }
}

/**
 * A stream the client can stop at any moment. An async generator waiting for the next delivery
 * would only see `return()` after that delivery arrived, holding its listener and its slot until
 * then; a Repeater aborts the wait at once.
 */
function stoppable<T>(produce: (signal: AbortSignal) => AsyncGenerator<T>): AsyncIterable<T> {
  return new Repeater<T>(async (push, stop) => {
    const controller = new AbortController();
    void stop.then(() => controller.abort());
    try {
      for await (const value of produce(controller.signal)) await push(value);
      stop();
    } finally {
      controller.abort();
    }
  });
}

async function taskFrom(
  ctx: GatewayContext,
  delivery: TaskDelivery,
  taskId: string,
): Promise<TaskRow | null> {
  return delivery.kind === 'changed' ? delivery.task : getTask(ctx, taskId);
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
