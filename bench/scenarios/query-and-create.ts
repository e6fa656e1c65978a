/**
 * Rows 1 and 2, over HTTP. Row 1 (autocannon, as fast as each server answers): `task(id)` through
 * the whole gateway (JWT auth, document limits, the database, logging) against a bare Yoga
 * answering the same object from memory. Row 2 (loadtest, a steady 100/s): creates through the
 * gateway against the same body posted straight to the simulator; the difference of the p99s is
 * what the gateway adds.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { clientToken, klingToken } from '../lib/environment.js';
import { runLoad } from '../lib/http-load.js';
import { CREATE_INPUT, CREATE_TASK, createTask, graphql, TASK_QUERY } from '../lib/operations.js';
import { runPacedLoad } from '../lib/paced-load.js';
import type { RowReport, RunPair } from '../lib/report.js';
import { cpuTimeOf } from '../lib/rpc.js';
import {
  type BenchContext,
  type Gateway,
  newSchema,
  startBareYoga,
  startGateway,
  startSimulator,
  stop,
} from '../lib/stack.js';

const TENANT = 'bench-tenant';
const CONNECTIONS = 32;
const CREATES_PER_SECOND = 100;
/** Users the creates come from: 100/s at the default quota of 30 creates per user per minute. */
const CREATING_USERS = 200;

export async function measureQueryAndCreate(ctx: BenchContext): Promise<RowReport[]> {
  const token = await clientToken(ctx.authSecret, TENANT);
  const simulator = await startSimulator(ctx, 'simulator-http', {
    timings: 'manual',
    concurrencyLimit: 1_000_000,
  });
  const [gateway, bare] = await Promise.all([
    startGateway(ctx, 'gateway-http', { simulatorUrl: simulator.info.url, schema: newSchema() }),
    startBareYoga(ctx),
  ]);
  try {
    const reports: RowReport[] = [];
    if (ctx.wants(1)) {
      const query = await prepareQuery(ctx, gateway.info.url, token, simulator, bare);
      reports.push(await measureQuery(ctx, gateway.info.url, bare.info.url, token, query));
    }
    await stop(bare);
    if (ctx.wants(2)) reports.push(await measureCreate(ctx, gateway, simulator, token));
    return reports;
  } finally {
    await Promise.all([stop(gateway), stop(bare), stop(simulator)]);
  }
}

interface PreparedQuery {
  body: string;
  gatewayAnswer: string;
  bareAnswer: string;
}

/** A finished task (nothing changes it during the runs), and the same object for the bare server. */
async function prepareQuery(
  ctx: BenchContext,
  url: string,
  token: string,
  simulator: Awaited<ReturnType<typeof startSimulator>>,
  bare: Awaited<ReturnType<typeof startBareYoga>>,
): Promise<PreparedQuery> {
  const task = await createTask(url, token);
  if (task.providerTaskId === null) throw new Error(`task not submitted: ${JSON.stringify(task)}`);
  await simulator.call('advance', { taskIds: [task.providerTaskId], to: 'processing' });
  await simulator.call('advance', { taskIds: [task.providerTaskId], to: 'succeed' });
  ctx.log('row 1: waiting for the poller to see the task finished');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const data = await graphql<{ task: { status: string } }>(url, token, TASK_QUERY, { id: task.id });
    if (data.task.status === 'SUCCEEDED') break;
    if (Date.now() > deadline) throw new Error('the task never showed SUCCEEDED');
    await delay(250);
  }
  const body = JSON.stringify({ query: TASK_QUERY, variables: { id: task.id }, operationName: 'Task' });
  const post = async (target: string, headers: Record<string, string>) =>
    (
      await fetch(`${target}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      })
    ).text();
  const gatewayAnswer = await post(url, { authorization: `Bearer ${token}` });
  const parsed = JSON.parse(gatewayAnswer) as { data: { task: Record<string, unknown> } };
  await bare.call('setTask', { task: parsed.data.task });
  const bareAnswer = await post(bare.info.url, {});
  return { body, gatewayAnswer, bareAnswer };
}

async function measureQuery(
  ctx: BenchContext,
  gatewayUrl: string,
  bareUrl: string,
  token: string,
  query: PreparedQuery,
): Promise<RowReport> {
  const seconds = ctx.profile.throughputSeconds;
  const targets = [
    {
      name: 'gateway',
      url: gatewayUrl,
      auth: { authorization: `Bearer ${token}` },
      answer: query.gatewayAnswer,
    },
    { name: 'bare', url: bareUrl, auth: {}, answer: query.bareAnswer },
  ] as const;
  const load = (target: (typeof targets)[number], durationSeconds: number, overallRate?: number) =>
    runLoad({
      url: `${target.url}/graphql`,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target.auth },
      body: query.body,
      connections: CONNECTIONS,
      durationSeconds,
      expectBody: target.answer,
      ...(overallRate === undefined ? {} : { overallRate }),
    });
  for (const target of targets) await load(target, 1); // warm-up: JIT, pools, caches
  const throughput: RunPair[] = [];
  const halfLoadP99: RunPair[] = [];
  const notes: string[] = [];
  for (let run = 0; run < ctx.profile.runs; run++) {
    const max = { gateway: 0, bare: 0 };
    const p99 = { gateway: 0, bare: 0 };
    for (const target of targets) {
      const full = await load(target, seconds);
      const half = await load(target, seconds, Math.max(1, Math.round(full.requestsPerSecond / 2)));
      if (full.failed + half.failed > 0)
        notes.push(`run ${run + 1}, ${target.name}: ${full.failed + half.failed} failed answers`);
      max[target.name] = full.requestsPerSecond;
      p99[target.name] = half.latency.p99;
      ctx.log(
        `row 1 run ${run + 1} ${target.name}: ${full.requestsPerSecond.toFixed(0)} req/s (p99 ${full.latency.p99.toFixed(1)} ms); at half load p99 ${half.latency.p99.toFixed(2)} ms`,
      );
    }
    throughput.push({ figure: max.gateway, baseline: max.bare });
    halfLoadP99.push({ figure: p99.gateway, baseline: p99.bare });
  }
  return {
    row: 1,
    title: '`task(id)` query, full stack',
    baseline: 'a bare graphql-yoga server (same printed schema) returning the same task object from memory',
    notes: [
      `autocannon, ${CONNECTIONS} connections, ${seconds} s per run at max load, then ${seconds} s at half of that server's own max rate (overallRate); a 1 s warm-up first.`,
      'The gateway runs as in production: NODE_ENV=production, HS256 client tokens verified per request, graphql-armor limits, PostgreSQL, pino at info to a file. The query selects the whole task including `events`; the task is finished, so after its first read (two database queries) it is served from the finished-task cache, as any finished task is.',
      query.gatewayAnswer === query.bareAnswer
        ? `Both servers answer byte-identical bodies (${query.gatewayAnswer.length} bytes), checked on every response (expectBody).`
        : "WARNING: the two servers' answers differ; each is checked against its own first answer.",
      ...notes,
    ],
    checks: [
      {
        what: 'requests/s at max load',
        unit: 'req/s',
        comparison: { kind: 'ratio', op: '>=', bound: 0.7 },
        runs: throughput,
      },
      {
        what: 'p99 latency at half of max load',
        unit: 'ms',
        comparison: { kind: 'ratio', op: '<=', bound: 2 },
        runs: halfLoadP99,
      },
    ],
  };
}

async function measureCreate(
  ctx: BenchContext,
  gateway: Gateway,
  simulator: Awaited<ReturnType<typeof startSimulator>>,
  token: string,
): Promise<RowReport> {
  const seconds = ctx.profile.createSeconds;
  const gatewayUrl = gateway.info.url;
  // The body the gateway sends, as the simulator received it: the direct POST sends the same.
  await createTask(gatewayUrl, token);
  const sent = (await simulator.call('lastCreateBody', {})) as Record<string, unknown>;
  const { callback_url: _callback, external_task_id: _external, ...directBody } = sent;
  const kling = `Bearer ${await klingToken(ctx.account)}`;
  const creatorTokens = await Promise.all(
    Array.from({ length: CREATING_USERS }, (_, user) => clientToken(ctx.authSecret, `bench-creator-${user}`)),
  );
  let sequence = 0;
  const runId = Date.now();
  const gatewayBody = JSON.stringify({ query: CREATE_TASK, variables: { input: CREATE_INPUT } });
  /** Each create on behalf of the next user in turn. */
  const gatewayRequests = (tokens: readonly string[]) => {
    let next = 0;
    return () => ({
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${tokens[next++ % tokens.length]}`,
      },
      body: gatewayBody,
    });
  };
  const gatewayAnswered = (answer: string) => answer.includes('"SUBMITTED"') && !answer.includes('"errors"');
  // Kling refuses a repeated external_task_id, so each create gets its own, as the gateway's do.
  const directRequest = () => ({
    headers: { 'content-type': 'application/json', authorization: kling },
    body: JSON.stringify({ ...directBody, external_task_id: `direct-${runId}-${sequence++}` }),
  });
  const directAnswered = (body: string) => body.startsWith('{"code":0');
  const gatewayLoad = (tokens: readonly string[]) =>
    runPacedLoad({
      url: `${gatewayUrl}/graphql`,
      requestsPerSecond: CREATES_PER_SECOND,
      durationSeconds: seconds,
      nextRequest: gatewayRequests(tokens),
      verifyBody: gatewayAnswered,
    });
  const directLoad = () =>
    runPacedLoad({
      url: `${simulator.info.url}/v1/videos/image2video`,
      requestsPerSecond: CREATES_PER_SECOND,
      durationSeconds: seconds,
      nextRequest: directRequest,
      verifyBody: directAnswered,
    });
  /** autocannon's overallRate: the same 100/s sent as one burst at the start of each second. */
  const burstLoad = (
    url: string,
    nextRequest: () => { headers: Record<string, string>; body: string },
    verifyBody: (body: string) => boolean,
  ) =>
    runLoad({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      connections: 16,
      durationSeconds: seconds,
      overallRate: CREATES_PER_SECOND,
      setupRequest: (request) => {
        const { headers, body } = nextRequest();
        return { ...request, body, headers: { ...request.headers, ...headers } };
      },
      verifyBody,
    });
  await gatewayLoad(creatorTokens);
  const p99: RunPair[] = [];
  const notes: string[] = [];
  for (let run = 0; run < ctx.profile.runs; run++) {
    const cpuBefore = await cpuTimeOf(gateway.pid);
    const viaGateway = await gatewayLoad(creatorTokens);
    const gatewayCpuMs = (await cpuTimeOf(gateway.pid)) - cpuBefore;
    const simulatorCpuBefore = await cpuTimeOf(simulator.pid);
    const direct = await directLoad();
    const simulatorCpuMs = (await cpuTimeOf(simulator.pid)) - simulatorCpuBefore;
    for (const [name, result] of [
      ['gateway', viaGateway],
      ['direct', direct],
    ] as const) {
      if (result.failed > 0) notes.push(`run ${run + 1}, ${name}: ${result.failed} failed creates`);
    }
    ctx.log(
      `row 2 run ${run + 1}: gateway p50 ${viaGateway.latency.p50.toFixed(2)} p99 ${viaGateway.latency.p99.toFixed(2)} ms; direct p50 ${direct.latency.p50.toFixed(2)} p99 ${direct.latency.p99.toFixed(2)} ms`,
    );
    p99.push({ figure: viaGateway.latency.p99, baseline: direct.latency.p99 });
    notes.push(
      `run ${run + 1}: p50 ${viaGateway.latency.p50.toFixed(2)} ms via the gateway vs ${direct.latency.p50.toFixed(2)} ms direct (${viaGateway.latency.count} and ${direct.latency.count} creates); CPU per create ${(gatewayCpuMs / viaGateway.latency.count).toFixed(2)} ms in the gateway process (poller included) vs ${(simulatorCpuMs / direct.latency.count).toFixed(2)} ms in the simulator`,
    );
  }
  // Not figures of the row: the same rate in autocannon's bursts, and all creates from one user
  // (200× that user's default quota, where the exact per-user quota serializes them).
  const gatewayBurst = await burstLoad(
    `${gatewayUrl}/graphql`,
    gatewayRequests(creatorTokens),
    gatewayAnswered,
  );
  const directBurst = await burstLoad(
    `${simulator.info.url}/v1/videos/image2video`,
    directRequest,
    directAnswered,
  );
  notes.push(
    `For comparison, one run of autocannon at overallRate ${CREATES_PER_SECOND} over 16 connections (each connection sends its share back to back as each second starts, so the creates arrive in bursts): p99 ${gatewayBurst.latency.p99.toFixed(2)} ms via the gateway vs ${directBurst.latency.p99.toFixed(2)} ms direct (+${(gatewayBurst.latency.p99 - directBurst.latency.p99).toFixed(2)} ms; p50 ${gatewayBurst.latency.p50.toFixed(2)} vs ${directBurst.latency.p50.toFixed(2)} ms).`,
  );
  // Not a figure of the row: all creates from one user, 200× that user's default quota, where
  // the exact per-user quota serializes them (recorded so the cost of exactness stays visible).
  const oneUser = await gatewayLoad([token]);
  notes.push(
    `For comparison, one run with every create from a single user: p50 ${oneUser.latency.p50.toFixed(2)} ms, p99 ${oneUser.latency.p99.toFixed(2)} ms (that user's creates pass one at a time through its quota check).`,
  );
  return {
    row: 2,
    title: '`createImageToVideoTask` latency added at 100 creates/s',
    baseline: 'a direct POST of the same body to the simulator (same simulator process, same run)',
    notes: [
      `loadtest at a steady ${CREATES_PER_SECOND} requests/s (requestsPerSecond: one request every ${1000 / CREATES_PER_SECOND} ms whether or not earlier ones were answered, keep-alive connections opened as needed), ${seconds} s per run, one warm-up run first; latencies at full resolution from each response, requests still in flight at the end waited for and counted.`,
      `The creates come from ${CREATING_USERS} users in turn (each at 0.5/s, the default TASK_CREATES_PER_MINUTE of 30), as a frontend's users would send them.`,
      "Quotas raised (TASK_CREATES_PER_MINUTE, TASKS_IN_FLIGHT_PER_TENANT, KLING_MAX_CONCURRENCY) and the simulator's concurrency limit too; every gateway answer must be SUBMITTED without errors.",
      "The direct body is the one the gateway sent, with a fresh external_task_id per request and without callback_url. The gateway's poller runs as in production over the tasks created.",
      ...notes,
    ],
    checks: [{ what: 'p99 create latency', unit: 'ms', comparison: { kind: 'added', bound: 5 }, runs: p99 }],
  };
}
