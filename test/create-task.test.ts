import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_PNG_BASE64, IMAGE_URL } from './fixtures/images.js';
import { LIST_TASKS } from './fixtures/operations.js';
import { testDatabaseKinds } from './helpers/databases.js';
import { createTask, readTask, waitForStatus } from './helpers/tasks.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

describe.each(testDatabaseKinds())('creating an image-to-video task (%s)', (database) => {
  let gateway: TestApp;
  beforeAll(async () => {
    gateway = await startTestApp({ database });
  });
  afterAll(() => gateway.stop());

  it('persists the task, submits it once and returns it SUBMITTED with both ids', async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'a cat surfing a wave' });

    expect(task).toMatchObject({
      status: 'SUBMITTED',
      model: 'KLING_V1',
      mode: 'STD',
      duration: 5,
      prompt: 'a cat surfing a wave',
    });
    expect(task.externalTaskId).toMatch(/^kg-[0-9a-f-]{36}$/);
    expect(task.providerTaskId).toMatch(/^\d{18}$/);
    expect(task.events.map((event) => event.status)).toEqual(['PENDING', 'SUBMITTED']);
    const upstream = gateway.simulator.tasks().filter((t) => t.externalTaskId === task.externalTaskId);
    expect(upstream).toHaveLength(1);
    expect(upstream[0]?.taskId).toBe(task.providerTaskId);
  });

  it('sends every option the provider offers in its wire form', async () => {
    const task = await createTask(gateway.client, {
      model: 'KLING_V3',
      mode: 'PRO',
      image: FRAME_PNG_BASE64,
      multiShot: true,
      shotType: 'CUSTOMIZE',
      shots: [
        { index: 1, prompt: 'the door opens', duration: 4 },
        { index: 2, prompt: 'a dog runs in', duration: 6 },
      ],
      negativePrompt: 'blur',
      sound: true,
      cfgScale: 0.7,
      duration: 10,
      watermark: true,
    });

    expect(task).toMatchObject({ status: 'SUBMITTED', statusMessage: null });
    const upstream = gateway.simulator.tasks().find((t) => t.externalTaskId === task.externalTaskId);
    expect(upstream?.body).toMatchObject({
      model_name: 'kling-v3',
      mode: 'pro',
      image: FRAME_PNG_BASE64,
      multi_shot: true,
      shot_type: 'customize',
      multi_prompt: [
        { index: 1, prompt: 'the door opens', duration: '4' },
        { index: 2, prompt: 'a dog runs in', duration: '6' },
      ],
      negative_prompt: 'blur',
      sound: 'on',
      cfg_scale: 0.7,
      duration: '10',
      watermark_info: { enabled: true },
      external_task_id: task.externalTaskId,
    });
  });

  it('tracks the task to SUCCEEDED with the generated video', async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'waves', watermark: true });
    const providerTaskId = task.providerTaskId ?? '';
    gateway.simulator.advanceTask(providerTaskId, 'processing');
    await waitForStatus(gateway.client, task.id, 'PROCESSING');
    gateway.simulator.advanceTask(providerTaskId, 'succeed');

    const done = await waitForStatus(gateway.client, task.id, 'SUCCEEDED');
    expect(done.videos).toHaveLength(1);
    expect(done.videos[0]?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/videos\/\d+\.mp4$/);
    expect(done.videos[0]?.watermarkUrl).toBeTruthy();
    expect(done.videos[0]?.duration).toBeGreaterThan(5);
    expect(done.unitsCharged).toMatch(/^\d+(\.\d+)?$/);
    expect(done.events.map((event) => [event.status, event.sequence])).toEqual([
      ['PENDING', 1],
      ['SUBMITTED', 2],
      ['PROCESSING', 3],
      ['SUCCEEDED', 4],
    ]);
    expect(done.sequence).toBe(4);
  });

  it('reports a generation the provider failed as FAILED with its message', async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'storm' });
    gateway.simulator.advanceTask(
      task.providerTaskId ?? '',
      'failed',
      'Failure to pass the risk control system',
    );

    const failed = await waitForStatus(gateway.client, task.id, 'FAILED');
    expect(failed).toMatchObject({
      statusMessage: 'Failure to pass the risk control system',
      failureCode: 'GENERATION_FAILED',
    });
  });

  it('reads a task back by id, and answers null for an unknown or malformed id', async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL });
    expect((await readTask(gateway.client, task.id))?.externalTaskId).toBe(task.externalTaskId);
    const unknown = Buffer.from('VideoTask:00000000-0000-4000-8000-000000000000').toString('base64');
    expect(await readTask(gateway.client, unknown)).toBeNull();
    expect(await readTask(gateway.client, 'not-an-id')).toBeNull();
  });

  it('lists tasks newest first, page by page, filtered by status', async () => {
    const listing = await startTestApp({ database });
    try {
      const created = [];
      for (const prompt of ['first', 'second', 'third']) {
        created.push(await createTask(listing.client, { image: IMAGE_URL, prompt }));
      }
      listing.simulator.advanceTask(created[0]?.providerTaskId ?? '', 'failed', 'no');
      await waitForStatus(listing.client, created[0]?.id ?? '', 'FAILED');

      type Page = {
        tasks: {
          edges: { node: { prompt: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      };
      const page1 = await listing.client.expectData<Page>(LIST_TASKS, { first: 2 });
      expect(page1.tasks.edges.map((edge) => edge.node.prompt)).toEqual(['third', 'second']);
      expect(page1.tasks.pageInfo.hasNextPage).toBe(true);
      const page2 = await listing.client.expectData<Page>(LIST_TASKS, {
        first: 2,
        after: page1.tasks.pageInfo.endCursor,
      });
      expect(page2.tasks.edges.map((edge) => edge.node.prompt)).toEqual(['first']);
      expect(page2.tasks.pageInfo.hasNextPage).toBe(false);
      const failed = await listing.client.expectData<Page>(LIST_TASKS, { status: ['FAILED'] });
      expect(failed.tasks.edges.map((edge) => edge.node.prompt)).toEqual(['first']);
    } finally {
      await listing.stop();
    }
  });
});
