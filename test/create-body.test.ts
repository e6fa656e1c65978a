import { describe, expect, it } from 'vitest';
import type { ImageToVideoInput, ImageToVideoRequest } from '../src/resolvers/image-to-video-request.js';
import { validateImageToVideoInput } from '../src/resolvers/validate-image-to-video-input.js';
import { toCreateImageToVideoBody } from '../src/upstream/create-body.js';
import { FRAME_PNG_BASE64 } from './fixtures/images.js';

const IMAGE = 'https://cdn.example.com/first.png';
const TAIL = 'https://cdn.example.com/last.png';
/** A 640×360 PNG: a mask whose header passes every pixel rule. */
const MASK = FRAME_PNG_BASE64;
const ids = { externalTaskId: 'kg-7f0c' };

/** Bodies are built from validated requests, as the gateway does. */
function request(input: ImageToVideoInput): ImageToVideoRequest {
  const result = validateImageToVideoInput(input);
  if (!result.ok) expect.fail(`invalid test input: ${JSON.stringify(result.issues, null, 2)}`);
  return result.request;
}

const bodyOf = (input: ImageToVideoInput) => toCreateImageToVideoBody(request(input), ids);

describe('toCreateImageToVideoBody', () => {
  it('sends a minimal request with the defaults made explicit and nothing else', () => {
    expect(bodyOf({ image: IMAGE })).toEqual({
      model_name: 'kling-v1',
      image: IMAGE,
      mode: 'std',
      duration: '5',
      external_task_id: 'kg-7f0c',
    });
  });

  it('adds callback_url when given', () => {
    const body = toCreateImageToVideoBody(request({ image: IMAGE }), {
      ...ids,
      callbackUrl: 'https://gw.example.com/cb/t1',
    });
    expect(body.callback_url).toBe('https://gw.example.com/cb/t1');
  });

  it('maps every optional field the client set', () => {
    expect(
      bodyOf({
        model: 'kling-v1-6',
        mode: 'pro',
        duration: 10,
        image: IMAGE,
        imageTail: TAIL,
        prompt: 'a cat',
        negativePrompt: 'blur',
        cfgScale: 0,
        watermark: true,
      }),
    ).toEqual({
      model_name: 'kling-v1-6',
      image: IMAGE,
      image_tail: TAIL,
      prompt: 'a cat',
      negative_prompt: 'blur',
      cfg_scale: 0,
      mode: 'pro',
      duration: '10',
      watermark_info: { enabled: true },
      external_task_id: 'kg-7f0c',
    });
  });

  it.each<[string, ImageToVideoInput, 'on' | 'off' | undefined]>([
    ['leaves sound out for models without it', { image: IMAGE }, undefined],
    [
      'sends sound off by default where the model has it',
      { model: 'kling-v3', image: IMAGE, prompt: 'x' },
      'off',
    ],
    ['sends sound on', { model: 'kling-v2-6', mode: 'pro', image: IMAGE, sound: true }, 'on'],
  ])('%s', (_, input, sound) => {
    expect(bodyOf(input).sound).toBe(sound);
  });

  it('leaves mode out for the masters', () => {
    expect(bodyOf({ model: 'kling-v2-1-master', mode: 'pro', image: IMAGE })).not.toHaveProperty('mode');
  });

  it('sends a CUSTOMIZE storyboard with durations as strings', () => {
    const body = bodyOf({
      model: 'kling-v3',
      image: IMAGE,
      duration: 8,
      multiShot: true,
      shotType: 'customize',
      shots: [
        { index: 1, prompt: 'wide', duration: 3 },
        { index: 2, prompt: 'close', duration: 5 },
      ],
    });
    expect(body).toMatchObject({
      multi_shot: true,
      shot_type: 'customize',
      multi_prompt: [
        { index: 1, prompt: 'wide', duration: '3' },
        { index: 2, prompt: 'close', duration: '5' },
      ],
      duration: '8',
    });
  });

  it('sends INTELLIGENCE without multi_prompt', () => {
    const body = bodyOf({
      model: 'kling-v3',
      image: IMAGE,
      prompt: 'a day',
      multiShot: true,
      shotType: 'intelligence',
    });
    expect(body).toMatchObject({ multi_shot: true, shot_type: 'intelligence', prompt: 'a day' });
    expect(body).not.toHaveProperty('multi_prompt');
  });

  it('leaves the multi-shot fields out when multiShot is off', () => {
    const body = bodyOf({ model: 'kling-v3', image: IMAGE, prompt: 'x' });
    for (const key of [
      'multi_shot',
      'shot_type',
      'multi_prompt',
      'voice_list',
      'watermark_info',
      'callback_url',
    ]) {
      expect(body).not.toHaveProperty(key);
    }
  });

  it('sends voices as voice_list', () => {
    const body = bodyOf({
      model: 'kling-v2-6',
      mode: 'pro',
      image: IMAGE,
      prompt: '<<<voice_1>>> says hi',
      voices: [{ voiceId: '850087542757535834' }],
      sound: true,
    });
    expect(body.voice_list).toEqual([{ voice_id: '850087542757535834' }]);
  });

  it('sends a SIMPLE camera move with its one axis', () => {
    const body = bodyOf({
      model: 'kling-v1-5',
      mode: 'pro',
      image: IMAGE,
      cameraControl: { type: 'simple', config: { pan: 0, zoom: -4 } },
    });
    expect(body.camera_control).toEqual({ type: 'simple', config: { zoom: -4 } });
  });

  it('sends the motion brush', () => {
    const trajectories = [
      { x: 10, y: 20 },
      { x: 30, y: 40 },
    ];
    const body = bodyOf({ image: IMAGE, staticMask: MASK, dynamicMasks: [{ mask: MASK, trajectories }] });
    expect(body).toMatchObject({ static_mask: MASK, dynamic_masks: [{ mask: MASK, trajectories }] });
  });
});
