/**
 * Per-tenant quotas on task creation, counted from the tasks themselves inside the creating
 * transaction: exact across every instance sharing the database, and a refused create never
 * leaves anything behind (its transaction rolls back).
 *
 * The creating transaction inserts its task and takes the tenant lock in one statement, and counts
 * in the next one (the claim's first), so the lock is held for the count, the claim and the commit
 * only. That stays exact: whoever takes the lock next starts its count after this commit, so every
 * create is counted by every later one.
 */
import { and, eq, gt, ne, or, type SQL, sql } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { tasks } from '../db/schema.js';
import type { ClaimPrecondition } from '../submission/claim.js';
import { TERMINAL_STATUSES } from '../tasks/task-status.js';
import type { GatewayLimits } from './limits.js';

/**
 * The lock that serializes one tenant's quota checks (across instances) until the transaction
 * ends: an expression for the statement that inserts the task (see insertTaskWithFirstEvent).
 */
export function tenantLockSql(owner: string): SQL {
  return sql`pg_advisory_xact_lock(hashtextextended(${`tenant:${owner}`}, 0))`;
}

/** What a tenant has used of its quotas, besides the task being created. */
export interface TenantUsage {
  /** Tasks created in the last minute. */
  recent: number;
  /** Tasks not finished. */
  inFlight: number;
}

/**
 * The tenant's quotas as a precondition of claiming the task `newTaskId` that the claiming
 * transaction inserted (and took the tenant lock with): read in the claim's first statement, so the
 * counts see every create that held the lock before. Refuses with RATE_LIMITED or
 * TOO_MANY_TASKS_IN_FLIGHT.
 */
export function tenantQuota(
  owner: string,
  newTaskId: string,
  limits: Pick<GatewayLimits, 'createsPerMinute' | 'tasksInFlightPerTenant'>,
): ClaimPrecondition<TenantUsage> {
  return { read: tenantUsageSql(owner, newTaskId), check: (usage) => assertWithinQuota(usage, limits) };
}

function tenantUsageSql(owner: string, newTaskId: string): SQL<TenantUsage> {
  const inFlight = sql`${tasks.status} not in (${sql.join(
    TERMINAL_STATUSES.map((status) => sql`${status}`),
    sql`, `,
  )})`;
  const recent = gt(tasks.createdAt, sql`now() - interval '1 minute'`);
  return sql<TenantUsage>`(select json_build_object(
      'recent', count(*) filter (where ${recent}),
      'inFlight', count(*) filter (where ${inFlight}))
    from ${tasks}
    where ${and(eq(tasks.owner, owner), ne(tasks.id, newTaskId), or(recent, inFlight))})`;
}

function assertWithinQuota(
  usage: TenantUsage,
  limits: Pick<GatewayLimits, 'createsPerMinute' | 'tasksInFlightPerTenant'>,
): void {
  if (usage.recent >= limits.createsPerMinute) {
    throw new GraphQLError(`Too many tasks created: at most ${limits.createsPerMinute} per minute`, {
      extensions: { code: 'RATE_LIMITED', limit: limits.createsPerMinute, retryAfterSeconds: 60 },
    });
  }
  if (usage.inFlight >= limits.tasksInFlightPerTenant) {
    throw new GraphQLError(
      `Too many unfinished tasks: at most ${limits.tasksInFlightPerTenant} may be in progress at once`,
      { extensions: { code: 'TOO_MANY_TASKS_IN_FLIGHT', limit: limits.tasksInFlightPerTenant } },
    );
  }
}
