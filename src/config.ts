/**
 * The environment, parsed once at start-up. Every problem is listed at once; secrets have no
 * defaults and never appear in a message.
 */
import { z } from 'zod';
import { type AuthConfig, parseAuthConfig } from './auth/auth-config.js';
import { type GatewayLimits, limitsEnvironmentShape, limitsFrom } from './security/limits.js';

export type DatabaseConfig = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

export type UpstreamAuth =
  | { kind: 'jwt'; accessKey: string; secretKey: string }
  | { kind: 'static'; apiKey: string };

/** `simulator`: no KLING_BASE_URL, so the gateway starts the built-in Kling simulator and uses it. */
export type UpstreamConfig = { kind: 'simulator' } | { kind: 'kling'; baseUrl: string; auth: UpstreamAuth };

export interface AppConfig {
  port: number;
  host: string;
  database: DatabaseConfig;
  upstream: UpstreamConfig;
  /** Tasks in flight upstream per provider account; creates beyond it wait as PENDING. */
  maxConcurrency: number;
  /** Base interval of the status poller, ms. */
  pollIntervalMs: number;
  /** After this long in flight a task is flagged in its status message (never failed), ms. */
  staleAfterMs: number;
  /**
   * The gateway's externally reachable base URL. When set, every create carries a callback URL
   * under it with an unguessable per-task token.
   */
  publicUrl: string | undefined;
  /** Secret for Standard Webhooks signatures on provider callbacks, when the provider signs them. */
  webhookSecret: string | undefined;
  /** PostgreSQL schema to live in. @default the server's search_path */
  databaseSchema: string | undefined;
  /** Upper bound of one upstream HTTP exchange, ms. */
  upstreamTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  limits: GatewayLimits;
  /** How client tokens are verified; `development` runs everything as one local user. */
  auth: AuthConfig;
}

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
  ),
  DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_SCHEMA: optionalText.pipe(
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lowercase SQL identifier')
      .optional(),
  ),
  PUBLIC_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  KLING_WEBHOOK_SECRET: optionalText,
  KLING_BASE_URL: optionalText.pipe(
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  ),
  KLING_ACCESS_KEY: optionalText,
  KLING_SECRET_KEY: optionalText,
  KLING_API_KEY: optionalText,
  KLING_MAX_CONCURRENCY: positiveInt(5),
  POLL_INTERVAL_MS: positiveInt(5_000),
  STALE_TASK_AFTER_MS: positiveInt(3_600_000),
  UPSTREAM_TIMEOUT_MS: positiveInt(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ...limitsEnvironmentShape,
});

type CredentialVariables = Pick<
  z.infer<typeof environmentSchema>,
  'KLING_BASE_URL' | 'KLING_ACCESS_KEY' | 'KLING_SECRET_KEY' | 'KLING_API_KEY'
>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Parses the environment; throws a ConfigError naming every problem. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = environmentSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  // Credential rules need only which variables are present, so they are checked even when a value
  // elsewhere is malformed: the operator sees every problem in one start.
  const credentials = environmentSchema.pick({
    KLING_BASE_URL: true,
    KLING_ACCESS_KEY: true,
    KLING_SECRET_KEY: true,
    KLING_API_KEY: true,
  });
  const presence = credentials.safeParse({ ...env, KLING_BASE_URL: undefined });
  const upstream = presence.success
    ? upstreamFrom(
        {
          ...presence.data,
          KLING_BASE_URL: parsed.success
            ? parsed.data.KLING_BASE_URL
            : env.KLING_BASE_URL?.trim() || undefined,
        },
        problems,
      )
    : undefined;
  const auth = parseAuthConfig(env);
  problems.push(...auth.problems);
  if (!parsed.success || problems.length > 0 || upstream === undefined || auth.config === undefined) {
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL }
      : { kind: 'pglite', dataDir: e.DATA_DIR },
    upstream,
    maxConcurrency: e.KLING_MAX_CONCURRENCY,
    pollIntervalMs: e.POLL_INTERVAL_MS,
    staleAfterMs: e.STALE_TASK_AFTER_MS,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    webhookSecret: e.KLING_WEBHOOK_SECRET,
    databaseSchema: e.DATABASE_SCHEMA,
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    limits: limitsFrom(e),
    auth: auth.config,
  };
}

function upstreamFrom(e: CredentialVariables, problems: string[]): UpstreamConfig | undefined {
  const hasJwtKey = e.KLING_ACCESS_KEY !== undefined || e.KLING_SECRET_KEY !== undefined;
  const hasApiKey = e.KLING_API_KEY !== undefined;
  if (e.KLING_BASE_URL === undefined) {
    if (hasJwtKey || hasApiKey) {
      problems.push(
        'KLING_BASE_URL: required when Kling credentials are set (official: https://api-singapore.klingai.com); unset it and the credentials to use the built-in simulator',
      );
    }
    return { kind: 'simulator' };
  }
  if (hasJwtKey && hasApiKey) {
    problems.push(
      'KLING_API_KEY: set either KLING_ACCESS_KEY + KLING_SECRET_KEY (official) or KLING_API_KEY (reseller), not both',
    );
    return undefined;
  }
  // A trailing slash would double up when the client appends `/v1/...`.
  const baseUrl = e.KLING_BASE_URL.replace(/\/+$/, '');
  if (hasApiKey && e.KLING_API_KEY !== undefined) {
    return { kind: 'kling', baseUrl, auth: { kind: 'static', apiKey: e.KLING_API_KEY } };
  }
  if (e.KLING_ACCESS_KEY === undefined)
    problems.push('KLING_ACCESS_KEY: required with KLING_BASE_URL (or set KLING_API_KEY)');
  if (e.KLING_SECRET_KEY === undefined)
    problems.push('KLING_SECRET_KEY: required with KLING_BASE_URL (or set KLING_API_KEY)');
  if (e.KLING_ACCESS_KEY === undefined || e.KLING_SECRET_KEY === undefined) return undefined;
  return {
    kind: 'kling',
    baseUrl,
    auth: { kind: 'jwt', accessKey: e.KLING_ACCESS_KEY, secretKey: e.KLING_SECRET_KEY },
  };
}
