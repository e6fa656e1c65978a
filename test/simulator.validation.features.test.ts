/**
 * Cross-field rules (kling-api.md 3.2) and the capability map (3.3), as the simulator enforces
 * them from capabilities.ts: refused with 400 / 1201, or accepted in the cells the map allows.
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
const VOICE_1 = { voice_id: '850087542757535834' };
const VOICE_2 = { voice_id: '837076832956186666' };

let simulator: KlingSimulator;
let kling: KlingHttp;
beforeAll(async () => {
  simulator = await startKlingSimulator({ timings: 'manual', concurrencyLimit: 1000 });
  kling = klingHttp(simulator.url, DEFAULT_ACCOUNT);
});
afterAll(() => simulator.stop());

type Fields = Record<string, unknown>;
const on = (model_name: string, mode: string | undefined, fields: Fields = {}): Fields => ({
  image: IMAGE,
  model_name,
  ...(mode === undefined ? {} : { mode }),
  ...fields,
});
const v1 = (fields: Fields) => on('kling-v1', undefined, fields);
const v15pro = (fields: Fields) => on('kling-v1-5', 'pro', fields);
const v26pro = (fields: Fields) => on('kling-v2-6', 'pro', fields);
const v3 = (fields: Fields) => on('kling-v3', undefined, { prompt: 'x', ...fields });
const zoom = (config: Record<string, number> = { zoom: 5 }) => ({
  camera_control: { type: 'simple', config },
});
const path = [
  { x: 10, y: 10 },
  { x: 50, y: 60 },
];
const brush = (groups: number, points = path) => ({
  dynamic_masks: Array.from({ length: groups }, () => ({ mask: IMAGE, trajectories: points })),
});
const shots = (...durations: (string | number)[]) => ({
  multi_shot: true,
  shot_type: 'customize',
  multi_prompt: durations.map((duration, i) => ({ index: i + 1, prompt: `shot ${i + 1}`, duration })),
});

describe('refused with 400 / 1201', () => {
  it.each<[string, Fields, string | RegExp]>([
    ['sound on kling-v1-6', on('kling-v1-6', 'pro', { sound: 'on' }), /kling-v1-6 does not support sound/],
    [
      'sound on kling-v2-6 std',
      on('kling-v2-6', 'std', { sound: 'on' }),
      /in std mode at 5 s \(supported: pro mode/,
    ],
    ['first+last frame on kling-v2-1 std', on('kling-v2-1', 'std', { image_tail: IMAGE }), /image_tail/],
    ['first+last frame on kling-v1 at 10 s', v1({ image_tail: IMAGE, duration: '10' }), /at 10 s/],
    [
      'first+last frame with sound on v2-6',
      v26pro({ image_tail: IMAGE, sound: 'on' }),
      /only with sound 'off'/,
    ],
    ['last frame only on kling-v1', { image_tail: IMAGE }, /image_tail without image/],
    [
      'image_tail with camera_control',
      v15pro({ image_tail: IMAGE, ...zoom() }),
      /image_tail and camera_control/,
    ],
    [
      'image_tail with a motion brush',
      v1({ image_tail: IMAGE, static_mask: IMAGE }),
      /image_tail and static_mask/,
    ],
    [
      'a brush on kling-v1-6',
      on('kling-v1-6', 'pro', { static_mask: IMAGE }),
      /does not support motion brush/,
    ],
    ['a brush at 10 s', v1({ duration: '10', ...brush(1) }), /does not support motion brush/],
    ['seven dynamic masks', v1(brush(7)), /at most 6 groups/],
    ['a one-point trajectory', v1(brush(1, [{ x: 1, y: 1 }])), /2 to 77 points/],
    ['a 78-point trajectory', v1(brush(1, Array(78).fill({ x: 1, y: 1 }))), /2 to 77 points/],
    ['a fractional point', v1(brush(1, [...path, { x: 1.5, y: 1 }])), /trajectories\[2\] value/],
    [
      'a mask without mask',
      v1({ dynamic_masks: [{ trajectories: path }] }),
      'dynamic_masks[0].mask can not be null',
    ],
    ['camera on kling-v1-5 std', on('kling-v1-5', 'std', zoom()), /does not support camera_control/],
    ['camera on kling-v1', v1(zoom()), /does not support camera_control/],
    ['a non-simple camera on v1-5', v15pro({ camera_control: { type: 'down_back' } }), /type 'down_back'/],
    ['two camera axes', v15pro(zoom({ zoom: 5, pan: 1 })), /exactly one non-zero axis/],
    ['no camera axis', v15pro(zoom({ zoom: 0 })), /exactly one non-zero axis/],
    ['a camera axis of 11', v15pro(zoom({ zoom: 11 })), "camera_control.config.zoom value '11' is invalid"],
    [
      'an unknown camera type',
      v15pro({ camera_control: { type: 'spin' } }),
      /camera_control.type value 'spin'/,
    ],
    [
      'a config on down_back',
      v15pro({ camera_control: { type: 'down_back', config: { zoom: 1 } } }),
      /must be empty/,
    ],
    ['multi_shot on kling-v2-6', v26pro({ multi_shot: true }), /does not support multi_shot/],
    [
      'multi_shot without shot_type',
      v3({ multi_shot: true }),
      'shot_type can not be null when multi_shot is true',
    ],
    [
      'multi_shot with image_tail',
      v3({ image_tail: IMAGE, multi_shot: true }),
      /can not be used with image_tail/,
    ],
    [
      'intelligence without prompt',
      v3({ prompt: '', multi_shot: true, shot_type: 'intelligence' }),
      /prompt can/,
    ],
    [
      'customize without shots',
      v3({ multi_shot: true, shot_type: 'customize' }),
      /multi_prompt can not be null/,
    ],
    [
      'shots not summing to duration',
      v3({ duration: '10', ...shots('4', '5') }),
      /durations \(9\) must equal/,
    ],
    ['seven shots', v3({ duration: '7', ...shots(1, 1, 1, 1, 1, 1, 1) }), /1 to 6 shots/],
    [
      'a shot longer than the task',
      v3({ duration: '5', ...shots('6') }),
      /multi_prompt\[0\].duration value '6'/,
    ],
    [
      'a shot prompt over 512',
      v3({ ...shots('5'), multi_prompt: [{ index: 1, prompt: 'a'.repeat(513), duration: '5' }] }),
      /512/,
    ],
    ['voices on kling-v3', v3({ voice_list: [VOICE_1] }), /does not support voice_list/],
    [
      'voices on kling-v2-6 std',
      on('kling-v2-6', 'std', { voice_list: [VOICE_1] }),
      /does not support voice_list/,
    ],
    [
      'an unknown voice',
      v26pro({ voice_list: [{ voice_id: '111111111111111111' }] }),
      "voice_id '111111111111111111' not found",
    ],
    ['three voices', v26pro({ voice_list: [VOICE_1, VOICE_2, VOICE_1] }), /at most 2 items/],
    [
      'a voice reference with sound off',
      v26pro({ prompt: '<<<voice_1>>> hi', voice_list: [VOICE_1] }),
      /sound must be on/,
    ],
    [
      'a reference past the list',
      v26pro({ sound: 'on', prompt: '<<<voice_2>>>', voice_list: [VOICE_1] }),
      /has 1 voice/,
    ],
    [
      'elements on kling-v2-6',
      v26pro({ element_list: [{ element_id: 1 }] }),
      /does not support element_list/,
    ],
    ['four elements', v3({ element_list: Array(4).fill({ element_id: 1 }) }), /at most 3 items/],
    [
      'voices with elements',
      v3({ voice_list: [VOICE_1], element_list: [{ element_id: 1 }] }),
      /can not be used together/,
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

describe('accepted in the cells the map allows', () => {
  it.each<[string, Fields]>([
    ['first+last frame on kling-v1 at 5 s', v1({ image_tail: IMAGE })],
    ['last frame only on kling-v1-6 pro', on('kling-v1-6', 'pro', { image: undefined, image_tail: IMAGE })],
    ['a motion brush on kling-v1', v1({ static_mask: IMAGE, ...brush(6) })],
    ['a 77-point trajectory', v1(brush(1, Array(77).fill({ x: 1, y: 1 })))],
    ['simple camera on kling-v1-5 pro', v15pro(zoom({ zoom: -3, pan: 0 }))],
    ['kling-v3 at 15 s with sound', v3({ duration: '15', sound: 'on' })],
    ['first+last frame on kling-v3 std at 3 s', v3({ mode: 'std', duration: '3', image_tail: IMAGE })],
    ['a customized storyboard', v3({ prompt: '', duration: '10', ...shots('4', 6) })],
    ['an intelligent storyboard', v3({ multi_shot: true, shot_type: 'intelligence' })],
    [
      'two referenced voices',
      v26pro({ sound: 'on', prompt: '<<<voice_1>>>, <<<voice_2>>>', voice_list: [VOICE_1, VOICE_2] }),
    ],
    ['first+last frame on v2-6 pro, silent', v26pro({ image_tail: IMAGE, sound: 'off' })],
    [
      'three elements on kling-v3',
      v3({ element_list: [{ element_id: 1 }, { element_id: '2' }, { element_id: 3 }] }),
    ],
  ])('%s', async (_case, body) => {
    const answer = await kling.post(TASKS, body);
    expect(answer.envelope.code, answer.text).toBe(0);
  });
});
