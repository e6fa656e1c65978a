/**
 * The count of tasks holding a provider slot, which every claim reads: kept by the database in the
 * transaction of each task change, it must always equal counting the tasks themselves
 * (`holdsProviderSlot`), whatever writes the tasks, and from the moment the migration adds it.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { eq, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePostgres } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/connection.js';
import * as schema from '../src/db/schema.js';
import { TASK_STATUSES, type TaskStatus, tasks } from '../src/db/schema.js';
import { countInFlight, holdsProviderSlot } from '../src/submission/claim.js';
import {
  createTestDatabase,
  suiteDatabase,
  type TestDatabase,
  testDatabaseKinds,
} from './helpers/databases.js';
import { storedTaskValues } from './helpers/task-rows.js';

function taskValues(state: TaskState): typeof tasks.$inferInsert {
  return storedTaskValues(state);
}

interface TaskState {
  status: TaskStatus;
  createMayHaveSucceeded: boolean;
}

/** Counting the tasks themselves: what the kept count must always equal. */
async function countedByScan(db: Database): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(tasks).where(holdsProviderSlot);
  return row?.count ?? 0;
}

describe.each(testDatabaseKinds())('provider slot holders (%s)', (kind) => {
  const suite = suiteDatabase(kind);
  beforeEach(async () => {
    await suite.handle.db.execute(sql`truncate ${tasks}`);
  });

  /** Writes only the columns given, as the gateway's writers do (a claim sets only the flag). */
  const setState = (id: string, state: Partial<TaskState>) =>
    suite.handle.db.update(tasks).set(state).where(eq(tasks.id, id));

  it('counts a task from the moment its create may have been sent until it settles', async () => {
    const [task] = await suite.handle.db
      .insert(tasks)
      .values(taskValues({ status: 'PENDING', createMayHaveSucceeded: false }))
      .returning();
    const id = task?.id ?? '';
    expect(await countInFlight(suite.handle.db)).toBe(0);

    await setState(id, { createMayHaveSucceeded: true });
    expect(await countInFlight(suite.handle.db)).toBe(1);
    await setState(id, { status: 'SUBMITTED' });
    await setState(id, { status: 'PROCESSING' });
    expect(await countInFlight(suite.handle.db)).toBe(1);
    await setState(id, { status: 'SUCCEEDED' });
    expect(await countInFlight(suite.handle.db)).toBe(0);
  });

  it('frees the slot of a create the provider refused, and of a deleted task', async () => {
    const refused = taskValues({ status: 'PENDING', createMayHaveSucceeded: true });
    const deleted = taskValues({ status: 'SUBMITTED', createMayHaveSucceeded: true });
    await suite.handle.db.insert(tasks).values([refused, deleted]);
    expect(await countInFlight(suite.handle.db)).toBe(2);

    await setState(refused.id, { createMayHaveSucceeded: false });
    await suite.handle.db.delete(tasks).where(eq(tasks.id, deleted.id));
    expect(await countInFlight(suite.handle.db)).toBe(0);
  });

  it('leaves the count alone on writes that move no task in or out of a slot', async () => {
    const inFlight = taskValues({ status: 'SUBMITTED', createMayHaveSucceeded: true });
    await suite.handle.db.insert(tasks).values(inFlight);
    await suite.handle.db
      .update(tasks)
      .set({ leaseOwner: 'instance-a', nextAttemptAt: new Date(), status: 'SUBMITTED' })
      .where(eq(tasks.id, inFlight.id));
    expect(await countInFlight(suite.handle.db)).toBe(1);
  });

  it('rolls back with the task change that made it', async () => {
    const pending = taskValues({ status: 'PENDING', createMayHaveSucceeded: false });
    await suite.handle.db.insert(tasks).values(pending);
    await expect(
      suite.handle.db.transaction(async (tx) => {
        await tx.update(tasks).set({ status: 'SUBMITTED' }).where(eq(tasks.id, pending.id));
        expect(await countInFlight(tx)).toBe(1);
        throw new Error('abandoned');
      }),
    ).rejects.toThrow('abandoned');
    expect(await countInFlight(suite.handle.db)).toBe(0);
  });

  it('equals counting the tasks after each step of any sequence of inserts, changes, deletes and truncates', async () => {
    const status = fc.constantFrom(...TASK_STATUSES);
    const flag = fc.boolean();
    const state = fc.record({ status, createMayHaveSucceeded: flag });
    const someColumns = fc.oneof(state, fc.record({ status }), fc.record({ createMayHaveSucceeded: flag }));
    const step = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('insert' as const), state }) },
      {
        weight: 6,
        arbitrary: fc.record({ kind: fc.constant('change' as const), task: fc.nat(), state: someColumns }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), task: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const) }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        await suite.handle.db.execute(sql`truncate ${tasks}`);
        const ids: string[] = [];
        for (const next of steps) {
          const id = 'task' in next ? ids[next.task % Math.max(ids.length, 1)] : undefined;
          if (next.kind === 'insert') {
            const values = taskValues(next.state);
            await suite.handle.db.insert(tasks).values(values);
            ids.push(values.id);
          } else if (next.kind === 'change' && id !== undefined) {
            await setState(id, next.state);
          } else if (next.kind === 'delete' && id !== undefined) {
            await suite.handle.db.delete(tasks).where(eq(tasks.id, id));
            ids.splice(ids.indexOf(id), 1);
          } else if (next.kind === 'truncate') {
            await suite.handle.db.execute(sql`truncate ${tasks}`);
            ids.length = 0;
          }
          expect(await countInFlight(suite.handle.db)).toBe(await countedByScan(suite.handle.db));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('stays exact when many connections change tasks at once', async () => {
    const pending = Array.from({ length: 40 }, () =>
      taskValues({ status: 'PENDING', createMayHaveSucceeded: false }),
    );
    await suite.handle.db.insert(tasks).values(pending);

    await Promise.all(
      pending.map((task) =>
        suite.handle.db.transaction((tx) =>
          tx
            .update(tasks)
            .set({ status: 'SUBMITTED', createMayHaveSucceeded: true })
            .where(eq(tasks.id, task.id)),
        ),
      ),
    );
    expect(await countInFlight(suite.handle.db)).toBe(40);

    const settled = pending.slice(0, 25);
    await Promise.all(
      settled.map((task) => setState(task.id, { status: 'FAILED', createMayHaveSucceeded: true })),
    );
    expect(await countInFlight(suite.handle.db)).toBe(15);
    expect(await countedByScan(suite.handle.db)).toBe(15);
  });
});

/**
 * A database migrated before the count existed: the migration that adds it counts the tasks
 * already in flight, so no claim after the upgrade overshoots the provider's limit.
 */
describe.each(testDatabaseKinds())('provider slot holders after an upgrade (%s)', (kind) => {
  const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));
  let earlierMigrations: string;
  let database: TestDatabase;

  beforeAll(async () => {
    earlierMigrations = await migrationsBefore('0003_provider_slot_holders');
    database = createTestDatabase(kind);
  });
  afterAll(async () => {
    await rm(earlierMigrations, { recursive: true, force: true });
    await database?.drop();
  });

  /** A copy of the migrations folder that stops before `tag`. */
  async function migrationsBefore(tag: string): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), 'kg-migrations-'));
    await cp(migrationsFolder, folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: { tag: string }[] };
    const upTo = journal.entries.findIndex((entry) => entry.tag === tag);
    expect(upTo).toBeGreaterThan(0);
    await writeFile(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }));
    return folder;
  }

  it('counts the tasks already holding slots when the count is added', async () => {
    const upgrade = await openMigrator(database);
    try {
      await upgrade.migrate(earlierMigrations);
      await upgrade.db
        .insert(tasks)
        .values([
          taskValues({ status: 'SUBMITTED', createMayHaveSucceeded: true }),
          taskValues({ status: 'PROCESSING', createMayHaveSucceeded: true }),
          taskValues({ status: 'PENDING', createMayHaveSucceeded: true }),
          taskValues({ status: 'PENDING', createMayHaveSucceeded: false }),
          taskValues({ status: 'SUCCEEDED', createMayHaveSucceeded: true }),
        ]);
      await upgrade.migrate(migrationsFolder);
      expect(await countInFlight(upgrade.db)).toBe(3);
    } finally {
      await upgrade.close();
    }
  });

  /** The database with migrations applied from a folder of the test's choosing. */
  async function openMigrator(
    target: TestDatabase,
  ): Promise<{ db: Database; migrate(folder: string): Promise<void>; close(): Promise<void> }> {
    if (target.config.kind === 'pglite') {
      const client = await PGlite.create();
      const db = drizzlePglite(client, { schema });
      return {
        db,
        migrate: (folder) => migratePglite(db, { migrationsFolder: folder }),
        close: () => client.close(),
      };
    }
    const searchPath = target.schema ?? 'public';
    const pool = new pg.Pool({
      connectionString: target.config.url,
      options: `-c search_path=${searchPath}`,
    });
    await pool.query(`create schema if not exists "${searchPath}"`);
    const db = drizzleNodePostgres(pool, { schema });
    return {
      db,
      migrate: (folder) =>
        migrateNodePostgres(db, { migrationsFolder: folder, migrationsSchema: searchPath }),
      close: () => pool.end(),
    };
  }
});
