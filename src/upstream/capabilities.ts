/**
 * The provider's rules as data: one table read by input validation, by the `models` query and by
 * the simulator, so a rule is never written twice. Source: ../shared/kling-api.md sections 3.1–3.3.
 */

/** Kling's `model_name` values for `/v1/videos/image2video`, oldest first. */
export const KLING_MODEL_NAMES = [
  'kling-v1',
  'kling-v1-5',
  'kling-v1-6',
  'kling-v2-master',
  'kling-v2-1',
  'kling-v2-1-master',
  'kling-v2-5-turbo',
  'kling-v2-6',
  'kling-v3',
] as const;
export type KlingModelName = (typeof KLING_MODEL_NAMES)[number];

/** Kling treats a missing `model_name` as `kling-v1`. */
export const DEFAULT_MODEL: KlingModelName = 'kling-v1';

export const VIDEO_MODES = ['std', 'pro'] as const;
export type VideoMode = (typeof VIDEO_MODES)[number];
export const DEFAULT_MODE: VideoMode = 'std';

/** Seconds; Kling's default `duration` is "5". */
export const DEFAULT_DURATION = 5;

export const CAMERA_CONTROL_TYPES = [
  'simple',
  'down_back',
  'forward_up',
  'right_turn_forward',
  'left_turn_forward',
] as const;
export type CameraControlType = (typeof CAMERA_CONTROL_TYPES)[number];

export const CAMERA_AXES = ['horizontal', 'vertical', 'pan', 'tilt', 'roll', 'zoom'] as const;
export type CameraAxis = (typeof CAMERA_AXES)[number];

export const SHOT_TYPES = ['customize', 'intelligence'] as const;
export type ShotType = (typeof SHOT_TYPES)[number];

/** Scalar limits of section 3.1. Lengths count characters (UTF-16 code units, as the provider's JSON does). */
export const LIMITS = {
  promptMaxLength: 2500,
  negativePromptMaxLength: 2500,
  shotPromptMaxLength: 512,
  shotsMin: 1,
  shotsMax: 6,
  /** Seconds. */
  shotDurationMin: 1,
  voicesMax: 2,
  elementsMax: 3,
  dynamicMasksMax: 6,
  trajectoryPointsMin: 2,
  trajectoryPointsMax: 77,
  cameraAxisMin: -10,
  cameraAxisMax: 10,
  cfgScaleMin: 0,
  cfgScaleMax: 1,
  /** Bytes of the decoded image. */
  imageMaxBytes: 10 * 1024 * 1024,
  /** Pixels, for both width and height. */
  imageMinSide: 300,
  /** width / height must lie within [1/2.5, 2.5]. */
  imageMaxAspectRatio: 2.5,
} as const;

/** A set of mode × duration cells in which a feature works. */
export interface FeatureCells {
  readonly modes: readonly VideoMode[];
  /** Seconds. */
  readonly durations: readonly number[];
}

export interface ModelCapabilities {
  readonly name: KlingModelName;
  /**
   * Modes the model distinguishes. Empty for the "master" models, which have no mode: the
   * reference marks `mode` UNCERTAIN there (probably ignored), so it is accepted and ignored.
   */
  readonly modes: readonly VideoMode[];
  /** Whole seconds the model accepts as `duration`. */
  readonly durations: readonly number[];
  /** First frame plus last frame (`image` + `image_tail`). */
  readonly firstAndLastFrame: FeatureCells | null;
  /** `image_tail` without `image`. */
  readonly lastFrameOnly: FeatureCells | null;
  /** `static_mask` / `dynamic_masks`. */
  readonly motionBrush: FeatureCells | null;
  readonly cameraControl: (FeatureCells & { readonly types: readonly CameraControlType[] }) | null;
  /** `sound: on`. */
  readonly sound: FeatureCells | null;
  readonly voices: FeatureCells | null;
  readonly multiShot: FeatureCells | null;
  readonly elements: FeatureCells | null;
  /** Whether first+last frame works only with `sound: off` (kling-v2-6). */
  readonly firstAndLastFrameSilentOnly: boolean;
  /**
   * Whether the reference says the model ignores `cfg_scale` (the v2.x family). UNCERTAIN whether
   * the provider rejects it, so validation accepts it and the `models` query reports it.
   */
  readonly ignoresCfgScale: boolean;
  /** Output resolution per mode as the reference gives it; UNCERTAIN ones are marked so. */
  readonly output: string;
}

const BOTH_MODES: readonly VideoMode[] = ['std', 'pro'];
const FIVE_OR_TEN: readonly number[] = [5, 10];
const THREE_TO_FIFTEEN: readonly number[] = Array.from({ length: 13 }, (_, i) => i + 3);

const cells = (modes: readonly VideoMode[], durations: readonly number[]): FeatureCells => ({
  modes,
  durations,
});

const noFeatures = {
  firstAndLastFrame: null,
  lastFrameOnly: null,
  motionBrush: null,
  cameraControl: null,
  sound: null,
  voices: null,
  multiShot: null,
  elements: null,
  firstAndLastFrameSilentOnly: false,
  ignoresCfgScale: false,
} as const;

/** Section 3.3, row by row. */
export const MODEL_CAPABILITIES: Readonly<Record<KlingModelName, ModelCapabilities>> = {
  'kling-v1': {
    ...noFeatures,
    name: 'kling-v1',
    modes: BOTH_MODES,
    durations: FIVE_OR_TEN,
    firstAndLastFrame: cells(BOTH_MODES, [5]),
    motionBrush: cells(BOTH_MODES, [5]),
    output: '720p, 30 fps',
  },
  'kling-v1-5': {
    ...noFeatures,
    name: 'kling-v1-5',
    modes: BOTH_MODES,
    durations: FIVE_OR_TEN,
    firstAndLastFrame: cells(['pro'], FIVE_OR_TEN),
    lastFrameOnly: cells(['pro'], FIVE_OR_TEN),
    motionBrush: cells(['pro'], [5]),
    cameraControl: { ...cells(['pro'], [5]), types: ['simple'] },
    output: 'std 720p / pro 1080p, 30 fps',
  },
  'kling-v1-6': {
    ...noFeatures,
    name: 'kling-v1-6',
    modes: BOTH_MODES,
    durations: FIVE_OR_TEN,
    firstAndLastFrame: cells(['pro'], FIVE_OR_TEN),
    lastFrameOnly: cells(['pro'], FIVE_OR_TEN),
    output: 'std 720p / pro 1080p, 30 fps',
  },
  'kling-v2-master': {
    ...noFeatures,
    name: 'kling-v2-master',
    modes: [],
    durations: FIVE_OR_TEN,
    ignoresCfgScale: true,
    output: '720p, 24 fps',
  },
  'kling-v2-1': {
    ...noFeatures,
    name: 'kling-v2-1',
    modes: BOTH_MODES,
    durations: FIVE_OR_TEN,
    firstAndLastFrame: cells(['pro'], FIVE_OR_TEN),
    ignoresCfgScale: true,
    output: 'std 720p / pro 1080p, 24 fps',
  },
  'kling-v2-1-master': {
    ...noFeatures,
    name: 'kling-v2-1-master',
    modes: [],
    durations: FIVE_OR_TEN,
    ignoresCfgScale: true,
    output: '1080p, 24 fps',
  },
  'kling-v2-5-turbo': {
    ...noFeatures,
    name: 'kling-v2-5-turbo',
    modes: BOTH_MODES,
    durations: FIVE_OR_TEN,
    firstAndLastFrame: cells(['pro'], FIVE_OR_TEN),
    ignoresCfgScale: true,
    output: 'pro 1080p, 24 fps (std UNCERTAIN, likely 720p)',
  },
  'kling-v2-6': {
    ...noFeatures,
    name: 'kling-v2-6',
    modes: BOTH_MODES,
    durations: FIVE_OR_TEN,
    firstAndLastFrame: cells(['pro'], FIVE_OR_TEN),
    firstAndLastFrameSilentOnly: true,
    sound: cells(['pro'], FIVE_OR_TEN),
    voices: cells(['pro'], FIVE_OR_TEN),
    ignoresCfgScale: true,
    output: 'UNCERTAIN (resellers: std 720p / pro 1080p)',
  },
  'kling-v3': {
    ...noFeatures,
    name: 'kling-v3',
    modes: BOTH_MODES,
    durations: THREE_TO_FIFTEEN,
    firstAndLastFrame: cells(BOTH_MODES, THREE_TO_FIFTEEN),
    sound: cells(BOTH_MODES, THREE_TO_FIFTEEN),
    multiShot: cells(BOTH_MODES, THREE_TO_FIFTEEN),
    elements: cells(BOTH_MODES, THREE_TO_FIFTEEN),
    output: 'UNCERTAIN (resellers: std 720p / pro 1080p)',
  },
};

/**
 * Whether a feature works in a cell. A model without modes (the masters) ignores `mode`, so any
 * requested mode matches its cells on duration alone.
 */
export function supportsCell(
  model: ModelCapabilities,
  feature: FeatureCells | null,
  mode: VideoMode,
  duration: number,
): boolean {
  if (feature === null) return false;
  const modeMatches = model.modes.length === 0 || feature.modes.includes(mode);
  return modeMatches && feature.durations.includes(duration);
}

/** Human-readable list of cells for error messages, e.g. "pro mode at 5 or 10 s". */
export function describeCells(model: ModelCapabilities, feature: FeatureCells | null): string {
  if (feature === null) return 'no mode or duration';
  const modes = model.modes.length === 0 ? 'any mode' : `${feature.modes.join(' or ')} mode`;
  return `${modes} at ${describeDurations(feature.durations)}`;
}

export function describeDurations(durations: readonly number[]): string {
  const first = durations[0];
  const last = durations[durations.length - 1];
  const contiguous =
    first !== undefined &&
    last !== undefined &&
    durations.length > 2 &&
    last - first === durations.length - 1;
  if (contiguous) return `${first}–${last} s`;
  return `${durations.join(' or ')} s`;
}
