/**
 * What the database-backed gauges read on each scrape: one grouped count each, served from the
 * status index, so a scrape costs two small queries whatever the number of tasks.
 */
import { count, eq } from 'drizzle-orm';
import type { Database } from '../db/connection.js';
import { type TaskStatus, tasks } from '../db/schema.js';

export async function countTasksByStatus(db: Database): Promise<Partial<Record<TaskStatus, number>>> {
  const rows = await db.select({ status: tasks.status, count: count() }).from(tasks).groupBy(tasks.status);
  return Object.fromEntries(rows.map((row) => [row.status, row.count]));
}

/** PENDING tasks: stored, not yet accepted by the provider (busy, capped locally, or unreachable). */
export async function countQueuedSubmissions(db: Database): Promise<number> {
  const [row] = await db.select({ count: count() }).from(tasks).where(eq(tasks.status, 'PENDING'));
  return row?.count ?? 0;
}
