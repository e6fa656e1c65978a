/**
 * A validated request as the wire body of `POST /v1/videos/image2video` (kling-api.md 3.1). Only
 * what the model understands is sent; absent optionals stay absent so the provider's defaults apply.
 */
import type { ImageToVideoRequest } from '../resolvers/image-to-video-request.js';
import { MODEL_CAPABILITIES } from './capabilities.js';
import type { CreateImageToVideoBody } from './wire.js';

export interface CreateBodyOptions {
  /** The gateway's id for the task, stable across resubmissions (kling-api.md section 11). */
  externalTaskId: string;
  /** Where the provider reports status changes; left out when absent. */
  callbackUrl?: string;
}

function multiShotFields(request: ImageToVideoRequest): Partial<CreateImageToVideoBody> {
  if (!request.multiShot) return {};
  return {
    multi_shot: true,
    ...(request.shotType === undefined ? {} : { shot_type: request.shotType }),
    ...(request.shots.length === 0
      ? {}
      : {
          // Durations are strings in every official example.
          multi_prompt: request.shots.map(({ index, prompt, duration }) => ({
            index,
            prompt,
            duration: String(duration),
          })),
        }),
  };
}

export function toCreateImageToVideoBody(
  request: ImageToVideoRequest,
  options: CreateBodyOptions,
): CreateImageToVideoBody {
  const model = MODEL_CAPABILITIES[request.model];
  return {
    model_name: request.model,
    ...(request.image === undefined ? {} : { image: request.image }),
    ...(request.imageTail === undefined ? {} : { image_tail: request.imageTail }),
    ...(request.prompt === undefined ? {} : { prompt: request.prompt }),
    ...(request.negativePrompt === undefined ? {} : { negative_prompt: request.negativePrompt }),
    ...multiShotFields(request),
    ...(request.voiceIds.length === 0
      ? {}
      : { voice_list: request.voiceIds.map((voiceId) => ({ voice_id: voiceId })) }),
    // Models before v2.6 have no `sound` field at all.
    ...(model.sound === null ? {} : { sound: request.sound ? 'on' : 'off' }),
    ...(request.cfgScale === undefined ? {} : { cfg_scale: request.cfgScale }),
    // The masters have no mode (UNCERTAIN whether one is refused), so none is sent.
    ...(model.modes.length === 0 ? {} : { mode: request.mode }),
    ...(request.staticMask === undefined ? {} : { static_mask: request.staticMask }),
    ...(request.dynamicMasks.length === 0 ? {} : { dynamic_masks: request.dynamicMasks }),
    ...(request.cameraControl === undefined ? {} : { camera_control: request.cameraControl }),
    duration: String(request.duration),
    ...(request.watermark ? { watermark_info: { enabled: true } } : {}),
    ...(options.callbackUrl === undefined ? {} : { callback_url: options.callbackUrl }),
    external_task_id: options.externalTaskId,
  };
}
