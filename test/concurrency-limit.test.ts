import { afterEach, describe, expect, it } from 'vitest';
import { IMAGE_URL } from './fixtures/images.js';
import { createTask, waitForStatus } from './helpers/tasks.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

describe('provider concurrency limits', () => {
  let gateway: TestApp | undefined;
  afterEach(() => gateway?.stop());

  it('keeps a task refused with 1303 PENDING until a slot frees, then submits it', async () => {
    gateway = await startTestApp({
      simulatorOptions: { concurrencyLimit: 1 },
      config: { maxConcurrency: 5 },
    });
    const first = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'first' });
    const second = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'second' });
    expect(first.status).toBe('SUBMITTED');
    expect(second.status).toBe('PENDING');
    expect(second.statusMessage).toMatch(/KLING_CONCURRENCY_LIMIT/);
    expect(second.failureCode).toBeNull();

    gateway.simulator.advanceTask(first.providerTaskId ?? '', 'succeed');
    await waitForStatus(gateway.client, first.id, 'SUCCEEDED');
    const submitted = await waitForStatus(gateway.client, second.id, 'SUBMITTED');
    expect(submitted.events.map((event) => event.status)).toEqual(['PENDING', 'SUBMITTED']);
    expect(gateway.simulator.tasks()).toHaveLength(2);
  });

  it('holds tasks beyond KLING_MAX_CONCURRENCY locally without calling the provider', async () => {
    gateway = await startTestApp({ config: { maxConcurrency: 1 } });
    const first = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'first' });
    const creates = () => gateway?.simulator.requests.filter((request) => request.method === 'POST').length;
    const second = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'second' });

    expect(second.status).toBe('PENDING');
    expect(second.statusMessage).toMatch(/1 of 1/);
    expect(creates()).toBe(1);

    gateway.simulator.advanceTask(first.providerTaskId ?? '', 'failed', 'moderation');
    await waitForStatus(gateway.client, second.id, 'SUBMITTED');
    expect(creates()).toBe(2);
  });
});
