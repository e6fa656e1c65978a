/**
 * Row 7: requests the provider receives per task while many tasks are in flight, counted by the
 * simulator itself. The gateway (list reads, age-based cadence, callbacks when wired) against a
 * naive poller that reads every task every 5 s. Time is compressed: the simulated durations and
 * both poll intervals are multiplied by the same factor.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { clientToken, countTasks, freePort } from '../lib/environment.js';
import { createTasks } from '../lib/operations.js';
import type { RowReport, RunPair } from '../lib/report.js';
import {
  type BenchContext,
  newSchema,
  type Simulator,
  startGateway,
  startNaivePoller,
  startSimulator,
  stop,
} from '../lib/stack.js';
import type { RequestCounts } from '../servers/simulator.js';

const TENANT = 'bench-upstream';
/** Provider durations, submission to the end: 2–10 min (kling-api.md), before compression. */
const QUEUED_MS = [1_000, 20_000] as const;
const PROCESSING_MS = [119_000, 580_000] as const;
/** The naive poller's (and the gateway's default) interval before compression. */
const POLL_EVERY_MS = 5_000;
/** Callbacks the simulator sends per task: submitted, processing, the end. */
const CALLBACKS_PER_TASK = 3;

interface UpstreamRun {
  gateway: RequestCounts;
  naive: RequestCounts;
  /** Polls of tasks that callbacks settled; undefined when callbacks are not wired. */
  pollsOfCallbackTasks: number | undefined;
  gatewaySeconds: number;
  naiveSeconds: number;
}

const total = (counts: RequestCounts) => counts.create + counts.read + counts.list + counts.other;

export async function measureUpstreamRequests(ctx: BenchContext): Promise<RowReport> {
  const { upstreamTasks: tasks, upstreamTimeScale: scale } = ctx.profile;
  const timings = {
    submittedMs: QUEUED_MS.map((ms) => Math.round(ms * scale)) as [number, number],
    processingMs: PROCESSING_MS.map((ms) => Math.round(ms * scale)) as [number, number],
  };
  const intervalMs = Math.round(POLL_EVERY_MS * scale);
  const naive = await startNaivePoller(ctx);
  const runs: UpstreamRun[] = [];
  try {
    for (let run = 1; run <= ctx.profile.runs; run++) {
      const viaGateway = await gatewayRun(ctx, run, timings, intervalMs);
      const simulator = await startSimulator(ctx, `simulator-naive-${run}`, {
        timings,
        concurrencyLimit: 1_000_000,
      });
      try {
        const started = Date.now();
        const result = await naive.call('run', {
          simulatorUrl: simulator.info.url,
          account: ctx.account,
          body: viaGateway.body,
          tasks,
          intervalMs,
        });
        const counts = await simulator.call('counts', {});
        runs.push({ ...viaGateway.run, naive: counts, naiveSeconds: (Date.now() - started) / 1000 });
        ctx.log(
          `row 7 run ${run}: gateway ${total(viaGateway.run.gateway)} requests (${JSON.stringify(viaGateway.run.gateway)}) in ${viaGateway.run.gatewaySeconds.toFixed(0)} s; naive ${total(counts)} (${JSON.stringify(counts)}, ${result.finished} finished)`,
        );
      } finally {
        await stop(simulator);
      }
    }
  } finally {
    await stop(naive);
  }
  return report(ctx, runs, timings, intervalMs);
}

async function gatewayRun(
  ctx: BenchContext,
  run: number,
  timings: { submittedMs: [number, number]; processingMs: [number, number] },
  intervalMs: number,
): Promise<{ run: Omit<UpstreamRun, 'naive' | 'naiveSeconds'>; body: Record<string, unknown> }> {
  const tasks = ctx.profile.upstreamTasks;
  const token = await clientToken(ctx.authSecret, TENANT);
  const simulator = await startSimulator(
    ctx,
    `simulator-upstream-${run}`,
    { timings, concurrencyLimit: 1_000_000 },
    true,
  );
  // A port known in advance, so PUBLIC_URL can name it: callbacks come straight to the gateway.
  const port = await freePort();
  const schema = newSchema();
  const gateway = await startGateway(ctx, `gateway-upstream-${run}`, {
    simulatorUrl: simulator.info.url,
    schema,
    env: { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, POLL_INTERVAL_MS: String(intervalMs) },
  });
  try {
    const started = Date.now();
    await createTasks(gateway.info.url, token, tasks);
    const longest = timings.submittedMs[1] + timings.processingMs[1];
    const deadline = Date.now() + longest + 120_000;
    while ((await countTasks(ctx.databaseUrl, schema, ['SUCCEEDED', 'FAILED'])) < tasks) {
      if (Date.now() > deadline) throw new Error('the gateway did not see every task finish in time');
      await delay(250);
    }
    const gatewaySeconds = (Date.now() - started) / 1000;
    const counts = await simulator.call('counts', {});
    const sent = (await simulator.call('lastCreateBody', {})) as Record<string, unknown>;
    const { callback_url: _callback, external_task_id: _external, ...body } = sent;
    const pollsOfCallbackTasks = ctx.callbacksWired
      ? await pollsBeyondCallbacks(simulator, counts)
      : undefined;
    return { run: { gateway: counts, pollsOfCallbackTasks, gatewaySeconds }, body };
  } finally {
    await stop(gateway);
    await stop(simulator);
  }
}

/**
 * Reads a task got beyond the re-reads its callbacks asked for, plus every list page (a list page
 * polls every task in flight); 0 when callbacks alone kept the gateway informed.
 */
async function pollsBeyondCallbacks(simulator: Simulator, counts: RequestCounts): Promise<number> {
  const withCallbacks = (await simulator.call('tasks', {})).filter((task) => task.callbackUrl !== undefined);
  if (withCallbacks.length === 0) return Number.NaN;
  const readsPerTask = new Map<string, number>();
  for (const read of await simulator.call('reads', {})) {
    readsPerTask.set(read.id, (readsPerTask.get(read.id) ?? 0) + 1);
  }
  let extra = 0;
  for (const task of withCallbacks) {
    const reads = (readsPerTask.get(task.taskId) ?? 0) + (readsPerTask.get(task.externalTaskId ?? '') ?? 0);
    extra += Math.max(0, reads - CALLBACKS_PER_TASK);
  }
  return extra + counts.list;
}

function report(
  ctx: BenchContext,
  runs: UpstreamRun[],
  timings: { submittedMs: [number, number]; processingMs: [number, number] },
  intervalMs: number,
): RowReport {
  const tasks = ctx.profile.upstreamTasks;
  const perTask: RunPair[] = runs.map((r) => ({
    figure: total(r.gateway) / tasks,
    baseline: total(r.naive) / tasks,
  }));
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const checks: RowReport['checks'] = [
    {
      what: 'upstream requests per task (creates included)',
      unit: 'req/task',
      comparison: { kind: 'ratio', op: '<=', bound: 0.1 },
      runs: perTask,
    },
  ];
  const callbackPolls = runs.map((r) => r.pollsOfCallbackTasks);
  if (callbackPolls.every((polls) => polls !== undefined && !Number.isNaN(polls))) {
    checks.push({
      what: 'polls of tasks settled by callback',
      unit: '',
      comparison: { kind: 'absolute', op: '==', bound: 0 },
      runs: callbackPolls.map((polls) => ({ figure: polls ?? Number.NaN, baseline: Number.NaN })),
    });
  }
  const scaledDown =
    tasks < 1_000 ? ` (the ${ctx.profile.name} pass; \`npm run bench:full\` uses 1,000)` : '';
  return {
    row: 7,
    title: `upstream requests per task, ${tasks.toLocaleString('en-US')} tasks in flight`,
    baseline: 'a naive poller (its own process) creating the same tasks and reading each one every 5 s',
    notes: [
      `${tasks} tasks${scaledDown}, created at once; each takes 2–10 min at the provider, compressed ×${ctx.profile.upstreamTimeScale.toFixed(4)}: queued ${seconds(timings.submittedMs[0])}–${seconds(timings.submittedMs[1])}, processing ${seconds(timings.processingMs[0])}–${seconds(timings.processingMs[1])}. Both poll intervals are compressed alike: the gateway's POLL_INTERVAL_MS and the naive 5 s are ${intervalMs} ms. The gateway's age-based slowdowns (1, 3, 10 min) are not compressed, which only costs the gateway requests.`,
      "Requests counted by the simulator, by kind; runs end when every task is finished in the gateway's database (or, for the naive poller, when it has read every task finished).",
      ctx.callbacksWired
        ? `Callbacks on: PUBLIC_URL points at the gateway. A poll of a callback-settled task is any read of it beyond the ${CALLBACKS_PER_TASK} re-reads its callbacks ask for, plus every list page.`
        : 'Provider callbacks are not wired in this build (no `services.callbacks`, no /callbacks/kling/ route), so "0 polls for tasks settled by callback" could not be measured: every task was settled by polling.',
      ...runs.map(
        (r, i) =>
          `run ${i + 1}: gateway ${JSON.stringify(r.gateway)} in ${r.gatewaySeconds.toFixed(0)} s; naive ${JSON.stringify(r.naive)} in ${r.naiveSeconds.toFixed(0)} s`,
      ),
    ],
    checks,
  };
}
