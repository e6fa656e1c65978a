import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_URL } from './fixtures/images.js';
import { TASK_FIELDS, type TaskView } from './fixtures/operations.js';
import { subscribe, TRANSPORTS } from './helpers/subscriptions.js';
import { createTask, waitForStatus } from './helpers/tasks.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const TASK_UPDATED = /* GraphQL */ `
  subscription Watch($id: ID!, $afterSequence: Int) {
    taskUpdated(id: $id, afterSequence: $afterSequence) { ...TaskFields }
  }
  ${TASK_FIELDS}
`;

const MY_TASK_UPDATES = /* GraphQL */ `
  subscription Mine($since: DateTime) { myTaskUpdates(since: $since) { id status sequence prompt updatedAt } }
`;

type Watched = { taskUpdated: TaskView };
type Mine = { myTaskUpdates: Pick<TaskView, 'id' | 'status' | 'sequence' | 'prompt' | 'updatedAt'> };

describe.each(TRANSPORTS)('watching tasks live over %s', (transport) => {
  let gateway: TestApp;
  beforeAll(async () => {
    gateway = await startTestApp({
      config: { maxConcurrency: 100 },
      simulatorOptions: { concurrencyLimit: 100 },
    });
  });
  afterAll(() => gateway.stop());

  it('delivers the current state, every change, the video, then completes', async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'live' });
    const watch = subscribe<Watched>(transport, gateway.url, TASK_UPDATED, { id: task.id });
    try {
      await watch.waitFor((r) => r.data?.taskUpdated.status === 'SUBMITTED', 'SUBMITTED');
      gateway.simulator.advanceTask(task.providerTaskId ?? '', 'processing');
      await watch.waitFor((r) => r.data?.taskUpdated.status === 'PROCESSING', 'PROCESSING');
      gateway.simulator.advanceTask(task.providerTaskId ?? '', 'succeed');
      await watch.completed;

      const statuses = watch.results.map((r) => r.data?.taskUpdated.status);
      expect(statuses).toEqual(['SUBMITTED', 'PROCESSING', 'SUCCEEDED']);
      const done = watch.results.at(-1)?.data?.taskUpdated;
      expect(done?.videos[0]?.url).toMatch(/\.mp4$/);
      expect(watch.results.map((r) => r.data?.taskUpdated.sequence)).toEqual([2, 3, 4]);
    } finally {
      await watch.dispose();
    }
  });

  it('delivers FAILED with the provider message', async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'doomed' });
    const watch = subscribe<Watched>(transport, gateway.url, TASK_UPDATED, { id: task.id });
    try {
      await watch.waitFor((r) => r.data?.taskUpdated.status === 'SUBMITTED');
      gateway.simulator.advanceTask(task.providerTaskId ?? '', 'failed', 'Output failed moderation');
      await watch.completed;
      expect(watch.results.at(-1)?.data?.taskUpdated).toMatchObject({
        status: 'FAILED',
        statusMessage: 'Output failed moderation',
        failureCode: 'GENERATION_FAILED',
      });
    } finally {
      await watch.dispose();
    }
  });

  it('gives a subscriber who arrives after the end the final state, then completion', async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'late' });
    gateway.simulator.advanceTask(task.providerTaskId ?? '', 'succeed');
    await waitForStatus(gateway.client, task.id, 'SUCCEEDED');

    const watch = subscribe<Watched>(transport, gateway.url, TASK_UPDATED, { id: task.id });
    await watch.completed;
    expect(watch.results.map((r) => r.data?.taskUpdated.status)).toEqual(['SUCCEEDED']);
    await watch.dispose();
  });

  it('never misses the final state when the change races the subscription', async () => {
    const tasks = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        createTask(gateway.client, { image: IMAGE_URL, prompt: `race ${i}` }),
      ),
    );
    const watches = tasks.map((task) => {
      const watch = subscribe<Watched>(transport, gateway.url, TASK_UPDATED, { id: task.id });
      // The change lands while the subscription is being set up.
      gateway.simulator.advanceTask(task.providerTaskId ?? '', 'succeed');
      return watch;
    });
    try {
      await Promise.all(watches.map((watch) => watch.completed));
      for (const watch of watches) expect(watch.results.at(-1)?.data?.taskUpdated.status).toBe('SUCCEEDED');
    } finally {
      await Promise.all(watches.map((watch) => watch.dispose()));
    }
  });

  it('resumes after a dropped connection with afterSequence, replaying what was missed', async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'resume' });
    const first = subscribe<Watched>(transport, gateway.url, TASK_UPDATED, { id: task.id });
    const seen = await first.waitFor((r) => r.data?.taskUpdated.status === 'SUBMITTED');
    await first.dispose();
    gateway.simulator.advanceTask(task.providerTaskId ?? '', 'processing');
    await waitForStatus(gateway.client, task.id, 'PROCESSING');

    const resumed = subscribe<Watched>(transport, gateway.url, TASK_UPDATED, {
      id: task.id,
      afterSequence: seen.data?.taskUpdated.sequence,
    });
    try {
      const caughtUp = await resumed.waitFor((r) => r.data?.taskUpdated.status === 'PROCESSING');
      expect(caughtUp.data?.taskUpdated.events.map((event) => event.status)).toContain('PROCESSING');
      expect(resumed.results.some((r) => r.data?.taskUpdated.status === 'SUBMITTED')).toBe(false);
    } finally {
      await resumed.dispose();
    }
  });

  it('answers an unknown task with NOT_FOUND', async () => {
    const unknown = Buffer.from('VideoTask:00000000-0000-4000-8000-000000000000').toString('base64');
    const watch = subscribe<Watched>(transport, gateway.url, TASK_UPDATED, { id: unknown });
    // graphql-ws reports it as an error message, SSE as a result with errors: either names the code.
    const failure = await watch.completed.then(
      () => JSON.stringify(watch.results),
      (error: unknown) => JSON.stringify(error),
    );
    expect(failure).toContain('NOT_FOUND');
    await watch.dispose();
  });

  it('streams every change to my tasks, and replays those changed since a time', async () => {
    const startedAt = new Date().toISOString();
    // With `since`, a task created while the subscription is being set up is replayed, not lost.
    const mine = subscribe<Mine>(transport, gateway.url, MY_TASK_UPDATES, { since: startedAt });
    try {
      const probe = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'probe' });
      await mine.waitFor((r) => r.data?.myTaskUpdates.id === probe.id);
      const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'mine' });
      gateway.simulator.advanceTask(task.providerTaskId ?? '', 'succeed');
      await mine.waitFor(
        (r) => r.data?.myTaskUpdates.id === task.id && r.data.myTaskUpdates.status === 'SUCCEEDED',
      );
      const sequences = mine.results
        .filter((r) => r.data?.myTaskUpdates.id === task.id)
        .map((r) => r.data?.myTaskUpdates.sequence);
      expect(sequences).toEqual([...new Set(sequences)].sort());
    } finally {
      await mine.dispose();
    }

    const replay = subscribe<Mine>(transport, gateway.url, MY_TASK_UPDATES, { since: startedAt });
    try {
      await replay.waitFor(
        (r) => r.data?.myTaskUpdates.prompt === 'mine' && r.data.myTaskUpdates.status === 'SUCCEEDED',
      );
    } finally {
      await replay.dispose();
    }
  });
});
