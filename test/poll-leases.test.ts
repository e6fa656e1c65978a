/**
 * Poll leases at the database: the poller takes due tasks in flight, and hands a whole pass of
 * reads that changed nothing back in one statement, each task released and scheduled.
 */
import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type TaskStatus, tasks } from '../src/db/schema.js';
import { handBack, leaseDueTasks } from '../src/tracking/poll-leases.js';
import { suiteDatabase, testDatabaseKinds } from './helpers/databases.js';
import { storedTaskValues } from './helpers/task-rows.js';

describe.each(testDatabaseKinds())('poll leases (%s)', (kind) => {
  const suite = suiteDatabase(kind);

  async function insertTasks(statuses: TaskStatus[]): Promise<string[]> {
    const ids = statuses.map(() => randomUUID());
    await suite.handle.db
      .insert(tasks)
      .values(
        ids.map((id, index) =>
          storedTaskValues({ id, status: statuses[index], nextAttemptAt: new Date(Date.now() - 1_000) }),
        ),
      );
    return ids;
  }

  const stored = async (ids: string[]) => {
    const rows = await suite.handle.db.select().from(tasks).where(inArray(tasks.id, ids));
    return new Map(rows.map((row) => [row.id, row]));
  };

  it('hands back every task of a pass at once: released, scheduled, status untouched', async () => {
    const ids = await insertTasks(['SUBMITTED', 'PROCESSING', 'SUBMITTED']);
    const leased = await leaseDueTasks(suite.handle.db, 'instance-a', { limit: 1_000, leaseMs: 60_000 });
    expect(leased.map((task) => task.id)).toEqual(expect.arrayContaining(ids));

    const nextReads = ids.map((_, index) => new Date(Date.now() + (index + 1) * 5_000));
    await handBack(
      suite.handle.db,
      ids.map((taskId, index) => ({ taskId, nextReadAt: nextReads[index] as Date })),
    );

    const after = await stored(ids);
    ids.forEach((id, index) => {
      const task = after.get(id);
      expect(task).toMatchObject({ leaseOwner: null, leaseExpiresAt: null, eventSequence: 1 });
      expect(task?.nextAttemptAt.getTime()).toBe(nextReads[index]?.getTime());
    });
    expect([...after.values()].map((task) => task.status)).toEqual(
      expect.arrayContaining(['SUBMITTED', 'PROCESSING', 'SUBMITTED']),
    );
  });

  it('keeps a later schedule a task in flight got meanwhile, and schedules a finished one as told', async () => {
    const [inFlight, finished] = await insertTasks(['SUBMITTED', 'SUCCEEDED']);
    if (inFlight === undefined || finished === undefined) throw new Error('tasks not inserted');
    // A callback pushed the task in flight's next read an hour out while it was being read.
    const later = new Date(Date.now() + 3_600_000);
    await suite.handle.db
      .update(tasks)
      .set({ nextAttemptAt: later })
      .where(inArray(tasks.id, [inFlight, finished]));

    const soon = new Date(Date.now() + 5_000);
    await handBack(suite.handle.db, [
      { taskId: inFlight, nextReadAt: soon },
      { taskId: finished, nextReadAt: soon },
    ]);

    const after = await stored([inFlight, finished]);
    expect(after.get(inFlight)?.nextAttemptAt.getTime()).toBe(later.getTime());
    expect(after.get(finished)?.nextAttemptAt.getTime()).toBe(soon.getTime());
  });

  it('leases a task with what the poller reads of it, and nothing of its stored input', async () => {
    const [id] = await insertTasks(['PROCESSING']);
    const leased = await leaseDueTasks(suite.handle.db, 'instance-a', { limit: 1_000, leaseMs: 60_000 });
    const task = leased.find((candidate) => candidate.id === id);
    const row = (await stored([id as string])).get(id as string);
    expect(task).toEqual({
      id,
      status: 'PROCESSING',
      providerTaskId: row?.providerTaskId,
      externalTaskId: row?.externalTaskId,
      createdAt: row?.createdAt,
      submittedAt: row?.submittedAt,
      staleFlaggedAt: null,
    });
    expect(row).toMatchObject({ leaseOwner: 'instance-a' });
  });
});
