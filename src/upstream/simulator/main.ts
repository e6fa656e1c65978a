/**
 * `npm run simulator`: a standalone Kling simulator for local development.
 *
 * Environment: SIMULATOR_PORT (4010), SIMULATOR_HOST (127.0.0.1), SIMULATOR_PATH_PREFIX (''),
 * SIMULATOR_TIME_SCALE (1), SIMULATOR_CONCURRENCY_LIMIT (5), and the account to accept:
 * KLING_ACCESS_KEY + KLING_SECRET_KEY, or KLING_API_KEY, else the fixed dev account.
 */
import { pino } from 'pino';
import { z } from 'zod';
import { DEFAULT_ACCOUNT, type SimulatorAccount } from './options.js';
import { startKlingSimulator } from './simulator.js';

/** An empty variable means unset, as shells and .env files often leave them. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema);

const envSchema = z
  .object({
    SIMULATOR_PORT: optional(z.coerce.number().int().min(0).max(65_535).default(4010)),
    SIMULATOR_HOST: optional(z.string().default('127.0.0.1')),
    SIMULATOR_PATH_PREFIX: optional(z.string().default('')),
    SIMULATOR_TIME_SCALE: optional(z.coerce.number().positive().default(1)),
    SIMULATOR_CONCURRENCY_LIMIT: optional(z.coerce.number().int().positive().default(5)),
    KLING_ACCESS_KEY: optional(z.string().optional()),
    KLING_SECRET_KEY: optional(z.string().optional()),
    KLING_API_KEY: optional(z.string().optional()),
  })
  .refine((env) => (env.KLING_ACCESS_KEY === undefined) === (env.KLING_SECRET_KEY === undefined), {
    message: 'set KLING_ACCESS_KEY and KLING_SECRET_KEY together',
    path: ['KLING_SECRET_KEY'],
  });

const logger = pino({ name: 'kling-simulator' });
const parsed = envSchema.safeParse(process.env);
if (!parsed.success) {
  // Every problem at once, so one fix-and-retry is enough.
  logger.error(
    { issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
    'bad environment',
  );
  process.exit(1);
}
const env = parsed.data;

const accounts: SimulatorAccount[] = [];
if (env.KLING_ACCESS_KEY !== undefined && env.KLING_SECRET_KEY !== undefined) {
  accounts.push({ accessKey: env.KLING_ACCESS_KEY, secretKey: env.KLING_SECRET_KEY });
}
if (env.KLING_API_KEY !== undefined) accounts.push({ apiKey: env.KLING_API_KEY });
if (accounts.length === 0) accounts.push(DEFAULT_ACCOUNT);

const simulator = await startKlingSimulator({
  port: env.SIMULATOR_PORT,
  host: env.SIMULATOR_HOST,
  pathPrefix: env.SIMULATOR_PATH_PREFIX,
  timeScale: env.SIMULATOR_TIME_SCALE,
  concurrencyLimit: env.SIMULATOR_CONCURRENCY_LIMIT,
  accounts,
  logger,
});

// The dev account's secret is a fixed public value; secrets from the environment are never printed.
const credentials = accounts.map((account) => {
  if ('apiKey' in account) return { KLING_API_KEY: '(the one you provided)' };
  const isDev =
    account.accessKey === DEFAULT_ACCOUNT.accessKey && account.secretKey === DEFAULT_ACCOUNT.secretKey;
  return {
    KLING_ACCESS_KEY: account.accessKey,
    KLING_SECRET_KEY: isDev ? account.secretKey : '(the one you provided)',
  };
});
logger.info(
  { KLING_BASE_URL: simulator.url, credentials, control: `${simulator.origin}/_simulator` },
  `Kling simulator listening on ${simulator.url}`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'Kling simulator stopping');
    void simulator.stop().then(() => process.exit(0));
  });
}
