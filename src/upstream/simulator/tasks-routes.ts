/** The image-to-video endpoints (kling-api.md 1.1, 4): create, query one, list. */
import { TASK_NOT_FOUND_MESSAGE } from '../errors.js';
import type { KlingHandler } from './context.js';
import { ok } from './http.js';
import { promptsOf } from './json.js';
import { readPage } from './paging.js';
import { type TaskRecord, toWireTask } from './store.js';
import { validateCreateBody } from './validation.js';
import { Refusal } from './validation-fields.js';

const TASK_PAGE_SIZE_MAX = 500;

export const createTask: KlingHandler = (ctx, request) => {
  const { account, body } = request;
  const summary = validateCreateBody(body, (voiceId) => ctx.voices.isKnown(account, voiceId));
  const { externalTaskId } = summary;
  if (externalTaskId !== undefined && ctx.store.findByExternalId(account, externalTaskId)) {
    throw new Refusal(`external_task_id '${externalTaskId}' already exists`);
  }
  // Lets tests exercise a synchronous content-security refusal through the prompt alone.
  if (promptsOf(body).some((prompt) => prompt.includes('sim:reject'))) {
    throw new Refusal(
      'Failure to pass the risk control system: the input violates the content security policy',
      1301,
    );
  }
  if (ctx.store.inFlight(account) >= ctx.options.concurrencyLimit) {
    throw new Refusal('parallel task over resource pack limit', 1303);
  }
  const now = Date.now();
  const task: TaskRecord = {
    account,
    taskId: ctx.newId(),
    externalTaskId,
    status: 'submitted',
    body,
    callbackUrl: summary.callbackUrl,
    createdAt: now,
    updatedAt: now,
    summary,
    statusMsg: '',
    videos: [],
    finalUnitDeduction: undefined,
  };
  ctx.store.add(task);
  ctx.lifecycle.start(task);
  return ok({
    task_id: task.taskId,
    task_status: task.status,
    task_info: externalTaskId === undefined ? {} : { external_task_id: externalTaskId },
    created_at: now,
    updated_at: now,
  });
};

/** `{id}` is a task_id or the caller's external_task_id. */
export const queryTask: KlingHandler = (ctx, request) =>
  ok(toWireTask(findOrRefuse(ctx, request.account, request.id)));

/** Newest first; `?external_task_id=` answers the single task, as some clients expect. */
export const listTasks: KlingHandler = (ctx, request) => {
  const externalTaskId = request.query.external_task_id;
  if (externalTaskId !== undefined && externalTaskId !== '') {
    const task = ctx.store.findByExternalId(request.account, externalTaskId);
    if (task === undefined) throw new Refusal(TASK_NOT_FOUND_MESSAGE);
    return ok(toWireTask(task));
  }
  const page = readPage(request.query, TASK_PAGE_SIZE_MAX);
  return ok(ctx.store.page(request.account, page).map(toWireTask));
};

function findOrRefuse(ctx: Parameters<KlingHandler>[0], account: string, id: string | undefined): TaskRecord {
  const task = id === undefined ? undefined : ctx.store.find(account, id);
  // The status of a miss is UNCERTAIN; 1201 / 400 follows the official table.
  if (task === undefined) throw new Refusal(TASK_NOT_FOUND_MESSAGE);
  return task;
}
