/**
 * Per-tenant quotas on task creation, counted from the tasks themselves inside the creating
 * transaction: exact across every instance sharing the database, and a refused create never
 * leaves anything behind.
 */
import { and, eq, gt, or, sql } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import type { Database } from '../db/connection.js';
import { tasks } from '../db/schema.js';
import { TERMINAL_STATUSES } from '../tasks/task-status.js';
import type { GatewayLimits } from './limits.js';

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** Serializes one tenant's creates (across instances) until the transaction ends. */
export async function lockTenant(tx: Transaction, owner: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`tenant:${owner}`}, 0))`);
}

/** Throws RATE_LIMITED or TOO_MANY_TASKS_IN_FLIGHT when one more task would exceed a quota. */
export async function assertTenantQuota(
  tx: Transaction,
  owner: string,
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
    .where(and(eq(tasks.owner, owner), or(recent, inFlight)));
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
