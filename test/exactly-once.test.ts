import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KlingSimulator } from '../src/upstream/simulator/index.js';
import { IMAGE_URL } from './fixtures/images.js';
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from './helpers/databases.js';
import { createTask, waitForStatus } from './helpers/tasks.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

function upstreamTasksFor(simulator: KlingSimulator, externalTaskId: string) {
  return simulator.tasks().filter((task) => task.externalTaskId === externalTaskId);
}

describe.each(testDatabaseKinds())('submitting exactly once (%s)', (database) => {
  let gateway: TestApp;
  beforeAll(async () => {
    // Tasks here stay in flight (manual timings), so slots are plentiful.
    gateway = await startTestApp({
      database,
      config: { maxConcurrency: 50 },
      simulatorOptions: { concurrencyLimit: 50 },
    });
  });
  afterAll(() => gateway.stop());

  it.each(['error-body', 'drop-connection'] as const)(
    'adopts a task whose create landed but whose response was lost (%s)',
    async (as) => {
      gateway.simulator.injectFault({ on: 'create', fault: { type: 'lose-response', as } });
      const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: `lost ${as}` });

      expect(task.status).toBe('SUBMITTED');
      const upstream = upstreamTasksFor(gateway.simulator, task.externalTaskId);
      expect(upstream).toHaveLength(1);
      expect(task.providerTaskId).toBe(upstream[0]?.taskId);
    },
  );

  it.each([5000, 5002])('looks the task up after an ambiguous %i, then creates it once', async (code) => {
    gateway.simulator.injectFault({ on: 'create', fault: { type: 'error', code } });
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: `ambiguous ${code}` });

    const submitted =
      task.status === 'SUBMITTED' ? task : await waitForStatus(gateway.client, task.id, 'SUBMITTED');
    expect(upstreamTasksFor(gateway.simulator, task.externalTaskId)).toHaveLength(1);
    const lookups = gateway.simulator.requests.filter((request) =>
      request.path.endsWith(`/${task.externalTaskId}`),
    );
    expect(lookups.length).toBeGreaterThan(0);
    expect(submitted.providerTaskId).toBeTruthy();
  });

  it('recovers from a create that timed out while the provider went on to create the task', async () => {
    gateway.simulator.injectFault({ on: 'create', fault: { type: 'delay', ms: 2_500 } });
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'slow provider' });

    await waitForStatus(gateway.client, task.id, 'SUBMITTED');
    expect(upstreamTasksFor(gateway.simulator, task.externalTaskId)).toHaveLength(1);
  });

  it('keeps a task PENDING while the provider is unavailable and submits it once it is back', async () => {
    gateway.simulator.injectFault({ on: 'create', times: 3, fault: { type: 'error', code: 5001 } });
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'maintenance' });
    expect(task.status).toBe('PENDING');
    expect(task.statusMessage).toMatch(/KLING_UNAVAILABLE/);

    await waitForStatus(gateway.client, task.id, 'SUBMITTED');
    expect(upstreamTasksFor(gateway.simulator, task.externalTaskId)).toHaveLength(1);
  });
});

describe.each(testDatabaseKinds())('a crash between the upstream create and the local write (%s)', (kind) => {
  let database: TestDatabase;
  let simulator: KlingSimulator | undefined;
  let dataDir: string | undefined;
  beforeAll(() => {
    dataDir = kind === 'pglite' ? mkdtempSync(join(tmpdir(), 'kg-crash-')) : undefined;
    database = createTestDatabase(kind, dataDir);
  });
  afterAll(async () => {
    await simulator?.stop();
    await database.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('adopts the upstream task after a restart instead of creating it again', async () => {
    const first = await startTestApp({ database });
    simulator = first.simulator;
    // The create lands upstream but its answer is lost, and every lookup fails while the first
    // gateway lives: it can only leave the task PENDING, marked as possibly created.
    simulator.injectFault({ on: 'create', fault: { type: 'lose-response', as: 'drop-connection' } });
    simulator.injectFault({ on: 'query', times: 1_000, fault: { type: 'error', code: 5001 } });
    const task = await createTask(first.client, { image: IMAGE_URL, prompt: 'crash' });
    expect(task.status).toBe('PENDING');
    await first.stopGateway();
    simulator.clearFaults();

    const second = await startTestApp({ database, simulator });
    try {
      const recovered = await waitForStatus(second.client, task.id, 'SUBMITTED');
      const upstream = upstreamTasksFor(simulator, task.externalTaskId);
      expect(upstream).toHaveLength(1);
      expect(recovered.providerTaskId).toBe(upstream[0]?.taskId);
      const creates = simulator.requests.filter((request) => request.method === 'POST');
      expect(creates).toHaveLength(1);
    } finally {
      await second.stopGateway();
    }
  });
});
