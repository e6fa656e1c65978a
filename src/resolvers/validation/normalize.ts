/**
 * The provider's defaults made explicit (kling-api.md 3.1). Total on any input, valid or not, so
 * the cross-field rules can read one clean shape while the field rules report what is wrong.
 */
import { CAMERA_AXES, DEFAULT_DURATION, DEFAULT_MODE, DEFAULT_MODEL } from '../../upstream/capabilities.js';
import type {
  CameraControlRequest,
  ImageToVideoInput,
  ImageToVideoRequest,
} from '../image-to-video-request.js';

/**
 * `config` is kept for SIMPLE only and holds only its non-zero axes: a zero axis means "no
 * movement", exactly what leaving it out means, and the stored request then shows the one movement.
 */
function normalizeCameraControl(
  control: ImageToVideoInput['cameraControl'],
): CameraControlRequest | undefined {
  if (control == null) return undefined;
  if (control.type !== 'simple' || control.config == null) return { type: control.type };
  const { config } = control;
  const moving = CAMERA_AXES.flatMap((axis) => {
    const value = config[axis];
    return value == null || value === 0 ? [] : [[axis, value] as const];
  });
  return { type: control.type, config: Object.fromEntries(moving) };
}

/** An empty prompt is left out: it means "no prompt", and sending "" is UNCERTAIN on pre-v3 models. */
const text = (value: string | null | undefined) => (value == null || value === '' ? undefined : value);

export function normalizeImageToVideoInput(input: ImageToVideoInput): ImageToVideoRequest {
  const cameraControl = normalizeCameraControl(input.cameraControl);
  const prompt = text(input.prompt);
  const negativePrompt = text(input.negativePrompt);
  return {
    model: input.model ?? DEFAULT_MODEL,
    mode: input.mode ?? DEFAULT_MODE,
    duration: input.duration ?? DEFAULT_DURATION,
    ...(input.image == null ? {} : { image: input.image }),
    ...(input.imageTail == null ? {} : { imageTail: input.imageTail }),
    ...(prompt === undefined ? {} : { prompt }),
    ...(negativePrompt === undefined ? {} : { negativePrompt }),
    voiceIds: (input.voices ?? []).map(({ voiceId }) => voiceId),
    sound: input.sound ?? false,
    ...(input.cfgScale == null ? {} : { cfgScale: input.cfgScale }),
    ...(input.staticMask == null ? {} : { staticMask: input.staticMask }),
    dynamicMasks: (input.dynamicMasks ?? []).map(({ mask, trajectories }) => ({
      mask,
      trajectories: trajectories.map(({ x, y }) => ({ x, y })),
    })),
    multiShot: input.multiShot ?? false,
    ...(input.shotType == null ? {} : { shotType: input.shotType }),
    shots: (input.shots ?? []).map(({ index, prompt, duration }) => ({ index, prompt, duration })),
    ...(cameraControl === undefined ? {} : { cameraControl }),
    watermark: input.watermark ?? false,
  };
}
