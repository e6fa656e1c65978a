import { describe, expect, it } from 'vitest';
import type { ImageToVideoInput, ImageToVideoRequest } from '../src/resolvers/image-to-video-request.js';
import { validateImageToVideoInput } from '../src/resolvers/validate-image-to-video-input.js';
import { LIMITS } from '../src/upstream/capabilities.js';
import { FRAME_PNG_BASE64 } from './fixtures/images.js';

const IMAGE = 'https://cdn.example.com/first.png';
const TAIL = 'https://cdn.example.com/last.png';
/** A 640×360 PNG, as raw base64: its header passes every pixel rule. */
const BASE64 = FRAME_PNG_BASE64;

function expectValid(input: ImageToVideoInput): ImageToVideoRequest {
  const result = validateImageToVideoInput(input);
  if (!result.ok) expect.fail(`expected a valid input, got ${JSON.stringify(result.issues, null, 2)}`);
  return result.request;
}

const points = (count: number) => Array.from({ length: count }, (_, i) => ({ x: i, y: i * 2 }));
const shots = (durations: number[]) =>
  durations.map((duration, i) => ({ index: i + 1, prompt: `shot ${i + 1}`, duration }));

describe('validateImageToVideoInput accepts', () => {
  it('a minimal input and makes every provider default explicit', () => {
    expect(expectValid({ image: IMAGE })).toEqual({
      model: 'kling-v1',
      mode: 'std',
      duration: 5,
      image: IMAGE,
      voiceIds: [],
      sound: false,
      dynamicMasks: [],
      multiShot: false,
      shots: [],
      watermark: false,
    });
  });

  it('nulls everywhere as absent values', () => {
    const request = expectValid({
      model: null,
      image: IMAGE,
      imageTail: null,
      prompt: null,
      negativePrompt: null,
      voices: null,
      sound: null,
      cfgScale: null,
      mode: null,
      staticMask: null,
      dynamicMasks: null,
      multiShot: null,
      shotType: null,
      shots: null,
      cameraControl: null,
      duration: null,
      watermark: null,
    });
    expect(request).toEqual(expectValid({ image: IMAGE }));
  });

  it.each<[string, ImageToVideoInput]>([
    ['a raw base64 image', { image: BASE64 }],
    ['an http URL', { image: 'http://cdn.example.com/a.jpg' }],
    ['a prompt of exactly the limit', { image: IMAGE, prompt: 'a'.repeat(LIMITS.promptMaxLength) }],
    [
      'a negativePrompt of exactly the limit',
      { image: IMAGE, negativePrompt: 'n'.repeat(LIMITS.negativePromptMaxLength) },
    ],
    ['cfgScale 0', { image: IMAGE, cfgScale: 0 }],
    ['cfgScale 1', { image: IMAGE, cfgScale: 1 }],
    [
      'cfgScale on a v2.x model (UNCERTAIN there: accepted)',
      { model: 'kling-v2-1', image: IMAGE, cfgScale: 0.7 },
    ],
    ['kling-v3 at 3 s', { model: 'kling-v3', image: IMAGE, prompt: 'a cat', duration: 3 }],
    ['kling-v3 at 15 s', { model: 'kling-v3', image: IMAGE, prompt: 'a cat', duration: 15 }],
    ['a master with a mode (ignored)', { model: 'kling-v2-master', image: IMAGE, mode: 'pro', duration: 10 }],
    [
      'an empty prompt on a pre-v3 model (UNCERTAIN: lenient)',
      { model: 'kling-v2-5-turbo', image: IMAGE, prompt: '' },
    ],
    ['a first/last-frame pair on kling-v1 std 5 s', { image: IMAGE, imageTail: TAIL }],
    [
      'a last frame only on kling-v1-5 pro 10 s',
      { model: 'kling-v1-5', mode: 'pro', duration: 10, imageTail: TAIL },
    ],
    [
      'a first/last-frame pair on kling-v3 with sound',
      { model: 'kling-v3', image: IMAGE, imageTail: TAIL, prompt: 'x', sound: true },
    ],
    [
      'a silent first/last-frame pair on kling-v2-6 pro',
      { model: 'kling-v2-6', mode: 'pro', image: IMAGE, imageTail: TAIL },
    ],
    ['watermark', { image: IMAGE, watermark: true }],
  ])('%s', (_, input) => {
    expectValid(input);
  });

  describe('motion brush', () => {
    it.each([LIMITS.trajectoryPointsMin, LIMITS.trajectoryPointsMax])(
      'a trajectory of %i points',
      (count) => {
        expectValid({ image: IMAGE, dynamicMasks: [{ mask: BASE64, trajectories: points(count) }] });
      },
    );

    it('a static mask with the maximum number of dynamic masks on kling-v1-5 pro 5 s', () => {
      const request = expectValid({
        model: 'kling-v1-5',
        mode: 'pro',
        image: IMAGE,
        staticMask: BASE64,
        dynamicMasks: Array.from({ length: LIMITS.dynamicMasksMax }, () => ({
          mask: IMAGE,
          trajectories: points(2),
        })),
      });
      expect(request.staticMask).toBe(BASE64);
      expect(request.dynamicMasks).toHaveLength(LIMITS.dynamicMasksMax);
    });
  });

  describe('camera control', () => {
    it.each([LIMITS.cameraAxisMin, LIMITS.cameraAxisMax])(
      'a SIMPLE move with an axis at exactly %i',
      (pan) => {
        const request = expectValid({
          model: 'kling-v1-5',
          mode: 'pro',
          image: IMAGE,
          cameraControl: {
            type: 'simple',
            config: { horizontal: 0, vertical: 0, pan, tilt: 0, roll: 0, zoom: 0 },
          },
        });
        expect(request.cameraControl).toEqual({ type: 'simple', config: { pan } });
      },
    );
  });

  describe('multi-shot storyboards on kling-v3', () => {
    const storyboard = { model: 'kling-v3', image: IMAGE, multiShot: true, shotType: 'customize' } as const;

    it('6 shots adding up to the duration', () => {
      const request = expectValid({ ...storyboard, duration: 15, shots: shots([3, 3, 3, 2, 2, 2]) });
      expect(request.shots).toHaveLength(LIMITS.shotsMax);
    });

    it('one shot as long as the task', () => {
      expectValid({ ...storyboard, duration: 5, shots: shots([5]) });
    });

    it('shots listed out of index order', () => {
      const request = expectValid({
        ...storyboard,
        duration: 5,
        shots: [
          { index: 2, prompt: 'second', duration: 2 },
          { index: 1, prompt: 'first', duration: 3 },
        ],
      });
      expect(request.shots.map((shot) => shot.index)).toEqual([2, 1]);
    });

    it('INTELLIGENCE with a prompt', () => {
      const request = expectValid({
        model: 'kling-v3',
        image: IMAGE,
        multiShot: true,
        shotType: 'intelligence',
        prompt: 'a day',
      });
      expect(request).toMatchObject({ multiShot: true, shotType: 'intelligence', shots: [] });
    });
  });

  describe('voices and sound on kling-v2-6 pro', () => {
    it('two voices referenced in the prompt with sound on', () => {
      const request = expectValid({
        model: 'kling-v2-6',
        mode: 'pro',
        duration: 10,
        image: IMAGE,
        prompt: '<<<voice_1>>> greets <<<voice_2>>>',
        voices: [{ voiceId: '850087542757535834' }, { voiceId: '837076832956186666' }],
        sound: true,
      });
      expect(request.voiceIds).toEqual(['850087542757535834', '837076832956186666']);
      expect(request.sound).toBe(true);
    });
  });
});

describe('validateImageToVideoInput normalizes', () => {
  it('a SIMPLE config to its one non-zero axis', () => {
    const request = expectValid({
      model: 'kling-v1-5',
      mode: 'pro',
      image: IMAGE,
      cameraControl: { type: 'simple', config: { pan: 0, zoom: -3, tilt: null } },
    });
    expect(request.cameraControl).toEqual({ type: 'simple', config: { zoom: -3 } });
  });

  it('an empty prompt and negativePrompt to absent ones', () => {
    const request = expectValid({ image: IMAGE, prompt: '', negativePrompt: '' });
    expect(request).not.toHaveProperty('prompt');
    expect(request).not.toHaveProperty('negativePrompt');
  });

  it('keeps cfgScale 0 and leaves cfgScale out when not given', () => {
    expect(expectValid({ image: IMAGE, cfgScale: 0 }).cfgScale).toBe(0);
    expect(expectValid({ image: IMAGE })).not.toHaveProperty('cfgScale');
  });

  it('voices to their ids', () => {
    const request = expectValid({
      model: 'kling-v2-6',
      mode: 'pro',
      image: IMAGE,
      voices: [{ voiceId: '42' }],
    });
    expect(request.voiceIds).toEqual(['42']);
  });

  it('keeps what the client chose', () => {
    const request = expectValid({
      model: 'kling-v1-6',
      mode: 'pro',
      duration: 10,
      image: BASE64,
      imageTail: TAIL,
      prompt: 'a cat',
      negativePrompt: 'blur',
      cfgScale: 0.3,
      watermark: true,
    });
    expect(request).toEqual({
      model: 'kling-v1-6',
      mode: 'pro',
      duration: 10,
      image: BASE64,
      imageTail: TAIL,
      prompt: 'a cat',
      negativePrompt: 'blur',
      voiceIds: [],
      sound: false,
      cfgScale: 0.3,
      dynamicMasks: [],
      multiShot: false,
      shots: [],
      watermark: true,
    });
  });
});
