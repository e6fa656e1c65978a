/**
 * Crashes: the gateway process (src/main.ts, started as production starts it) is killed with
 * SIGKILL at random moments while tasks are being created and tracked, and restarted on the same
 * database. Meanwhile a frontend creates tasks (a create whose answer the crash swallowed is sent
 * again with the same idempotency key, as a client should) and watches each one over graphql-ws,
 * resuming with `afterSequence` after every reconnection.
 *
 * Kill moments, drawn from a seeded PRNG (the seed is printed; RELIABILITY_SEED replays it):
 * - busy: after the provider has seen a random number of the new process's requests (creates,
 *   reads);
 * - recovering: after its first few requests to the provider, often before it listens (the
 *   submitter and the poller take up the dead process's work as soon as the database is open);
 * - create in flight: a create has reached the provider, which answers late and only makes the
 *   task after the gateway died;
 * - create answer held: the provider made the task and answered, and a proxy in front of it
 *   (test/helpers/upstream-proxy.ts) holds the answer until the gateway is dead.
 * The last two crash the gateway between the upstream create and the local write.
 *
 * Then, on a last gateway: every task ends; each provider task belongs to exactly one gateway
 * task; no external id was created twice; nothing failed that the provider did not fail; every
 * create the client saw answered is still there; every idempotency key, replayed, names the task
 * it named before and creates nothing; every watcher received the final state, each change once.
 *
 * 20 kills by default, split between the databases (PGlite in a directory, and PostgreSQL in a
 * schema of its own when DATABASE_URL is set); RELIABILITY_LONG=1 makes it 60 per database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KlingSimulator, startKlingSimulator } from '../src/upstream/simulator/index.js';
import { IMAGE_URL } from './fixtures/images.js';
import { CREATE_TASK, type CreateTaskData } from './fixtures/operations.js';
import { createTestDatabase, type TestDatabaseKind, testDatabaseKinds } from './helpers/databases.js';
import { type StartingGatewayProcess, spawnGatewayProcess } from './helpers/gateway-process.js';
import { type GraphQLClient, type GraphQLResponse, graphqlClient } from './helpers/graphql-client.js';
import {
  connectWatchClient,
  disposeWatchClient,
  type ResumingWatch,
  resumingWatch,
} from './helpers/resuming-watch.js';
import { seededRandom, seedFromEnvironment } from './helpers/seeded-random.js';
import { invariantViolations, listAllTasks, waitForAllTerminal } from './helpers/task-invariants.js';
import { TEST_ACCOUNT } from './helpers/test-app.js';
import { startUpstreamProxy, type UpstreamProxy } from './helpers/upstream-proxy.js';
import { waitFor } from './helpers/wait-for.js';

const LONG = process.env.RELIABILITY_LONG === '1';
const KINDS = testDatabaseKinds();
/** At least 20 kills across the suite by default. */
const KILLS_PER_DATABASE = LONG ? 60 : Math.ceil(20 / KINDS.length);
const random = seededRandom(seedFromEnvironment('reliability.crash'));

/** Tasks live a few seconds upstream, so most of them span a crash or two. */
const TIMINGS = { submittedMs: [200, 800], processingMs: [500, 2_500] } satisfies {
  submittedMs: [number, number];
  processingMs: [number, number];
};
const UPSTREAM_TIMEOUT_MS = 1_000;
/** How late the provider answers the create a crash interrupts (and only then makes the task), ms. */
const CREATE_DELAY_MS = 500;
/**
 * A dead process's submission claims and poll leases hold until they expire (2 × the upstream
 * timeout + 10 s, src/app.ts), then its tasks take a few seconds more upstream.
 */
const SETTLE_TIMEOUT_MS = 90_000;
/** Bound on waiting for a kill moment, ms: a busy machine starts a gateway in seconds. */
const MOMENT_TIMEOUT_MS = 30_000;

type Moment = 'busy' | 'recovering' | 'create in flight' | 'create answer held';
const MOMENTS: readonly Moment[] = ['busy', 'recovering', 'create in flight', 'create answer held'];

interface Creation {
  readonly key: string;
  readonly prompt: string;
  /** The task a create answer named; undefined while no answer got through. */
  taskId: string | undefined;
}

/** The frontend: its creates (by idempotency key) and its watches (by task id). */
interface Frontend {
  readonly creations: Map<string, Creation>;
  readonly watches: Map<string, ResumingWatch>;
  /** Answers that were errors rather than lost connections, and keys that named two tasks. */
  readonly problems: string[];
}

const isListening = (line: string) => line.includes('"kling-graphql listening"');

describe.each(KINDS)('SIGKILL at random moments (%s)', (kind: TestDatabaseKind) => {
  let simulator: KlingSimulator;
  let proxy: UpstreamProxy;
  let dataDir: string | undefined;
  const database = createTestDatabase(kind);
  const frontend: Frontend = { creations: new Map(), watches: new Map(), problems: [] };
  const killed: Moment[] = [];

  beforeAll(async () => {
    simulator = await startKlingSimulator({
      accounts: [TEST_ACCOUNT],
      timings: TIMINGS,
      concurrencyLimit: 40,
    });
    proxy = await startUpstreamProxy(simulator.url);
    dataDir = kind === 'pglite' ? await mkdtemp(join(tmpdir(), 'kg-crash-')) : undefined;
  });
  afterAll(async () => {
    await proxy?.stop();
    await simulator?.stop();
    await database.drop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  const environment = (): Record<string, string> => ({
    ...(kind === 'pglite'
      ? { DATA_DIR: dataDir ?? '' }
      : { DATABASE_URL: process.env.DATABASE_URL ?? '', DATABASE_SCHEMA: database.schema ?? '' }),
    KLING_BASE_URL: proxy.url,
    KLING_ACCESS_KEY: TEST_ACCOUNT.accessKey,
    KLING_SECRET_KEY: TEST_ACCOUNT.secretKey,
    KLING_MAX_CONCURRENCY: '40',
    POLL_INTERVAL_MS: '200',
    UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
    // The frontend here is one busy user: quotas out of the way.
    TASK_CREATES_PER_MINUTE: '100000',
    TASKS_IN_FLIGHT_PER_TENANT: '100000',
    SUBSCRIPTIONS_PER_CONNECTION: '10000',
    SUBSCRIPTIONS_PER_TENANT: '100000',
  });

  /** Creates (or re-sends) one task; a connection lost to a crash leaves it for the next gateway. */
  async function create(client: GraphQLClient, ws: Client, creation: Creation): Promise<void> {
    let answer: GraphQLResponse<CreateTaskData>;
    try {
      answer = await client.execute<CreateTaskData>(CREATE_TASK, {
        input: { image: IMAGE_URL, prompt: creation.prompt },
        key: creation.key,
      });
    } catch {
      return; // the gateway died mid-request: the answer is unknown, the key will tell
    }
    const task = answer.data?.createImageToVideoTask.task;
    if (task === undefined) {
      frontend.problems.push(`create ${creation.key} answered ${JSON.stringify(answer.errors)}`);
      return;
    }
    if (creation.taskId !== undefined && creation.taskId !== task.id) {
      frontend.problems.push(`key ${creation.key} named ${creation.taskId}, then ${task.id}`);
    }
    creation.taskId = task.id;
    watch(ws, task.id);
  }

  function watch(ws: Client, taskId: string): void {
    let taskWatch = frontend.watches.get(taskId);
    if (taskWatch === undefined) {
      taskWatch = resumingWatch(taskId);
      frontend.watches.set(taskId, taskWatch);
    }
    if (!taskWatch.attached) taskWatch.attach(ws);
  }

  /** What the frontend does on a fresh connection: resume every watch, re-send unanswered creates, create more. */
  function work(url: string, round: number): { ws: Client; done: Promise<void>; fresh: number } {
    const client = graphqlClient(url);
    const ws = connectWatchClient(url);
    for (const taskId of frontend.watches.keys()) watch(ws, taskId);
    const unanswered = [...frontend.creations.values()].filter((creation) => creation.taskId === undefined);
    const fresh = Array.from({ length: random.int(2, 5) }, (_, index): Creation => {
      // Now and then a task the provider fails: the one FAILED allowed.
      const prompt = `crash round ${round} #${index}${random.chance(0.1) ? ' sim:fail' : ''}`;
      const creation = { key: `${kind}-${round}-${index}`, prompt, taskId: undefined };
      frontend.creations.set(creation.key, creation);
      return creation;
    });
    const done = Promise.all([...unanswered, ...fresh].map((creation) => create(client, ws, creation)));
    return { ws, done: done.then(() => undefined), fresh: fresh.length };
  }

  const requestsSince = (at: number) => simulator.requests.filter((request) => request.at >= at).length;

  /** Runs one gateway until the moment comes, then kills it. */
  async function crashRound(round: number, moment: Moment): Promise<void> {
    const spawnedAt = Date.now();
    if (moment === 'create in flight') {
      simulator.injectFault({ on: 'create', fault: { type: 'delay', ms: CREATE_DELAY_MS } });
    }
    const heldBefore = proxy.held;
    if (moment === 'create answer held') proxy.holdCreateAnswers(1);
    const gateway: StartingGatewayProcess = spawnGatewayProcess(environment());
    let session: ReturnType<typeof work> | undefined;
    try {
      if (moment === 'recovering') {
        const first = random.int(1, 4);
        await waitFor(
          () => (requestsSince(spawnedAt) >= first || gateway.logs.some(isListening) ? true : undefined),
          { timeoutMs: MOMENT_TIMEOUT_MS, intervalMs: 2, what: `${first} requests or listening` },
        );
        return;
      }
      const url = await gateway.listening;
      const listenedAt = Date.now();
      session = work(url, round);
      if (moment === 'busy') {
        // Each new task costs a create and, living longer than a poll interval, a few reads: this
        // many requests are sure to come.
        const requests = random.int(1, session.fresh + 4);
        await waitFor(() => (requestsSince(listenedAt) >= requests ? true : undefined), {
          timeoutMs: MOMENT_TIMEOUT_MS,
          intervalMs: 2,
          what: `${requests} provider requests`,
        });
      } else if (moment === 'create in flight') {
        // The delay rule answers the first create after it was queued: the one now in flight.
        await waitFor(() => (creates(simulator, spawnedAt) > 0 ? true : undefined), {
          timeoutMs: MOMENT_TIMEOUT_MS,
          intervalMs: 2,
          what: 'a create to reach the provider',
        });
      } else {
        await waitFor(() => (proxy.held > heldBefore ? true : undefined), {
          timeoutMs: MOMENT_TIMEOUT_MS,
          intervalMs: 2,
          what: 'a create answer to be held',
        });
      }
    } finally {
      await gateway.kill();
      killed.push(moment);
      simulator.clearFaults();
      proxy.releaseHeld();
      await session?.done;
      // The kill may come while the watch socket is still connecting.
      if (session !== undefined) await disposeWatchClient(session.ws);
    }
  }

  it(
    `keeps every promise across ${KILLS_PER_DATABASE} kills`,
    async () => {
      for (let round = 1; round <= KILLS_PER_DATABASE; round++) {
        await crashRound(round, random.pick(MOMENTS));
      }
      expect(killed).toHaveLength(KILLS_PER_DATABASE);

      const last = spawnGatewayProcess(environment());
      try {
        const url = await last.listening;
        const client = graphqlClient(url);
        const session = work(url, KILLS_PER_DATABASE + 1);
        await session.done;
        // Every create the frontend sent was answered at last (by the key, when the crash ate it).
        expect([...frontend.creations.values()].filter((creation) => creation.taskId === undefined)).toEqual(
          [],
        );

        const tasks = await waitForAllTerminal(client, { timeoutMs: SETTLE_TIMEOUT_MS });
        expect(invariantViolations(tasks, simulator.tasks())).toEqual([]);
        const ids = new Set(tasks.map((task) => task.id));
        expect(
          [...frontend.creations.values()].filter((creation) => !ids.has(creation.taskId ?? '')),
        ).toEqual([]);
        expect(tasks).toHaveLength(frontend.creations.size);

        await waitFor(() => ([...frontend.watches.values()].every((w) => w.finished) ? true : undefined), {
          timeoutMs: 20_000,
          what: 'every watcher to receive the final state',
        });
        const finalStates = new Map(tasks.map((task) => [task.id, task]));
        for (const taskWatch of frontend.watches.values()) {
          const final = finalStates.get(taskWatch.taskId);
          expect(taskWatch.problems).toEqual([]);
          expect({ status: taskWatch.lastStatus, sequence: taskWatch.lastSequence }).toEqual({
            status: final?.status,
            sequence: final?.sequence,
          });
        }
        expect(frontend.watches.size).toBe(frontend.creations.size);
        // The crashes did cut subscriptions, so the watchers above did resume.
        expect([...frontend.watches.values()].some((w) => w.interruptions.length > 0)).toBe(true);

        await expectReplaysCreateNothing(client, frontend, simulator);
        expect(frontend.problems).toEqual([]);
        await session.ws.dispose();
      } finally {
        await last.stop();
      }
      console.info(`[reliability.crash] ${kind}: kills by moment ${JSON.stringify(countBy(killed))}`);
    },
    KILLS_PER_DATABASE * 20_000 + SETTLE_TIMEOUT_MS + 60_000,
  );
});

/** Every key sent again: the same task comes back and the provider sees no new create. */
async function expectReplaysCreateNothing(
  client: GraphQLClient,
  frontend: Frontend,
  simulator: KlingSimulator,
): Promise<void> {
  const upstreamBefore = simulator.tasks().length;
  const tasksBefore = (await listAllTasks(client)).length;
  for (const creation of frontend.creations.values()) {
    const replay = await client.expectData<CreateTaskData>(CREATE_TASK, {
      input: { image: IMAGE_URL, prompt: creation.prompt },
      key: creation.key,
    });
    expect(replay.createImageToVideoTask.task.id).toBe(creation.taskId);
  }
  expect(simulator.tasks()).toHaveLength(upstreamBefore);
  expect(await listAllTasks(client)).toHaveLength(tasksBefore);
}

/** Creates received (their body read) since `since`. */
function creates(simulator: KlingSimulator, since: number): number {
  return simulator.requests.filter(
    (request) =>
      request.at >= since &&
      request.method === 'POST' &&
      request.path.endsWith('/image2video') &&
      request.body !== undefined,
  ).length;
}

function countBy(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}
