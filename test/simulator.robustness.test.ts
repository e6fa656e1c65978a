/**
 * Nothing a client sends crashes the simulator: broken or oversized bodies get 1200, odd values
 * get a business code, odd paths a 4xx, and the server keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ACCOUNT,
  type KlingSimulator,
  startKlingSimulator,
} from '../src/upstream/simulator/index.js';
import { type KlingHttp, klingHttp } from './helpers/kling-http.js';

const TASKS = '/v1/videos/image2video';
const IMAGE = 'https://example.com/first.png';

let simulator: KlingSimulator;
let kling: KlingHttp;
beforeAll(async () => {
  simulator = await startKlingSimulator({ timings: 'manual', concurrencyLimit: 10_000 });
  kling = klingHttp(simulator.url, DEFAULT_ACCOUNT);
});
afterAll(() => simulator.stop());

describe('bodies', () => {
  it('answers 400 / 1200 to a body that is not JSON, and records the raw text', async () => {
    const broken = await kling.send('POST', TASKS, { body: '{"image":' });
    expect([broken.status, broken.envelope.code]).toEqual([400, 1200]);
    expect(simulator.requests.at(-1)).toMatchObject({ body: '{"image":', answeredCode: 1200 });
  });

  it('answers 400 / 1200 to JSON that is not an object', async () => {
    for (const body of ['[]', '"text"', '42', 'null', '']) {
      const answer = await kling.send('POST', TASKS, { body });
      expect([answer.status, answer.envelope.code], body).toEqual([400, 1200]);
    }
  });

  it('answers 413 / 1200 to a body over 50 MB, and keeps serving', async () => {
    const huge = await kling.send('POST', TASKS, { body: `"${'a'.repeat(50 * 1024 * 1024)}"` });
    expect([huge.status, huge.envelope.code]).toEqual([413, 1200]);
    expect((await kling.get(TASKS)).envelope.code).toBe(0);
  });
});

describe('odd values', () => {
  const FIELDS = [
    'model_name',
    'mode',
    'duration',
    'image',
    'image_tail',
    'prompt',
    'negative_prompt',
    'multi_shot',
    'shot_type',
    'multi_prompt',
    'element_list',
    'voice_list',
    'sound',
    'cfg_scale',
    'static_mask',
    'dynamic_masks',
    'camera_control',
    'watermark_info',
    'callback_url',
    'external_task_id',
  ];
  const ODD_VALUES: unknown[] = [
    null,
    0,
    -1,
    1e308,
    'x',
    '',
    [],
    {},
    true,
    [null],
    [{}],
    { type: [] },
    [[1]],
  ];

  it('answers every odd value of every field with 0 or 1201, never a 5000', async () => {
    for (const field of FIELDS) {
      for (const value of ODD_VALUES) {
        const body = { image: IMAGE, model_name: 'kling-v3', prompt: 'x', [field]: value };
        const answer = await kling.post(TASKS, body);
        expect([0, 1201], `${field} = ${JSON.stringify(value)}: ${answer.text}`).toContain(
          answer.envelope.code,
        );
      }
    }
  });
});

describe('paths', () => {
  it('answers odd paths and ids with a 4xx envelope', async () => {
    const paths = [`${TASKS}/%E0%A4%A`, `${TASKS}/${'9'.repeat(5000)}`, '//v1', '/'];
    for (const path of paths) {
      const answer = await kling.get(path);
      expect(answer.status, `${path}: ${answer.text}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `${path}: ${answer.text}`).toBeLessThan(500);
    }
  });

  it('answers unknown media with 404 and keeps serving', async () => {
    expect((await fetch(`${simulator.origin}/videos/123.mp4`)).status).toBe(404);
    expect((await fetch(`${simulator.origin}/videos/123.mp4`, { method: 'POST' })).status).toBe(405);
    expect((await kling.get(TASKS)).envelope.code).toBe(0);
  });
});
