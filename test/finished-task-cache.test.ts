import { describe, expect, it } from 'vitest';
import type { TaskEventRow, TaskRow, TaskStatus } from '../src/db/schema.js';
import { createFinishedTaskCache } from '../src/resolvers/finished-task-cache.js';

const taskIn = (status: TaskStatus, owner = 'alice'): TaskRow =>
  ({ id: `task-${status}`, owner, status }) as TaskRow;
const event = (status: TaskStatus, sequence: number): TaskEventRow =>
  ({ id: sequence, taskId: 't', sequence, status, message: null, at: new Date() }) as TaskEventRow;

describe('the cache of finished tasks', () => {
  it('keeps SUCCEEDED and FAILED tasks, and never one still in flight', () => {
    const cache = createFinishedTaskCache();
    for (const status of ['PENDING', 'SUBMITTED', 'PROCESSING', 'SUCCEEDED', 'FAILED'] as const) {
      cache.rememberTask(taskIn(status));
    }
    expect(cache.task('task-SUCCEEDED', 'alice')?.status).toBe('SUCCEEDED');
    expect(cache.task('task-FAILED', 'alice')?.status).toBe('FAILED');
    for (const status of ['PENDING', 'SUBMITTED', 'PROCESSING'])
      expect(cache.task(`task-${status}`, 'alice')).toBeUndefined();
  });

  it('serves a task only to its owner, like the query it stands in for', () => {
    const cache = createFinishedTaskCache();
    cache.rememberTask(taskIn('SUCCEEDED', 'alice'));
    expect(cache.task('task-SUCCEEDED', 'bob')).toBeUndefined();
  });

  it('keeps the events of a finished task only once they end with its final status', () => {
    const cache = createFinishedTaskCache();
    const done = taskIn('SUCCEEDED');
    cache.rememberEvents(done, [event('PENDING', 1), event('SUBMITTED', 2)]);
    expect(cache.events(done.id)).toBeUndefined();
    cache.rememberEvents(done, [event('PENDING', 1), event('SUBMITTED', 2), event('SUCCEEDED', 3)]);
    expect(cache.events(done.id)?.map((row) => row.status)).toEqual(['PENDING', 'SUBMITTED', 'SUCCEEDED']);
  });

  it('holds no more tasks than its bound', () => {
    const cache = createFinishedTaskCache(2);
    for (const owner of ['a', 'b', 'c']) cache.rememberTask({ ...taskIn('FAILED', owner), id: owner });
    expect(['a', 'b', 'c'].filter((id) => cache.task(id, id))).toEqual(['b', 'c']);
  });
});
