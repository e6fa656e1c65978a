/**
 * Kling's JSON on the wire (../shared/kling-api.md sections 3–5). Requests are typed; responses are
 * parsed with zod when they arrive, leniently where the reference marks a shape UNCERTAIN.
 */
import { z } from 'zod';
import type { CameraAxis, CameraControlType, KlingModelName, ShotType, VideoMode } from './capabilities.js';

export const IMAGE_TO_VIDEO_PATH = '/v1/videos/image2video';
export const PRESET_VOICES_PATH = '/v1/general/presets-voices';

/** Body of `POST /v1/videos/image2video`, as the gateway sends it. */
export interface CreateImageToVideoBody {
  model_name: KlingModelName;
  image?: string;
  image_tail?: string;
  prompt?: string;
  negative_prompt?: string;
  multi_shot?: boolean;
  shot_type?: ShotType;
  /** Durations are strings in every official example. */
  multi_prompt?: { index: number; prompt: string; duration: string }[];
  voice_list?: { voice_id: string }[];
  sound?: 'on' | 'off';
  cfg_scale?: number;
  mode?: VideoMode;
  static_mask?: string;
  dynamic_masks?: { mask: string; trajectories: { x: number; y: number }[] }[];
  camera_control?: { type: CameraControlType; config?: Partial<Record<CameraAxis, number>> };
  /** Seconds as a string: "5". */
  duration: string;
  watermark_info?: { enabled: boolean };
  callback_url?: string;
  external_task_id: string;
}

/** Kling spells success `succeed`. */
export const WIRE_TASK_STATUSES = ['submitted', 'processing', 'succeed', 'failed'] as const;
export type WireTaskStatus = (typeof WIRE_TASK_STATUSES)[number];

/** `{ code, message, request_id, data }`; `data` is absent or null on errors. */
export const envelopeSchema = z.object({
  code: z.number().int(),
  message: z.string().nullish(),
  request_id: z.string().nullish(),
  data: z.unknown().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

const wireVideoSchema = z.object({
  id: z.string(),
  url: z.string(),
  watermark_url: z.string().nullish(),
  /** Seconds as a decimal string, e.g. "5.041"; some wrappers send a number. */
  duration: z.union([z.string(), z.number()]).transform(String),
});
export type WireVideo = z.infer<typeof wireVideoSchema>;

/** `task_info` may be an object, `{}`, `""` or missing (UNCERTAIN). */
const taskInfoSchema = z
  .union([z.object({ external_task_id: z.string().nullish() }).loose(), z.string(), z.null()])
  .optional()
  .transform((info) => (info && typeof info === 'object' ? (info.external_task_id ?? undefined) : undefined));

/** While a task runs, `task_result` may be missing, null, `{videos: []}` or `{videos: null}` (UNCERTAIN). */
const taskResultSchema = z
  .object({ videos: z.array(wireVideoSchema).nullish() })
  .loose()
  .nullish()
  .transform((result) => result?.videos ?? []);

/** One task as query, list and callback bodies carry it. Ids stay strings: they exceed 2^53. */
export const wireTaskSchema = z.object({
  task_id: z.string().min(1),
  task_status: z.enum(WIRE_TASK_STATUSES),
  task_status_msg: z.string().nullish(),
  task_info: taskInfoSchema,
  task_result: taskResultSchema,
  final_unit_deduction: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((units) => units?.toString()),
  created_at: z.number(),
  updated_at: z.number(),
});
/** A parsed task: `task_info` flattened to `external_task_id`, `task_result` to its videos. */
export type WireTask = z.infer<typeof wireTaskSchema>;
/** A task as the provider writes it, before parsing. */
export type WireTaskInput = z.input<typeof wireTaskSchema>;

export const wireTaskListSchema = z.array(wireTaskSchema);

export const wireVoiceSchema = z.object({
  voice_id: z.string(),
  voice_name: z.string(),
  trial_url: z.string().nullish(),
  owned_by: z.string().nullish(),
});
export type WireVoice = z.infer<typeof wireVoiceSchema>;

/** Preset voices come as task-shaped objects whose `task_result.voices[]` carry the voices. */
export const wirePresetVoicesSchema = z.array(
  z
    .object({
      task_result: z
        .object({ voices: z.array(wireVoiceSchema).nullish() })
        .loose()
        .nullish(),
    })
    .loose(),
);
