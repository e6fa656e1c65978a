/**
 * A watch that may have missed changes (the notification connection dropped) re-reads what it
 * watches and delivers what it missed, once: nothing twice, nothing out of order. The event bus is
 * a stand-in here, so the test decides when a resync or a delivery reaches the watch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context.js';
import type { TaskRow } from '../src/db/schema.js';
import { watchMyTasks, watchTask } from '../src/resolvers/task-subscriptions.js';
import { taskIdFromGlobalId } from '../src/schema/task-queries.js';
import type { DeliveryReceiver, TaskDelivery, TaskEventBus } from '../src/tasks/task-events.js';
import type { Sink } from '../src/transport/push-stream.js';
import { IMAGE_URL } from './fixtures/images.js';
import { createSubmittedTask, waitForStatus } from './helpers/tasks.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { waitFor } from './helpers/wait-for.js';

/** An event bus whose deliveries the test makes. */
function standInBus(): TaskEventBus & { send(delivery: TaskDelivery): void } {
  const receivers = new Set<DeliveryReceiver>();
  const watched = {
    leave: (receiver: DeliveryReceiver) => {
      receivers.delete(receiver);
    },
  };
  return {
    watchTask: (_taskId, receiver) => {
      receivers.add(receiver);
      return watched;
    },
    watchOwner: (_owner, receiver) => {
      receivers.add(receiver);
      return watched;
    },
    subscriberCount: () => receivers.size,
    close: async () => {},
    send: (delivery) => {
      for (const receiver of [...receivers]) receiver.deliver(delivery);
    },
  };
}

/** A sink recording what a watch pushes. */
function recorder() {
  const pushed: TaskRow[] = [];
  const state = { ended: false, failure: undefined as unknown };
  const sink: Sink<TaskRow> = {
    push: (task) => pushed.push(task),
    end: () => {
      state.ended = true;
    },
    fail: (error) => {
      state.failure = error;
    },
  };
  return { pushed, state, sink };
}

describe('a watch after a resync', () => {
  let gateway: TestApp;
  let bus: ReturnType<typeof standInBus>;
  let ctx: GatewayContext;
  beforeAll(async () => {
    gateway = await startTestApp();
    bus = standInBus();
    // Development mode: every request speaks for the local viewer.
    ctx = { ...gateway.running.services, events: bus, viewer: { id: 'local' } };
  });
  afterAll(() => gateway.stop());

  it('re-reads its task, delivers each missed state once, then completes at the end', async () => {
    const task = await createSubmittedTask(gateway.client, { image: IMAGE_URL, prompt: 'resync one' });
    const watch = watchTask(ctx, taskIdFromGlobalId(task.id), null);
    const { pushed, state, sink } = recorder();
    watch.pushTo(sink);
    await waitFor(() => pushed[0], { what: 'the current state' });
    const submitted = pushed[0] as TaskRow;

    gateway.simulator.advanceTask(task.providerTaskId ?? '', 'processing');
    await waitForStatus(gateway.client, task.id, 'PROCESSING');
    bus.send({ kind: 'resync', since: new Date() });
    // Arrives while the resync reads: handled after it, and already delivered by then.
    bus.send({ kind: 'changed', task: submitted });
    await waitFor(() => pushed[1], { what: 'the state missed during the outage' });
    bus.send({ kind: 'resync', since: new Date() });

    gateway.simulator.advanceTask(task.providerTaskId ?? '', 'succeed');
    await waitForStatus(gateway.client, task.id, 'SUCCEEDED');
    bus.send({ kind: 'resync', since: new Date() });
    await waitFor(() => (state.ended ? true : undefined), { what: 'the watch to complete' });

    expect(pushed.map((row) => row.status)).toEqual(['SUBMITTED', 'PROCESSING', 'SUCCEEDED']);
    expect(state.failure).toBeUndefined();
    expect(bus.subscriberCount()).toBe(0);
    expect(ctx.subscriptionSlots.count()).toBe(0);
  });

  it("replays the viewer's tasks changed since the outage, skipping what was delivered", async () => {
    const watch = watchMyTasks(ctx, null);
    const { pushed, sink } = recorder();
    watch.pushTo(sink);
    const task = await createSubmittedTask(gateway.client, { image: IMAGE_URL, prompt: 'resync mine' });
    const since = new Date();
    const id = taskIdFromGlobalId(task.id);
    const deliveredOfTask = () => pushed.filter((row) => row.id === id).map((row) => row.status);

    bus.send({ kind: 'resync', since });
    await waitFor(() => pushed.find((row) => row.id === id), { what: 'the task created during the outage' });
    bus.send({ kind: 'resync', since });
    bus.send({ kind: 'changed', task: pushed.find((row) => row.id === id) as TaskRow });
    gateway.simulator.advanceTask(task.providerTaskId ?? '', 'processing');
    await waitForStatus(gateway.client, task.id, 'PROCESSING');
    bus.send({ kind: 'resync', since });
    await waitFor(() => (deliveredOfTask().includes('PROCESSING') ? true : undefined), {
      what: 'PROCESSING',
    });

    expect(deliveredOfTask()).toEqual(['SUBMITTED', 'PROCESSING']);
    await watch.return();
    expect(bus.subscriberCount()).toBe(0);
  });
});
