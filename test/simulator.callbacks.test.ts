/**
 * Callbacks: the simulator POSTs the bare task object (no envelope) to callback_url on each status
 * change, or only at the end, optionally twice; a failing receiver changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_ACCOUNT,
  type KlingSimulator,
  type SimulatorOptions,
  startKlingSimulator,
} from '../src/upstream/simulator/index.js';
import { type CallbackReceiver, startCallbackReceiver } from './helpers/callback-receiver.js';
import { klingHttp } from './helpers/kling-http.js';

const TASKS = '/v1/videos/image2video';

let simulator: KlingSimulator;
let receiver: CallbackReceiver;
beforeEach(async () => {
  receiver = await startCallbackReceiver();
});
afterEach(async () => {
  await simulator.stop();
  await receiver.stop();
});

/** Starts a manual simulator and creates one task whose callbacks go to `/hooks/<token>`. */
const createWithCallback = async (options: SimulatorOptions = {}, path = '/hooks/secret-token') => {
  simulator = await startKlingSimulator({ timings: 'manual', ...options });
  const created = await klingHttp(simulator.url, DEFAULT_ACCOUNT).post(TASKS, {
    image: 'https://example.com/a.png',
    external_task_id: 'kg-callback',
    callback_url: `${receiver.url}${path}`,
  });
  return String(created.data.task_id);
};

describe('statuses: all (the default)', () => {
  it('posts submitted, processing and succeed, in order, as bare task objects', async () => {
    const taskId = await createWithCallback();
    simulator.advanceTask(taskId, 'processing');
    simulator.advanceTask(taskId, 'succeed');

    const received = await receiver.waitForCount(3);
    expect(received.map((callback) => [callback.method, callback.path])).toEqual(
      Array(3).fill(['POST', '/hooks/secret-token']),
    );
    expect(received.map((callback) => callback.body.task_status)).toEqual([
      'submitted',
      'processing',
      'succeed',
    ]);
    const last = received[2]?.body;
    expect(last).not.toHaveProperty('code');
    expect(last).toMatchObject({
      task_id: taskId,
      task_status_msg: '',
      task_info: { external_task_id: 'kg-callback' },
      task_result: { videos: [{ id: expect.stringMatching(/^\d{18}$/) }] },
      final_unit_deduction: '1.5',
    });
    expect(Number(last?.updated_at)).toBeGreaterThan(Number(received[1]?.body.updated_at));
  });

  it('carries the failure reason on failed', async () => {
    const taskId = await createWithCallback();
    simulator.advanceTask(taskId, 'failed', 'output moderated');
    const received = await receiver.waitForCount(2);
    expect(received[1]?.body).toMatchObject({ task_status: 'failed', task_status_msg: 'output moderated' });
  });
});

describe('options', () => {
  it("'terminal' posts the end only", async () => {
    const taskId = await createWithCallback({ callbacks: { statuses: 'terminal' } });
    simulator.advanceTask(taskId, 'processing');
    simulator.advanceTask(taskId, 'succeed');
    // The succeed callback queues behind any earlier one; once it is here, nothing else came first.
    const received = await receiver.waitForCount(1);
    expect(received.map((callback) => callback.body.task_status)).toEqual(['succeed']);
  });

  it('duplicate: true sends every callback twice', async () => {
    const taskId = await createWithCallback({ callbacks: { statuses: 'terminal', duplicate: true } });
    simulator.advanceTask(taskId, 'succeed');
    const received = await receiver.waitForCount(2);
    expect(received[0]?.body).toEqual(received[1]?.body);
  });

  it('delayMs holds each delivery back', async () => {
    const taskId = await createWithCallback({ callbacks: { statuses: 'terminal', delayMs: 50 } });
    const advancedAt = Date.now();
    simulator.advanceTask(taskId, 'succeed');
    await receiver.waitForCount(1);
    expect(Date.now() - advancedAt).toBeGreaterThanOrEqual(45);
  });

  it('enabled: false sends nothing', async () => {
    const taskId = await createWithCallback({ callbacks: { enabled: false } });
    simulator.advanceTask(taskId, 'succeed');
    await simulator.stop();
    // A second simulator's callback, sent later, arrives alone: the first one never sent any.
    const witness = await createWithCallback({ callbacks: { statuses: 'terminal' } }, '/witness');
    simulator.advanceTask(witness, 'succeed');
    await receiver.waitForCount(1);
    expect(receiver.received.map((callback) => callback.path)).toEqual(['/witness']);
  });
});

describe('a failing receiver', () => {
  it('is ignored: the task still ends and the simulator keeps serving', async () => {
    await receiver.stop();
    receiver = await startCallbackReceiver(500);
    const taskId = await createWithCallback();
    simulator.advanceTask(taskId, 'succeed');
    await receiver.waitForCount(2);
    expect(simulator.tasks()[0]?.status).toBe('succeed');
  });

  it('is ignored when nothing listens at all', async () => {
    simulator = await startKlingSimulator({ timings: 'manual' });
    const kling = klingHttp(simulator.url, DEFAULT_ACCOUNT);
    const created = await kling.post(TASKS, {
      image: 'https://example.com/a.png',
      callback_url: 'http://127.0.0.1:1/x',
    });
    simulator.advanceTask(String(created.data.task_id), 'succeed');
    expect((await kling.get(`${TASKS}/${String(created.data.task_id)}`)).data.task_status).toBe('succeed');
  });
});
