/**
 * A gateway on port 0 against a Kling simulator over real HTTP, with timings compressed so tests
 * finish in moments. Every piece can be handed in, so a test can restart the gateway on the same
 * database and simulator.
 */
import type { Logger } from 'pino';
import { type App, type AppTuning, createApp, type RunningApp } from '../../src/app.js';
import type { AppConfig, UpstreamAuth } from '../../src/config.js';
import { DEFAULT_LIMITS } from '../../src/security/limits.js';
import {
  type KlingSimulator,
  type SimulatorOptions,
  startKlingSimulator,
} from '../../src/upstream/simulator/index.js';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from './databases.js';
import { type GraphQLClient, graphqlClient } from './graphql-client.js';

export const TEST_ACCOUNT = {
  accessKey: 'test-access-key',
  secretKey: 'test-secret-key-0123456789',
} as const;

/** Compressed timings: backoffs of tens of ms, polls every 20 ms. */
export const FAST_TUNING: AppTuning = {
  backoff: { baseMs: 20, maxMs: 200 },
  recoveryLookupDelaysMs: [20],
  submitterIntervalMs: 50,
  pollerTickMs: 20,
  leaseMs: 5_000,
};

export interface TestAppOptions {
  database?: TestDatabaseKind | TestDatabase;
  /** Options of a simulator started for this app; ignored when `simulator` is given. */
  simulatorOptions?: SimulatorOptions;
  simulator?: KlingSimulator;
  /** How the gateway authenticates upstream. @default JWT with TEST_ACCOUNT */
  upstreamAuth?: UpstreamAuth;
  config?: Partial<AppConfig>;
  tuning?: AppTuning;
  /** @default silent */
  logger?: Logger;
}

export interface TestApp {
  readonly app: App;
  readonly running: RunningApp;
  readonly url: string;
  readonly simulator: KlingSimulator;
  readonly database: TestDatabase;
  readonly client: GraphQLClient;
  /** Stops the gateway only (the simulator and database stay, for a restart). */
  stopGateway(): Promise<void>;
  /** Stops everything this helper started. */
  stop(): Promise<void>;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database =
    typeof options.database === 'object'
      ? options.database
      : createTestDatabase(options.database ?? 'pglite');
  const simulator =
    options.simulator ??
    (await startKlingSimulator({ accounts: [TEST_ACCOUNT], timings: 'manual', ...options.simulatorOptions }));
  const config: AppConfig = {
    port: 0,
    host: '127.0.0.1',
    database: database.config,
    upstream: {
      kind: 'kling',
      baseUrl: simulator.url,
      auth: options.upstreamAuth ?? { kind: 'jwt', ...TEST_ACCOUNT },
    },
    maxConcurrency: 5,
    pollIntervalMs: 50,
    staleAfterMs: 3_600_000,
    publicUrl: undefined,
    webhookSecret: undefined,
    databaseSchema: database.schema,
    upstreamTimeoutMs: 2_000,
    logLevel: 'silent',
    // Quotas out of the way; the suites about limits set their own.
    limits: { ...DEFAULT_LIMITS, createsPerMinute: 100_000, tasksInFlightPerTenant: 100_000 },
    auth: { mode: 'development' },
    ...options.config,
  };
  const app = createApp(config, {
    tuning: { ...FAST_TUNING, ...options.tuning },
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const running = await app.start();
  let gatewayStopped = false;
  const stopGateway = async () => {
    if (gatewayStopped) return;
    gatewayStopped = true;
    await app.stop();
  };
  return {
    app,
    running,
    url: running.url,
    simulator,
    database,
    client: graphqlClient(running.url),
    stopGateway,
    async stop() {
      await stopGateway();
      if (options.simulator === undefined) await simulator.stop();
      if (typeof options.database !== 'object') await database.drop();
    },
  };
}
