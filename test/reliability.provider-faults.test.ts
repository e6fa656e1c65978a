/**
 * Provider faults: for each fault the provider can throw at the gateway, and for all of them at
 * once, a batch of tasks is created through GraphQL against a simulator that runs tasks on short
 * automatic timings, and the gateway's promises are checked (test/helpers/task-invariants.ts):
 * every task ends; every provider task belongs to exactly one gateway task; no external id is
 * created twice upstream; no transient fault fails a task (each batch holds one task whose prompt
 * makes the provider fail it, the only FAILED allowed).
 *
 * Every case also checks that its faults were exercised (see `unexercisedFaults`). Faults on
 * single reads and on list pages are separate cases: a batch above the poller's list threshold is
 * read through the list, a smaller one task by task.
 *
 * The simulator cannot make its task list leave tasks out, so a proxy in front of it does
 * (test/helpers/upstream-proxy.ts); the list endpoint refusing outright is covered by `on: 'list'`
 * error rules in the read cases. Callbacks are duplicated, reordered, delayed, lost (the final
 * one, or all) on their way to the gateway by a relay at its PUBLIC_URL
 * (test/helpers/callback-relay.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Fault,
  type FaultRule,
  type FaultTarget,
  type KlingSimulator,
  type SimulatedRequest,
  startKlingSimulator,
} from '../src/upstream/simulator/index.js';
import { IMAGE_URL } from './fixtures/images.js';
import type { TaskView } from './fixtures/operations.js';
import { type CallbackDelivery, type CallbackRelay, startCallbackRelay } from './helpers/callback-relay.js';
import { testDatabaseKinds } from './helpers/databases.js';
import { seededRandom, seedFromEnvironment } from './helpers/seeded-random.js';
import { invariantViolations, waitForAllTerminal } from './helpers/task-invariants.js';
import { createTask } from './helpers/tasks.js';
import { startTestApp, TEST_ACCOUNT, type TestApp } from './helpers/test-app.js';
import { startUpstreamProxy, type UpstreamProxy } from './helpers/upstream-proxy.js';

const random = seededRandom(seedFromEnvironment('reliability.provider-faults'));

/** Short automatic lifecycles: a task lives for a few polls. */
const TIMINGS = { submittedMs: [50, 200], processingMs: [250, 1_000] } satisfies {
  submittedMs: [number, number];
  processingMs: [number, number];
};
/** The gateway's bound on one provider request, ms; the timeout faults wait longer than that. */
const UPSTREAM_TIMEOUT_MS = 400;
const BEYOND_TIMEOUT_MS = 900;
/**
 * A batch above the poller's list threshold (10) falls due together, so the poller reads it through
 * the list endpoint; a batch below it is read one task at a time.
 */
const LIST_BATCH = 18;
const SINGLE_READ_BATCH = 6;
/**
 * Every task in flight is due at once (a 1 ms interval) and the poller looks every 250 ms: each
 * pass reads the whole batch, so a batch of LIST_BATCH is read through the list whenever ten of it
 * are in flight, whatever the order in which the submissions landed.
 */
const POLLING = { pollIntervalMs: 1 };
const POLLER_TICK_MS = 250;
const SETTLE_TIMEOUT_MS = 30_000;

const error = (code: number): Fault => ({ type: 'error', code });
const onCreate = (fault: Fault, times: number): FaultRule => ({ on: 'create', times, fault });
const onSingleReads = (fault: Fault, times = 2): FaultRule => ({ on: 'query', times, fault });
const onListReads = (fault: Fault): FaultRule => ({ on: 'list', fault });
const MALFORMED = ['truncated-json', 'html', 'not-envelope'] as const;

interface FaultCase {
  name: string;
  rules: FaultRule[];
  /** SINGLE_READ_BATCH for faults on single reads, else LIST_BATCH. */
  batchSize: number;
  /** Have the provider's list leave out about half of the tasks. */
  omitFromLists?: boolean;
}

const onCreates = (name: string, rules: FaultRule[]): FaultCase => ({ name, rules, batchSize: LIST_BATCH });
const onSingles = (name: string, rules: FaultRule[]): FaultCase => ({
  name,
  rules,
  batchSize: SINGLE_READ_BATCH,
});

const FAULT_CASES: FaultCase[] = [
  ...[5000, 5001, 5002].flatMap((code) => [
    onCreates(`${code} on create`, [onCreate(error(code), 6)]),
    onSingles(`${code} on single reads`, [onSingleReads(error(code))]),
    onCreates(`${code} on list reads`, [onListReads(error(code))]),
  ]),
  onCreates('a create that lands but whose answer is lost (error body)', [
    onCreate({ type: 'lose-response', as: 'error-body' }, 4),
  ]),
  onCreates('a create that lands but whose answer is lost (dropped connection)', [
    onCreate({ type: 'lose-response', as: 'drop-connection' }, 4),
  ]),
  onCreates('timeouts on create and list reads', [
    onCreate({ type: 'delay', ms: BEYOND_TIMEOUT_MS }, 3),
    onListReads({ type: 'delay', ms: BEYOND_TIMEOUT_MS }),
  ]),
  onSingles('timeouts on single reads', [onSingleReads({ type: 'delay', ms: BEYOND_TIMEOUT_MS })]),
  onCreates('a 1302 burst (requests too fast)', [onCreate(error(1302), 20)]),
  onCreates('a 1303 burst (concurrency limit)', [onCreate(error(1303), 20)]),
  onCreates('malformed and truncated JSON on create and list reads', [
    ...MALFORMED.map((variant) => onCreate({ type: 'malformed', variant }, 2)),
    onListReads({ type: 'malformed', variant: 'html' }),
  ]),
  onSingles('malformed and truncated JSON on single reads', [
    onSingleReads({ type: 'malformed', variant: 'truncated-json' }, 1),
    onSingleReads({ type: 'malformed', variant: 'not-envelope' }, 1),
  ]),
  { name: 'a task list that leaves tasks out', rules: [], batchSize: LIST_BATCH, omitFromLists: true },
];

/** Every fault above at once, in a random order, plus dropped connections and expired tokens. */
function everyFaultAtOnce(): FaultCase {
  const rules: FaultRule[] = [
    ...FAULT_CASES.flatMap((faultCase) => faultCase.rules),
    onCreate({ type: 'drop-connection' }, 2),
    onCreate({ type: 'expire-token' }, 2),
    // The client re-mints the token once and reads again.
    onSingleReads({ type: 'expire-token' }, 1),
  ];
  return {
    name: 'every fault at once',
    rules: random.shuffle(rules),
    batchSize: LIST_BATCH,
    omitFromLists: true,
  };
}

const TASKS_PATH = /\/v1\/videos\/image2video$/;
const TASK_PATH = /\/v1\/videos\/image2video\/[^/]+$/;

/** Which fault target a request to the simulator was, if any. */
function targetOf(request: SimulatedRequest): Exclude<FaultTarget, 'any' | 'voices'> | undefined {
  if (request.method === 'POST' && TASKS_PATH.test(request.path)) return 'create';
  if (request.method !== 'GET') return undefined;
  if (TASK_PATH.test(request.path) || (TASKS_PATH.test(request.path) && request.query.external_task_id))
    return 'query';
  return TASKS_PATH.test(request.path) ? 'list' : undefined;
}

/**
 * Rules answer the next matching requests, so a fault was used up once as many requests reached
 * its endpoint as it has `times`. In the mix, creates held back by faults reach the provider at
 * scattered times, so whether a pass reads through the list or singly is up to chance: there the
 * proof for reads is traffic on at least one faulted read endpoint.
 */
function unexercisedFaults(faultCase: FaultCase, requests: readonly SimulatedRequest[]): string[] {
  const queuedFor = (target: FaultTarget) =>
    faultCase.rules.filter((rule) => rule.on === target).reduce((sum, rule) => sum + (rule.times ?? 1), 0);
  const arrivedAt = (target: FaultTarget) =>
    requests.filter((request) => targetOf(request) === target).length;
  const problems: string[] = [];
  const readTargets = (['query', 'list'] as const).filter((target) => queuedFor(target) > 0);
  const mixed = faultCase.name === 'every fault at once';
  for (const target of mixed ? ['create' as const] : (['create', ...readTargets] as const)) {
    if (arrivedAt(target) < queuedFor(target))
      problems.push(
        `${target}: ${queuedFor(target)} faulted answers queued, ${arrivedAt(target)} requests arrived`,
      );
  }
  if (mixed && readTargets.every((target) => arrivedAt(target) === 0))
    problems.push(`reads: faults queued on ${readTargets.join(' and ')}, no read arrived`);
  if (faultCase.omitFromLists && !mixed && arrivedAt('list') === 0)
    problems.push('list: no list read arrived');
  return problems;
}

async function createBatch(gateway: TestApp, label: string, size: number): Promise<TaskView[]> {
  return Promise.all(
    Array.from({ length: size }, (_, index) =>
      // The first task of every batch is one the provider fails: the only FAILED allowed.
      createTask(gateway.client, {
        image: IMAGE_URL,
        prompt: `${label} #${index}${index === 0 ? ' sim:fail' : ''}`,
      }),
    ),
  );
}

async function expectEveryPromiseKept(gateway: TestApp, batch: readonly TaskView[]): Promise<void> {
  const all = await waitForAllTerminal(gateway.client, { timeoutMs: SETTLE_TIMEOUT_MS });
  const ids = new Set(all.map((task) => task.id));
  expect(batch.filter((task) => !ids.has(task.id))).toEqual([]);
  expect(invariantViolations(all, gateway.simulator.tasks())).toEqual([]);
}

describe.each(testDatabaseKinds())('provider faults (%s)', (database) => {
  let simulator: KlingSimulator;
  let proxy: UpstreamProxy;
  let gateway: TestApp;

  beforeAll(async () => {
    simulator = await startKlingSimulator({
      accounts: [TEST_ACCOUNT],
      timings: TIMINGS,
      concurrencyLimit: 25,
    });
    proxy = await startUpstreamProxy(simulator.url);
    gateway = await startTestApp({
      database,
      simulator,
      config: {
        ...POLLING,
        maxConcurrency: 25,
        upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
        upstream: { kind: 'kling', baseUrl: proxy.url, auth: { kind: 'jwt', ...TEST_ACCOUNT } },
      },
      tuning: { pollerTickMs: POLLER_TICK_MS },
    });
  });
  afterEach(() => {
    simulator.clearFaults();
    proxy.omitFromLists(undefined);
  });
  afterAll(async () => {
    await gateway?.stop();
    await proxy?.stop();
    await simulator?.stop();
  });

  it.each([...FAULT_CASES, everyFaultAtOnce()])('keeps every promise under $name', async (faultCase) => {
    const startedAt = Date.now();
    const omittedBefore = proxy.omitted;
    for (const rule of faultCase.rules) simulator.injectFault(rule);
    if (faultCase.omitFromLists) proxy.omitFromLists(() => random.chance(0.5));

    const batch = await createBatch(gateway, faultCase.name, faultCase.batchSize);
    await expectEveryPromiseKept(gateway, batch);

    const requests = simulator.requests.filter((request) => request.at >= startedAt);
    expect(unexercisedFaults(faultCase, requests)).toEqual([]);
    // A list read since the case began had tasks to leave out (the batch was in flight).
    if (faultCase.omitFromLists && requests.some((request) => targetOf(request) === 'list'))
      expect(proxy.omitted).toBeGreaterThan(omittedBefore);
  });
});

describe.each(testDatabaseKinds())('provider callbacks gone wrong (%s)', (database) => {
  let gateway: TestApp;
  let relay: CallbackRelay;

  beforeAll(async () => {
    relay = await startCallbackRelay(random);
    gateway = await startTestApp({
      database,
      simulatorOptions: { timings: TIMINGS, concurrencyLimit: 25 },
      // With a PUBLIC_URL, callbacks carry the news: a task is first polled after 10 intervals
      // (0.5 s), and each callback puts its next poll 120 intervals (6 s) away (src/app.ts).
      config: { maxConcurrency: 25, publicUrl: relay.url, pollIntervalMs: 50 },
      tuning: { pollerTickMs: POLLER_TICK_MS },
    });
    relay.forwardTo(gateway.url);
  });
  afterAll(async () => {
    await gateway?.stop();
    await relay?.stop();
  });

  it.each<CallbackDelivery>(['as-sent', 'duplicated', 'reordered', 'delayed', 'final-dropped', 'dropped'])(
    'keeps every promise with callbacks %s',
    async (mode) => {
      relay.deliver(mode);
      const receivedBefore = relay.received;
      const batch = await createBatch(gateway, `callbacks ${mode}`, LIST_BATCH);
      const callbackUrls = gateway.simulator.tasks().map((task) => task.callbackUrl);
      expect(callbackUrls.filter((url) => !url?.startsWith(`${relay.url}/callbacks/kling/`))).toEqual([]);

      await expectEveryPromiseKept(gateway, batch);
      await relay.settled();
      expect(relay.received).toBeGreaterThan(receivedBefore);
      // A callback for a known token is always accepted (202), however late or repeated.
      expect(relay.forwarded.map((callback) => callback.status).filter((status) => status !== 202)).toEqual(
        [],
      );
    },
  );
});
