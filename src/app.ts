/**
 * The gateway as a value: `createApp(config)` wires the services, `start()` opens the database,
 * the upstream, the background workers and the HTTP server; `stop()` takes them down in reverse.
 * Nothing starts by importing a file.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import { DEVELOPMENT_MODE_WARNING } from './auth/auth-config.js';
import { createTokenVerifier } from './auth/verify-token.js';
import type { AppConfig, UpstreamAuth } from './config.js';
import type { GatewayServices } from './context.js';
import { type Database, type DatabaseHandle, openDatabase } from './db/connection.js';
import { tasks } from './db/schema.js';
import { checkReadiness } from './observability/health.js';
import { createLogger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { countQueuedSubmissions, countTasksByStatus } from './observability/task-gauges.js';
import { createFinishedTaskCache } from './resolvers/finished-task-cache.js';
import { createPresetVoiceCatalog } from './resolvers/preset-voices.js';
import { createSubscriptionSlots } from './security/subscription-slots.js';
import { type HttpServer, startHttpServer } from './server.js';
import { type BackoffPolicy, DEFAULT_BACKOFF } from './submission/backoff.js';
import type { SubmissionDeps } from './submission/submit-task.js';
import { startSubmitter } from './submission/submitter.js';
import { startTaskEventBus } from './tasks/task-events.js';
import { callbackUrlFor, createCallbackReceiver } from './tracking/callbacks.js';
import { type Poller, releaseLeases, startPoller } from './tracking/poller.js';
import { createKlingClient, type KlingClient } from './upstream/client.js';
import {
  type KlingSimulator,
  type SimulatorAccount,
  type SimulatorOptions,
  startKlingSimulator,
} from './upstream/simulator/index.js';

/** Timings that tests and benchmarks compress; production keeps the defaults. */
export interface AppTuning {
  /** @default DEFAULT_BACKOFF (1 s doubling to 60 s) */
  backoff?: BackoffPolicy;
  /** @default [500, 1_000, 2_000] ms */
  recoveryLookupDelaysMs?: readonly number[];
  /** @default 1_000 ms */
  submitterIntervalMs?: number;
  /** @default min(1_000, pollIntervalMs) */
  pollerTickMs?: number;
  /** How long a submission or poll lease holds, ms. @default 2 × upstreamTimeoutMs + 10 s */
  leaseMs?: number;
}

export interface AppOptions {
  logger?: Logger;
  tuning?: AppTuning;
  /** Options for the built-in simulator, when the configuration asks for it. */
  simulator?: SimulatorOptions;
}

export interface RunningApp {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  readonly services: GatewayServices;
  readonly poller: Poller;
  /** The built-in simulator, when the gateway runs against it. */
  readonly simulator: KlingSimulator | undefined;
}

export interface App {
  start(): Promise<RunningApp>;
  stop(): Promise<void>;
}

export function createApp(config: AppConfig, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.logLevel);
  const tuning = options.tuning ?? {};
  const instanceId = `gw-${randomUUID()}`;
  const cleanups: (() => Promise<void>)[] = [];
  // Fresh credentials per process: the embedded simulator still checks real JWTs.
  const simulatorAccount: SimulatorAccount = options.simulator?.accounts?.[0] ?? {
    accessKey: `sim-${randomBytes(8).toString('hex')}`,
    secretKey: randomBytes(32).toString('hex'),
  };
  let database: DatabaseHandle | undefined;
  const openDb = (): Database => {
    if (database === undefined) throw new Error('database not open');
    return database.db;
  };
  const metrics = createMetrics({
    countTasksByStatus: () => countTasksByStatus(openDb()),
    submissionQueueDepth: () => countQueuedSubmissions(openDb()),
  });
  let running: RunningApp | undefined;

  async function start(): Promise<RunningApp> {
    if (running) return running;
    try {
      running = await startServices();
      return running;
    } catch (error) {
      await stop();
      throw error;
    }
  }

  async function startServices(): Promise<RunningApp> {
    const simulator = config.upstream.kind === 'simulator' ? await startSimulator() : undefined;
    const kling = connectUpstream(simulator);
    cleanups.push(() => kling.close());
    const opened = await openDatabase(
      config.database,
      config.databaseSchema === undefined ? {} : { schema: config.databaseSchema },
    );
    database = opened;
    cleanups.push(() => opened.close());
    const services = await startWorkers(opened, kling);
    const { poller, ...gateway } = services;
    const verifier = createTokenVerifier(config.auth);
    if (config.auth.mode === 'development') logger.warn(DEVELOPMENT_MODE_WARNING);
    const http: HttpServer = await startHttpServer(gateway, {
      port: config.port,
      host: config.host,
      logger,
      verifier,
      readiness: () => checkReadiness(opened.db, { migrationsSchema: config.databaseSchema ?? 'drizzle' }),
    });
    cleanups.push(() => http.close());
    logger.info({ url: http.url, database: opened.kind, instanceId }, 'kling-graphql listening');
    return { url: http.url, services: gateway, poller, simulator };
  }

  async function startSimulator(): Promise<KlingSimulator> {
    const simulator = await startKlingSimulator({ ...options.simulator, accounts: [simulatorAccount] });
    cleanups.push(() => simulator.stop());
    logger.warn(
      { simulator: simulator.url },
      'KLING_BASE_URL is not set: using the built-in Kling SIMULATOR. Videos are fake and nothing is billed.',
    );
    return simulator;
  }

  function connectUpstream(simulator: KlingSimulator | undefined): KlingClient {
    const { baseUrl, auth } = upstreamTarget(config, simulator, simulatorAccount);
    return createKlingClient({
      baseUrl,
      auth,
      timeoutMs: config.upstreamTimeoutMs,
      onExchange: metrics.recordUpstreamExchange,
    });
  }

  async function startWorkers(
    database: DatabaseHandle,
    kling: KlingClient,
  ): Promise<GatewayServices & { poller: Poller }> {
    const writer = { db: database.db, taskEventsChannel: database.taskEventsChannel };
    const events = await startTaskEventBus({
      database,
      logger,
      loadTask: async (taskId) => (await database.db.select().from(tasks).where(eq(tasks.id, taskId)))[0],
    });
    cleanups.push(() => events.close());
    const leaseMs = tuning.leaseMs ?? 2 * config.upstreamTimeoutMs + 10_000;
    const submissionDeps: SubmissionDeps = {
      ...writer,
      kling,
      logger,
      claim: { instanceId, maxConcurrency: config.maxConcurrency, leaseMs },
      backoff: tuning.backoff ?? DEFAULT_BACKOFF,
      recoveryLookupDelaysMs: tuning.recoveryLookupDelaysMs ?? [500, 1_000, 2_000],
      // With callbacks expected, the first poll is only a safety net for a lost one.
      firstPollAfterMs: config.publicUrl === undefined ? config.pollIntervalMs : 10 * config.pollIntervalMs,
      ...callbackUrls(config.publicUrl),
    };
    const submitter = startSubmitter(
      submissionDeps,
      tuning.submitterIntervalMs === undefined ? {} : { intervalMs: tuning.submitterIntervalMs },
    );
    const poller = startPoller(
      {
        ...writer,
        kling,
        logger,
        instanceId,
        onSlotFreed: () => submitter.wake(),
        onPass: ({ leased, durationMs }) => metrics.recordPollerCycle({ batchSize: leased, durationMs }),
      },
      {
        pollIntervalMs: config.pollIntervalMs,
        leaseMs,
        staleAfterMs: config.staleAfterMs,
        backoff: tuning.backoff ?? DEFAULT_BACKOFF,
        ...(tuning.pollerTickMs ? { tickMs: tuning.pollerTickMs } : {}),
      },
    );
    const callbacks = createCallbackReceiver({
      ...writer,
      kling,
      logger,
      ...(config.webhookSecret === undefined ? {} : { webhookSecret: config.webhookSecret }),
      onSlotFreed: () => submitter.wake(),
      pollDeferralMs: callbackSafetyNetMs(config),
    });
    cleanups.push(async () => {
      await Promise.all([poller.stop(), submitter.stop(), callbacks.drain()]);
      await releaseLeases(database.db, instanceId);
    });
    const presetVoices = createPresetVoiceCatalog(kling);
    const subscriptionSlots = createSubscriptionSlots(config.limits.subscriptionsPerTenant);
    return {
      config,
      ...writer,
      kling,
      events,
      submitter,
      presetVoices,
      subscriptionSlots,
      callbacks,
      metrics,
      finishedTasks: createFinishedTaskCache(),
      poller,
    };
  }

  async function stop(): Promise<void> {
    running = undefined;
    // Reverse order of start: the server stops taking work before the workers and stores go.
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => logger.error({ err: error }, 'error while stopping'));
    }
  }

  return { start, stop };
}

/**
 * How far each callback pushes its task's next poll: 120 base intervals (10 min at the default,
 * longer than the provider's slowest generation), so a task whose callbacks arrive is not polled
 * at all, while a lost final callback is still caught within that time.
 * Before the first callback, a task is polled after 10 intervals: a PUBLIC_URL the provider cannot
 * reach costs little.
 */
function callbackSafetyNetMs(config: AppConfig): number {
  return 120 * config.pollIntervalMs;
}

/** With a public URL, every create carries the task's callback URL. */
function callbackUrls(publicUrl: string | undefined): Pick<SubmissionDeps, 'callbackUrlFor'> {
  if (publicUrl === undefined) return {};
  return {
    callbackUrlFor: (task) =>
      task.callbackToken === null ? undefined : callbackUrlFor(publicUrl, task.callbackToken),
  };
}

function upstreamTarget(
  config: AppConfig,
  simulator: KlingSimulator | undefined,
  account: SimulatorAccount,
): { baseUrl: string; auth: UpstreamAuth } {
  if (config.upstream.kind === 'kling') return config.upstream;
  if (simulator === undefined) throw new Error('the simulator upstream was not started');
  const auth: UpstreamAuth =
    'apiKey' in account ? { kind: 'static', apiKey: account.apiKey } : { kind: 'jwt', ...account };
  return { baseUrl: simulator.url, auth };
}
