/**
 * Row 8: a subscriber on instance A; its task's change applied on instance B (the announcement
 * crosses PostgreSQL LISTEN/NOTIFY to A) versus applied on A itself. Both kinds alternate task by
 * task within one run, so they share the same machine noise.
 */
import { clientToken } from '../lib/environment.js';
import { createTasks, TASK_UPDATED } from '../lib/operations.js';
import type { RowReport, RunPair } from '../lib/report.js';
import {
  type BenchContext,
  type Farm,
  newSchema,
  startFarms,
  startGateway,
  startSimulator,
  stop,
} from '../lib/stack.js';
import { summarize } from '../lib/stats.js';

const TENANT = 'bench-cross-instance';
/** Between two changes, so one delivery does not queue behind the previous one. */
const GAP_MS = 15;

export async function measureCrossInstance(ctx: BenchContext): Promise<RowReport> {
  const token = await clientToken(ctx.authSecret, TENANT);
  const simulator = await startSimulator(ctx, 'simulator-cross', {
    timings: 'manual',
    concurrencyLimit: 1_000_000,
  });
  const schema = newSchema();
  // Pollers off: every change comes from the harness, on the instance it names.
  const gatewayA = await startGateway(ctx, 'gateway-a', {
    simulatorUrl: simulator.info.url,
    schema,
    poller: 'off',
  });
  const [gatewayB, farms] = await Promise.all([
    startGateway(ctx, 'gateway-b', { simulatorUrl: simulator.info.url, schema, poller: 'off' }),
    startFarms(ctx, 1),
  ]);
  const farm = farms[0] as Farm;
  const p99: RunPair[] = [];
  const notes: string[] = [];
  try {
    for (let run = 1; run <= ctx.profile.runs; run++) {
      const tasks = await createTasks(gatewayA.info.url, token, 2 * ctx.profile.latencySamples);
      const connected = await farm.call('connect', {
        transport: 'graphql-ws',
        url: gatewayA.info.url,
        query: TASK_UPDATED,
        subscriptions: tasks.map((task) => ({ key: task.taskId, variables: { id: task.id } })),
        authorization: `Bearer ${token}`,
      });
      if (connected.failed > 0) throw new Error(`subscriptions failed: ${connected.firstError}`);
      const t0 = new Map<string, { at: number; cross: boolean }>();
      for (const [i, task] of tasks.entries()) {
        const cross = i % 2 === 1;
        const applier = cross ? gatewayB : gatewayA;
        const { t0: at } = await applier.call('applyStatus', {
          taskIds: [task.taskId],
          status: 'PROCESSING',
          gapMs: GAP_MS,
        });
        t0.set(task.taskId, { at: at[0] ?? Number.NaN, cross });
      }
      const { arrivals } = await farm.call('arrivals', {
        status: 'PROCESSING',
        expected: tasks.length,
        timeoutMs: 10_000,
      });
      await farm.call('disconnect', {});
      const latencies = { cross: [] as number[], single: [] as number[] };
      for (const arrival of arrivals) {
        const start = t0.get(arrival.key);
        if (start !== undefined) latencies[start.cross ? 'cross' : 'single'].push(arrival.at - start.at);
      }
      const cross = summarize(latencies.cross);
      const single = summarize(latencies.single);
      const lost = tasks.length - arrivals.length;
      ctx.log(
        `row 8 run ${run}: A→A p50 ${single.p50.toFixed(2)} p99 ${single.p99.toFixed(2)} ms; B→A p50 ${cross.p50.toFixed(2)} p99 ${cross.p99.toFixed(2)} ms; lost ${lost}`,
      );
      notes.push(
        `run ${run}: p50 ${cross.p50.toFixed(2)} ms across vs ${single.p50.toFixed(2)} ms on one instance; ${lost} lost`,
      );
      p99.push({ figure: cross.p99, baseline: single.p99 });
    }
  } finally {
    await Promise.all([stop(farm), stop(gatewayB), stop(gatewayA), stop(simulator)]);
  }
  const samples = ctx.profile.latencySamples;
  return {
    row: 8,
    title: 'cross-instance delivery over PostgreSQL',
    baseline: "the change applied on the subscriber's own instance, alternating task by task in the same run",
    notes: [
      `Two gateway processes on one PostgreSQL schema; ${2 * samples} tasks per run, each with one graphql-ws subscriber on A; ${samples} changes applied on B and ${samples} on A through the one status writer, ${GAP_MS} ms apart. Latency runs from just before the write to the subscriber's callback.`,
      'Either way the announcement goes through PostgreSQL NOTIFY (A listens on its own connection), so the added cost is what a second process adds, not a different path.',
      ...notes,
    ],
    checks: [
      { what: 'p99 delivery latency', unit: 'ms', comparison: { kind: 'added', bound: 5 }, runs: p99 },
    ],
  };
}
