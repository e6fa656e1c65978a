/**
 * The databases a test runs against: embedded PGlite always, PostgreSQL too when DATABASE_URL is
 * set. Each PostgreSQL run lives in a fresh schema of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import { type DatabaseHandle, openDatabase } from '../../src/db/connection.js';

export interface TestDatabase {
  readonly name: 'pglite' | 'postgres';
  readonly config: DatabaseConfig;
  /** PostgreSQL schema of this run; undefined on PGlite. */
  readonly schema: string | undefined;
  drop(): Promise<void>;
}

export type TestDatabaseKind = TestDatabase['name'];

/** The kinds to run a database-backed suite against, for `describe.each`. */
export function testDatabaseKinds(): TestDatabaseKind[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** @param dataDir for PGlite: a directory to persist to (default in memory) */
export function createTestDatabase(kind: TestDatabaseKind, dataDir = 'memory://'): TestDatabase {
  const url = process.env.DATABASE_URL;
  if (kind === 'pglite' || url === undefined) {
    return { name: 'pglite', config: { kind: 'pglite', dataDir }, schema: undefined, drop: async () => {} };
  }
  const schema = `kg_test_${randomBytes(6).toString('hex')}`;
  return {
    name: 'postgres',
    config: { kind: 'postgres', url },
    schema,
    drop: () => dropSchema(url, schema),
  };
}

/** Removes a PostgreSQL schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/** The gateway's own database handle on a test database, migrated, in that run's schema. */
export function openTestDatabase(database: TestDatabase): Promise<DatabaseHandle> {
  return openDatabase(database.config, database.schema === undefined ? {} : { schema: database.schema });
}

/**
 * A suite's own database, migrated before its first test and dropped after its last: call it in the
 * suite's body. An `afterAll` the suite registers after this call runs before the database closes.
 */
export function suiteDatabase(kind: TestDatabaseKind): { readonly handle: DatabaseHandle } {
  let database: TestDatabase | undefined;
  let handle: DatabaseHandle | undefined;
  beforeAll(async () => {
    database = createTestDatabase(kind);
    handle = await openTestDatabase(database);
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });
  return {
    get handle(): DatabaseHandle {
      if (handle === undefined) throw new Error('the suite database opens in beforeAll');
      return handle;
    },
  };
}
