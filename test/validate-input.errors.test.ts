import { describe, expect, it } from 'vitest';
import type { ImageToVideoInput } from '../src/resolvers/image-to-video-request.js';
import {
  type InputIssue,
  validateImageToVideoInput,
} from '../src/resolvers/validate-image-to-video-input.js';
import { LIMITS } from '../src/upstream/capabilities.js';
import { FRAME_PNG_BASE64 } from './fixtures/images.js';

const IMAGE = 'https://cdn.example.com/first.png';
const TAIL = 'https://cdn.example.com/last.png';
/** A 640×360 PNG: a mask whose header passes every pixel rule. */
const MASK = FRAME_PNG_BASE64;

function issuesOf(input: ImageToVideoInput): InputIssue[] {
  const result = validateImageToVideoInput(input);
  if (result.ok) expect.fail(`expected issues, got a valid request ${JSON.stringify(result.request)}`);
  return result.issues;
}

interface Case {
  rule: string;
  input: ImageToVideoInput;
  path: (string | number)[];
  message: string;
}

/** Each case breaks exactly one rule, so it must be the only issue reported. */
function expectOnlyIssue({ input, path, message }: Case): void {
  expect(issuesOf(input)).toEqual([{ path, message: expect.stringContaining(message) }]);
}

const points = (count: number) => Array.from({ length: count }, (_, i) => ({ x: i, y: i }));
const shots = (durations: number[]) =>
  durations.map((duration, i) => ({ index: i + 1, prompt: `shot ${i + 1}`, duration }));
const v3 = { model: 'kling-v3', image: IMAGE, prompt: 'a cat' } as const;
const storyboard = { model: 'kling-v3', image: IMAGE, multiShot: true, shotType: 'customize' } as const;
const v26pro = { model: 'kling-v2-6', mode: 'pro', image: IMAGE } as const;
const v15pro = { model: 'kling-v1-5', mode: 'pro', image: IMAGE } as const;
/** The smallest base64 string that decodes to more than the limit. */
const oversized = 'A'.repeat(Math.ceil((LIMITS.imageMaxBytes + 1) / 3) * 4);

describe('images', () => {
  it.each<Case>([
    {
      rule: 'a frame is required',
      input: { prompt: 'a cat' },
      path: ['input', 'image'],
      message: 'image or imageTail is required',
    },
    { rule: 'not empty', input: { image: '' }, path: ['input', 'image'], message: 'image must not be empty' },
    {
      rule: 'no data: URL',
      input: { image: `data:image/png;base64,${MASK}` },
      path: ['input', 'image'],
      message: 'drop the "data:...;base64," prefix',
    },
    {
      rule: 'http(s) only',
      input: { image: IMAGE, imageTail: 'ftp://cdn.example.com/last.png' },
      path: ['input', 'imageTail'],
      message: 'imageTail must be an http or https URL or raw base64 (got the scheme ftp:)',
    },
    ...[
      'http:cdn.example.com/first.png',
      'https:\\\\cdn.example.com\\first.png',
      ' https://cdn.example.com/a.png',
    ].map((image) => ({
      rule: `a URL as written, not as it would be repaired: ${JSON.stringify(image)}`,
      input: { image },
      path: ['input', 'image'],
      message: 'image must be written as http:// or https:// followed by the address',
    })),
    {
      rule: 'a parseable URL',
      input: { image: 'http://' },
      path: ['input', 'image'],
      message: 'image is not a valid URL',
    },
    {
      rule: 'the base64 alphabet',
      input: { image: 'cdn.example.com/first.png' },
      path: ['input', 'image'],
      message: 'image is neither an http(s) URL nor raw base64',
    },
    {
      rule: 'base64 length',
      input: { image: 'iVBORw0' },
      path: ['input', 'image'],
      message: 'must be a multiple of 4',
    },
    {
      rule: 'decoded size',
      input: { image: oversized },
      path: ['input', 'image'],
      message: `the limit is 10 MB (${LIMITS.imageMaxBytes} bytes)`,
    },
    {
      rule: 'a mask is an image string too',
      input: { image: IMAGE, dynamicMasks: [{ mask: 'file:///tmp/mask.png', trajectories: points(2) }] },
      path: ['input', 'dynamicMasks', 0, 'mask'],
      message: 'mask must be an http or https URL or raw base64',
    },
  ])('$rule', expectOnlyIssue);
});

describe('prompts', () => {
  it.each<Case>([
    {
      rule: 'prompt length',
      input: { image: IMAGE, prompt: 'a'.repeat(LIMITS.promptMaxLength + 1) },
      path: ['input', 'prompt'],
      message: 'prompt has 2501 characters; the limit is 2500',
    },
    {
      rule: 'negativePrompt length',
      input: { image: IMAGE, negativePrompt: 'n'.repeat(LIMITS.negativePromptMaxLength + 1) },
      path: ['input', 'negativePrompt'],
      message: 'negativePrompt has 2501 characters; the limit is 2500',
    },
    {
      rule: 'kling-v3 needs a prompt without multiShot',
      input: { model: 'kling-v3', image: IMAGE, prompt: '  ' },
      path: ['input', 'prompt'],
      message: 'KLING_V3 requires a non-empty prompt unless multiShot is true',
    },
    {
      rule: 'INTELLIGENCE needs a prompt',
      input: { model: 'kling-v3', image: IMAGE, multiShot: true, shotType: 'intelligence' },
      path: ['input', 'prompt'],
      message: 'shotType INTELLIGENCE requires a non-empty prompt',
    },
  ])('$rule', expectOnlyIssue);
});

describe('mutual exclusion of imageTail, motion brush and cameraControl', () => {
  it.each<Case>([
    {
      rule: 'imageTail then cameraControl',
      input: { ...v15pro, imageTail: TAIL, cameraControl: { type: 'simple', config: { zoom: 2 } } },
      path: ['input', 'cameraControl'],
      message: 'cameraControl cannot be combined with imageTail',
    },
    {
      rule: 'imageTail then motion brush',
      input: { image: IMAGE, imageTail: TAIL, dynamicMasks: [{ mask: MASK, trajectories: points(2) }] },
      path: ['input', 'dynamicMasks'],
      message: 'motion brush (staticMask/dynamicMasks) cannot be combined with imageTail',
    },
  ])('$rule', expectOnlyIssue);

  it('reports each feature after the first, naming the others', () => {
    const issues = issuesOf({
      ...v15pro,
      imageTail: TAIL,
      staticMask: MASK,
      cameraControl: { type: 'simple', config: { zoom: 2 } },
    });
    expect(issues).toEqual([
      {
        path: ['input', 'staticMask'],
        message: expect.stringContaining('cannot be combined with imageTail or cameraControl'),
      },
      {
        path: ['input', 'cameraControl'],
        message: expect.stringContaining('cannot be combined with imageTail or motion brush'),
      },
    ]);
  });
});

describe('multi-shot', () => {
  it.each<Case>([
    {
      rule: 'the model must support it',
      input: { ...v26pro, prompt: 'a day', multiShot: true, shotType: 'intelligence' },
      path: ['input', 'multiShot'],
      message: 'KLING_V2_6 does not support multiShot; it is available on KLING_V3',
    },
    {
      rule: 'shotType is required',
      input: { model: 'kling-v3', image: IMAGE, multiShot: true },
      path: ['input', 'shotType'],
      message: 'shotType is required when multiShot is true',
    },
    {
      rule: 'no imageTail',
      input: { ...storyboard, imageTail: TAIL, shots: shots([5]) },
      path: ['input', 'imageTail'],
      message: 'imageTail cannot be used with multiShot: true',
    },
    {
      rule: 'CUSTOMIZE needs shots',
      input: storyboard,
      path: ['input', 'shots'],
      message: 'shotType CUSTOMIZE requires 1–6 shots (got 0)',
    },
    {
      rule: 'at most 6 shots',
      input: { ...storyboard, duration: 7, shots: shots([1, 1, 1, 1, 1, 1, 1]) },
      path: ['input', 'shots'],
      message: 'requires 1–6 shots (got 7)',
    },
    {
      rule: 'a shot prompt is not empty',
      input: { ...storyboard, shots: [{ index: 1, prompt: '', duration: 5 }] },
      path: ['input', 'shots', 0, 'prompt'],
      message: 'shot prompt must not be empty',
    },
    {
      rule: 'a shot prompt fits the limit',
      input: {
        ...storyboard,
        shots: [{ index: 1, prompt: 'p'.repeat(LIMITS.shotPromptMaxLength + 1), duration: 5 }],
      },
      path: ['input', 'shots', 0, 'prompt'],
      message: 'shot prompt has 513 characters; the limit is 512',
    },
    {
      rule: 'a shot lasts at least 1 s',
      input: { ...storyboard, duration: 5, shots: shots([0, 5]) },
      path: ['input', 'shots', 0, 'duration'],
      message: 'shot duration must be at least 1 s (got 0 s)',
    },
    {
      rule: 'durations add up exactly',
      input: { ...storyboard, duration: 5, shots: shots([2, 2]) },
      path: ['input', 'shots'],
      message: 'shot durations add up to 4 s but duration is 5 s',
    },
    {
      rule: 'no duplicate index',
      input: { ...storyboard, shots: shots([2, 3]).map((shot) => ({ ...shot, index: 1 })) },
      path: ['input', 'shots', 1, 'index'],
      message: 'index 1 is already used by shots[0]: 2 shots are numbered 1–2, each once',
    },
    {
      rule: 'no gap in the indices',
      input: { ...storyboard, shots: shots([2, 3]).map((shot, i) => ({ ...shot, index: i * 2 + 1 })) },
      path: ['input', 'shots', 1, 'index'],
      message: 'index 3 is out of range: 2 shots are numbered 1–2',
    },
    {
      rule: 'shots need multiShot',
      input: { ...v3, shots: shots([5]) },
      path: ['input', 'shots'],
      message: 'shots need multiShot: true',
    },
    {
      rule: 'shotType needs multiShot',
      input: { ...v3, shotType: 'intelligence' },
      path: ['input', 'shotType'],
      message: 'shotType needs multiShot: true',
    },
    {
      rule: 'INTELLIGENCE takes no shots',
      input: { ...v3, multiShot: true, shotType: 'intelligence', shots: shots([5]) },
      path: ['input', 'shots'],
      message: 'shotType INTELLIGENCE ignores shots',
    },
  ])('$rule', expectOnlyIssue);

  it('refuses a shot longer than the task, which also breaks the sum', () => {
    const issues = issuesOf({
      ...storyboard,
      duration: 5,
      shots: [{ index: 1, prompt: 'long', duration: 6 }],
    });
    expect(issues).toEqual([
      {
        path: ['input', 'shots', 0, 'duration'],
        message: 'shot duration 6 s exceeds the task duration of 5 s',
      },
      {
        path: ['input', 'shots'],
        message: expect.stringContaining('shot durations add up to 6 s but duration is 5 s'),
      },
    ]);
  });
});

describe('voices and sound', () => {
  it.each<Case>([
    {
      rule: 'at most 2 voices',
      input: { ...v26pro, voices: [{ voiceId: '1' }, { voiceId: '2' }, { voiceId: '3' }] },
      path: ['input', 'voices'],
      message: 'at most 2 voices are allowed (got 3)',
    },
    {
      rule: 'voiceId is not empty',
      input: { ...v26pro, voices: [{ voiceId: '' }] },
      path: ['input', 'voices', 0, 'voiceId'],
      message: 'voiceId must not be empty',
    },
    {
      rule: 'voices need a model that has them',
      input: { ...v3, voices: [{ voiceId: '1' }] },
      path: ['input', 'voices'],
      message: 'KLING_V3 does not support voices; it is available on KLING_V2_6',
    },
    {
      rule: 'voices need the right cell',
      input: { ...v26pro, mode: 'std', voices: [{ voiceId: '1' }] },
      path: ['input', 'voices'],
      message: 'KLING_V2_6 supports voices only in PRO mode at 5 or 10 s (requested STD mode at 5 s)',
    },
    {
      rule: 'a reference names a given voice',
      input: {
        ...v26pro,
        sound: true,
        voices: [{ voiceId: '1' }],
        prompt: '<<<voice_1>>> and <<<voice_2>>>',
      },
      path: ['input', 'prompt'],
      message: '<<<voice_2>>> refers to voice 2, but 1 voice is given',
    },
    {
      rule: 'a reference in a shot prompt names a given voice',
      input: {
        ...storyboard,
        sound: true,
        shots: [{ index: 1, prompt: '<<<voice_1>>> sings', duration: 5 }],
      },
      path: ['input', 'shots', 0, 'prompt'],
      message: '<<<voice_1>>> refers to a voice, but voices is empty',
    },
    {
      rule: 'a reference needs sound',
      input: { ...v26pro, voices: [{ voiceId: '1' }], prompt: '<<<voice_1>>> speaks' },
      path: ['input', 'sound'],
      message: 'sound must be true when a prompt references a voice',
    },
    {
      rule: 'sound needs a model that has it',
      input: { image: IMAGE, sound: true },
      path: ['input', 'sound'],
      message: 'KLING_V1 does not support sound: true; it is available on KLING_V2_6, KLING_V3',
    },
    {
      rule: 'sound needs the right cell',
      input: { model: 'kling-v2-6', image: IMAGE, sound: true },
      path: ['input', 'sound'],
      message: 'KLING_V2_6 supports sound: true only in PRO mode at 5 or 10 s',
    },
    {
      rule: 'kling-v2-6 first and last frame are silent only',
      input: { ...v26pro, imageTail: TAIL, sound: true },
      path: ['input', 'sound'],
      message: 'KLING_V2_6 supports image + imageTail only with sound: false',
    },
  ])('$rule', expectOnlyIssue);
});

describe('cameraControl', () => {
  const simple = (config: Record<string, number>) => ({ type: 'simple' as const, config });

  it.each<Case>([
    {
      rule: 'the model must support it',
      input: { image: IMAGE, cameraControl: simple({ pan: 1 }) },
      path: ['input', 'cameraControl'],
      message: 'KLING_V1 does not support cameraControl; it is available on KLING_V1_5',
    },
    {
      rule: 'the cell must support it',
      input: { ...v15pro, mode: 'std', cameraControl: simple({ pan: 1 }) },
      path: ['input', 'cameraControl'],
      message: 'KLING_V1_5 supports cameraControl only in PRO mode at 5 s (requested STD mode at 5 s)',
    },
    {
      rule: 'config is required for SIMPLE',
      input: { ...v15pro, cameraControl: { type: 'simple' } },
      path: ['input', 'cameraControl', 'config'],
      message: 'cameraControl.config is required for type SIMPLE',
    },
    {
      rule: 'each axis lies in [-10, 10]',
      input: { ...v15pro, cameraControl: simple({ pan: 10.5 }) },
      path: ['input', 'cameraControl', 'config', 'pan'],
      message: 'pan must be between -10 and 10 (got 10.5)',
    },
    {
      rule: 'no more than one axis moves',
      input: { ...v15pro, cameraControl: simple({ pan: 1, tilt: 0, zoom: -2 }) },
      path: ['input', 'cameraControl', 'config'],
      message: 'exactly one axis may be non-zero, but pan and zoom are',
    },
    {
      rule: 'one axis moves',
      input: { ...v15pro, cameraControl: simple({ pan: 0, zoom: 0 }) },
      path: ['input', 'cameraControl', 'config'],
      message: 'all axes are zero',
    },
  ])('$rule', expectOnlyIssue);

  it('refuses a type the model does not offer, and a config for a preset movement', () => {
    const issues = issuesOf({ ...v15pro, cameraControl: { type: 'down_back', config: { zoom: 1 } } });
    expect(issues).toEqual([
      {
        path: ['input', 'cameraControl', 'type'],
        message: 'KLING_V1_5 supports cameraControl type SIMPLE only (got DOWN_BACK)',
      },
      {
        path: ['input', 'cameraControl', 'config'],
        message: 'cameraControl.config is only for type SIMPLE: remove it for DOWN_BACK',
      },
    ]);
  });
});

describe('cfgScale', () => {
  it.each<Case>([
    {
      rule: 'below 0',
      input: { image: IMAGE, cfgScale: -0.1 },
      path: ['input', 'cfgScale'],
      message: 'cfgScale must be between 0 and 1 (got -0.1)',
    },
    {
      rule: 'above 1',
      input: { image: IMAGE, cfgScale: 1.5 },
      path: ['input', 'cfgScale'],
      message: 'between 0 and 1',
    },
  ])('$rule', expectOnlyIssue);
});

describe('motion brush', () => {
  const masks = (count: number, trajectory = points(2)) =>
    Array.from({ length: count }, () => ({ mask: MASK, trajectories: trajectory }));

  it.each<Case>([
    {
      rule: 'the model must support it',
      input: { model: 'kling-v1-6', image: IMAGE, staticMask: MASK },
      path: ['input', 'staticMask'],
      message:
        'KLING_V1_6 does not support motion brush (staticMask/dynamicMasks); it is available on KLING_V1, KLING_V1_5',
    },
    {
      rule: 'the cell must support it',
      input: { image: IMAGE, duration: 10, dynamicMasks: masks(1) },
      path: ['input', 'dynamicMasks'],
      message: 'KLING_V1 supports motion brush (staticMask/dynamicMasks) only in STD or PRO mode at 5 s',
    },
    {
      rule: 'at most 6 dynamic masks',
      input: { image: IMAGE, dynamicMasks: masks(LIMITS.dynamicMasksMax + 1) },
      path: ['input', 'dynamicMasks'],
      message: 'at most 6 dynamicMasks are allowed (got 7)',
    },
    {
      rule: 'at least 2 trajectory points',
      input: { image: IMAGE, dynamicMasks: masks(1, points(1)) },
      path: ['input', 'dynamicMasks', 0, 'trajectories'],
      message: 'trajectories must have 2–77 points (got 1)',
    },
    {
      rule: 'at most 77 trajectory points',
      input: { image: IMAGE, dynamicMasks: masks(1, points(78)) },
      path: ['input', 'dynamicMasks', 0, 'trajectories'],
      message: 'trajectories must have 2–77 points (got 78)',
    },
    {
      rule: 'x is not negative',
      input: {
        image: IMAGE,
        dynamicMasks: masks(1, [
          { x: -1, y: 0 },
          { x: 3, y: 4 },
        ]),
      },
      path: ['input', 'dynamicMasks', 0, 'trajectories', 0, 'x'],
      message: 'x must be at least 0 (got -1)',
    },
    {
      rule: 'y is a whole pixel',
      input: {
        image: IMAGE,
        dynamicMasks: masks(1, [
          { x: 0, y: 0 },
          { x: 3, y: 4.5 },
        ]),
      },
      path: ['input', 'dynamicMasks', 0, 'trajectories', 1, 'y'],
      message: 'y must be a whole number (got 4.5)',
    },
  ])('$rule', expectOnlyIssue);
});

describe('model capabilities', () => {
  it.each<Case>([
    {
      rule: 'a duration the model accepts',
      input: { image: IMAGE, duration: 7 },
      path: ['input', 'duration'],
      message: 'KLING_V1 accepts a duration of 5 or 10 s (got 7)',
    },
    {
      rule: 'kling-v3 accepts 3–15 s',
      input: { ...v3, duration: 16 },
      path: ['input', 'duration'],
      message: 'KLING_V3 accepts a duration of 3–15 s (got 16)',
    },
    {
      rule: 'imageTail with image needs a first/last-frame cell',
      input: { model: 'kling-v1-6', image: IMAGE, imageTail: TAIL },
      path: ['input', 'imageTail'],
      message: 'KLING_V1_6 supports imageTail only in PRO mode at 5 or 10 s (requested STD mode at 5 s)',
    },
    {
      rule: 'imageTail alone needs a last-frame-only model',
      input: { imageTail: TAIL },
      path: ['input', 'imageTail'],
      message: 'KLING_V1 does not support imageTail without image; it is available on KLING_V1_5, KLING_V1_6',
    },
    {
      rule: 'imageTail alone needs a last-frame-only cell',
      input: { model: 'kling-v1-5', imageTail: TAIL },
      path: ['input', 'imageTail'],
      message: 'KLING_V1_5 supports imageTail without image only in PRO mode at 5 or 10 s',
    },
  ])('$rule', expectOnlyIssue);
  // The mode rule (a mode the model lacks) cannot fail with today's table: every model with modes has both.
});

describe('many problems at once', () => {
  it('are all reported in one result', () => {
    const issues = issuesOf({
      model: 'kling-v2-6',
      mode: 'std',
      duration: 7,
      image: `data:image/png;base64,${MASK}`,
      imageTail: TAIL,
      prompt: `${'a'.repeat(LIMITS.promptMaxLength)} <<<voice_3>>>`,
      voices: [{ voiceId: '' }],
      cfgScale: 2,
      staticMask: 'ftp://cdn.example.com/mask.png',
      dynamicMasks: [{ mask: MASK, trajectories: [{ x: -1, y: 0 }] }],
      shotType: 'customize',
      shots: [{ index: 0, prompt: '', duration: 0 }],
      cameraControl: { type: 'simple', config: { pan: 11, zoom: 1 } },
    });
    expect(issues.map(({ path }) => path.join('.')).sort()).toEqual(
      [
        'input.cameraControl', // exclusive with imageTail
        'input.cameraControl', // not on KLING_V2_6
        'input.cameraControl.config', // two axes move
        'input.cameraControl.config.pan',
        'input.cfgScale',
        'input.duration',
        'input.dynamicMasks.0.trajectories', // one point
        'input.dynamicMasks.0.trajectories.0.x',
        'input.image', // data: prefix
        'input.imageTail', // first/last frame needs PRO
        'input.prompt', // too long
        'input.prompt', // <<<voice_3>>> with one voice
        'input.shotType', // needs multiShot
        'input.shots', // need multiShot
        'input.shots.0.duration',
        'input.shots.0.prompt',
        'input.sound', // a reference needs sound
        'input.staticMask', // exclusive with imageTail
        'input.staticMask', // not on KLING_V2_6
        'input.staticMask', // ftp:
        'input.voices', // not in STD mode
        'input.voices.0.voiceId',
      ].sort(),
    );
  });
});
