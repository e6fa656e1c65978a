/**
 * Where the fan-out rows' per-subscriber memory goes as the subscriber count grows: one gateway
 * (or the raw `ws` baseline with `--raw`), subscribers connected in steps (`--steps=2000,10000`),
 * memory read after each step (RSS and heap after a GC), and with `--snapshots=DIR` a heap
 * snapshot per step for `tsx bench/heap-summary.ts`.
 * `npx tsx bench/probe-fan-out-memory.ts --steps=2000,10000 [--transport=graphql-sse] [--raw]`
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { clientToken } from './lib/environment.js';
import type { MemoryReading } from './lib/memory.js';
import { createTask, TASK_UPDATED } from './lib/operations.js';
import {
  type BenchContext,
  type Farm,
  newAccount,
  newSchema,
  PROFILES,
  startFarms,
  startGateway,
  startRawWs,
  startSimulator,
  stopEverything,
} from './lib/stack.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '2000,10000' },
    transport: { type: 'string', default: 'graphql-ws' },
    raw: { type: 'boolean', default: false },
    snapshots: { type: 'string' },
    settle: { type: 'string', default: '1000' },
  },
});
const steps = (values.steps ?? '').split(',').map(Number);
const transport = values.transport === 'graphql-sse' ? 'graphql-sse' : 'graphql-ws';
const log = (message: string) =>
  process.stdout.write(`[probe ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const logDir = await mkdtemp(join(tmpdir(), 'kling-probe-'));
await mkdir(join(logDir, 'profiles'), { recursive: true });
const ctx: BenchContext = {
  profile: PROFILES.full,
  logDir,
  databaseUrl:
    process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  cpuProfile: false,
  account: newAccount(),
  authSecret: randomBytes(32).toString('hex'),
  callbacksWired: undefined,
  wants: () => true,
  log,
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
try {
  const farms = await startFarms(ctx, 2);
  let memory: () => Promise<MemoryReading>;
  let pid = 0;
  let snapshot: (path: string) => Promise<void> = async () => {};
  let params: {
    transport: 'graphql-ws' | 'graphql-sse' | 'raw-ws';
    url: string;
    query: string;
    variables: Record<string, unknown>;
    authorization?: string;
  };
  if (values.raw) {
    const server = await startRawWs(ctx, 'raw');
    memory = () => server.call('memory', {});
    pid = server.pid;
    params = { transport: 'raw-ws', url: server.info.url, query: '', variables: {} };
  } else {
    const token = await clientToken(ctx.authSecret, 'bench-fan-out');
    const simulator = await startSimulator(ctx, 'simulator', {
      timings: 'manual',
      concurrencyLimit: 1_000_000,
    });
    const gateway = await startGateway(ctx, 'gateway', {
      simulatorUrl: simulator.info.url,
      schema: newSchema(),
    });
    const task = await createTask(gateway.info.url, token);
    memory = () => gateway.call('memory', {});
    pid = gateway.pid;
    snapshot = (path) => gateway.call('heapSnapshot', { path });
    params = {
      transport,
      url: gateway.info.url,
      query: TASK_UPDATED,
      variables: { id: task.id },
      authorization: `Bearer ${token}`,
    };
  }
  await connect(farms, 0, 1, params);
  await delay(Number(values.settle));
  const base = await memory();
  if (values.snapshots) await snapshot(join(values.snapshots, 'step-0.heapsnapshot'));
  log(`  /proc: ${await procBreakdown(pid)}`);
  log(`base (1 subscriber): rss ${kib(base.rssBytes)} heap ${kib(base.heapUsedBytes)}`);
  let previous = { count: 1, reading: base };
  for (const total of steps) {
    const started = Date.now();
    await connect(farms, previous.count, total, params);
    const seconds = (Date.now() - started) / 1000;
    await delay(Number(values.settle));
    const reading = await memory();
    if (values.snapshots) await snapshot(join(values.snapshots, `step-${total}.heapsnapshot`));
    const added = total - previous.count;
    const per = (a: number, b: number, n: number) => kib((a - b) / n);
    log(
      `${total} subscribers (+${added} in ${seconds.toFixed(1)} s): rss ${kib(reading.rssBytes)} heap ${kib(reading.heapUsedBytes)}; ` +
        `per subscriber since base rss ${per(reading.rssBytes, base.rssBytes, total - 1)} heap ${per(reading.heapUsedBytes, base.heapUsedBytes, total - 1)}; ` +
        `this step rss ${per(reading.rssBytes, previous.reading.rssBytes, added)} heap ${per(reading.heapUsedBytes, previous.reading.heapUsedBytes, added)}`,
    );
    log(`  /proc: ${await procBreakdown(pid)}`);
    previous = { count: total, reading };
  }
} finally {
  await stopEverything(ctx);
}

async function connect(
  farms: Farm[],
  from: number,
  to: number,
  params: {
    transport: 'graphql-ws' | 'graphql-sse' | 'raw-ws';
    url: string;
    query: string;
    variables: Record<string, unknown>;
    authorization?: string;
  },
): Promise<void> {
  const keys = Array.from({ length: to - from }, (_, i) => from + i);
  const results = await Promise.all(
    farms.map((farm, f) =>
      farm.call('connect', {
        transport: params.transport,
        url: params.url,
        query: params.query,
        ...(params.authorization === undefined ? {} : { authorization: params.authorization }),
        subscriptions: keys
          .filter((k) => k % farms.length === f)
          .map((k) => ({ key: String(k), variables: params.variables })),
      }),
    ),
  );
  const failed = results.reduce((sum, r) => sum + r.failed, 0);
  if (failed > 0) throw new Error(`${failed} failed: ${results.find((r) => r.firstError)?.firstError}`);
}

/** Anonymous (heap, malloc) vs file-backed resident memory, and threads, from /proc. */
async function procBreakdown(pid: number): Promise<string> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) =>
    /^(\w+):\s+(.*)$/m.exec(status.slice(status.indexOf(`${name}:`)))?.[2]?.trim();
  return ['VmRSS', 'RssAnon', 'RssFile', 'Threads'].map((name) => `${name} ${field(name)}`).join(', ');
}
