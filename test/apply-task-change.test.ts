import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../src/db/connection.js';
import { type TaskRow, taskEvents, tasks } from '../src/db/schema.js';
import {
  applyTaskChange,
  applyTaskChangeTo,
  recordFirstEvent,
  type TaskWriter,
} from '../src/tasks/apply-task-change.js';
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from './helpers/databases.js';
import { waitFor } from './helpers/wait-for.js';

describe.each(testDatabaseKinds())('the task status writer (%s)', (kind) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let writer: TaskWriter;
  const announcements: unknown[] = [];
  let stopListening: () => Promise<void>;

  beforeAll(async () => {
    database = createTestDatabase(kind);
    handle = await openDatabase(
      database.config,
      database.schema === undefined ? {} : { schema: database.schema },
    );
    writer = { db: handle.db, taskEventsChannel: handle.taskEventsChannel };
    const listener = await handle.listen(
      handle.taskEventsChannel,
      { onMessage: (payload) => announcements.push(JSON.parse(payload)), onResync: () => {} },
      pino({ level: 'silent' }),
    );
    stopListening = () => listener.close();
  });
  afterAll(async () => {
    await stopListening?.();
    await handle?.close();
    await database?.drop();
  });

  async function createPendingTask(): Promise<TaskRow> {
    const id = randomUUID();
    return handle.db.transaction(async (tx) => {
      const [task] = await tx
        .insert(tasks)
        .values({
          id,
          owner: 'alice',
          externalTaskId: `kg-${id}`,
          inputHash: 'hash',
          model: 'kling-v2-6',
          mode: 'pro',
          duration: 5,
          input: { model: 'kling-v2-6', mode: 'pro', duration: 5, image: 'https://example.com/a.png' },
          eventSequence: 1,
        } as typeof tasks.$inferInsert)
        .returning();
      if (task === undefined) throw new Error('no task inserted');
      await recordFirstEvent(tx, writer.taskEventsChannel, task);
      return task;
    });
  }

  const eventsOf = (taskId: string) =>
    handle.db
      .select({ sequence: taskEvents.sequence, status: taskEvents.status, message: taskEvents.message })
      .from(taskEvents)
      .where(eq(taskEvents.taskId, taskId))
      .orderBy(asc(taskEvents.sequence));

  const announcementsOf = (taskId: string) =>
    announcements.filter((announcement) => (announcement as { taskId: string }).taskId === taskId);

  it('records and announces the first event of a new task with its creating transaction', async () => {
    const task = await createPendingTask();
    expect(await eventsOf(task.id)).toEqual([{ sequence: 1, status: 'PENDING', message: null }]);
    await waitFor(() => (announcementsOf(task.id).length === 1 ? true : undefined));
    expect(announcementsOf(task.id)).toEqual([
      { taskId: task.id, owner: 'alice', status: 'PENDING', sequence: 1 },
    ]);
  });

  it('applies a change to a task in the state the writer knows, with its event and announcement', async () => {
    const known = await createPendingTask();
    const result = await applyTaskChangeTo(writer, known, {
      status: 'SUBMITTED',
      providerTaskId: '800000000000000001',
      message: 'queued',
    });
    expect(result?.changed).toBe(true);
    expect(result?.task).toMatchObject({
      status: 'SUBMITTED',
      eventSequence: 2,
      providerTaskId: '800000000000000001',
    });
    expect(await eventsOf(known.id)).toEqual([
      { sequence: 1, status: 'PENDING', message: null },
      { sequence: 2, status: 'SUBMITTED', message: 'queued' },
    ]);
    await waitFor(() => (announcementsOf(known.id).length === 2 ? true : undefined));
    expect(announcementsOf(known.id)[1]).toEqual({
      taskId: known.id,
      owner: 'alice',
      status: 'SUBMITTED',
      sequence: 2,
    });
  });

  it('decides on the current state when the task changed since the writer read it', async () => {
    const stale = await createPendingTask();
    // A callback overtakes the create's answer: the task is already PROCESSING.
    await applyTaskChange(writer, stale.id, { status: 'PROCESSING', providerTaskId: '800000000000000002' });
    const result = await applyTaskChangeTo(writer, stale, {
      status: 'SUBMITTED',
      providerTaskId: '800000000000000002',
    });
    expect(result?.changed).toBe(false);
    expect(result?.task).toMatchObject({ status: 'PROCESSING', eventSequence: 2 });
    expect((await eventsOf(stale.id)).map((event) => event.status)).toEqual(['PENDING', 'PROCESSING']);
  });

  it('moves a task the writer read too early forward from its current state, without repeating a sequence', async () => {
    const stale = await createPendingTask();
    await applyTaskChange(writer, stale.id, { status: 'SUBMITTED', providerTaskId: '800000000000000003' });
    const result = await applyTaskChangeTo(writer, stale, {
      status: 'SUCCEEDED',
      providerTaskId: '800000000000000003',
    });
    expect(result?.task).toMatchObject({ status: 'SUCCEEDED', eventSequence: 3 });
    expect((await eventsOf(stale.id)).map((event) => event.sequence)).toEqual([1, 2, 3]);
  });
});
