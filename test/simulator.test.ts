/**
 * The simulator speaks Kling's image-to-video protocol: create, then read a task by id, by external
 * id (path or query) and through the paged list, each account seeing only its own tasks.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_ACCOUNT,
  type KlingSimulator,
  startKlingSimulator,
} from '../src/upstream/simulator/index.js';
import { type KlingHttp, klingHttp } from './helpers/kling-http.js';

const TASKS = '/v1/videos/image2video';
const OTHER_ACCOUNT = { accessKey: 'other-access-key', secretKey: 'other-secret-key' };

const body = (overrides: Record<string, unknown> = {}) => ({
  model_name: 'kling-v2-6',
  mode: 'pro',
  image: 'https://example.com/first.png',
  prompt: 'a cat surfing a wave',
  duration: '5',
  external_task_id: `kg-${randomUUID()}`,
  ...overrides,
});

let simulator: KlingSimulator;
let kling: KlingHttp;

beforeEach(async () => {
  simulator = await startKlingSimulator({ timings: 'manual', accounts: [DEFAULT_ACCOUNT, OTHER_ACCOUNT] });
  kling = klingHttp(simulator.url, DEFAULT_ACCOUNT);
});
afterEach(() => simulator.stop());

describe('creating a task', () => {
  it('answers the envelope with an 18-digit task id and the external id echoed', async () => {
    const sent = body();
    const created = await kling.post(TASKS, sent);

    expect(created.status).toBe(200);
    expect(created.envelope).toMatchObject({ code: 0, message: 'SUCCEED' });
    expect(created.envelope.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.data).toEqual({
      task_id: expect.stringMatching(/^\d{18}$/),
      task_status: 'submitted',
      task_info: { external_task_id: sent.external_task_id },
      created_at: expect.any(Number),
      updated_at: created.data.created_at,
    });
    expect(simulator.tasks()).toMatchObject([
      { account: DEFAULT_ACCOUNT.accessKey, taskId: created.data.task_id, status: 'submitted', body: sent },
    ]);
  });

  it('gives every task its own id', async () => {
    const ids = new Set<unknown>();
    for (let i = 0; i < 5; i += 1) ids.add((await kling.post(TASKS, body())).data.task_id);
    expect(ids.size).toBe(5);
  });

  it('refuses a second task with the same external_task_id in the account, but not in another', async () => {
    const sent = body();
    await kling.post(TASKS, sent);

    const again = await kling.post(TASKS, sent);
    expect(again.status).toBe(400);
    expect(again.envelope).toMatchObject({
      code: 1201,
      message: `external_task_id '${sent.external_task_id}' already exists`,
    });
    expect(again.envelope.data).toBeUndefined();

    const elsewhere = await klingHttp(simulator.url, OTHER_ACCOUNT).post(TASKS, sent);
    expect(elsewhere.envelope.code).toBe(0);
  });

  it('answers task_info {} when no external id was sent', async () => {
    const created = await kling.post(TASKS, body({ external_task_id: undefined }));
    expect(created.data.task_info).toEqual({});
  });
});

describe('reading a task', () => {
  it('finds it by task_id, by external id in the path and by ?external_task_id=', async () => {
    const sent = body({ watermark_info: { enabled: true } });
    const { data: created } = await kling.post(TASKS, sent);
    const expected = {
      task_id: created.task_id,
      task_status: 'submitted',
      task_status_msg: '',
      task_info: { external_task_id: sent.external_task_id },
      task_result: { videos: [] },
      watermark_info: { enabled: true },
      created_at: created.created_at,
      updated_at: created.updated_at,
    };

    expect((await kling.get(`${TASKS}/${created.task_id}`)).data).toEqual(expected);
    expect((await kling.get(`${TASKS}/${sent.external_task_id}`)).data).toEqual(expected);
    expect((await kling.get(`${TASKS}?external_task_id=${sent.external_task_id}`)).data).toEqual(expected);
  });

  it('answers 1201 "Task not found by id/external id" for an unknown id or another account\'s task', async () => {
    const { data: created } = await klingHttp(simulator.url, OTHER_ACCOUNT).post(TASKS, body());

    for (const path of [
      `${TASKS}/123456789012345678`,
      `${TASKS}/${created.task_id}`,
      `${TASKS}?external_task_id=nope`,
    ]) {
      const miss = await kling.get(path);
      expect(miss.status).toBe(400);
      expect(miss.envelope).toMatchObject({ code: 1201, message: 'Task not found by id/external id' });
    }
  });
});

describe('listing tasks', () => {
  it('pages newest first with defaults of page 1 and 30 per page', async () => {
    const ids: unknown[] = [];
    for (let i = 0; i < 4; i += 1) ids.push((await kling.post(TASKS, body())).data.task_id);
    const newestFirst = [...ids].reverse();

    const all = await kling.get(TASKS);
    expect((all.envelope.data as { task_id: string }[]).map((task) => task.task_id)).toEqual(newestFirst);

    const second = await kling.get(`${TASKS}?pageNum=2&pageSize=3`);
    expect((second.envelope.data as { task_id: string }[]).map((task) => task.task_id)).toEqual(
      newestFirst.slice(3),
    );

    const pastTheEnd = await kling.get(`${TASKS}?pageNum=3&pageSize=3`);
    expect(pastTheEnd.envelope).toMatchObject({ code: 0, data: [] });
  });

  it("lists only the caller's tasks", async () => {
    await klingHttp(simulator.url, OTHER_ACCOUNT).post(TASKS, body());
    expect((await kling.get(TASKS)).envelope.data).toEqual([]);
  });

  it.each([
    ['pageNum=0', 'pageNum', '0'],
    ['pageNum=1001', 'pageNum', '1001'],
    ['pageSize=0', 'pageSize', '0'],
    ['pageSize=501', 'pageSize', '501'],
    ['pageSize=ten', 'pageSize', 'ten'],
  ])('refuses %s with 1201', async (query, name, value) => {
    const answer = await kling.get(`${TASKS}?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.envelope).toMatchObject({ code: 1201, message: `${name} value '${value}' is invalid` });
  });

  it('accepts the bounds 1000 and 500', async () => {
    expect((await kling.get(`${TASKS}?pageNum=1000&pageSize=500`)).envelope).toMatchObject({
      code: 0,
      data: [],
    });
  });
});
