/**
 * Starting the pieces of a measurement, each in its own process: the simulator, gateways
 * configured through the environment as in production, the baselines and the subscriber farms.
 * Everything started is remembered, so the harness stops it all even when a row fails.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AppTuning } from '../../src/app.js';
import type { SimulatorOptions } from '../../src/upstream/simulator/index.js';
import type { BareYogaApi, BareYogaInfo } from '../baselines/bare-yoga.js';
import type { NaivePollerApi } from '../baselines/naive-poller.js';
import type { FarmApi } from '../load/subscriber-farm.js';
import type { GatewayApi, GatewayInfo } from '../servers/gateway.js';
import type { SimulatorApi, SimulatorInfo } from '../servers/simulator.js';
import type { BroadcastBaselineApi, BroadcastBaselineInfo } from './broadcast-baseline.js';
import { dropSchema, newSchemaName } from './environment.js';
import { type Child, type RpcApi, startChild } from './rpc.js';

export interface BenchProfile {
  name: 'quick' | 'full';
  /** Runs per measurement; each figure is their median. */
  runs: number;
  /** Subscribers of the fan-out rows (3–5). */
  subscribers: number;
  /** Processes the subscribers are spread over. */
  farms: number;
  /** Seconds of each autocannon run of row 1. */
  throughputSeconds: number;
  /** Seconds of each 100 creates/s run of row 2. */
  createSeconds: number;
  /** Tasks (and so samples) per run of rows 6 and 8. */
  latencySamples: number;
  /** Tasks in flight in row 7. */
  upstreamTasks: number;
  /** Row 7's time compression: simulated durations and both poll intervals are multiplied by it. */
  upstreamTimeScale: number;
}

export const PROFILES: Record<BenchProfile['name'], BenchProfile> = {
  quick: {
    name: 'quick',
    runs: 3,
    subscribers: 2_000,
    farms: 2,
    throughputSeconds: 2,
    createSeconds: 3,
    latencySamples: 100,
    upstreamTasks: 100,
    upstreamTimeScale: 1 / 120,
  },
  full: {
    name: 'full',
    runs: 3,
    subscribers: 10_000,
    farms: 2,
    throughputSeconds: 10,
    createSeconds: 15,
    latencySamples: 400,
    upstreamTasks: 1_000,
    upstreamTimeScale: 1 / 10,
  },
};

export interface BenchContext {
  readonly profile: BenchProfile;
  /** Children's logs (and CPU profiles with --profile) go here. */
  readonly logDir: string;
  readonly databaseUrl: string;
  /** Write every child's CPU profile (`node --cpu-prof`) into logDir/profiles/<name>. */
  readonly cpuProfile: boolean;
  /** The simulator account the gateways authenticate as. */
  readonly account: { accessKey: string; secretKey: string };
  /** HS256 secret the gateways verify client tokens with. */
  readonly authSecret: string;
  /** Whether row `row` was asked for (--only); rows measured together may skip the others. */
  wants(row: number): boolean;
  /** Whether the gateway build serves provider callbacks; learnt from the first gateway started. */
  callbacksWired: boolean | undefined;
  log(message: string): void;
}

export type Simulator = Child<SimulatorApi, SimulatorInfo>;
export type Gateway = Child<GatewayApi, GatewayInfo>;
export type BareYoga = Child<BareYogaApi, BareYogaInfo>;
/** A fan-out baseline: raw `ws`, or the plain SSE server. */
export type BroadcastBaseline = Child<BroadcastBaselineApi, BroadcastBaselineInfo>;
export type Farm = Child<FarmApi, unknown>;
export type NaivePoller = Child<NaivePollerApi, unknown>;

interface Stoppable {
  stop(): Promise<void>;
}

const started = new Set<Stoppable>();
const schemas = new Set<string>();

async function start<Api extends RpcApi, Info>(
  ctx: BenchContext,
  name: string,
  script: string,
  env: Record<string, string> = {},
  runtimeFlags: string[] = [],
): Promise<Child<Api, Info>> {
  const nodeArgs = ctx.cpuProfile
    ? // One directory per process: the tsx loader thread writes a profile of its own next to the main one.
      [...runtimeFlags, '--cpu-prof', `--cpu-prof-dir=${ctx.logDir}/profiles/${name}`]
    : runtimeFlags;
  const child = await startChild<Api, Info>({ name, script, env, nodeArgs, logDir: ctx.logDir });
  started.add(child);
  return child;
}

export async function stop(child: Stoppable | undefined): Promise<void> {
  if (child === undefined) return;
  started.delete(child);
  await child.stop();
}

/** Stops every child still running and drops every schema created. */
export async function stopEverything(ctx: BenchContext): Promise<void> {
  await Promise.all([...started].map((child) => child.stop().catch(() => {})));
  started.clear();
  for (const schema of schemas) {
    await dropSchema(ctx.databaseUrl, schema).catch((error: unknown) =>
      ctx.log(`could not drop schema ${schema}: ${String(error)}`),
    );
  }
  schemas.clear();
}

export function newSchema(): string {
  const schema = newSchemaName();
  schemas.add(schema);
  return schema;
}

export function newAccount(): { accessKey: string; secretKey: string } {
  return { accessKey: `bench-${randomBytes(6).toString('hex')}`, secretKey: randomBytes(32).toString('hex') };
}

export function startSimulator(
  ctx: BenchContext,
  name: string,
  options: Omit<SimulatorOptions, 'accounts' | 'logger' | 'outcome' | 'now'>,
  recordReads = false,
): Promise<Simulator> {
  return start(ctx, name, 'bench/servers/simulator.ts', {
    BENCH_SIMULATOR: JSON.stringify(options),
    BENCH_ACCESS_KEY: ctx.account.accessKey,
    BENCH_SECRET_KEY: ctx.account.secretKey,
    BENCH_RECORD_READS: recordReads ? '1' : '0',
  });
}

export interface GatewayOptions {
  simulatorUrl: string;
  schema: string;
  /** Environment on top of the harness defaults (quotas raised, production mode, info logs). */
  env?: Record<string, string>;
  tuning?: AppTuning;
  poller?: 'on' | 'off';
}

/** The Node flags `npm start` runs the gateway with (package.json), so the bench runs it the same way. */
let startScriptFlags: Promise<string[]> | undefined;

function startScriptNodeFlags(): Promise<string[]> {
  startScriptFlags ??= readFile(new URL('../../package.json', import.meta.url), 'utf8').then((text) => {
    const manifest = JSON.parse(text) as { scripts: { start: string } };
    return manifest.scripts.start.split(/\s+/).filter((word) => word.startsWith('--'));
  });
  return startScriptFlags;
}

/** Quotas out of the way of the load; everything else as a production deployment has it. */
const GATEWAY_DEFAULTS = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
  HOST: '127.0.0.1',
  PORT: '0',
  KLING_MAX_CONCURRENCY: '1000000',
  TASK_CREATES_PER_MINUTE: '1000000',
  TASKS_IN_FLIGHT_PER_TENANT: '1000000',
  SUBSCRIPTIONS_PER_TENANT: '1000000',
  SUBSCRIPTIONS_PER_CONNECTION: '50',
} as const;

export async function startGateway(
  ctx: BenchContext,
  name: string,
  options: GatewayOptions,
): Promise<Gateway> {
  const gateway = await start<GatewayApi, GatewayInfo>(
    ctx,
    name,
    'bench/servers/gateway.ts',
    {
      ...GATEWAY_DEFAULTS,
      DATABASE_URL: ctx.databaseUrl,
      DATABASE_SCHEMA: options.schema,
      KLING_BASE_URL: options.simulatorUrl,
      KLING_ACCESS_KEY: ctx.account.accessKey,
      KLING_SECRET_KEY: ctx.account.secretKey,
      AUTH_JWT_SECRET: ctx.authSecret,
      BENCH_TUNING: JSON.stringify(options.tuning ?? {}),
      BENCH_POLLER: options.poller ?? 'on',
      ...options.env,
    },
    await startScriptNodeFlags(),
  );
  ctx.callbacksWired ??= gateway.info.callbacksWired;
  return gateway;
}

export function startBareYoga(ctx: BenchContext): Promise<BareYoga> {
  return start(ctx, 'baseline-bare-yoga', 'bench/baselines/bare-yoga.ts');
}

export function startRawWs(ctx: BenchContext, name: string): Promise<BroadcastBaseline> {
  return start(ctx, name, 'bench/baselines/raw-ws.ts');
}

export function startRawSse(ctx: BenchContext, name: string): Promise<BroadcastBaseline> {
  return start(ctx, name, 'bench/baselines/raw-sse.ts');
}

export function startNaivePoller(ctx: BenchContext): Promise<NaivePoller> {
  return start(ctx, 'baseline-naive-poller', 'bench/baselines/naive-poller.ts');
}

export function startFarms(ctx: BenchContext, count: number): Promise<Farm[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      start<FarmApi, unknown>(ctx, `farm-${i}`, 'bench/load/subscriber-farm.ts'),
    ),
  );
}
