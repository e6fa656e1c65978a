/**
 * Reading tasks: one by id, the viewer's tasks newest first (keyset pagination), a task's events.
 * Every read is scoped to the viewer: another tenant's task looks exactly like a missing one.
 */
import { and, asc, desc, eq, gt, inArray, lt, or, type SQL } from 'drizzle-orm';
import type { GatewayContext } from '../context.js';
import { type TaskEventRow, type TaskRow, type TaskStatus, taskEvents, tasks } from '../db/schema.js';
import { TASK_FAILURE_CODES, type TaskFailureCode } from '../tasks/task-status.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getTask(ctx: GatewayContext, id: string): Promise<TaskRow | null> {
  // A malformed id names no task; asking the database would only turn it into an error.
  if (!UUID_PATTERN.test(id)) return null;
  const cached = ctx.finishedTasks.task(id, ctx.viewer.id);
  if (cached) return cached;
  const [task] = await ctx.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.id, id), eq(tasks.owner, ctx.viewer.id)));
  return task ? ctx.finishedTasks.rememberTask(task) : null;
}

/** Position in the newest-first order: creation time, then id to break ties. */
export interface TaskCursor {
  createdAt: Date;
  id: string;
}

export function encodeTaskCursor(task: Pick<TaskRow, 'createdAt' | 'id'>): string {
  return Buffer.from(`${task.createdAt.toISOString()}|${task.id}`).toString('base64url');
}

export function decodeTaskCursor(cursor: string): TaskCursor | null {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (id === undefined || !UUID_PATTERN.test(id) || Number.isNaN(createdAt.getTime())) return null;
  return { createdAt, id };
}

export interface TaskPageRequest {
  statuses?: readonly TaskStatus[] | null | undefined;
  /** Tasks older than this position (forward paging). */
  after?: TaskCursor | null | undefined;
  /** Tasks newer than this position (backward paging). */
  before?: TaskCursor | null | undefined;
  limit: number;
  /** Read from the oldest end (for `last`); the caller restores newest-first order. */
  inverted?: boolean;
}

export async function listTasks(ctx: GatewayContext, page: TaskPageRequest): Promise<TaskRow[]> {
  const filters: (SQL | undefined)[] = [eq(tasks.owner, ctx.viewer.id)];
  if (page.statuses && page.statuses.length > 0) filters.push(inArray(tasks.status, [...page.statuses]));
  if (page.after) filters.push(olderThan(page.after));
  if (page.before) filters.push(newerThan(page.before));
  const order = page.inverted
    ? [asc(tasks.createdAt), asc(tasks.id)]
    : [desc(tasks.createdAt), desc(tasks.id)];
  return ctx.db
    .select()
    .from(tasks)
    .where(and(...filters))
    .orderBy(...order)
    .limit(page.limit);
}

function olderThan(cursor: TaskCursor): SQL | undefined {
  return or(
    lt(tasks.createdAt, cursor.createdAt),
    and(eq(tasks.createdAt, cursor.createdAt), lt(tasks.id, cursor.id)),
  );
}

function newerThan(cursor: TaskCursor): SQL | undefined {
  return or(
    gt(tasks.createdAt, cursor.createdAt),
    and(eq(tasks.createdAt, cursor.createdAt), gt(tasks.id, cursor.id)),
  );
}

/** A task's events, oldest first; `task` has passed the viewer's ownership check. */
export async function getTaskEvents(ctx: GatewayContext, task: TaskRow): Promise<TaskEventRow[]> {
  const cached = ctx.finishedTasks.events(task.id);
  if (cached) return cached;
  const rows = await ctx.db
    .select()
    .from(taskEvents)
    .where(eq(taskEvents.taskId, task.id))
    .orderBy(asc(taskEvents.sequence));
  return ctx.finishedTasks.rememberEvents(task, rows);
}

/**
 * The typed failure code of a task. The column is plain text, but every writer stores a
 * `TaskFailureCode`; anything else is a bug, so it is thrown rather than shown.
 */
export function taskFailureCode(task: Pick<TaskRow, 'failureCode'>): TaskFailureCode | null {
  const { failureCode } = task;
  if (failureCode === null) return null;
  const known = TASK_FAILURE_CODES.find((code) => code === failureCode);
  if (known === undefined) throw new Error(`unknown failure code stored: ${failureCode}`);
  return known;
}
