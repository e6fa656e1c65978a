/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** The movement of a SIMPLE camera control: exactly one axis non-zero. Range [-10, 10]; 0 or null: no movement on this axis. */
export type CameraConfigInput = {
  /** Horizontal translation (x axis); negative moves left. Range [-10, 10]; 0 or null: no movement on this axis. */
  horizontal?: number | null | undefined;
  /** Rotation about the vertical (y) axis; negative turns left. Range [-10, 10]; 0 or null: no movement on this axis. */
  pan?: number | null | undefined;
  /** Rotation about the viewing (z) axis; negative rolls counter-clockwise. Range [-10, 10]; 0 or null: no movement on this axis. */
  roll?: number | null | undefined;
  /** Rotation about the horizontal (x) axis; negative tilts down. Range [-10, 10]; 0 or null: no movement on this axis. */
  tilt?: number | null | undefined;
  /** Vertical translation (y axis); negative moves down. Range [-10, 10]; 0 or null: no movement on this axis. */
  vertical?: number | null | undefined;
  /** Focal length; negative zooms in (narrower view), positive zooms out (wider view). Range [-10, 10]; 0 or null: no movement on this axis. */
  zoom?: number | null | undefined;
};

/** A camera movement. Without it the model chooses the motion itself. Excludes `imageTail` and motion brush: a request uses at most one of the three. Available only on KLING_V1_5 in PRO mode at 5 s. */
export type CameraControlInput = {
  /** Required for SIMPLE, where exactly one axis is non-zero; leave it out for the presets. */
  config?: CameraConfigInput | null | undefined;
  /** The movement: SIMPLE or a preset. */
  type: CameraControlType;
};

/** How the camera moves. Which models accept which type is noted on each value. */
export type CameraControlType =
  /** Preset: the camera descends and pulls back. Takes no `config`. No image-to-video model accepts it yet. */
  | 'DOWN_BACK'
  /** Preset: the camera moves forward and tilts up. Takes no `config`. No image-to-video model accepts it yet. */
  | 'FORWARD_UP'
  /** Preset: the camera turns left, then moves forward. Takes no `config`. No image-to-video model accepts it yet. */
  | 'LEFT_TURN_FORWARD'
  /** Preset: the camera turns right, then moves forward. Takes no `config`. No image-to-video model accepts it yet. */
  | 'RIGHT_TURN_FORWARD'
  /** One movement along one axis, given in `config` (required for this type). Accepted by KLING_V1_5. */
  | 'SIMPLE';

/** A region of the image and the path it moves along. */
export type DynamicMaskInput = {
  /** The region to move: an http(s) URL or raw base64 of a .jpg/.jpeg/.png image. Its resolution must equal `staticMask`’s and the other masks’ (checked here for base64 masks) and its aspect ratio the image’s (the provider fails the task later on a mismatch). */
  mask: string;
  /** The path, 2–77 points joined in order (2 points: a straight line). */
  trajectories: Array<PointInput>;
};

/** A video to generate from a first frame, a last frame or both, with optional motion controls. */
export type ImageToVideoInput = {
  /** A camera movement; without it the model chooses. Available only on KLING_V1_5 in PRO mode at 5 s. `imageTail`, motion brush and `cameraControl` exclude each other: send at most one. */
  cameraControl?: CameraControlInput | null | undefined;
  /** How closely the video follows the prompt, 0 to 1; higher is closer. Absent: the provider's default (0.5). Accepted but ignored by KLING_V2_MASTER, KLING_V2_1, KLING_V2_1_MASTER, KLING_V2_5_TURBO, KLING_V2_6. */
  cfgScale?: number | null | undefined;
  /** Length, whole seconds; default 5. Accepted: 5 or 10 s on KLING_V1, KLING_V1_5, KLING_V1_6, KLING_V2_MASTER, KLING_V2_1, KLING_V2_1_MASTER, KLING_V2_5_TURBO, KLING_V2_6; 3–15 s on KLING_V3. */
  duration?: number | null | undefined;
  /** Motion brush. Available only on KLING_V1 in STD or PRO mode at 5 s; KLING_V1_5 in PRO mode at 5 s. `imageTail`, motion brush and `cameraControl` exclude each other: send at most one. Up to 6 regions, each moving along a path. */
  dynamicMasks?: Array<DynamicMaskInput> | null | undefined;
  /** First frame: an http(s) URL or raw base64 (no `data:` prefix) of a .jpg/.jpeg/.png image; at most 10 MB, width and height at least 300 px, aspect ratio between 1:2.5 and 2.5:1. At least one of `image` and `imageTail` is required. */
  image?: string | null | undefined;
  /** Last frame: an http(s) URL or raw base64 (no `data:` prefix) of a .jpg/.jpeg/.png image; at most 10 MB, width and height at least 300 px, aspect ratio between 1:2.5 and 2.5:1. With `image` (first + last frame) available only on KLING_V1 in STD or PRO mode at 5 s; KLING_V1_5 in PRO mode at 5 or 10 s; KLING_V1_6 in PRO mode at 5 or 10 s; KLING_V2_1 in PRO mode at 5 or 10 s; KLING_V2_5_TURBO in PRO mode at 5 or 10 s; KLING_V2_6 in PRO mode at 5 or 10 s; KLING_V3 in STD or PRO mode at 3–15 s. On KLING_V2_6, `image` + `imageTail` needs `sound: false`. Alone (last frame only) available only on KLING_V1_5 in PRO mode at 5 or 10 s; KLING_V1_6 in PRO mode at 5 or 10 s. Not with `multiShot`. `imageTail`, motion brush and `cameraControl` exclude each other: send at most one. */
  imageTail?: string | null | undefined;
  /** Quality mode; default STD. Several features exist only in PRO mode. */
  mode?: VideoMode | null | undefined;
  /** The model; default KLING_V1. What each accepts: its enum value, or `models`. */
  model?: KlingModel | null | undefined;
  /** Generate a storyboard of several shots; default false. Needs `shotType`; not with `imageTail`. Available only on KLING_V3 in STD or PRO mode at 3–15 s. */
  multiShot?: boolean | null | undefined;
  /** What the video should avoid, at most 2500 characters. */
  negativePrompt?: string | null | undefined;
  /** What the video shows, at most 2500 characters. Refer to voices as `<<<voice_1>>>`, `<<<voice_2>>>` (1-based position in `voices`); a reference needs `sound: true`. Required (non-empty) on KLING_V3 unless `multiShot`, and with shotType INTELLIGENCE; a CUSTOMIZE storyboard uses its shots' prompts instead. */
  prompt?: string | null | undefined;
  /** Who writes the storyboard. Required with `multiShot: true`, refused without it. */
  shotType?: ShotType | null | undefined;
  /** The storyboard of shotType CUSTOMIZE: 1–6 shots whose durations add up to `duration`. Refused otherwise. */
  shots?: Array<ShotInput> | null | undefined;
  /** Generate audio with the video; default false. Must be true when a prompt refers to a voice. Available only on KLING_V2_6 in PRO mode at 5 or 10 s; KLING_V3 in STD or PRO mode at 3–15 s. On KLING_V2_6, `image` + `imageTail` needs `sound: false`. */
  sound?: boolean | null | undefined;
  /** Motion brush. Available only on KLING_V1 in STD or PRO mode at 5 s; KLING_V1_5 in PRO mode at 5 s. `imageTail`, motion brush and `cameraControl` exclude each other: send at most one. The region that stays still: an http(s) URL or raw base64 (no `data:` prefix) of a .jpg/.jpeg/.png image, with the dynamic masks' resolution (checked here for base64 masks) and the image's aspect ratio (the provider fails the task later on a mismatch). */
  staticMask?: string | null | undefined;
  /** Up to 2 voices to speak with, referred to from the prompt. Available only on KLING_V2_6 in PRO mode at 5 or 10 s. */
  voices?: Array<VoiceInput> | null | undefined;
  /** Also produce a watermarked copy (`videos[].watermarkUrl`); default false. */
  watermark?: boolean | null | undefined;
};

/** Kling's video models for image-to-video. Default KLING_V1. The `models` query returns the same capabilities as data. */
export type KlingModel =
  /** Kling `kling-v1`, the default: STD or PRO mode, 5 or 10 s; output 720p, 30 fps. Features: first + last frame (`image` + `imageTail`) in STD or PRO mode at 5 s; motion brush (`staticMask`, `dynamicMasks`) in STD or PRO mode at 5 s. */
  | 'KLING_V1'
  /** Kling `kling-v1-5`: STD or PRO mode, 5 or 10 s; output std 720p / pro 1080p, 30 fps. Features: first + last frame (`image` + `imageTail`) in PRO mode at 5 or 10 s; last frame only (`imageTail` without `image`) in PRO mode at 5 or 10 s; motion brush (`staticMask`, `dynamicMasks`) in PRO mode at 5 s; `cameraControl` in PRO mode at 5 s. */
  | 'KLING_V1_5'
  /** Kling `kling-v1-6`: STD or PRO mode, 5 or 10 s; output std 720p / pro 1080p, 30 fps. Features: first + last frame (`image` + `imageTail`) in PRO mode at 5 or 10 s; last frame only (`imageTail` without `image`) in PRO mode at 5 or 10 s. */
  | 'KLING_V1_6'
  /** Kling `kling-v2-1`: STD or PRO mode, 5 or 10 s; output std 720p / pro 1080p, 24 fps. Features: first + last frame (`image` + `imageTail`) in PRO mode at 5 or 10 s. Ignores `cfgScale`. */
  | 'KLING_V2_1'
  /** Kling `kling-v2-1-master`: no modes (`mode` is ignored), 5 or 10 s; output 1080p, 24 fps. Single-frame generation only. Ignores `cfgScale`. */
  | 'KLING_V2_1_MASTER'
  /** Kling `kling-v2-5-turbo`: STD or PRO mode, 5 or 10 s; output pro 1080p, 24 fps (std UNCERTAIN, likely 720p). Features: first + last frame (`image` + `imageTail`) in PRO mode at 5 or 10 s. Ignores `cfgScale`. */
  | 'KLING_V2_5_TURBO'
  /** Kling `kling-v2-6`: STD or PRO mode, 5 or 10 s; output UNCERTAIN (resellers: std 720p / pro 1080p). Features: first + last frame (`image` + `imageTail`) in PRO mode at 5 or 10 s; `sound: true` in PRO mode at 5 or 10 s; `voices` in PRO mode at 5 or 10 s. Ignores `cfgScale`. */
  | 'KLING_V2_6'
  /** Kling `kling-v2-master`: no modes (`mode` is ignored), 5 or 10 s; output 720p, 24 fps. Single-frame generation only. Ignores `cfgScale`. */
  | 'KLING_V2_MASTER'
  /** Kling `kling-v3`: STD or PRO mode, 3–15 s; output UNCERTAIN (resellers: std 720p / pro 1080p). Features: first + last frame (`image` + `imageTail`) in STD or PRO mode at 3–15 s; `sound: true` in STD or PRO mode at 3–15 s; `multiShot` in STD or PRO mode at 3–15 s; element references in STD or PRO mode at 3–15 s. */
  | 'KLING_V3';

/** A point of a trajectory, in pixels of the input image, origin at its bottom-left corner. */
export type PointInput = {
  /** Pixels from the left edge of the input image; not negative. */
  x: number;
  /** Pixels from the bottom edge of the input image; not negative. */
  y: number;
};

/** One shot of a CUSTOMIZE storyboard, which has 1–6 shots. */
export type ShotInput = {
  /** Seconds, at least 1 and at most the task's `duration`; the shots' durations add up to `duration` exactly. */
  duration: number;
  /** 1-based position in the storyboard: n shots are numbered 1 to n, each once, in any order. */
  index: number;
  /** What happens in this shot; non-empty, at most 512 characters. */
  prompt: string;
};

/** Who writes a multi-shot storyboard (with `multiShot: true`, where it is required). */
export type ShotType =
  /** You write the storyboard: 1–6 `shots` whose durations add up to `duration` exactly. */
  | 'CUSTOMIZE'
  /** The provider writes the shots from `prompt`, which must be non-empty; send no `shots`. */
  | 'INTELLIGENCE';

/** Why a task FAILED, so a client can react without parsing `statusMessage`. */
export type TaskFailureCode =
  /** The provider account cannot take tasks (in arrears, resource pack exhausted, no permission). */
  | 'ACCOUNT_UNAVAILABLE'
  /** The input triggered the provider’s content policy. */
  | 'CONTENT_POLICY'
  /** The provider accepted the task and later reported that generation failed. */
  | 'GENERATION_FAILED'
  /** The provider refused to create the task (for example an invalid parameter). */
  | 'PROVIDER_REJECTED';

/** Where a task stands. It only moves forward; SUCCEEDED and FAILED are final. */
export type TaskStatus =
  /** Done without a video: see `failureCode` and `statusMessage`. */
  | 'FAILED'
  /** Stored by the gateway, not yet accepted by the provider; the gateway keeps submitting it. */
  | 'PENDING'
  /** The provider is generating the video. */
  | 'PROCESSING'
  /** Accepted by the provider and queued. */
  | 'SUBMITTED'
  /** Done: `videos` holds the result. The provider deletes the files 30 days after generation. */
  | 'SUCCEEDED';

/** Quality mode; default STD. Ignored by models without modes (KLING_V2_MASTER, KLING_V2_1_MASTER). */
export type VideoMode =
  /** Professional: higher quality and price; several features exist only in this mode. */
  | 'PRO'
  /** Standard: cheaper and faster. */
  | 'STD';

/** A voice for the video. A prompt refers to it as `<<<voice_1>>>`, `<<<voice_2>>>`…: its 1-based position in `voices`. */
export type VoiceInput = {
  /** A preset voice `id` (see `presetVoices`) or a custom voice id of the provider account. Not a lip-sync or text-to-speech voice id. */
  voiceId: string;
};

export type CreateCameraMoveTaskMutationVariables = Exact<{
  image: string;
  idempotencyKey?: string | null | undefined;
}>;


export type CreateCameraMoveTaskMutation = { createImageToVideoTask: { task: { id: string, status: TaskStatus, statusMessage: string | null, failureCode: TaskFailureCode | null, providerTaskId: string | null, model: KlingModel, mode: VideoMode, duration: number, prompt: string | null, sequence: number, createdAt: string, updatedAt: string, videos: Array<{ url: string, watermarkUrl: string | null, duration: number }> } } };

export type CreateStoryboardTaskMutationVariables = Exact<{
  image: string;
  idempotencyKey?: string | null | undefined;
}>;


export type CreateStoryboardTaskMutation = { createImageToVideoTask: { task: { id: string, status: TaskStatus, statusMessage: string | null, failureCode: TaskFailureCode | null, providerTaskId: string | null, model: KlingModel, mode: VideoMode, duration: number, prompt: string | null, sequence: number, createdAt: string, updatedAt: string, videos: Array<{ url: string, watermarkUrl: string | null, duration: number }> } } };

export type CreateTaskMutationVariables = Exact<{
  input: ImageToVideoInput;
  idempotencyKey?: string | null | undefined;
}>;


export type CreateTaskMutation = { createImageToVideoTask: { task: { id: string, status: TaskStatus, statusMessage: string | null, failureCode: TaskFailureCode | null, providerTaskId: string | null, model: KlingModel, mode: VideoMode, duration: number, prompt: string | null, sequence: number, createdAt: string, updatedAt: string, videos: Array<{ url: string, watermarkUrl: string | null, duration: number }> } } };

export type CreateVoicedTaskMutationVariables = Exact<{
  image: string;
  voiceId: string;
  idempotencyKey?: string | null | undefined;
}>;


export type CreateVoicedTaskMutation = { createImageToVideoTask: { task: { id: string, status: TaskStatus, statusMessage: string | null, failureCode: TaskFailureCode | null, providerTaskId: string | null, model: KlingModel, mode: VideoMode, duration: number, prompt: string | null, sequence: number, createdAt: string, updatedAt: string, videos: Array<{ url: string, watermarkUrl: string | null, duration: number }> } } };

export type ModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type ModelsQuery = { models: Array<{ name: KlingModel, modes: Array<VideoMode>, durations: Array<number>, multiShot: { modes: Array<VideoMode>, durations: Array<number> } | null, cameraControl: { modes: Array<VideoMode>, durations: Array<number>, types: Array<CameraControlType> } | null, voices: { modes: Array<VideoMode>, durations: Array<number> } | null }>, limits: { promptMaxLength: number, shotsMax: number, voicesMax: number }, presetVoices: Array<{ id: string, name: string, trialUrl: string | null }> };

export type MyTasksQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  status?: Array<TaskStatus> | TaskStatus | null | undefined;
}>;


export type MyTasksQuery = { tasks: { edges: Array<{ node: { id: string, status: TaskStatus, statusMessage: string | null, failureCode: TaskFailureCode | null, providerTaskId: string | null, model: KlingModel, mode: VideoMode, duration: number, prompt: string | null, sequence: number, createdAt: string, updatedAt: string, videos: Array<{ url: string, watermarkUrl: string | null, duration: number }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type TaskFieldsFragment = { id: string, status: TaskStatus, statusMessage: string | null, failureCode: TaskFailureCode | null, providerTaskId: string | null, model: KlingModel, mode: VideoMode, duration: number, prompt: string | null, sequence: number, createdAt: string, updatedAt: string, videos: Array<{ url: string, watermarkUrl: string | null, duration: number }> };

export type WatchTaskSubscriptionVariables = Exact<{
  id: string | number;
  afterSequence?: number | null | undefined;
}>;


export type WatchTaskSubscription = { taskUpdated: { id: string, status: TaskStatus, statusMessage: string | null, failureCode: TaskFailureCode | null, providerTaskId: string | null, model: KlingModel, mode: VideoMode, duration: number, prompt: string | null, sequence: number, createdAt: string, updatedAt: string, videos: Array<{ url: string, watermarkUrl: string | null, duration: number }> } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const TaskFieldsFragmentDoc = new TypedDocumentString(`
    fragment TaskFields on VideoTask {
  id
  status
  statusMessage
  failureCode
  providerTaskId
  model
  mode
  duration
  prompt
  sequence
  videos {
    url
    watermarkUrl
    duration
  }
  createdAt
  updatedAt
}
    `, {"fragmentName":"TaskFields"}) as unknown as TypedDocumentString<TaskFieldsFragment, unknown>;
export const CreateCameraMoveTaskDocument = new TypedDocumentString(`
    mutation CreateCameraMoveTask($image: String!, $idempotencyKey: String) {
  createImageToVideoTask(
    input: {model: KLING_V1_5, mode: PRO, duration: 5, image: $image, prompt: "A slow push-in on a mountain cabin in falling snow", cameraControl: {type: SIMPLE, config: {zoom: -5}}}
    idempotencyKey: $idempotencyKey
  ) {
    task {
      ...TaskFields
    }
  }
}
    fragment TaskFields on VideoTask {
  id
  status
  statusMessage
  failureCode
  providerTaskId
  model
  mode
  duration
  prompt
  sequence
  videos {
    url
    watermarkUrl
    duration
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CreateCameraMoveTaskMutation, CreateCameraMoveTaskMutationVariables>;
export const CreateStoryboardTaskDocument = new TypedDocumentString(`
    mutation CreateStoryboardTask($image: String!, $idempotencyKey: String) {
  createImageToVideoTask(
    input: {model: KLING_V3, mode: PRO, image: $image, multiShot: true, shotType: CUSTOMIZE, shots: [{index: 1, prompt: "Wide shot: a lighthouse on a cliff at dawn", duration: 4}, {index: 2, prompt: "The lamp turns on, light sweeps across the sea", duration: 3}, {index: 3, prompt: "Close-up of waves breaking on the rocks", duration: 3}], duration: 10}
    idempotencyKey: $idempotencyKey
  ) {
    task {
      ...TaskFields
    }
  }
}
    fragment TaskFields on VideoTask {
  id
  status
  statusMessage
  failureCode
  providerTaskId
  model
  mode
  duration
  prompt
  sequence
  videos {
    url
    watermarkUrl
    duration
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CreateStoryboardTaskMutation, CreateStoryboardTaskMutationVariables>;
export const CreateTaskDocument = new TypedDocumentString(`
    mutation CreateTask($input: ImageToVideoInput!, $idempotencyKey: String) {
  createImageToVideoTask(input: $input, idempotencyKey: $idempotencyKey) {
    task {
      ...TaskFields
    }
  }
}
    fragment TaskFields on VideoTask {
  id
  status
  statusMessage
  failureCode
  providerTaskId
  model
  mode
  duration
  prompt
  sequence
  videos {
    url
    watermarkUrl
    duration
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CreateTaskMutation, CreateTaskMutationVariables>;
export const CreateVoicedTaskDocument = new TypedDocumentString(`
    mutation CreateVoicedTask($image: String!, $voiceId: String!, $idempotencyKey: String) {
  createImageToVideoTask(
    input: {model: KLING_V2_6, mode: PRO, duration: 5, image: $image, prompt: "The <<<voice_1>>> narrator looks up and says: the storm is coming", voices: [{voiceId: $voiceId}], sound: true}
    idempotencyKey: $idempotencyKey
  ) {
    task {
      ...TaskFields
    }
  }
}
    fragment TaskFields on VideoTask {
  id
  status
  statusMessage
  failureCode
  providerTaskId
  model
  mode
  duration
  prompt
  sequence
  videos {
    url
    watermarkUrl
    duration
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CreateVoicedTaskMutation, CreateVoicedTaskMutationVariables>;
export const ModelsDocument = new TypedDocumentString(`
    query Models {
  models {
    name
    modes
    durations
    multiShot {
      modes
      durations
    }
    cameraControl {
      modes
      durations
      types
    }
    voices {
      modes
      durations
    }
  }
  limits {
    promptMaxLength
    shotsMax
    voicesMax
  }
  presetVoices {
    id
    name
    trialUrl
  }
}
    `) as unknown as TypedDocumentString<ModelsQuery, ModelsQueryVariables>;
export const MyTasksDocument = new TypedDocumentString(`
    query MyTasks($first: Int = 10, $after: String, $status: [TaskStatus!]) {
  tasks(first: $first, after: $after, status: $status) {
    edges {
      node {
        ...TaskFields
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment TaskFields on VideoTask {
  id
  status
  statusMessage
  failureCode
  providerTaskId
  model
  mode
  duration
  prompt
  sequence
  videos {
    url
    watermarkUrl
    duration
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<MyTasksQuery, MyTasksQueryVariables>;
export const WatchTaskDocument = new TypedDocumentString(`
    subscription WatchTask($id: ID!, $afterSequence: Int) {
  taskUpdated(id: $id, afterSequence: $afterSequence) {
    ...TaskFields
  }
}
    fragment TaskFields on VideoTask {
  id
  status
  statusMessage
  failureCode
  providerTaskId
  model
  mode
  duration
  prompt
  sequence
  videos {
    url
    watermarkUrl
    duration
  }
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<WatchTaskSubscription, WatchTaskSubscriptionVariables>;