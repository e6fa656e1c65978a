/** `createImageToVideoTask`: the request as a GraphQL input, and the mutation that takes it. */

import type { TaskRow } from '../db/schema.js';
import {
  createImageToVideoTask,
  IDEMPOTENCY_KEY_MAX_LENGTH,
} from '../resolvers/create-image-to-video-task.js';
import { clientName } from '../resolvers/validation/client-names.js';
import { DEFAULT_DURATION, DEFAULT_MODE, DEFAULT_MODEL, LIMITS } from '../upstream/capabilities.js';
import { builder } from './builder.js';
import { CameraControlInput } from './camera-control.js';
import {
  durationsByModel,
  KlingModel,
  MODELS_IGNORING_CFG_SCALE,
  MODELS_SILENT_WITH_LAST_FRAME,
  supportedBy,
  supportList,
  VideoMode,
} from './model.js';
import { DynamicMaskInput } from './motion-brush.js';
import { ShotInput, ShotType } from './shot.js';
import { VideoTask } from './task.js';
import { VoiceInput } from './voice.js';

const { imageMaxAspectRatio: ratio } = LIMITS;
const IMAGE_FORMAT = 'an http(s) URL or raw base64 (no `data:` prefix) of a .jpg/.jpeg/.png image';
const IMAGE_LIMITS = `at most ${LIMITS.imageMaxBytes / (1024 * 1024)} MB, width and height at least ${LIMITS.imageMinSide} px, aspect ratio between 1:${ratio} and ${ratio}:1`;
const SILENT_ONLY = `On ${MODELS_SILENT_WITH_LAST_FRAME.join(', ')}, \`image\` + \`imageTail\` needs \`sound: false\`.`;
const EXCLUSIVE = '`imageTail`, motion brush and `cameraControl` exclude each other: send at most one.';
const MOTION_BRUSH = `Motion brush. ${supportedBy('motionBrush')} ${EXCLUSIVE}`;

export const ImageToVideoInput = builder.inputType('ImageToVideoInput', {
  description: 'A video to generate from a first frame, a last frame or both, with optional motion controls.',
  fields: (t) => ({
    model: t.field({
      type: KlingModel,
      description: `The model; default ${clientName(DEFAULT_MODEL)}. What each accepts: its enum value, or \`models\`.`,
    }),
    image: t.string({
      description: `First frame: ${IMAGE_FORMAT}; ${IMAGE_LIMITS}. At least one of \`image\` and \`imageTail\` is required.`,
    }),
    imageTail: t.string({
      description: `Last frame: ${IMAGE_FORMAT}; ${IMAGE_LIMITS}. With \`image\` (first + last frame) available only on ${supportList('firstAndLastFrame')}. ${SILENT_ONLY} Alone (last frame only) available only on ${supportList('lastFrameOnly')}. Not with \`multiShot\`. ${EXCLUSIVE}`,
    }),
    prompt: t.string({
      description: `What the video shows, at most ${LIMITS.promptMaxLength} characters. Refer to voices as \`<<<voice_1>>>\`, \`<<<voice_2>>>\` (1-based position in \`voices\`); a reference needs \`sound: true\`. Required (non-empty) on ${clientName('kling-v3')} unless \`multiShot\`, and with shotType INTELLIGENCE; a CUSTOMIZE storyboard uses its shots' prompts instead.`,
    }),
    negativePrompt: t.string({
      description: `What the video should avoid, at most ${LIMITS.negativePromptMaxLength} characters.`,
    }),
    voices: t.field({
      type: [VoiceInput],
      description: `Up to ${LIMITS.voicesMax} voices to speak with, referred to from the prompt. ${supportedBy('voices')}`,
    }),
    sound: t.boolean({
      description: `Generate audio with the video; default false. Must be true when a prompt refers to a voice. ${supportedBy('sound')} ${SILENT_ONLY}`,
    }),
    cfgScale: t.float({
      description: `How closely the video follows the prompt, ${LIMITS.cfgScaleMin} to ${LIMITS.cfgScaleMax}; higher is closer. Absent: the provider's default (0.5). Accepted but ignored by ${MODELS_IGNORING_CFG_SCALE.join(', ')}.`,
    }),
    mode: t.field({
      type: VideoMode,
      description: `Quality mode; default ${clientName(DEFAULT_MODE)}. Several features exist only in PRO mode.`,
    }),
    staticMask: t.string({
      description: `${MOTION_BRUSH} The region that stays still: ${IMAGE_FORMAT}, with the dynamic masks' resolution (checked here for base64 masks) and the image's aspect ratio (the provider fails the task later on a mismatch).`,
    }),
    dynamicMasks: t.field({
      type: [DynamicMaskInput],
      description: `${MOTION_BRUSH} Up to ${LIMITS.dynamicMasksMax} regions, each moving along a path.`,
    }),
    multiShot: t.boolean({
      description: `Generate a storyboard of several shots; default false. Needs \`shotType\`; not with \`imageTail\`. ${supportedBy('multiShot')}`,
    }),
    shotType: t.field({
      type: ShotType,
      description: 'Who writes the storyboard. Required with `multiShot: true`, refused without it.',
    }),
    shots: t.field({
      type: [ShotInput],
      description: `The storyboard of shotType CUSTOMIZE: ${LIMITS.shotsMin}–${LIMITS.shotsMax} shots whose durations add up to \`duration\`. Refused otherwise.`,
    }),
    cameraControl: t.field({
      type: CameraControlInput,
      description: `A camera movement; without it the model chooses. ${supportedBy('cameraControl')} ${EXCLUSIVE}`,
    }),
    duration: t.int({
      description: `Length, whole seconds; default ${DEFAULT_DURATION}. Accepted: ${durationsByModel()}.`,
    }),
    watermark: t.boolean({
      description: 'Also produce a watermarked copy (`videos[].watermarkUrl`); default false.',
    }),
  }),
});

export const CreateImageToVideoTaskPayload = builder
  .objectRef<{ task: TaskRow }>('CreateImageToVideoTaskPayload')
  .implement({
    description: 'The created task (or, on an idempotent replay, the task created first).',
    fields: (t) => ({
      task: t.expose('task', {
        type: VideoTask,
        description:
          'The task as far as it got: usually SUBMITTED; PENDING when the provider could not take it yet (the gateway retries); FAILED when the provider refused it.',
      }),
    }),
  });

builder.mutationField('createImageToVideoTask', (t) =>
  t.field({
    type: CreateImageToVideoTaskPayload,
    description:
      'Creates an image-to-video task. The whole input is checked first and every problem reported at once (BAD_USER_INPUT, with `extensions.issues`); then the task is stored and submitted to the provider. Follow it with `task(id:)`.',
    args: {
      input: t.arg({ type: ImageToVideoInput, required: true, description: 'What to generate.' }),
      idempotencyKey: t.arg.string({
        description: `Makes retries safe: the same key with the same input returns the first task, with another input fails with IDEMPOTENCY_CONFLICT. 1–${IDEMPOTENCY_KEY_MAX_LENGTH} characters, scoped to you.`,
      }),
    },
    resolve: (_root, args, ctx) =>
      createImageToVideoTask(ctx, args.input, args.idempotencyKey).then((task) => ({ task })),
  }),
);
