/**
 * Per-tenant quotas on task creation, counted from the tasks themselves inside the creating
 * transaction: exact across every instance sharing the database, and a refused create never
 * leaves anything behind (its transaction rolls back).
 *
 * The creating transaction inserts its task first and only then takes the tenant lock and counts,
 * so the lock is held for what follows (the count, the claim, the commit) rather than for the
 * insertion too. That stays exact: whoever takes the lock next starts its count after this commit,
 * so every create is counted by every later one.
 */
import { and, eq, gt, ne, or, sql } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import type { Transaction } from '../db/connection.js';
import { tasks } from '../db/schema.js';
import { TERMINAL_STATUSES } from '../tasks/task-status.js';
import type { GatewayLimits } from './limits.js';

/** Serializes one tenant's quota checks (across instances) until the transaction ends. */
export async function lockTenant(tx: Transaction, owner: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`tenant:${owner}`}, 0))`);
}

/**
 * Throws RATE_LIMITED or TOO_MANY_TASKS_IN_FLIGHT when the task `newTaskId`, inserted by `tx`,
 * would exceed a quota. Call it holding the tenant lock.
 */
export async function assertTenantQuota(
  tx: Transaction,
  owner: string,
  newTaskId: string,
  limits: Pick<GatewayLimits, 'createsPerMinute' | 'tasksInFlightPerTenant'>,
): Promise<void> {
  const inFlight = sql`${tasks.status} not in (${sql.join(
    TERMINAL_STATUSES.map((status) => sql`${status}`),
    sql`, `,
  )})`;
  const recent = gt(tasks.createdAt, sql`now() - interval '1 minute'`);
  const [usage] = await tx
    .select({
      recent: sql<number>`count(*) filter (where ${recent})::int`,
      inFlight: sql<number>`count(*) filter (where ${inFlight})::int`,
    })
    .from(tasks)
    .where(and(eq(tasks.owner, owner), ne(tasks.id, newTaskId), or(recent, inFlight)));
  if ((usage?.recent ?? 0) >= limits.createsPerMinute) {
    throw new GraphQLError(`Too many tasks created: at most ${limits.createsPerMinute} per minute`, {
      extensions: { code: 'RATE_LIMITED', limit: limits.createsPerMinute, retryAfterSeconds: 60 },
    });
  }
  if ((usage?.inFlight ?? 0) >= limits.tasksInFlightPerTenant) {
    throw new GraphQLError(
      `Too many unfinished tasks: at most ${limits.tasksInFlightPerTenant} may be in progress at once`,
      { extensions: { code: 'TOO_MANY_TASKS_IN_FLIGHT', limit: limits.tasksInFlightPerTenant } },
    );
  }
}
