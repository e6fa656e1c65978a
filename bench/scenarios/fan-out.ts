/**
 * Rows 3, 4 and 5: N subscribers watch one task, each over its own connection, and one status
 * change reaches all of them. Per run, five fresh server processes: the gateway with graphql-ws
 * subscribers, a raw `ws` server broadcasting the payload the gateway delivered, the gateway with
 * graphql-sse subscribers, and a plain SSE server read by the same graphql-sse clients twice (their
 * streams read as Node streams, then through Node's `fetch`). Each server's memory is read idle
 * with everyone subscribed.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { clientToken } from '../lib/environment.js';
import type { MemoryReading } from '../lib/memory.js';
import { createTask, TASK_UPDATED } from '../lib/operations.js';
import type { RowReport, RunPair } from '../lib/report.js';
import {
  type BenchContext,
  type BroadcastBaseline,
  type Farm,
  newSchema,
  type Simulator,
  startFarms,
  startGateway,
  startRawSse,
  startRawWs,
  startSimulator,
  stop,
} from '../lib/stack.js';
import { summarize } from '../lib/stats.js';
import type { Arrival, ConnectParams, Transport } from '../load/subscriber-farm.js';

const TENANT = 'bench-fan-out';
/** How long after the change a subscriber may still receive it before it counts as lost. */
const DELIVERY_DEADLINE_MS = 30_000;
/** Idle time with everyone subscribed before memory is read. */
const SETTLE_MS = 1_000;

interface FanOutRun {
  /** Delivery latency, ms, per subscriber that received the change. */
  p99: number;
  p50: number;
  lost: number;
  /** RSS delta over the subscribers, bytes each. */
  bytesPerSubscriber: number;
  connectSeconds: number;
}

/** One run of each server: the gateway over both transports, and the servers with no GraphQL. */
interface FanOutRuns {
  ws: FanOutRun;
  raw: FanOutRun;
  sse: FanOutRun;
  rawSse: FanOutRun;
  /** The plain SSE server again, its clients reading through Node's own `fetch`. */
  rawSseWebStream: FanOutRun;
}

export async function measureFanOut(ctx: BenchContext): Promise<RowReport[]> {
  const token = await clientToken(ctx.authSecret, TENANT);
  const simulator = await startSimulator(ctx, 'simulator-fan-out', {
    timings: 'manual',
    concurrencyLimit: 1_000_000,
  });
  const farms = await startFarms(ctx, ctx.profile.farms);
  const schema = newSchema();
  const runs: FanOutRuns[] = [];
  try {
    await warmUpFarms(ctx, simulator, farms, schema, token);
    for (let run = 1; run <= ctx.profile.runs; run++) {
      const { result: ws, sample } = await gatewayRun(
        ctx,
        simulator,
        farms,
        schema,
        token,
        'graphql-ws',
        run,
      );
      const raw = await rawRun(ctx, farms, sample, run);
      const { result: sse } = await gatewayRun(ctx, simulator, farms, schema, token, 'graphql-sse', run);
      const rawSse = await rawSseRun(ctx, farms, sample, run, 'node-stream');
      const rawSseWebStream = await rawSseRun(ctx, farms, sample, run, 'web-stream');
      runs.push({ ws, raw, sse, rawSse, rawSseWebStream });
      for (const [name, result] of Object.entries({ ws, raw, sse, rawSse, rawSseWebStream })) {
        ctx.log(
          `fan-out run ${run} ${name}: p50 ${result.p50.toFixed(1)} p99 ${result.p99.toFixed(1)} ms, lost ${result.lost}, ${(result.bytesPerSubscriber / 1024).toFixed(1)} KiB/subscriber, connected in ${result.connectSeconds.toFixed(1)} s`,
        );
      }
    }
  } finally {
    await Promise.all([...farms.map((farm) => stop(farm)), stop(simulator)]);
  }
  return reports(ctx, runs);
}

/**
 * One unmeasured delivery over each transport first. The farms live through all runs, so without
 * it their clients' code would run cold (unoptimized by V8) in run 1 only, and only for whichever
 * server that run measures first: the gateway over graphql-ws.
 */
async function warmUpFarms(
  ctx: BenchContext,
  simulator: Simulator,
  farms: Farm[],
  schema: string,
  token: string,
): Promise<void> {
  for (const transport of ['graphql-ws', 'graphql-sse'] as const) {
    const { result } = await gatewayRun(ctx, simulator, farms, schema, token, transport, 0);
    ctx.log(`fan-out warm-up ${transport}: p99 ${result.p99.toFixed(1)} ms, not counted`);
  }
}

/** Splits `total` subscriptions over the farms and opens them all. */
async function connectAll(
  farms: Farm[],
  total: number,
  params: Omit<ConnectParams, 'subscriptions'> & { variables: Record<string, unknown> },
): Promise<{ live: number; seconds: number }> {
  const started = Date.now();
  const results = await Promise.all(
    farms.map((farm, f) => {
      const share = Math.floor(total / farms.length) + (f < total % farms.length ? 1 : 0);
      const subscriptions = Array.from({ length: share }, (_, i) => ({
        key: `${f}-${i}`,
        variables: params.variables,
      }));
      return farm.call('connect', { ...params, subscriptions });
    }),
  );
  const failed = results.reduce((sum, result) => sum + result.failed, 0);
  if (failed > 0) {
    const firstError = results.find((result) => result.firstError)?.firstError;
    throw new Error(`${failed} of ${total} subscriptions failed to start: ${firstError}`);
  }
  return { live: results.reduce((sum, r) => sum + r.live, 0), seconds: (Date.now() - started) / 1000 };
}

async function collect(
  farms: Farm[],
  status: string,
  total: number,
): Promise<{ arrivals: Arrival[]; sample: unknown }> {
  const results = await Promise.all(
    farms.map((farm, f) =>
      farm.call('arrivals', {
        status,
        expected: Math.floor(total / farms.length) + (f < total % farms.length ? 1 : 0),
        timeoutMs: DELIVERY_DEADLINE_MS,
      }),
    ),
  );
  return { arrivals: results.flatMap((r) => r.arrivals), sample: results.find((r) => r.sample)?.sample };
}

function summarizeRun(
  t0: number,
  arrivals: Arrival[],
  total: number,
  before: MemoryReading,
  after: MemoryReading,
  connectSeconds: number,
): FanOutRun {
  const latency = summarize(arrivals.map((arrival) => arrival.at - t0));
  return {
    p99: latency.p99,
    p50: latency.p50,
    lost: total - new Set(arrivals.map((arrival) => arrival.key)).size,
    bytesPerSubscriber: (after.rssBytes - before.rssBytes) / total,
    connectSeconds,
  };
}

async function gatewayRun(
  ctx: BenchContext,
  simulator: Simulator,
  farms: Farm[],
  schema: string,
  token: string,
  transport: Extract<Transport, 'graphql-ws' | 'graphql-sse'>,
  run: number,
): Promise<{ result: FanOutRun; sample: unknown }> {
  const total = ctx.profile.subscribers;
  const gateway = await startGateway(ctx, `gateway-${transport}-${run}`, {
    simulatorUrl: simulator.info.url,
    schema,
  });
  try {
    const task = await createTask(gateway.info.url, token);
    const before = await gateway.call('memory', {});
    const connected = await connectAll(farms, total, {
      transport,
      url: gateway.info.url,
      query: TASK_UPDATED,
      variables: { id: task.id },
      authorization: `Bearer ${token}`,
    });
    await delay(SETTLE_MS);
    const after = await gateway.call('memory', {});
    // With --profile, the delivery gets a profile of its own: the whole process's is mostly connecting.
    if (ctx.cpuProfile) await gateway.call('startProfile', {});
    const { t0 } = await gateway.call('applyStatus', { taskIds: [task.taskId], status: 'PROCESSING' });
    const { arrivals, sample } = await collect(farms, 'PROCESSING', total);
    if (ctx.cpuProfile) {
      const path = `${ctx.logDir}/profiles/delivery-${transport}-${run}.cpuprofile`;
      await gateway.call('stopProfile', { path });
    }
    await Promise.all(farms.map((farm) => farm.call('disconnect', {})));
    const start = t0[0] ?? Number.NaN;
    return { result: summarizeRun(start, arrivals, total, before, after, connected.seconds), sample };
  } finally {
    await stop(gateway);
  }
}

async function rawRun(ctx: BenchContext, farms: Farm[], sample: unknown, run: number): Promise<FanOutRun> {
  const server = await startRawWs(ctx, `baseline-raw-ws-${run}`);
  // The very message graphql-ws put on the wire for the gateway's delivery.
  const payload = JSON.stringify({ id: randomUUID(), type: 'next', payload: sample });
  return broadcastRun(ctx, farms, server, 'raw-ws', payload);
}

/** Row 5's references: the same graphql-sse clients, fed by a plain Node SSE server. */
async function rawSseRun(
  ctx: BenchContext,
  farms: Farm[],
  sample: unknown,
  run: number,
  sseFetch: NonNullable<ConnectParams['sseFetch']>,
): Promise<FanOutRun> {
  const server = await startRawSse(ctx, `reference-raw-sse-${sseFetch}-${run}`);
  return broadcastRun(ctx, farms, server, 'graphql-sse', JSON.stringify(sample), sseFetch);
}

async function broadcastRun(
  ctx: BenchContext,
  farms: Farm[],
  server: BroadcastBaseline,
  transport: Extract<Transport, 'raw-ws' | 'graphql-sse'>,
  payload: string,
  sseFetch?: ConnectParams['sseFetch'],
): Promise<FanOutRun> {
  const total = ctx.profile.subscribers;
  try {
    const before = await server.call('memory', {});
    const connected = await connectAll(farms, total, {
      transport,
      ...(sseFetch === undefined ? {} : { sseFetch }),
      url: server.info.url,
      query: transport === 'graphql-sse' ? TASK_UPDATED : '',
      variables: {},
    });
    await delay(SETTLE_MS);
    const after = await server.call('memory', {});
    const { t0 } = await server.call('broadcast', { payload });
    const { arrivals } = await collect(farms, 'PROCESSING', total);
    await Promise.all(farms.map((farm) => farm.call('disconnect', {})));
    return summarizeRun(t0, arrivals, total, before, after, connected.seconds);
  } finally {
    await stop(server);
  }
}

function reports(ctx: BenchContext, runs: FanOutRuns[]): RowReport[] {
  const n = ctx.profile.subscribers.toLocaleString('en-US');
  const scaled =
    ctx.profile.subscribers < 10_000
      ? `${n} subscribers (the ${ctx.profile.name} pass; \`npm run bench:full\` uses 10,000)`
      : `${n} subscribers`;
  const pair = (
    figure: (r: (typeof runs)[number]) => number,
    baseline: (r: (typeof runs)[number]) => number,
  ) => runs.map((r): RunPair => ({ figure: figure(r), baseline: baseline(r) }));
  const kib = (bytes: number) => bytes / 1024;
  const common = [
    `${scaled}, each on its own connection, spread over ${ctx.profile.farms} farm processes, all watching one task; the change is applied in the gateway through its one status writer (as its poller would), and latency runs from just before that write to each subscriber's callback (wall clock, across processes).`,
    'Subscribers are graphql-ws / graphql-sse clients as a frontend uses them; the selection is a live status badge (`id status statusMessage failureCode sequence videos { url duration } updatedAt`).',
    `A subscriber not served within ${DELIVERY_DEADLINE_MS / 1000} s counts as lost.`,
    'Before the runs, one unmeasured delivery through the gateway over each transport warms the farms, which serve every run.',
  ];
  return [
    {
      row: 3,
      title: `fan-out over graphql-ws, one status change to ${n} subscribers`,
      baseline:
        'a raw `ws` server sending the same message (captured from the gateway run) to as many sockets',
      notes: [
        ...common,
        ...runs.map(
          (r, i) =>
            `run ${i + 1}: p50 ${r.ws.p50.toFixed(1)} ms vs ${r.raw.p50.toFixed(1)} ms raw; subscribed in ${r.ws.connectSeconds.toFixed(1)} s`,
        ),
      ],
      checks: [
        {
          what: 'p99 delivery latency',
          unit: 'ms',
          comparison: { kind: 'ratio', op: '<=', bound: 3 },
          runs: pair(
            (r) => r.ws.p99,
            (r) => r.raw.p99,
          ),
        },
        {
          what: 'p99 delivery latency, absolute',
          unit: 'ms',
          comparison: { kind: 'absolute', op: '<=', bound: 250 },
          runs: pair(
            (r) => r.ws.p99,
            (r) => r.raw.p99,
          ),
        },
        {
          what: 'subscribers that missed the change',
          unit: '',
          comparison: { kind: 'absolute', op: '==', bound: 0 },
          runs: pair(
            (r) => r.ws.lost,
            (r) => r.raw.lost,
          ),
        },
      ],
    },
    {
      row: 4,
      title: 'memory per idle subscribed WebSocket',
      baseline: 'a raw `ws` server holding as many idle sockets',
      notes: [
        `RSS of the server process after two forced GCs, before connecting and after ${scaled} idled ${SETTLE_MS / 1000} s; delta / subscribers.`,
      ],
      checks: [
        {
          what: 'RSS per subscriber',
          unit: 'KiB',
          comparison: { kind: 'ratio', op: '<=', bound: 2 },
          runs: pair(
            (r) => kib(r.ws.bytesPerSubscriber),
            (r) => kib(r.raw.bytesPerSubscriber),
          ),
        },
      ],
    },
    {
      row: 5,
      title: 'SSE vs WebSocket, same fan-out',
      baseline: 'row 3 and 4 over graphql-ws, same run',
      notes: [
        ...common,
        "graphql-sse client in distinct-connections mode: one SSE stream per subscriber. It reads its stream through undici's `request` (a Node stream body, bench/load/stream-fetch.ts), not through Node's `fetch`, whose web streams cost the farm more per event than the delivery it measures.",
        "References, no target: a plain Node SSE server (no GraphQL, `response.write` of one prebuilt event) feeding the same graphql-sse clients, to show what the clients themselves take; and the same server read through Node's `fetch` instead, to show what its web streams cost.",
        ...runs.map(
          (r, i) =>
            `run ${i + 1}: p99 ${r.sse.p99.toFixed(0)} ms over SSE vs ${r.ws.p99.toFixed(0)} ms over WebSocket; plain SSE server ${r.rawSse.p99.toFixed(0)} ms (${r.rawSseWebStream.p99.toFixed(0)} ms through Node's \`fetch\`) vs raw ws ${r.raw.p99.toFixed(0)} ms`,
        ),
      ],
      checks: [
        {
          what: 'p99 delivery latency over SSE',
          unit: 'ms',
          comparison: { kind: 'ratio', op: '<=', bound: 1.5 },
          runs: pair(
            (r) => r.sse.p99,
            (r) => r.ws.p99,
          ),
        },
        {
          what: 'RSS per SSE subscriber',
          unit: 'KiB',
          comparison: { kind: 'ratio', op: '<=', bound: 1.5 },
          runs: pair(
            (r) => kib(r.sse.bytesPerSubscriber),
            (r) => kib(r.ws.bytesPerSubscriber),
          ),
        },
        {
          what: 'SSE subscribers that missed the change',
          unit: '',
          comparison: { kind: 'absolute', op: '==', bound: 0 },
          runs: pair(
            (r) => r.sse.lost,
            (r) => r.ws.lost,
          ),
        },
      ],
    },
  ];
}
