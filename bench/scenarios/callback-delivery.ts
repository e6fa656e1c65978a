/**
 * Row 6: a provider callback to a subscriber's event. The simulator moves a task forward and posts
 * its callback to the gateway's PUBLIC_URL; the gateway re-reads the task from the provider,
 * applies it, announces it through PostgreSQL and delivers it over graphql-ws. Baseline: a bare
 * Yoga publishing in-process to the same kind of subscriber.
 */
import { clientToken, freePort } from '../lib/environment.js';
import { createTasks, graphql, TASK_QUERY, TASK_UPDATED } from '../lib/operations.js';
import type { RowReport, RunPair } from '../lib/report.js';
import {
  type BenchContext,
  type Farm,
  newSchema,
  startBareYoga,
  startFarms,
  startGateway,
  startSimulator,
  stop,
} from '../lib/stack.js';
import { summarize } from '../lib/stats.js';

const TENANT = 'bench-callbacks';
const GAP_MS = 20;
const TITLE = 'provider callback → subscriber event, verifying re-read included';
const BASELINE = 'an in-process publish → deliver (bare Yoga, in-memory pub/sub, graphql-ws), same run';

export async function measureCallbackDelivery(ctx: BenchContext): Promise<RowReport> {
  const token = await clientToken(ctx.authSecret, TENANT);
  const samples = ctx.profile.latencySamples;
  const simulator = await startSimulator(ctx, 'simulator-callbacks', {
    timings: 'manual',
    concurrencyLimit: 1_000_000,
  });
  const port = await freePort();
  // The poller is left with nothing due for an hour: callbacks alone move the tasks.
  const gateway = await startGateway(ctx, 'gateway-callbacks', {
    simulatorUrl: simulator.info.url,
    schema: newSchema(),
    env: { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, POLL_INTERVAL_MS: '3600000' },
  });
  const [bare, farms] = await Promise.all([startBareYoga(ctx), startFarms(ctx, 1)]);
  const farm = farms[0] as Farm;
  try {
    const probe = await createTasks(gateway.info.url, token, 1);
    const withUrl = (await simulator.call('tasks', {})).filter((task) => task.callbackUrl !== undefined);
    if (!gateway.info.callbacksWired || withUrl.length === 0 || probe.length === 0) {
      return {
        row: 6,
        title: TITLE,
        baseline: BASELINE,
        checks: [],
        notes: [],
        notMeasured:
          'provider callbacks are not wired in this build (no `services.callbacks` / `/callbacks/kling/` route in src/server.ts, and creates carry no callback_url even with PUBLIC_URL set)',
      };
    }
    const p99: RunPair[] = [];
    const notes: string[] = [];
    for (let run = 1; run <= ctx.profile.runs; run++) {
      const tasks = await createTasks(gateway.info.url, token, samples);
      const viaCallback = await deliveries(
        farm,
        gateway.info.url,
        `Bearer ${token}`,
        tasks.map((task) => ({ key: task.providerTaskId ?? '', id: task.id })),
        async (keys) =>
          (await simulator.call('advance', { taskIds: keys, to: 'processing', gapMs: GAP_MS })).t0,
      );
      // The baseline publishes the same task object, as the API renders it.
      const { task: sample } = await graphql<{ task: Record<string, unknown> }>(
        gateway.info.url,
        token,
        TASK_QUERY,
        { id: tasks[0]?.id },
      );
      // Its first delivery (the current state) is what tells the farm a subscription is live.
      await bare.call('setTask', { task: sample });
      const inProcess = await deliveries(
        farm,
        bare.info.url,
        undefined,
        tasks.map((_, i) => ({ key: `baseline-${run}-${i}`, id: `baseline-${run}-${i}` })),
        async (keys) => {
          const published = keys.map((key) => ({ ...sample, id: key, status: 'PROCESSING', sequence: 2 }));
          return (await bare.call('publish', { tasks: published, gapMs: GAP_MS })).t0;
        },
      );
      ctx.log(
        `row 6 run ${run}: callback p50 ${viaCallback.p50.toFixed(1)} p99 ${viaCallback.p99.toFixed(1)} ms (${viaCallback.lost} lost); in-process p99 ${inProcess.p99.toFixed(2)} ms`,
      );
      notes.push(
        `run ${run}: p50 ${viaCallback.p50.toFixed(1)} ms via callback vs ${inProcess.p50.toFixed(2)} ms in-process; ${viaCallback.lost} lost`,
      );
      p99.push({ figure: viaCallback.p99, baseline: inProcess.p99 });
    }
    return {
      row: 6,
      title: TITLE,
      baseline: BASELINE,
      notes: [
        `${samples} tasks per run, one graphql-ws subscriber each; the simulator advances them ${GAP_MS} ms apart and posts each callback to PUBLIC_URL (the gateway itself). Latency runs from just before the simulator's step to the subscriber's callback.`,
        ...notes,
      ],
      checks: [
        {
          what: 'p99 callback → event',
          unit: 'ms',
          comparison: { kind: 'absolute', op: '<=', bound: 100 },
          runs: p99,
        },
      ],
    };
  } finally {
    await Promise.all([stop(farm), stop(bare), stop(gateway), stop(simulator)]);
  }
}

async function deliveries(
  farm: Farm,
  url: string,
  authorization: string | undefined,
  subscriptions: { key: string; id: string }[],
  trigger: (keys: string[]) => Promise<number[]>,
): Promise<{ p50: number; p99: number; lost: number }> {
  const connected = await farm.call('connect', {
    transport: 'graphql-ws',
    url,
    query: TASK_UPDATED,
    subscriptions: subscriptions.map(({ key, id }) => ({ key, variables: { id } })),
    ...(authorization === undefined ? {} : { authorization }),
  });
  if (connected.failed > 0) throw new Error(`subscriptions failed: ${connected.firstError}`);
  const keys = subscriptions.map((s) => s.key);
  const t0 = await trigger(keys);
  const started = new Map(keys.map((key, i) => [key, t0[i] ?? Number.NaN]));
  const { arrivals } = await farm.call('arrivals', {
    status: 'PROCESSING',
    expected: keys.length,
    timeoutMs: 15_000,
  });
  await farm.call('disconnect', {});
  const latency = summarize(arrivals.map((a) => a.at - (started.get(a.key) ?? Number.NaN)));
  return { p50: latency.p50, p99: latency.p99, lost: keys.length - arrivals.length };
}
