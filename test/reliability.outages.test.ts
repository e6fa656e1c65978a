/**
 * Dependency outages, and recovery without anyone's help.
 *
 * - PostgreSQL goes down hard (`pg_ctl stop -m immediate`) and comes back while a gateway process
 *   serves. The cluster is a private one in a temporary directory (test/helpers/private-postgres.ts)
 *   so the machine's shared server, which other suites use, is never touched; the suite is skipped
 *   when no PostgreSQL binaries are installed. While it is down, requests fail with an error (a
 *   create is never answered with a task that is later lost), /readyz says not ready and the process
 *   lives on; once it is back, creates succeed, tasks in flight complete, subscribers hear of it.
 * - The provider is unreachable for a while: first every connection to it is cut (a fault on every
 *   route), then it is gone altogether (stopped, and a new simulator started later on the same port
 *   with the same account). Meanwhile tasks stay PENDING or in flight, never FAILED; then they
 *   complete.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type KlingSimulator,
  type SimulatedTask,
  startKlingSimulator,
} from '../src/upstream/simulator/index.js';
import { IMAGE_URL } from './fixtures/images.js';
import { CREATE_TASK, type CreateTaskData, type TaskView } from './fixtures/operations.js';
import { type GatewayProcess, startGatewayProcess } from './helpers/gateway-process.js';
import { type GraphQLClient, type GraphQLResponse, graphqlClient } from './helpers/graphql-client.js';
import { type PrivatePostgres, postgresBinaries, startPrivatePostgres } from './helpers/private-postgres.js';
import { connectWatchClient, type ResumingWatch, resumingWatch } from './helpers/resuming-watch.js';
import { invariantViolations, listAllTasks, waitForAllTerminal } from './helpers/task-invariants.js';
import { createSubmittedTask, createTask, readTask, waitForStatus } from './helpers/tasks.js';
import { startTestApp, TEST_ACCOUNT, type TestApp } from './helpers/test-app.js';
import { waitFor } from './helpers/wait-for.js';

const POSTGRES_BIN = postgresBinaries();

/** Tasks live long enough to be in flight when an outage begins. */
const TIMINGS = { submittedMs: [300, 600], processingMs: [600, 1_500] } satisfies {
  submittedMs: [number, number];
  processingMs: [number, number];
};

const createInput = (prompt: string) => ({ input: { image: IMAGE_URL, prompt }, key: prompt });

async function readiness(baseUrl: string): Promise<number> {
  const response = await fetch(`${baseUrl}/readyz`);
  await response.arrayBuffer();
  return response.status;
}

describe.skipIf(POSTGRES_BIN === undefined)(
  'PostgreSQL stops and starts again while the gateway serves',
  () => {
    let postgres: PrivatePostgres;
    let simulator: KlingSimulator;
    let gateway: GatewayProcess;
    let client: GraphQLClient;
    /** Whether this gateway serves /readyz at all (checked while healthy). */
    let hasReadiness = false;
    const watches: ResumingWatch[] = [];
    const inFlight: TaskView[] = [];
    /** Creates sent while the database was down, by idempotency key, with what came back. */
    const duringOutage = new Map<string, GraphQLResponse<CreateTaskData>>();

    beforeAll(async () => {
      postgres = await startPrivatePostgres(POSTGRES_BIN ?? '');
      simulator = await startKlingSimulator({ accounts: [TEST_ACCOUNT], timings: 'manual' });
      gateway = await startGatewayProcess({
        DATABASE_URL: postgres.url,
        KLING_BASE_URL: simulator.url,
        KLING_ACCESS_KEY: TEST_ACCOUNT.accessKey,
        KLING_SECRET_KEY: TEST_ACCOUNT.secretKey,
        POLL_INTERVAL_MS: '100',
        UPSTREAM_TIMEOUT_MS: '1000',
      });
      client = graphqlClient(gateway.url);
    }, 60_000);
    afterAll(async () => {
      await gateway?.stop();
      await simulator?.stop();
      await postgres?.destroy();
    });

    it('serves, with tasks in flight and subscribers watching them', async () => {
      const ws = connectWatchClient(gateway.url);
      for (const prompt of ['in flight 1', 'in flight 2', 'in flight 3']) {
        const task = await createTask(client, { image: IMAGE_URL, prompt }, prompt);
        inFlight.push(task.status === 'PENDING' ? await waitForStatus(client, task.id, 'SUBMITTED') : task);
        const watch = resumingWatch(task.id);
        watch.attach(ws);
        watches.push(watch);
      }
      await waitFor(() => (watches.every((watch) => watch.lastStatus === 'SUBMITTED') ? true : undefined), {
        what: 'every watcher to see SUBMITTED',
      });
      const status = await readiness(gateway.url);
      // TODO(/readyz): drop this guard once every branch serves /readyz (src/observability/yoga-plugins.ts).
      hasReadiness = status !== 404;
      if (hasReadiness) expect(status).toBe(200);
    });

    // BUG (reported; src/db/connection.ts): a pool client checked out by a transaction has no
    // 'error' listener (pg-pool removes its own while a client is out, drizzle adds none:
    // drizzle-orm#3908), and pg emits 'error' on every client whose connection dies, so the server
    // going down under an open transaction kills the gateway with an unhandled 'error' event.
    // Holding a lock the gateway's create waits for makes that moment certain.
    it('answers an error, and lives on, when the database dies under an open transaction', async () => {
      const blocker = new pg.Client({ connectionString: postgres.url });
      blocker.on('error', () => {}); // it goes down with the server
      await blocker.connect();
      await blocker.query('begin');
      await blocker.query('lock table tasks in access exclusive mode');
      const blocked = client.execute<CreateTaskData>(CREATE_TASK, createInput('during outage 0')).catch(
        (error: unknown): GraphQLResponse<CreateTaskData> => ({
          errors: [{ message: `transport: ${error}` }],
        }),
      );
      await waitFor(
        async () => {
          const { rows } = await blocker.query<{ waiting: number }>(
            "select count(*)::int as waiting from pg_stat_activity where wait_event_type = 'Lock'",
          );
          return (rows[0]?.waiting ?? 0) > 0 ? true : undefined;
        },
        { what: "the gateway's create to wait on the lock" },
      );

      await postgres.crash();
      duringOutage.set('during outage 0', await blocked);
      // The provider finishes the tasks in flight meanwhile; the gateway cannot record it yet.
      for (const task of inFlight) simulator.advanceTask(task.providerTaskId ?? '', 'succeed');
      for (const prompt of ['during outage 1', 'during outage 2']) {
        duringOutage.set(
          prompt,
          await client.execute<CreateTaskData>(CREATE_TASK, createInput(prompt)).catch(
            (error: unknown): GraphQLResponse<CreateTaskData> => ({
              errors: [{ message: `transport: ${error}` }],
            }),
          ),
        );
      }
      expect(gateway.child.exitCode, `the gateway died:\n${gateway.logs.slice(-20).join('\n')}`).toBeNull();

      const read = await client.execute<{ task: TaskView | null }>(
        'query($id: ID!) { task(id: $id) { id status } }',
        {
          id: inFlight[0]?.id,
        },
      );
      expect(read.data?.task ?? null).toBeNull();
      for (const answer of duringOutage.values())
        expect(answer.data?.createImageToVideoTask ?? null).toBeNull();
      for (const answer of [...duringOutage.values(), read]) {
        expect(answer.errors?.length).toBeGreaterThan(0);
        // Nothing of the database's own words (queries, addresses) reaches a client.
        expect(JSON.stringify(answer.errors)).not.toMatch(
          /select|insert|postgres:|127\.0\.0\.1|ECONNREFUSED|transport/i,
        );
      }
      if (hasReadiness) expect(await readiness(gateway.url)).toBe(503);
    });

    it('recovers on its own once the database is back: creates, tasks in flight, subscribers', async () => {
      expect(gateway.child.exitCode, 'the gateway died during the outage (see the test before)').toBeNull();
      await postgres.start();

      const after = await waitFor(
        async () => {
          const answer = await client.execute<CreateTaskData>(CREATE_TASK, createInput('after outage'));
          return answer.data?.createImageToVideoTask.task;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: 'a create to succeed again' },
      );
      expect(after.status).not.toBe('FAILED');
      // A create that errored made nothing that could be lost: sent again, its key makes one task.
      for (const prompt of duringOutage.keys())
        await createTask(client, { image: IMAGE_URL, prompt }, prompt);
      for (const task of inFlight) await waitForStatus(client, task.id, 'SUCCEEDED', 30_000);
      // The subscriptions opened before the outage deliver the end, on the same connection.
      await waitFor(() => (watches.every((watch) => watch.finished) ? true : undefined), {
        timeoutMs: 30_000,
        what: 'every watcher to receive SUCCEEDED',
      });
      expect(watches.flatMap((watch) => watch.problems)).toEqual([]);
      if (hasReadiness)
        await waitFor(async () => ((await readiness(gateway.url)) === 200 ? true : undefined));

      // The provider finishes everything (manual timings), and the gateway hears of it all.
      const expected = inFlight.length + 1 + duringOutage.size;
      const tasks = await waitFor(
        async () => {
          for (const task of simulator.tasks()) {
            if (task.status === 'submitted' || task.status === 'processing')
              simulator.advanceTask(task.taskId, 'succeed');
          }
          const all = await listAllTasks(client);
          const settled = all.every((task) => task.status === 'SUCCEEDED' || task.status === 'FAILED');
          return all.length === expected && settled ? all : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, what: `${expected} tasks to end` },
      );
      expect(invariantViolations(tasks, simulator.tasks())).toEqual([]);
      expect(gateway.child.exitCode).toBeNull();
    }, 90_000);

    // A client must be able to tell an outage (retry later) from a bug: database connection
    // failures are named SERVICE_UNAVAILABLE (HTTP 503, Retry-After), src/transport/mask-errors.ts.
    it('names a database outage as SERVICE_UNAVAILABLE rather than an unexpected error', () => {
      const codes = [...duringOutage.values()].map((answer) => answer.errors?.[0]?.extensions?.code);
      expect(codes).toEqual(codes.map(() => 'SERVICE_UNAVAILABLE'));
    });
  },
);

describe('the provider unreachable for a while', () => {
  let simulator: KlingSimulator;
  let gateway: TestApp;
  /** The tasks of simulators that were stopped, for the invariants. */
  const retired: SimulatedTask[] = [];

  beforeAll(async () => {
    simulator = await startKlingSimulator({
      accounts: [TEST_ACCOUNT],
      timings: TIMINGS,
      concurrencyLimit: 20,
    });
    gateway = await startTestApp({
      simulator,
      config: { maxConcurrency: 20, pollIntervalMs: 100, upstreamTimeoutMs: 500 },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await simulator?.stop();
  });

  /** Waits until the provider saw `count` more requests: the gateway kept trying. */
  const attemptsSeen = (target: KlingSimulator, count: number) => {
    const from = target.requests.length;
    return waitFor(() => (target.requests.length >= from + count ? true : undefined), {
      timeoutMs: 20_000,
      what: `${count} more requests to the provider`,
    });
  };

  it('keeps tasks in flight and new ones PENDING while every connection is cut, then completes them', async () => {
    const before = await Promise.all(
      [1, 2, 3].map((i) => createSubmittedTask(gateway.client, { image: IMAGE_URL, prompt: `cut ${i}` })),
    );
    simulator.injectFault({ on: 'any', times: 1_000_000, fault: { type: 'drop-connection' } });
    const during = await Promise.all(
      [1, 2, 3].map((i) => createTask(gateway.client, { image: IMAGE_URL, prompt: `cut, created ${i}` })),
    );
    // The provider finishes the first ones meanwhile; the gateway hears nothing of it.
    await waitFor(
      () =>
        simulator.tasks().filter((task) => task.status === 'succeed').length >= before.length
          ? true
          : undefined,
      { timeoutMs: 20_000, what: 'the provider to finish the tasks in flight' },
    );
    await attemptsSeen(simulator, 10);

    for (const task of before)
      expect((await readTask(gateway.client, task.id))?.status).toMatch(/SUBMITTED|PROCESSING/);
    for (const task of during) {
      const now = await readTask(gateway.client, task.id);
      expect(now?.status).toBe('PENDING');
      expect(now?.statusMessage).toMatch(/Waiting to submit/);
    }

    simulator.clearFaults();
    const tasks = await waitForAllTerminal(gateway.client, { timeoutMs: 30_000 });
    expect(invariantViolations(tasks, simulator.tasks())).toEqual([]);
  });

  it('keeps new tasks PENDING while the provider is gone, and submits them once it is back on its address', async () => {
    const port = Number(new URL(simulator.origin).port);
    retired.push(...simulator.tasks());
    await simulator.stop();

    const during = await Promise.all(
      [1, 2, 3].map((i) => createTask(gateway.client, { image: IMAGE_URL, prompt: `gone ${i}` })),
    );
    await waitFor(
      async () => {
        const states = await Promise.all(during.map((task) => readTask(gateway.client, task.id)));
        return states.every(
          (task) => task?.status === 'PENDING' && /KLING_UNREACHABLE/.test(task.statusMessage ?? ''),
        )
          ? true
          : undefined;
      },
      { what: 'every new task to wait, naming the unreachable provider' },
    );

    simulator = await startKlingSimulator({
      port,
      accounts: [TEST_ACCOUNT],
      timings: TIMINGS,
      concurrencyLimit: 20,
    });
    const tasks = await waitForAllTerminal(gateway.client, { timeoutMs: 30_000 });
    expect(invariantViolations(tasks, [...retired, ...simulator.tasks()])).toEqual([]);
    expect((await listAllTasks(gateway.client)).filter((task) => task.status === 'FAILED')).toEqual([]);
  });
});
