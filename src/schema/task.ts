/** `VideoTask`: one image-to-video generation as the gateway tracks it, with its history. */
import type { StoredVideo, TaskEventRow, TaskRow } from '../db/schema.js';
import { TASK_STATUSES, type TaskStatus as TaskStatusName } from '../db/schema.js';
import { getTask, getTaskEvents, taskFailureCode } from '../resolvers/task-queries.js';
import { TASK_FAILURE_CODES, type TaskFailureCode as TaskFailureCodeName } from '../tasks/task-status.js';
import { builder } from './builder.js';
import { KlingModel, VideoMode } from './model.js';
import { providerEnumValues } from './provider-enum.js';

const STATUS_MEANINGS: Readonly<Record<TaskStatusName, string>> = {
  PENDING: 'Stored by the gateway, not yet accepted by the provider; the gateway keeps submitting it.',
  SUBMITTED: 'Accepted by the provider and queued.',
  PROCESSING: 'The provider is generating the video.',
  SUCCEEDED: 'Done: `videos` holds the result. The provider deletes the files 30 days after generation.',
  FAILED: 'Done without a video: see `failureCode` and `statusMessage`.',
};

export const TaskStatus = builder.enumType('TaskStatus', {
  description: 'Where a task stands. It only moves forward; SUCCEEDED and FAILED are final.',
  values: providerEnumValues(TASK_STATUSES, (status) => STATUS_MEANINGS[status]),
});

const FAILURE_MEANINGS: Readonly<Record<TaskFailureCodeName, string>> = {
  PROVIDER_REJECTED: 'The provider refused to create the task (for example an invalid parameter).',
  CONTENT_POLICY: 'The input triggered the provider’s content policy.',
  ACCOUNT_UNAVAILABLE:
    'The provider account cannot take tasks (in arrears, resource pack exhausted, no permission).',
  GENERATION_FAILED: 'The provider accepted the task and later reported that generation failed.',
};

export const TaskFailureCode = builder.enumType('TaskFailureCode', {
  description: 'Why a task FAILED, so a client can react without parsing `statusMessage`.',
  values: providerEnumValues(TASK_FAILURE_CODES, (code) => FAILURE_MEANINGS[code]),
});

export const GeneratedVideo = builder.objectRef<StoredVideo>('GeneratedVideo').implement({
  description: 'A finished video. The provider deletes its files 30 days after generation.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The provider’s video id: opaque, globally unique.' }),
    url: t.exposeString('url', { description: 'The MP4 file.' }),
    watermarkUrl: t.exposeString('watermarkUrl', {
      nullable: true,
      description: 'A watermarked copy; only when the task was created with `watermark: true`.',
    }),
    duration: t.exposeFloat('duration', {
      description: 'Length in seconds, possibly fractional (e.g. 5.041).',
    }),
  }),
});

export const TaskEvent = builder.objectRef<TaskEventRow>('TaskEvent').implement({
  description: 'One status change of a task.',
  fields: (t) => ({
    status: t.expose('status', { type: TaskStatus, description: 'The status entered.' }),
    message: t.exposeString('message', {
      nullable: true,
      description: 'The reason or provider message, if any.',
    }),
    at: t.expose('at', { type: 'DateTime', description: 'When the gateway recorded the change.' }),
    sequence: t.exposeInt('sequence', {
      description: 'Position in the task’s history, from 1; a repeated number is a duplicate.',
    }),
  }),
});

export const VideoTask = builder.node(builder.objectRef<TaskRow>('VideoTask'), {
  description: 'An image-to-video generation: its request, its status and, once SUCCEEDED, its videos.',
  id: { resolve: (task) => task.id },
  loadOne: (id, ctx) => getTask(ctx, id),
  fields: (t) => ({
    status: t.expose('status', { type: TaskStatus, description: 'Where the task stands.' }),
    statusMessage: t.exposeString('statusMessage', {
      nullable: true,
      description:
        'A human-readable note: why the task waits (while PENDING) or why it failed; null when there is none.',
    }),
    failureCode: t.field({
      type: TaskFailureCode,
      nullable: true,
      description: 'Why the task FAILED; null otherwise.',
      resolve: (task) => taskFailureCode(task),
    }),
    providerTaskId: t.exposeString('providerTaskId', {
      nullable: true,
      description: 'The provider’s task id, once it accepted the task; opaque.',
    }),
    externalTaskId: t.exposeString('externalTaskId', {
      description:
        'The id the gateway registers the task under at the provider; stable across resubmissions.',
    }),
    // `input` is the validated request the `model` and `mode` columns are copied from, typed.
    model: t.field({ type: KlingModel, description: 'The model.', resolve: (task) => task.input.model }),
    mode: t.field({
      type: VideoMode,
      description: 'The mode, the default applied (models without modes ignore it).',
      resolve: (task) => task.input.mode,
    }),
    duration: t.exposeInt('duration', { description: 'Requested length, whole seconds.' }),
    prompt: t.exposeString('prompt', {
      nullable: true,
      description: 'The prompt; null when none was given.',
    }),
    videos: t.expose('videos', {
      type: [GeneratedVideo],
      description: 'The result, normally one video; empty until SUCCEEDED.',
    }),
    events: t.field({
      type: [TaskEvent],
      description: 'Every status change, oldest first.',
      resolve: (task, _args, ctx) => getTaskEvents(ctx, task),
    }),
    sequence: t.exposeInt('eventSequence', { description: 'The `sequence` of the latest event.' }),
    unitsCharged: t.exposeString('unitsCharged', {
      nullable: true,
      description:
        'Resource-pack units the provider charged, a decimal string (e.g. "2.5"); null until reported.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the gateway stored the task.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the task last changed.' }),
    submittedAt: t.expose('submittedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the provider accepted the task; null while PENDING or if it never did.',
    }),
  }),
});
