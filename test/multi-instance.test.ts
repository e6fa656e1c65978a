import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KlingSimulator, startKlingSimulator } from '../src/upstream/simulator/index.js';
import { IMAGE_URL } from './fixtures/images.js';
import { TASK_FIELDS, type TaskView } from './fixtures/operations.js';
import { createTestDatabase, type TestDatabase } from './helpers/databases.js';
import { type GatewayProcess, startGatewayProcess } from './helpers/gateway-process.js';
import { graphqlClient } from './helpers/graphql-client.js';
import { subscribe } from './helpers/subscriptions.js';
import { createTask, waitForStatus } from './helpers/tasks.js';
import { startTestApp, TEST_ACCOUNT, type TestApp } from './helpers/test-app.js';
import { waitFor } from './helpers/wait-for.js';

const TASK_UPDATED = /* GraphQL */ `
  subscription Watch($id: ID!) { taskUpdated(id: $id) { ...TaskFields } }
  ${TASK_FIELDS}
`;

describe.skipIf(!process.env.DATABASE_URL)('several gateway instances on one PostgreSQL', () => {
  let database: TestDatabase;
  let simulator: KlingSimulator;
  let instanceA: TestApp;
  let instanceB: GatewayProcess;

  beforeAll(async () => {
    database = createTestDatabase('postgres');
    simulator = await startKlingSimulator({
      accounts: [TEST_ACCOUNT],
      timings: 'manual',
      concurrencyLimit: 100,
    });
    instanceA = await startTestApp({ database, simulator, config: { maxConcurrency: 100 } });
    instanceB = await startGatewayProcess({
      DATABASE_URL: process.env.DATABASE_URL ?? '',
      DATABASE_SCHEMA: database.schema ?? '',
      KLING_BASE_URL: simulator.url,
      KLING_ACCESS_KEY: TEST_ACCOUNT.accessKey,
      KLING_SECRET_KEY: TEST_ACCOUNT.secretKey,
      KLING_MAX_CONCURRENCY: '100',
      POLL_INTERVAL_MS: '50',
    });
  }, 60_000);
  afterAll(async () => {
    await instanceB?.stop();
    await instanceA?.stop();
    await simulator?.stop();
    await database?.drop();
  });

  it('delivers to a subscriber on instance A a change that instance B applied', async () => {
    // A only serves: every status change is applied by B's poller.
    await instanceA.running.poller.stop();
    const clientB = graphqlClient(instanceB.url);
    const task = await createTask(clientB, { image: IMAGE_URL, prompt: 'across instances' });
    const watch = subscribe<{ taskUpdated: TaskView }>('websocket', instanceA.url, TASK_UPDATED, {
      id: task.id,
    });
    try {
      await watch.waitFor((r) => r.data?.taskUpdated.status === 'SUBMITTED');
      simulator.advanceTask(task.providerTaskId ?? '', 'processing');
      simulator.advanceTask(task.providerTaskId ?? '', 'succeed');
      await watch.completed;
      expect(watch.results.at(-1)?.data?.taskUpdated.status).toBe('SUCCEEDED');
      expect(watch.results.at(-1)?.data?.taskUpdated.videos).toHaveLength(1);
    } finally {
      await watch.dispose();
    }
  });

  it('polls each task from one instance at a time while both poll', async () => {
    const pollerA = await startTestApp({ database, simulator, config: { maxConcurrency: 100 } });
    try {
      const tasks = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          createTask(pollerA.client, { image: IMAGE_URL, prompt: `shared ${i}` }),
        ),
      );
      const since = Date.now();
      const readsOf = (task: TaskView) =>
        simulator.requests.filter(
          (r) => r.method === 'GET' && r.at >= since && r.path.endsWith(`/${task.providerTaskId}`),
        );
      await waitFor(() => (tasks.every((task) => readsOf(task).length >= 5) ? true : undefined), {
        what: 'five reads of every task',
      });
      for (const task of tasks) {
        const reads = readsOf(task).map((r) => r.at);
        // Two instances reading the same task at once would show as reads a few ms apart; the
        // lease keeps them at least most of a poll interval (50 ms, ±20 % jitter) apart.
        const gaps = reads.slice(1).map((at, i) => at - (reads[i] ?? at));
        expect(Math.min(...gaps)).toBeGreaterThanOrEqual(30);
      }
      for (const task of tasks) simulator.advanceTask(task.providerTaskId ?? '', 'succeed');
      for (const task of tasks) await waitForStatus(pollerA.client, task.id, 'SUCCEEDED');
    } finally {
      await pollerA.stopGateway();
    }
  });
});
