import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_URL, TAIL_IMAGE_URL } from './fixtures/images.js';
import { CREATE_TASK, LIST_TASKS } from './fixtures/operations.js';
import { createTask } from './helpers/tasks.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

describe('a create the gateway or the provider refuses', () => {
  let gateway: TestApp;
  beforeAll(async () => {
    gateway = await startTestApp();
  });
  afterAll(() => gateway.stop());

  it('reports every invalid field at once as BAD_USER_INPUT, and stores and sends nothing', async () => {
    const requestsBefore = gateway.simulator.requests.length;
    const response = await gateway.client.execute(CREATE_TASK, {
      input: {
        model: 'KLING_V3',
        image: 'data:image/png;base64,iVBORw0KGgo=',
        imageTail: TAIL_IMAGE_URL,
        cameraControl: { type: 'SIMPLE', config: { pan: 3, zoom: 2 } },
        prompt: 'x'.repeat(2501),
        cfgScale: 1.5,
        duration: 16,
        multiShot: true,
        shotType: 'CUSTOMIZE',
        shots: [
          { index: 1, prompt: 'a', duration: 2 },
          { index: 3, prompt: 'b', duration: 40 },
        ],
      },
    });

    expect(response.data).toBeNull();
    const error = response.errors?.[0];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    const paths = (error?.extensions?.issues ?? []).map((issue) => issue.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'input.image',
        'input.cameraControl',
        'input.cameraControl.config',
        'input.prompt',
        'input.cfgScale',
        'input.duration',
        'input.shots.1.index',
        'input.shots.1.duration',
      ]),
    );
    for (const issue of error?.extensions?.issues ?? []) expect(issue.message.length).toBeGreaterThan(0);
    expect(gateway.simulator.requests.length).toBe(requestsBefore);
    const listed = await gateway.client.expectData<{ tasks: { edges: unknown[] } }>(LIST_TASKS, {});
    expect(listed.tasks.edges).toHaveLength(0);
  });

  it('names the field when GraphQL itself rejects a value type', async () => {
    const response = await gateway.client.execute(CREATE_TASK, {
      input: { image: IMAGE_URL, duration: 'five' },
    });
    expect(response.errors?.[0]?.message).toMatch(/duration/);
  });

  it('marks a task the provider refuses as FAILED with its message and a typed code', async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'sim:reject this prompt' });
    expect(task.status).toBe('FAILED');
    expect(task.failureCode).toBe('CONTENT_POLICY');
    expect(task.statusMessage).toBeTruthy();
    expect(task.providerTaskId).toBeNull();
    expect(task.events.map((event) => event.status)).toEqual(['PENDING', 'FAILED']);
  });

  it('refuses an empty or oversized idempotency key, naming it', async () => {
    const response = await gateway.client.execute(CREATE_TASK, {
      input: { image: IMAGE_URL },
      key: 'k'.repeat(256),
    });
    expect(response.errors?.[0]?.extensions?.issues).toEqual([
      { path: ['idempotencyKey'], message: expect.stringContaining('255') },
    ]);
  });
});
