/**
 * The background poller on its own (no PUBLIC_URL, so no callbacks): it drives tasks to their end
 * state, reads many tasks through the list endpoint, rides out provider outages with backoff,
 * flags tasks that take far too long, and picks up where a stopped gateway left off.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from '../src/db/schema.js';
import { pagingVerdict } from '../src/tracking/list-reader.js';
import type { KlingSimulator, SimulatedRequest } from '../src/upstream/simulator/index.js';
import { IMAGE_URL } from './fixtures/images.js';
import type { TaskView } from './fixtures/operations.js';
import { createTestDatabase, testDatabaseKinds } from './helpers/databases.js';
import { klingHttp } from './helpers/kling-http.js';
import { createSubmittedTask, readTask, waitForStatus } from './helpers/tasks.js';
import { startTestApp, TEST_ACCOUNT, type TestApp } from './helpers/test-app.js';
import { waitFor } from './helpers/wait-for.js';

const TASKS_PATH = '/v1/videos/image2video';

const isList = (request: SimulatedRequest) => request.method === 'GET' && request.path === TASKS_PATH;
const isSingleRead = (request: SimulatedRequest) =>
  request.method === 'GET' && request.path.startsWith(`${TASKS_PATH}/`);
const readsOf = (task: TaskView) => (request: SimulatedRequest) =>
  isSingleRead(request) && request.path === `${TASKS_PATH}/${task.providerTaskId}`;
const since = (simulator: KlingSimulator, at: number) => simulator.requests.filter((r) => r.at >= at);

/**
 * What the simulator receives from now on, plus what it is still answering now: a request that
 * arrived a moment ago may be answered with what the test does next.
 */
function watchRequests(simulator: KlingSimulator): () => SimulatedRequest[] {
  const mark = simulator.requests.length;
  const inFlight = simulator.requests.filter((request) => request.answeredCode === undefined);
  return () => [...inFlight, ...simulator.requests.slice(mark)];
}

function providerId(task: TaskView): string {
  if (task.providerTaskId === null) throw new Error(`task ${task.id} has no provider id`);
  return task.providerTaskId;
}

async function createMany(
  gateway: TestApp,
  count: number,
  prompt = 'a lighthouse at dusk',
): Promise<TaskView[]> {
  const created = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      createSubmittedTask(gateway.client, { image: IMAGE_URL, prompt: `${prompt} #${index}` }),
    ),
  );
  for (const task of created) expect(task.status).toBe('SUBMITTED');
  return created;
}

const waitForAll = (gateway: TestApp, created: readonly TaskView[], status: TaskView['status']) =>
  Promise.all(created.map((task) => waitForStatus(gateway.client, task.id, status)));

describe.each(testDatabaseKinds())('the poller (%s)', (database) => {
  let gateway: TestApp | undefined;
  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
  });

  it('reaches SUCCEEDED and FAILED by polling alone, without a callback URL', async () => {
    gateway = await startTestApp({ database });
    const [good, bad] = await createMany(gateway, 2);
    if (good === undefined || bad === undefined) throw new Error('two tasks expected');

    gateway.simulator.advanceTask(providerId(good), 'processing');
    await waitForStatus(gateway.client, good.id, 'PROCESSING');
    gateway.simulator.advanceTask(providerId(good), 'succeed');
    gateway.simulator.advanceTask(providerId(bad), 'failed', 'Failure to pass the risk control system');

    const succeeded = await waitForStatus(gateway.client, good.id, 'SUCCEEDED');
    const upstream = gateway.simulator.tasks().find((task) => task.taskId === good.providerTaskId);
    expect(succeeded.videos).toHaveLength(1);
    expect(succeeded.videos[0]?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/videos\/\d+\.mp4$/);
    expect(succeeded.events.map((event) => event.status)).toEqual([
      'PENDING',
      'SUBMITTED',
      'PROCESSING',
      'SUCCEEDED',
    ]);
    expect(upstream?.callbackUrl).toBeUndefined();

    const failed = await waitForStatus(gateway.client, bad.id, 'FAILED');
    expect(failed).toMatchObject({
      statusMessage: 'Failure to pass the risk control system',
      failureCode: 'GENERATION_FAILED',
    });
  });

  it('reads 30 tasks in flight through one list page per round instead of 30 single reads', async () => {
    gateway = await startTestApp({
      database,
      config: { maxConcurrency: 50, pollIntervalMs: 100 },
      simulatorOptions: { concurrencyLimit: 50 },
      // Every task is due by the time a pass runs, so each pass sees all of them at once.
      tuning: { pollerTickMs: 300 },
    });
    const created = await createMany(gateway, 30);
    const requests = watchRequests(gateway.simulator);

    for (const task of created) gateway.simulator.advanceTask(providerId(task), 'succeed');
    await waitForAll(gateway, created, 'SUCCEEDED');

    const reads = requests().filter((request) => isList(request) || isSingleRead(request));
    const lists = reads.filter(isList);
    expect(lists.length).toBeGreaterThanOrEqual(1);
    expect(reads.length).toBeLessThanOrEqual(10);
    expect(lists[0]?.query).toEqual({ pageNum: '1', pageSize: '500' });
  });

  it('pages through newer tasks, and reads singly the tasks a page it could not read would have shown', async () => {
    gateway = await startTestApp({
      database,
      config: { maxConcurrency: 50, pollIntervalMs: 100 },
      simulatorOptions: { concurrencyLimit: 1_000 },
      tuning: { pollerTickMs: 300 },
    });
    const created = await createMany(gateway, 12);
    // 500 newer tasks of the same account, created elsewhere, fill page 1: ours are on page 2.
    const elsewhere = klingHttp(gateway.simulator.url, TEST_ACCOUNT);
    for (let index = 0; index < 500; index += 1) {
      const answer = await elsewhere.post(TASKS_PATH, {
        image: IMAGE_URL,
        prompt: 'made by another app',
        external_task_id: `other-${randomUUID()}`,
      });
      expect(answer.envelope.code).toBe(0);
    }
    const simulator = gateway.simulator;
    const pageTwoRead = (request: SimulatedRequest) =>
      isList(request) && request.query.pageNum === '2' && request.answeredCode === 0;
    // Between two passes (one just read page 2), so the next pass meets the faults below first.
    const lastPass = simulator.requests.filter(pageTwoRead).length;
    await waitFor(() => (simulator.requests.filter(pageTwoRead).length > lastPass ? true : undefined));
    const requests = watchRequests(simulator);

    for (const task of created) simulator.advanceTask(providerId(task), 'succeed');
    simulator.injectFault({ on: 'list', fault: { type: 'delay', ms: 0 } }); // page 1 goes through
    simulator.injectFault({
      on: 'list',
      fault: { type: 'error', code: 1200, httpStatus: 400, message: 'page unavailable' },
    });
    await waitForAll(gateway, created, 'SUCCEEDED');

    expect(
      requests()
        .filter(isList)
        .map((request) => [request.query.pageNum, request.answeredCode]),
    ).toEqual([
      ['1', 0],
      ['2', 1200],
    ]);
    for (const task of created) expect(requests().filter(readsOf(task))).toHaveLength(1);
  });

  it('never fails a task during an outage, backs off between probes, and recovers', async () => {
    gateway = await startTestApp({ database });
    const created = await createMany(gateway, 3);
    const simulator = gateway.simulator;
    const unavailable = { type: 'error', code: 5001, httpStatus: 503 } as const;
    simulator.injectFault({ on: 'query', times: 8, fault: unavailable });
    simulator.injectFault({ on: 'list', times: 8, fault: unavailable });
    for (const task of created) simulator.advanceTask(providerId(task), 'succeed');

    const refused = await waitFor(() => {
      const answered = simulator.requests.filter((request) => request.answeredCode === 5001);
      return answered.length >= 8 ? answered : undefined;
    });
    for (const task of created) expect((await readTask(gateway.client, task.id))?.status).toBe('SUBMITTED');
    // The first failing pass may read all three tasks; after it the poller sends one probe per pass,
    // each after a longer pause (FAST_TUNING backoff: 20 ms doubling to 200 ms, half of it at least).
    const probes = refused.slice(-5).map((request) => request.at);
    const gaps = probes.slice(1).map((at, index) => at - (probes[index] ?? at));
    [20, 40, 80, 100].forEach((minimumMs, index) => {
      expect(gaps[index]).toBeGreaterThanOrEqual(minimumMs - 2);
    });

    simulator.clearFaults();
    const finished = await waitForAll(gateway, created, 'SUCCEEDED');
    for (const task of finished) {
      expect(task.events.map((event) => event.status)).toEqual(['PENDING', 'SUBMITTED', 'SUCCEEDED']);
    }
  });

  it('stops a list pass at the first sign of an outage, without falling back to single reads', async () => {
    gateway = await startTestApp({
      database,
      config: { maxConcurrency: 50, pollIntervalMs: 100 },
      simulatorOptions: { concurrencyLimit: 50 },
      tuning: { pollerTickMs: 300 },
    });
    const created = await createMany(gateway, 12);
    const simulator = gateway.simulator;
    // Once passes read every task through the list, the next pass meets the faults below.
    await waitFor(() => (simulator.requests.filter(isList).length > 0 ? true : undefined));
    const requests = watchRequests(simulator);
    simulator.injectFault({ on: 'list', times: 3, fault: { type: 'error', code: 1302, httpStatus: 429 } });
    for (const task of created) simulator.advanceTask(providerId(task), 'failed', 'moderation');

    await waitForAll(gateway, created, 'FAILED');
    expect(
      requests()
        .filter(isList)
        .map((request) => request.answeredCode),
    ).toEqual([1302, 1302, 1302, 0]);
    expect(requests().filter(isSingleRead)).toHaveLength(0);
  });

  it('flags a task in flight for too long once, keeps it, and keeps polling it at the slowest cadence', async () => {
    gateway = await startTestApp({ database, config: { staleAfterMs: 300, pollIntervalMs: 50 } });
    const [task] = await createMany(gateway, 1);
    if (task === undefined) throw new Error('one task expected');
    const db = gateway.running.services.db;
    const flaggedAt = async () =>
      (
        await db
          .select({ at: tasks.staleFlaggedAt })
          .from(tasks)
          .where(eq(tasks.externalTaskId, task.externalTaskId))
      )[0]?.at;

    const flagged = await waitFor(async () => {
      const view = await readTask(gateway?.client ?? fail(), task.id);
      return view?.statusMessage?.startsWith('No final status') ? view : undefined;
    });
    expect(flagged).toMatchObject({ status: 'SUBMITTED', failureCode: null });
    expect(flagged.statusMessage).toMatch(/^No final status from the provider after \d+ s; still checking$/);
    const firstFlag = await flaggedAt();
    expect(firstFlag).toBeInstanceOf(Date);

    // Base 50 ms × 6 (slowest) − 20 % jitter: at least 240 ms between reads from now on.
    const flaggedSince = Date.now();
    const reads = await waitFor(() => {
      const found = since(gateway?.simulator ?? fail(), flaggedSince).filter(readsOf(task));
      return found.length >= 3 ? found : undefined;
    });
    const gaps = reads.slice(1).map((read, index) => read.at - (reads[index]?.at ?? read.at));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(238);
    expect(await flaggedAt()).toEqual(firstFlag);

    gateway.simulator.advanceTask(providerId(task), 'processing');
    const processing = await waitForStatus(gateway.client, task.id, 'PROCESSING');
    expect(processing.statusMessage).toMatch(/^No final status from the provider/);
    gateway.simulator.advanceTask(providerId(task), 'succeed');
    const done = await waitForStatus(gateway.client, task.id, 'SUCCEEDED');
    expect(done.statusMessage).toBeNull();
  });

  it('picks up tasks in flight after a restart and reaches their end states from the database', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kg-poller-restart-'));
    const store = createTestDatabase(database, dataDir);
    try {
      const first = await startTestApp({ database: store });
      const created = await createMany(first, 3);
      const [good, bad, slow] = created;
      if (good === undefined || bad === undefined || slow === undefined) throw new Error('three tasks');
      await first.stopGateway();

      // While no gateway runs, the provider moves on.
      first.simulator.advanceTask(providerId(good), 'succeed');
      first.simulator.advanceTask(providerId(bad), 'failed', 'moderation');
      first.simulator.advanceTask(providerId(slow), 'processing');

      gateway = await startTestApp({ database: store, simulator: first.simulator });
      await waitForStatus(gateway.client, good.id, 'SUCCEEDED');
      await waitForStatus(gateway.client, bad.id, 'FAILED');
      await waitForStatus(gateway.client, slow.id, 'PROCESSING');
      gateway.simulator.advanceTask(providerId(slow), 'succeed');
      await waitForStatus(gateway.client, slow.id, 'SUCCEEDED');
      await gateway.stop();
      gateway = undefined;
      await first.simulator.stop();
    } finally {
      await store.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('leaves a task leased by a crashed instance alone until the lease expires, then takes it over', async () => {
    gateway = await startTestApp({ database });
    const [task] = await createMany(gateway, 1);
    if (task === undefined) throw new Error('one task expected');
    const db = gateway.running.services.db;
    // Another instance took the lease, then died: its lease runs out on the database's clock.
    const [lease] = await waitFor(async () => {
      const rows = await db
        .update(tasks)
        .set({ leaseOwner: 'gw-crashed', leaseExpiresAt: sql`now() + interval '400 milliseconds'` })
        .where(sql`${tasks.externalTaskId} = ${task.externalTaskId} and ${tasks.leaseOwner} is null`)
        .returning({ expiresAt: tasks.leaseExpiresAt });
      return rows.length === 1 ? rows : undefined;
    });
    const leasedAt = Date.now();
    gateway.simulator.advanceTask(providerId(task), 'succeed');

    await waitForStatus(gateway.client, task.id, 'SUCCEEDED');
    const reads = since(gateway.simulator, leasedAt).filter(readsOf(task));
    expect(reads.length).toBeGreaterThanOrEqual(1);
    expect(reads[0]?.at).toBeGreaterThanOrEqual((lease?.expiresAt?.getTime() ?? 0) - 5);
  });
});

describe('list paging', () => {
  const options = { pageSize: 3, maxPages: 5, ageMarginMs: 1_000 };
  const page = (...createdAt: number[]) => createdAt.map((at) => ({ created_at: at }));
  const verdict = (state: Partial<Parameters<typeof pagingVerdict>[0]>) =>
    pagingVerdict({
      page: page(50_000, 40_000, 30_000),
      pageNum: 1,
      allFound: false,
      oldestWantedMs: 20_000,
      options,
      ...state,
    });

  it('goes on while a full page may still be followed by a wanted task', () => {
    expect(verdict({})).toBe('continue');
  });
  it('stops once every wanted task was seen', () => {
    expect(verdict({ allFound: true })).toBe('all-found');
  });
  it('stops on an empty or short page', () => {
    expect(verdict({ page: [] })).toBe('end-of-list');
    expect(verdict({ page: page(50_000) })).toBe('end-of-list');
  });
  it('stops on a page older than the oldest wanted task, allowing for clock skew, in either sort order', () => {
    expect(verdict({ page: page(25_000, 19_500, 30_000) })).toBe('continue');
    expect(verdict({ page: page(25_000, 18_000, 30_000) })).toBe('older-than-wanted');
  });
  it("stops at the provider's last page number", () => {
    expect(verdict({ pageNum: 5 })).toBe('page-limit');
  });
});

function fail(): never {
  throw new Error('the gateway is not running');
}
