/**
 * Limits that keep one client from starving the others: the shape of GraphQL documents, request
 * body size, task creation rate and tasks in flight per tenant, live subscriptions. Each one is
 * configurable; the defaults suit a public deployment.
 */
import { z } from 'zod';

export interface GatewayLimits {
  /** Deepest selection a document may have. */
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Tokens in one document. */
  maxTokens: number;
  /** graphql-armor's cost estimate of one operation. */
  maxCost: number;
  /**
   * Bytes of one HTTP request body. Two 10 MB images as base64 are ~28 MB, so the default leaves
   * room for masks and the rest of the input.
   */
  maxBodyBytes: number;
  /** Task creations per tenant per minute. */
  createsPerMinute: number;
  /** Tasks a tenant may have neither SUCCEEDED nor FAILED. */
  tasksInFlightPerTenant: number;
  subscriptionsPerConnection: number;
  subscriptionsPerTenant: number;
  /** Whether GraphiQL and introspection are served. @default true, false when NODE_ENV=production */
  exposeSchema: boolean;
}

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

export const limitsEnvironmentShape = {
  GRAPHQL_MAX_DEPTH: positiveInt(10),
  GRAPHQL_MAX_ALIASES: positiveInt(15),
  GRAPHQL_MAX_DIRECTIVES: positiveInt(20),
  // graphql-js parses nested lists recursively, one level per token: past ~1,500 levels the stack
  // overflows, so the token cap is also the nesting cap. GraphiQL's introspection needs ~200.
  GRAPHQL_MAX_TOKENS: positiveInt(1_000),
  GRAPHQL_MAX_COST: positiveInt(5_000),
  MAX_BODY_BYTES: positiveInt(40 * 1024 * 1024),
  TASK_CREATES_PER_MINUTE: positiveInt(30),
  TASKS_IN_FLIGHT_PER_TENANT: positiveInt(20),
  SUBSCRIPTIONS_PER_CONNECTION: positiveInt(50),
  SUBSCRIPTIONS_PER_TENANT: positiveInt(200),
  EXPOSE_SCHEMA: flag.optional(),
  NODE_ENV: z.string().optional(),
};

type LimitsEnvironment = z.infer<z.ZodObject<typeof limitsEnvironmentShape>>;

export function limitsFrom(env: LimitsEnvironment): GatewayLimits {
  return {
    maxDepth: env.GRAPHQL_MAX_DEPTH,
    maxAliases: env.GRAPHQL_MAX_ALIASES,
    maxDirectives: env.GRAPHQL_MAX_DIRECTIVES,
    maxTokens: env.GRAPHQL_MAX_TOKENS,
    maxCost: env.GRAPHQL_MAX_COST,
    maxBodyBytes: env.MAX_BODY_BYTES,
    createsPerMinute: env.TASK_CREATES_PER_MINUTE,
    tasksInFlightPerTenant: env.TASKS_IN_FLIGHT_PER_TENANT,
    subscriptionsPerConnection: env.SUBSCRIPTIONS_PER_CONNECTION,
    subscriptionsPerTenant: env.SUBSCRIPTIONS_PER_TENANT,
    exposeSchema: env.EXPOSE_SCHEMA ?? env.NODE_ENV !== 'production',
  };
}

/** The defaults, as a deployment without any limit variable gets them. */
export const DEFAULT_LIMITS: GatewayLimits = limitsFrom(z.object(limitsEnvironmentShape).parse({}));
