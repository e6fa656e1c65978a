/**
 * SUCCEEDED and FAILED tasks never change again, so one read serves every later one: the task and
 * its events stay in a bounded in-process cache. A task still in flight is never cached, so no
 * instance can serve a stale state; the owner is checked on every hit, exactly as the query does.
 */
import { LRUCache } from 'lru-cache';
import type { TaskEventRow, TaskRow } from '../db/schema.js';
import { isTerminal } from '../tasks/task-status.js';

export interface FinishedTaskCache {
  task(taskId: string, owner: string): TaskRow | undefined;
  events(taskId: string): TaskEventRow[] | undefined;
  /** Keeps the task if it is finished; returns it unchanged. */
  rememberTask(task: TaskRow): TaskRow;
  rememberEvents(task: TaskRow, events: TaskEventRow[]): TaskEventRow[];
}

/** @param maxTasks how many finished tasks to keep @default 10_000 */
export function createFinishedTaskCache(maxTasks = 10_000): FinishedTaskCache {
  const tasks = new LRUCache<string, TaskRow>({ max: maxTasks });
  const events = new LRUCache<string, TaskEventRow[]>({ max: maxTasks });
  return {
    task(taskId, owner) {
      const task = tasks.get(taskId);
      return task?.owner === owner ? task : undefined;
    },
    events: (taskId) => events.get(taskId),
    rememberTask(task) {
      if (isTerminal(task.status)) tasks.set(task.id, task);
      return task;
    },
    rememberEvents(task, rows) {
      // The terminal event is the last one written, so a finished task's list is complete.
      if (isTerminal(task.status) && rows.at(-1)?.status === task.status) events.set(task.id, rows);
      return rows;
    },
  };
}
