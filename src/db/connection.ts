/**
 * Opens the database the configuration names (embedded PGlite or PostgreSQL) and applies the
 * drizzle-kit migrations before anything else touches it.
 */
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DatabaseConfig } from '../config.js';
import {
  listenPglite,
  listenPostgres,
  type NotificationHandlers,
  type NotificationListener,
  taskEventsChannel,
} from './notifications.js';
import * as schema from './schema.js';
import { statementNamingClient } from './statement-names.js';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
/** What `Database.transaction` hands its callback. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

export interface DatabaseHandle {
  readonly db: Database;
  readonly kind: DatabaseConfig['kind'];
  /** The LISTEN/NOTIFY channel on which task changes are announced. */
  readonly taskEventsChannel: string;
  /** Listens on a channel until the returned listener is closed. */
  listen(channel: string, handlers: NotificationHandlers, logger: Logger): Promise<NotificationListener>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /**
   * PostgreSQL schema to live in (created when missing). Tests give each run a fresh one; a
   * deployment may use it to share a database. @default the server's search_path (public)
   */
  schema?: string;
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

export async function openDatabase(
  config: DatabaseConfig,
  options: OpenDatabaseOptions = {},
): Promise<DatabaseHandle> {
  return config.kind === 'postgres' ? openPostgres(config.url, options.schema) : openPglite(config.dataDir);
}

async function openPglite(dataDir: string): Promise<DatabaseHandle> {
  const client = await PGlite.create(dataDir);
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder });
  return {
    db,
    kind: 'pglite',
    taskEventsChannel: taskEventsChannel(undefined),
    listen: (channel, handlers) => listenPglite(client, channel, handlers),
    close: () => client.close(),
  };
}

async function openPostgres(url: string, schemaName: string | undefined): Promise<DatabaseHandle> {
  if (schemaName !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schemaName)) {
    throw new Error(`invalid PostgreSQL schema name: ${schemaName}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    Client: statementNamingClient(),
    ...(schemaName === undefined ? {} : { options: `-c search_path=${schemaName}` }),
  });
  // A client losing its server (a restart, an outage) emits 'error'. Idle clients report it to the
  // pool; a checked-out one (inside a drizzle transaction) has no listener of its own, and an
  // unheard 'error' would kill the process. The query in flight still rejects, and the pool
  // replaces the client.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    if (schemaName !== undefined) await pool.query(`create schema if not exists "${schemaName}"`);
    const db = drizzleNodePostgres(pool, { schema });
    await migrateNodePostgres(db, {
      migrationsFolder,
      ...(schemaName === undefined ? {} : { migrationsSchema: schemaName }),
    });
    return {
      db,
      kind: 'postgres',
      taskEventsChannel: taskEventsChannel(schemaName),
      listen: (channel, handlers, logger) => listenPostgres(url, channel, handlers, logger),
      close: () => pool.end(),
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
