import { randomUUID } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../src/db/connection.js';
import { type TaskRow, taskEvents, tasks } from '../src/db/schema.js';
import {
  applyTaskChange,
  applyTaskChangeTo,
  insertTaskWithFirstEvent,
  type TaskWriter,
} from '../src/tasks/apply-task-change.js';
import { suiteDatabase, testDatabaseKinds } from './helpers/databases.js';
import { storedTaskValues } from './helpers/task-rows.js';
import { waitFor } from './helpers/wait-for.js';

describe.each(testDatabaseKinds())('the task status writer (%s)', (kind) => {
  const suite = suiteDatabase(kind);
  let handle: DatabaseHandle;
  let writer: TaskWriter;
  const announcements: unknown[] = [];
  let stopListening: () => Promise<void>;

  beforeAll(async () => {
    handle = suite.handle;
    writer = { db: handle.db, taskEventsChannel: handle.taskEventsChannel };
    const listener = await handle.listen(
      handle.taskEventsChannel,
      { onMessage: (payload) => announcements.push(JSON.parse(payload)), onResync: () => {} },
      pino({ level: 'silent' }),
    );
    stopListening = () => listener.close();
  });
  // Registered after the suite's database: runs before it closes.
  afterAll(async () => {
    await stopListening?.();
  });

  const newTaskValues = (idempotencyKey: string | null = null) => storedTaskValues({ idempotencyKey });

  async function createPendingTask(): Promise<TaskRow> {
    const task = await handle.db.transaction((tx) =>
      insertTaskWithFirstEvent(tx, writer.taskEventsChannel, newTaskValues()),
    );
    if (task === undefined) throw new Error('no task inserted');
    return task;
  }

  /** Advisory locks the transaction holds (PGlite has one session, so no second one can probe). */
  const advisoryLocksHeld = async (tx: Parameters<Parameters<typeof handle.db.transaction>[0]>[0]) => {
    const [row] = await tx
      .select({ held: sql<number>`count(*)::int` })
      .from(sql`pg_locks`)
      .where(sql`locktype = 'advisory' and pid = pg_backend_pid()`);
    return row?.held;
  };

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

  it('inserts nothing, records nothing and announces nothing for an idempotency key already used', async () => {
    const first = newTaskValues(`key-${randomUUID()}`);
    await handle.db.transaction((tx) => insertTaskWithFirstEvent(tx, writer.taskEventsChannel, first));
    const again = { ...newTaskValues(first.idempotencyKey), owner: first.owner };
    const repeated = await handle.db.transaction((tx) =>
      insertTaskWithFirstEvent(tx, writer.taskEventsChannel, again),
    );
    expect(repeated).toBeUndefined();
    expect(await handle.db.select().from(tasks).where(eq(tasks.id, again.id))).toEqual([]);
    expect(await eventsOf(again.id)).toEqual([]);
  });

  it('takes the lock it is given in the statement that inserts the task, and only when it inserts', async () => {
    const lock = sql`pg_advisory_xact_lock(hashtextextended(${`test:${randomUUID()}`}, 0))`;
    const values = newTaskValues(`key-${randomUUID()}`);
    const heldAfterInsert = await handle.db.transaction(async (tx) => {
      await insertTaskWithFirstEvent(tx, writer.taskEventsChannel, values, lock);
      return advisoryLocksHeld(tx);
    });
    expect(heldAfterInsert).toBe(1);
    const heldAfterConflict = await handle.db.transaction(async (tx) => {
      await insertTaskWithFirstEvent(
        tx,
        writer.taskEventsChannel,
        { ...newTaskValues(values.idempotencyKey) },
        lock,
      );
      return advisoryLocksHeld(tx);
    });
    expect(heldAfterConflict).toBe(0);
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
