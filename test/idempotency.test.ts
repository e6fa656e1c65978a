import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_URL } from './fixtures/images.js';
import { CREATE_TASK, type CreateTaskData } from './fixtures/operations.js';
import { testDatabaseKinds } from './helpers/databases.js';
import { createTask } from './helpers/tasks.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

describe.each(testDatabaseKinds())('idempotency keys (%s)', (database) => {
  let gateway: TestApp;
  beforeAll(async () => {
    gateway = await startTestApp({ database });
  });
  afterAll(() => gateway.stop());

  it('returns the same task and creates it upstream once under concurrent identical calls', async () => {
    const input = { image: IMAGE_URL, prompt: 'same input' };
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        gateway.client.expectData<CreateTaskData>(CREATE_TASK, { input, key: 'order-42' }),
      ),
    );

    const ids = new Set(results.map((result) => result.createImageToVideoTask.task.id));
    expect(ids.size).toBe(1);
    const externalTaskId = results[0]?.createImageToVideoTask.task.externalTaskId;
    const creates = gateway.simulator.requests.filter(
      (request) =>
        request.method === 'POST' &&
        (request.body as { external_task_id?: string }).external_task_id === externalTaskId,
    );
    expect(creates).toHaveLength(1);
  });

  it('treats input that normalizes the same (defaults spelled out) as the same input', async () => {
    const first = await createTask(gateway.client, { image: IMAGE_URL }, 'defaults');
    const again = await createTask(
      gateway.client,
      { image: IMAGE_URL, model: 'KLING_V1', duration: 5, mode: 'STD' },
      'defaults',
    );
    expect(again.id).toBe(first.id);
  });

  it('refuses the same key with a different input as IDEMPOTENCY_CONFLICT', async () => {
    await createTask(gateway.client, { image: IMAGE_URL, prompt: 'one' }, 'reused-key');
    const response = await gateway.client.execute(CREATE_TASK, {
      input: { image: IMAGE_URL, prompt: 'two' },
      key: 'reused-key',
    });
    expect(response.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('creates a new task for every call without a key', async () => {
    const input = { image: IMAGE_URL, prompt: 'no key' };
    const [a, b] = await Promise.all([createTask(gateway.client, input), createTask(gateway.client, input)]);
    expect(a.id).not.toBe(b.id);
  });
});
