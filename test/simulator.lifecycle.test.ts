/**
 * A task's life in the simulator: submitted → processing → succeed | failed on timers or by hand,
 * results that resolve, and the per-account concurrency limit (1303) that frees a slot at the end.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_ACCOUNT,
  type KlingSimulator,
  type SimulatorOptions,
  startKlingSimulator,
} from '../src/upstream/simulator/index.js';
import { type KlingHttp, klingHttp } from './helpers/kling-http.js';
import { waitFor } from './helpers/wait-for.js';

const TASKS = '/v1/videos/image2video';
const TINY_TIMINGS = { submittedMs: [1, 5], processingMs: [1, 5] } satisfies SimulatorOptions['timings'];

let simulator: KlingSimulator;
let kling: KlingHttp;
const start = async (options: SimulatorOptions) => {
  simulator = await startKlingSimulator(options);
  kling = klingHttp(simulator.url, DEFAULT_ACCOUNT);
};
afterEach(() => simulator.stop());

const create = (overrides: Record<string, unknown> = {}) =>
  kling.post(TASKS, {
    image: 'https://example.com/a.png',
    prompt: 'a cat',
    external_task_id: `kg-${randomUUID()}`,
    ...overrides,
  });
const query = async (taskId: unknown) => (await kling.get(`${TASKS}/${String(taskId)}`)).data;
const until = (taskId: unknown, status: string) =>
  waitFor(async () => ((await query(taskId)).task_status === status ? query(taskId) : undefined), {
    what: status,
  });

describe('on timers', () => {
  it('succeeds with an 18-digit video, a fractional duration, a price, and a file that resolves', async () => {
    await start({ timings: TINY_TIMINGS });
    const { data: created } = await create({
      model_name: 'kling-v2-6',
      mode: 'pro',
      duration: '10',
      watermark_info: { enabled: true },
    });

    const done = await until(created.task_id, 'succeed');
    const [video] = (done.task_result as { videos: Record<string, string>[] }).videos;
    expect(done).toMatchObject({ task_status_msg: '', final_unit_deduction: '5' });
    expect(Number(done.updated_at)).toBeGreaterThan(Number(done.created_at));
    expect(video).toEqual({
      id: expect.stringMatching(/^\d{18}$/),
      url: `${simulator.origin}/videos/${video?.id}.mp4`,
      watermark_url: `${simulator.origin}/videos/${video?.id}-wm.mp4`,
      duration: expect.stringMatching(/^10\.0\d\d$/),
    });
    for (const url of [video?.url, video?.watermark_url]) {
      const file = await fetch(String(url));
      expect([file.status, file.headers.get('content-type')]).toEqual([200, 'video/mp4']);
    }
  });

  it('prices std 5 s at 1.5 units and leaves watermark_url out unless asked', async () => {
    await start({ timings: TINY_TIMINGS });
    const { data: created } = await create({ model_name: 'kling-v2-1' });
    const done = await until(created.task_id, 'succeed');
    expect(done.final_unit_deduction).toBe('1.5');
    expect((done.task_result as { videos: object[] }).videos[0]).not.toHaveProperty('watermark_url');
  });

  it("fails a prompt containing 'sim:fail' with a moderation-like message", async () => {
    await start({ timings: TINY_TIMINGS });
    const { data: created } = await create({ prompt: 'sim:fail please' });
    const done = await until(created.task_id, 'failed');
    expect(done).toMatchObject({
      task_status_msg: 'Failure to pass the risk control system',
      task_result: { videos: [] },
    });
  });

  it('lets the outcome option decide from the body', async () => {
    await start({
      timings: TINY_TIMINGS,
      outcome: () => ({ status: 'failed', message: 'mask size mismatch' }),
    });
    const { data: created } = await create();
    expect((await until(created.task_id, 'failed')).task_status_msg).toBe('mask size mismatch');
  });
});

describe('by hand', () => {
  it('stays submitted until advanced, then moves forward only', async () => {
    await start({ timings: 'manual' });
    const { data: created } = await create();
    const taskId = String(created.task_id);

    simulator.advanceTask(taskId, 'processing');
    expect((await query(taskId)).task_status).toBe('processing');
    simulator.advanceTask(taskId, 'failed', 'output moderated');
    expect(await query(taskId)).toMatchObject({ task_status: 'failed', task_status_msg: 'output moderated' });

    expect(() => simulator.advanceTask(taskId, 'succeed')).toThrow(/cannot move from failed to succeed/);
    expect(() => simulator.advanceTask('404', 'succeed')).toThrow(/unknown task/);
    expect(simulator.tasks()[0]).toMatchObject({ taskId, status: 'failed' });
  });
});

describe('concurrency', () => {
  it('refuses the create past the limit with 429 / 1303, creates nothing, and frees the slot at the end', async () => {
    await start({ timings: 'manual', concurrencyLimit: 2 });
    const first = await create();
    await create();

    const refused = await create({ external_task_id: 'kg-over-the-limit' });
    expect(refused.status).toBe(429);
    expect(refused.envelope).toMatchObject({ code: 1303, message: 'parallel task over resource pack limit' });
    expect(simulator.tasks()).toHaveLength(2);

    simulator.advanceTask(String(first.data.task_id), 'succeed');
    expect((await create({ external_task_id: 'kg-over-the-limit' })).envelope.code).toBe(0);
  });

  it('counts per account and can answer 1303 with HTTP 200', async () => {
    const other = { accessKey: 'other', secretKey: 'other-secret' };
    await start({
      timings: 'manual',
      concurrencyLimit: 1,
      concurrencyErrorHttpStatus: 200,
      accounts: [DEFAULT_ACCOUNT, other],
    });
    await create();
    const refused = await create();
    expect([refused.status, refused.envelope.code]).toEqual([200, 1303]);
    expect(
      (await klingHttp(simulator.url, other).post(TASKS, { image: 'https://example.com/a.png' })).envelope
        .code,
    ).toBe(0);
  });
});
