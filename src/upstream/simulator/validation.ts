/**
 * The create body, checked as the provider checks it (kling-api.md 3): the first broken rule
 * refuses the request with 1201 and a message shaped like the real ones.
 */
import {
  DEFAULT_DURATION,
  DEFAULT_MODE,
  DEFAULT_MODEL,
  KLING_MODEL_NAMES,
  type KlingModelName,
  LIMITS,
  MODEL_CAPABILITIES,
  VIDEO_MODES,
} from '../capabilities.js';
import { isAbsent, isRecord, promptsOf } from './json.js';
import type { CreateSummary } from './store.js';
import { type Cell, checkExclusiveFeatures, requireCell } from './validation-features.js';
import {
  invalid,
  Refusal,
  readBoolean,
  readEnum,
  readHttpUrl,
  readNumberInRange,
  readSeconds,
  readText,
} from './validation-fields.js';
import { readMedia } from './validation-media.js';
import { checkMultiShot, checkVoicesAndElements } from './validation-shots.js';

/** Throws a Refusal on the first broken rule. */
export function validateCreateBody(body: unknown, isKnownVoice: (voiceId: string) => boolean): CreateSummary {
  if (!isRecord(body)) throw new Refusal('Invalid request parameters: the body must be a JSON object', 1200);
  const model = readModel(body.model_name);
  const caps = MODEL_CAPABILITIES[model];
  // Models without modes ignore `mode`, but it must still be a known value (UNCERTAIN: accepted).
  const mode = readEnum(body, 'mode', VIDEO_MODES) ?? DEFAULT_MODE;
  const duration = readDuration(body.duration, caps.durations);
  const cell: Cell = { caps, mode, duration };

  const image = readMedia(body, 'image', { aspectRatio: true, minSide: true });
  // No aspect-ratio rule is documented for the tail (UNCERTAIN): be lenient.
  const imageTail = readMedia(body, 'image_tail', { aspectRatio: false, minSide: true });
  if (image === undefined && imageTail === undefined) throw new Refusal('image can not be null');

  const prompt = readText(body, 'prompt', LIMITS.promptMaxLength);
  readText(body, 'negative_prompt', LIMITS.negativePromptMaxLength);
  const multiShot = readBoolean(body, 'multi_shot') ?? false;
  // The current edition (the one with multi-shot) wants a prompt for a single shot; older ones do not.
  if (!multiShot && prompt === undefined && caps.multiShot !== null) {
    throw new Refusal('prompt can not be null');
  }

  const sound = readEnum(body, 'sound', ['on', 'off']) === 'on';
  if (sound) requireCell(cell, "sound 'on'", caps.sound);
  const hasTail = imageTail !== undefined;
  if (hasTail && image !== undefined && sound && caps.firstAndLastFrameSilentOnly) {
    throw new Refusal(`${model} supports image_tail only with sound 'off'`);
  }
  // Accepted on every model: the v2.x "does not support" wording reads as ignored (UNCERTAIN).
  readNumberInRange('cfg_scale', body.cfg_scale, LIMITS.cfgScaleMin, LIMITS.cfgScaleMax);

  checkExclusiveFeatures(body, cell, image !== undefined, hasTail);
  checkMultiShot(body, cell, { prompt, hasTail, sound });
  const prompts = multiShot ? promptsOf(body) : prompt === undefined ? [] : [prompt];
  checkVoicesAndElements(body, cell, { prompts, sound, isKnownVoice });

  return {
    model,
    mode,
    duration,
    sound,
    watermark: readWatermark(body.watermark_info),
    callbackUrl: readHttpUrl(body, 'callback_url'),
    externalTaskId: readExternalTaskId(body.external_task_id),
  };
}

/** A missing or empty model_name means kling-v1; the legacy `model` field is ignored likewise. */
function readModel(value: unknown): KlingModelName {
  if (isAbsent(value) || value === '') return DEFAULT_MODEL;
  const model = KLING_MODEL_NAMES.find((name) => name === value);
  if (model === undefined) throw invalid('model_name', value);
  return model;
}

function readDuration(value: unknown, allowed: readonly number[]): number {
  if (isAbsent(value)) return DEFAULT_DURATION;
  const seconds = readSeconds('duration', value);
  if (!allowed.includes(seconds)) throw invalid('duration', value);
  return seconds;
}

function readWatermark(value: unknown): boolean {
  if (isAbsent(value)) return false;
  if (!isRecord(value)) throw invalid('watermark_info', value);
  return readBoolean(value, 'enabled') ?? false;
}

/** Length and character set are undocumented (UNCERTAIN): any non-empty string. */
function readExternalTaskId(value: unknown): string | undefined {
  if (isAbsent(value) || value === '') return undefined;
  if (typeof value !== 'string') throw invalid('external_task_id', value);
  return value;
}
