/**
 * The simulator checks a create body's fields the way the provider does: 1201 with the real
 * wording, 1301 for flagged content, and acceptance where the reference says to be lenient.
 * Cross-field rules and the capability map: simulator.validation.features.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ACCOUNT,
  type KlingSimulator,
  startKlingSimulator,
} from '../src/upstream/simulator/index.js';
import { pngBase64 } from './fixtures/images.js';
import { type KlingHttp, klingHttp } from './helpers/kling-http.js';

const TASKS = '/v1/videos/image2video';
const IMAGE = 'https://example.com/first.png';

let simulator: KlingSimulator;
let kling: KlingHttp;
beforeAll(async () => {
  // Room for every accepted body in this file.
  simulator = await startKlingSimulator({ timings: 'manual', concurrencyLimit: 1000 });
  kling = klingHttp(simulator.url, DEFAULT_ACCOUNT);
});
afterAll(() => simulator.stop());

const withImage = (fields: Record<string, unknown>) => ({ image: IMAGE, ...fields });
const v3 = (fields: Record<string, unknown>) => withImage({ model_name: 'kling-v3', prompt: 'x', ...fields });

describe('refused with 400 / 1201', () => {
  it.each<[string, Record<string, unknown>, string | RegExp]>([
    ['no image', { prompt: 'x' }, 'image can not be null'],
    [
      'a data: URL',
      { image: `data:image/png;base64,${pngBase64(300, 300)}` },
      'File is not in a valid base64 format',
    ],
    ['non-base64 text', { image: 'not an image!' }, 'File is not in a valid base64 format'],
    [
      'base64 that is no image',
      { image: Buffer.from('hello world!').toString('base64') },
      /format is invalid/,
    ],
    [
      'an image under 300 px',
      { image: pngBase64(299, 400) },
      'image width and height must be at least 300px',
    ],
    [
      'an image wider than 2.5:1',
      { image: pngBase64(760, 300) },
      /aspect ratio must be between 1:2.5 and 2.5:1/,
    ],
    ['a tail under 300 px', withImage({ image_tail: pngBase64(300, 200) }), /image_tail width and height/],
    ['an unknown model', withImage({ model_name: 'kling-v9' }), "model_name value 'kling-v9' is invalid"],
    [
      'an omni model',
      withImage({ model_name: 'kling-v3-omni' }),
      "model_name value 'kling-v3-omni' is invalid",
    ],
    ['an unknown mode', withImage({ mode: 'ultra' }), "mode value 'ultra' is invalid"],
    [
      'duration 7 on kling-v2-6',
      withImage({ model_name: 'kling-v2-6', duration: '7' }),
      "duration value '7' is invalid",
    ],
    ['duration 20 on kling-v3', v3({ duration: '20' }), "duration value '20' is invalid"],
    ['duration 5.5', withImage({ duration: 5.5 }), "duration value '5.5' is invalid"],
    [
      'a prompt over 2500 characters',
      withImage({ prompt: 'a'.repeat(2501) }),
      /prompt length must not exceed 2500/,
    ],
    ['a long negative_prompt', withImage({ negative_prompt: 'a'.repeat(2501) }), /negative_prompt length/],
    ['an empty v3 prompt', withImage({ model_name: 'kling-v3' }), 'prompt can not be null'],
    ['cfg_scale above 1', withImage({ cfg_scale: 1.5 }), "cfg_scale value '1.5' is invalid"],
    ['sound "yes"', withImage({ sound: 'yes' }), "sound value 'yes' is invalid"],
    ['multi_shot "yes"', withImage({ multi_shot: 'yes' }), "multi_shot value 'yes' is invalid"],
    ['a bad callback_url', withImage({ callback_url: 'ftp://x' }), "callback_url value 'ftp://x' is invalid"],
    [
      'a numeric external_task_id',
      withImage({ external_task_id: 7 }),
      "external_task_id value '7' is invalid",
    ],
  ])('%s', async (_rule, body, message) => {
    const answer = await kling.post(TASKS, body);
    expect(answer.status, answer.text).toBe(400);
    expect(answer.envelope.code, answer.text).toBe(1201);
    expect(answer.envelope.message).toEqual(
      typeof message === 'string' ? message : expect.stringMatching(message),
    );
  });
});

describe('accepted where the reference is lenient', () => {
  it.each<[string, Record<string, unknown>]>([
    ['a 300×300 base64 PNG', { image: pngBase64(300, 300) }],
    ['a last frame of any aspect ratio', withImage({ image_tail: pngBase64(900, 300) })],
    ['a numeric duration', withImage({ duration: 10 })],
    [
      'string booleans',
      v3({ multi_shot: 'true', shot_type: 'intelligence', watermark_info: { enabled: 'true' } }),
    ],
    ['unknown fields such as aspect_ratio', withImage({ aspect_ratio: '16:9', model: 'kling-v1' })],
    ['cfg_scale on v2', withImage({ model_name: 'kling-v2-1', cfg_scale: 0.3 })],
    ['cfg_scale on v3', v3({ cfg_scale: 0 })],
    ['a mode on a master model', withImage({ model_name: 'kling-v2-master', mode: 'std' })],
    ['an empty prompt before v3', withImage({ model_name: 'kling-v2-5-turbo', prompt: '' })],
    ['JSON nulls for optional fields', withImage({ prompt: null, camera_control: null, voice_list: null })],
  ])('%s', async (_case, body) => {
    const answer = await kling.post(TASKS, body);
    expect(answer.envelope.code, answer.text).toBe(0);
  });
});

describe('content security', () => {
  it('refuses a flagged prompt with 400 / 1301 and creates nothing', async () => {
    const before = simulator.tasks().length;
    const answer = await kling.post(TASKS, withImage({ prompt: 'please sim:reject this' }));
    expect([answer.status, answer.envelope.code]).toEqual([400, 1301]);
    expect(simulator.tasks()).toHaveLength(before);
  });

  it('checks multi-shot prompts too', async () => {
    const shots = [{ index: 1, prompt: 'sim:reject', duration: '5' }];
    const answer = await kling.post(
      TASKS,
      v3({ multi_shot: true, shot_type: 'customize', multi_prompt: shots }),
    );
    expect(answer.envelope.code).toBe(1301);
  });
});
