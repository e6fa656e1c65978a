/**
 * A live watch holds a subscription slot and a listener on the event bus; stopping it gives both
 * back at once, even while it waits for a change that may never come.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context.js';
import { watchMyTasks, watchTask } from '../src/resolvers/task-subscriptions.js';
import { taskIdFromGlobalId } from '../src/schema/task-queries.js';
import { IMAGE_URL } from './fixtures/images.js';
import { createTask } from './helpers/tasks.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

describe('stopping a watch', () => {
  let gateway: TestApp;
  let ctx: GatewayContext;
  beforeAll(async () => {
    gateway = await startTestApp();
    // Development mode: every request speaks for the local viewer.
    ctx = { ...gateway.running.services, viewer: { id: 'local' } };
  });
  afterAll(() => gateway.stop());

  const held = () => ({
    slots: ctx.subscriptionSlots.count(),
    listeners: ctx.events.subscriberCount(),
  });

  it("frees a task watch's slot and listener while it waits for the next change", async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'stop me' });
    const watch = watchTask(ctx, taskIdFromGlobalId(task.id), null);
    const current = await watch.next();
    expect(current.value?.status).toBe('SUBMITTED');
    const waiting = watch.next();
    expect(held()).toEqual({ slots: 1, listeners: 1 });

    await watch.return?.();

    expect(held()).toEqual({ slots: 0, listeners: 0 });
    expect(await waiting).toEqual({ value: undefined, done: true });
  });

  it("frees a watch of all the viewer's tasks the same way", async () => {
    const watch = watchMyTasks(ctx, null);
    const waiting = watch.next();
    expect(held()).toEqual({ slots: 1, listeners: 1 });

    await watch.return?.();

    expect(held()).toEqual({ slots: 0, listeners: 0 });
    expect(await waiting).toEqual({ value: undefined, done: true });
  });

  it('holds nothing for a watch stopped before it started', async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'never watched' });
    const watch = watchTask(ctx, taskIdFromGlobalId(task.id), null);
    await watch.return?.();
    expect(await watch.next()).toEqual({ value: undefined, done: true });
    expect(held()).toEqual({ slots: 0, listeners: 0 });
  });
});
