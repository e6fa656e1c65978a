/**
 * Readiness: the database answers and every migration of drizzle's journal has been applied. A
 * gateway whose database lags its code (a rolling deploy, a failed migration) reports not ready
 * rather than failing requests. Liveness needs no check: answering at all is the proof.
 */
import { readFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/connection.js';

export interface ReadinessOptions {
  /**
   * Schema of drizzle's `__drizzle_migrations` table: the gateway's DATABASE_SCHEMA when set.
   * @default 'drizzle' (drizzle's own default)
   */
  migrationsSchema?: string;
  /** @default drizzle/meta/_journal.json of this repository */
  journalPath?: string | URL;
  /** Bound on the whole check, so a hung connection cannot hang the probe. @default 2_000 ms */
  timeoutMs?: number;
}

export interface ReadinessReport {
  ready: boolean;
  database: { ok: true } | { ok: false; error: string };
  migrations:
    | { ok: boolean; applied: number; expected: number; missing: string[] }
    | { ok: false; error: string };
}

const DEFAULT_JOURNAL = new URL('../../drizzle/meta/_journal.json', import.meta.url);

const journalSchema = z.object({
  entries: z.array(z.object({ tag: z.string(), when: z.number() })),
});

export async function checkReadiness(db: Database, options: ReadinessOptions = {}): Promise<ReadinessReport> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([runChecks(db, options), timeout]);
  } catch (error) {
    const message = describe(error);
    return {
      ready: false,
      database: { ok: false, error: message },
      migrations: { ok: false, error: 'not checked' },
    };
  } finally {
    clearTimeout(timer);
  }
}

async function runChecks(db: Database, options: ReadinessOptions): Promise<ReadinessReport> {
  await db.execute(sql`select 1`);
  const migrations = await checkMigrations(db, options);
  return { ready: migrations.ok, database: { ok: true }, migrations };
}

async function checkMigrations(
  db: Database,
  options: ReadinessOptions,
): Promise<ReadinessReport['migrations']> {
  const journal = journalSchema.parse(
    JSON.parse(await readFile(options.journalPath ?? DEFAULT_JOURNAL, 'utf8')),
  );
  const table = sql`${sql.identifier(options.migrationsSchema ?? 'drizzle')}.${sql.identifier('__drizzle_migrations')}`;
  let applied: Set<number>;
  try {
    const result = await db.execute(sql`select created_at from ${table}`);
    applied = new Set(rowsOf(result).map((row) => Number(row.created_at)));
  } catch (error) {
    return { ok: false, error: `cannot read the migrations table: ${describe(error)}` };
  }
  // drizzle records each migration by its journal timestamp (`when` → created_at).
  const missing = journal.entries.filter((entry) => !applied.has(entry.when)).map((entry) => entry.tag);
  return { ok: missing.length === 0, applied: applied.size, expected: journal.entries.length, missing };
}

/** node-postgres and PGlite both answer `execute` with `{ rows }`. */
function rowsOf(result: unknown): Record<string, unknown>[] {
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
}

/** Error messages only: a connection string never reaches a probe's answer. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/postgres(ql)?:\/\/[^\s]+/gi, 'postgres://[redacted]');
}
