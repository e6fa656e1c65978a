/**
 * Voice endpoints (kling-api.md 8): preset list, and custom voices to create, read, list and delete.
 * Cloning completes at once (a simplification): the id is usable in voice_list right away.
 */
import { TASK_NOT_FOUND_MESSAGE } from '../errors.js';
import type { KlingHandler } from './context.js';
import { ok } from './http.js';
import { isAbsent, isRecord } from './json.js';
import { readPage, slicePage } from './paging.js';
import { invalid, Refusal, readHttpUrl, readText } from './validation-fields.js';
import { customVoiceTask, presetVoiceTasks } from './voices.js';

/** The voice endpoints page up to 1000 items, the task list up to 500. */
const VOICE_PAGE_SIZE_MAX = 1000;
const VOICE_NAME_MAX_LENGTH = 20;
const VOICE_FILE = /\.(mp3|wav|mp4|mov)$/i;

export const listPresetVoices: KlingHandler = (ctx, request) =>
  ok(slicePage(presetVoiceTasks(ctx.origin()), readPage(request.query, VOICE_PAGE_SIZE_MAX)));

export const listCustomVoices: KlingHandler = (ctx, request) => {
  const voices = ctx.voices.list(request.account).map((voice) => customVoiceTask(voice, ctx.origin()));
  return ok(slicePage(voices, readPage(request.query, VOICE_PAGE_SIZE_MAX)));
};

export const queryCustomVoice: KlingHandler = (ctx, request) => {
  const voice = ctx.voices.find(request.account, request.id ?? '');
  if (voice === undefined) throw new Refusal(TASK_NOT_FOUND_MESSAGE);
  return ok(customVoiceTask(voice, ctx.origin()));
};

export const createCustomVoice: KlingHandler = (ctx, request) => {
  const { body } = request;
  if (!isRecord(body)) throw new Refusal('Invalid request parameters: the body must be a JSON object', 1200);
  const voiceName = readText(body, 'voice_name', VOICE_NAME_MAX_LENGTH);
  if (voiceName === undefined) throw new Refusal('voice_name can not be null');
  if (ctx.voices.byName(request.account, voiceName)) {
    throw new Refusal(`voice_name '${voiceName}' already exists`);
  }
  checkSource(ctx, request.account, body);
  const externalTaskId = typeof body.external_task_id === 'string' ? body.external_task_id : undefined;
  if (externalTaskId !== undefined && ctx.voices.find(request.account, externalTaskId)) {
    throw new Refusal(`external_task_id '${externalTaskId}' already exists`);
  }
  const now = Date.now();
  const voice = {
    account: request.account,
    taskId: ctx.newId(),
    externalTaskId,
    voiceId: ctx.newId(),
    voiceName,
    createdAt: now,
    updatedAt: now + 1,
  };
  ctx.voices.add(voice);
  return ok({
    task_id: voice.taskId,
    task_status: 'submitted',
    task_info: externalTaskId === undefined ? {} : { external_task_id: externalTaskId },
    created_at: now,
    updated_at: now,
  });
};

export const deleteVoice: KlingHandler = (ctx, request) => {
  const voiceId = isRecord(request.body) ? request.body.voice_id : undefined;
  if (typeof voiceId !== 'string' || voiceId === '') throw new Refusal('voice_id can not be null');
  const deleted = ctx.voices.delete(request.account, voiceId);
  if (deleted === undefined) throw new Refusal(`voice_id '${voiceId}' not found`);
  return ok({ task_id: deleted.taskId, task_status: 'succeed' });
};

/**
 * Exactly one of voice_url (an audio or video file) or video_id (a video this account made with
 * kling-v2-6 and sound on).
 */
function checkSource(ctx: Parameters<KlingHandler>[0], account: string, body: Record<string, unknown>): void {
  const voiceUrl = readHttpUrl(body, 'voice_url');
  const videoId = body.video_id;
  const hasVideoId = !isAbsent(videoId) && videoId !== '';
  if ((voiceUrl !== undefined) === hasVideoId) {
    throw new Refusal('exactly one of voice_url and video_id must be set');
  }
  if (voiceUrl !== undefined) {
    if (!VOICE_FILE.test(new URL(voiceUrl).pathname)) throw invalid('voice_url', voiceUrl);
    return;
  }
  const source = typeof videoId === 'string' ? ctx.store.findVideo(videoId) : undefined;
  const usable = source?.account === account && source.summary.model === 'kling-v2-6' && source.summary.sound;
  if (!usable) throw invalid('video_id', videoId);
}
