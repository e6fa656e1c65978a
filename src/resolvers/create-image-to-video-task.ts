/**
 * `createImageToVideoTask`: validate everything, persist the task as PENDING (with the external id
 * that makes the provider's create idempotent), then try to submit it once and return whatever
 * state it reached. The background submitter owns every later attempt.
 */
import { createHash, randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import stringify from 'safe-stable-stringify';
import type { GatewayContext } from '../context.js';
import { type TaskRow, taskEvents, tasks } from '../db/schema.js';
import { assertTenantQuota, lockTenant } from '../security/tenant-quota.js';
import { announceTaskChange } from '../tasks/task-events.js';
import { newCallbackToken } from '../tracking/callbacks.js';
import type { ImageToVideoInput, ImageToVideoRequest } from './image-to-video-request.js';
import { type InputIssue, validateImageToVideoInput } from './validate-image-to-video-input.js';
import { unstorableTextReason } from './validation/storable-text.js';

/** Longest accepted idempotency key, characters. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** How long a new task is left to the mutation's own first submission attempt, ms. */
const FIRST_ATTEMPT_GRACE_MS = 10_000;

/** Prefix of the external task ids the gateway derives; never numeric-looking, unlike Kling's ids. */
export const EXTERNAL_TASK_ID_PREFIX = 'kg-';

export async function createImageToVideoTask(
  ctx: GatewayContext,
  input: ImageToVideoInput,
  idempotencyKey: string | null | undefined,
): Promise<TaskRow> {
  const validation = validateImageToVideoInput(input);
  const issues = [...(validation.ok ? [] : validation.issues), ...idempotencyKeyIssues(idempotencyKey)];
  if (!validation.ok || issues.length > 0) throw badUserInput(issues);
  const request = validation.request;
  const inputHash = hashRequest(request);

  const insertion = await insertPendingTask(ctx, request, inputHash, idempotencyKey ?? null);
  if (insertion.kind === 'existing') return replayIdempotentCreate(insertion.task, inputHash);
  return (await ctx.submitter.submitNow(insertion.task.id)) ?? insertion.task;
}

function idempotencyKeyIssues(key: string | null | undefined): InputIssue[] {
  if (key === null || key === undefined) return [];
  if (key.length === 0) return [{ path: ['idempotencyKey'], message: 'must not be empty' }];
  if (key.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    return [
      { path: ['idempotencyKey'], message: `must be at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters` },
    ];
  }
  const unstorable = unstorableTextReason(key);
  return unstorable === undefined ? [] : [{ path: ['idempotencyKey'], message: unstorable }];
}

export function badUserInput(issues: InputIssue[]): GraphQLError {
  const summary = issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  return new GraphQLError(`Invalid input: ${summary}`, { extensions: { code: 'BAD_USER_INPUT', issues } });
}

/** Keys sorted, so the same request always hashes the same. */
function hashRequest(request: ImageToVideoRequest): string {
  return createHash('sha256')
    .update(stringify(request) ?? '')
    .digest('hex');
}

type Insertion = { kind: 'created'; task: TaskRow } | { kind: 'existing'; task: TaskRow };

/**
 * Inserts the task and its first event, unless the idempotency key names a task already. The
 * tenant's creates are serialized, so concurrent calls with one key see each other and the quotas
 * count exactly.
 */
async function insertPendingTask(
  ctx: GatewayContext,
  request: ImageToVideoRequest,
  inputHash: string,
  idempotencyKey: string | null,
): Promise<Insertion> {
  const id = randomUUID();
  const owner = ctx.viewer.id;
  return ctx.db.transaction(async (tx) => {
    await lockTenant(tx, owner);
    if (idempotencyKey !== null) {
      const [existing] = await tx
        .select()
        .from(tasks)
        .where(and(eq(tasks.owner, owner), eq(tasks.idempotencyKey, idempotencyKey)));
      if (existing) return { kind: 'existing', task: existing };
    }
    await assertTenantQuota(tx, owner, ctx.config.limits);
    const [task] = await tx
      .insert(tasks)
      .values({
        id,
        owner,
        externalTaskId: `${EXTERNAL_TASK_ID_PREFIX}${id}`,
        idempotencyKey,
        inputHash,
        model: request.model,
        mode: request.mode,
        duration: request.duration,
        prompt: request.prompt ?? null,
        input: request,
        callbackToken: newCallbackToken(),
        // The mutation makes the first attempt itself; the background submitter steps in only if
        // that attempt never happens (a crash) or leaves the task waiting.
        nextAttemptAt: sql`now() + ${FIRST_ATTEMPT_GRACE_MS} * interval '1 millisecond'`,
        eventSequence: 1,
      })
      .returning();
    if (task === undefined) throw new Error('insert returned no task');
    await tx.insert(taskEvents).values({ taskId: id, sequence: 1, status: 'PENDING', message: null });
    await announceTaskChange(tx, ctx.taskEventsChannel, {
      taskId: id,
      owner,
      status: 'PENDING',
      sequence: 1,
    });
    return { kind: 'created', task };
  });
}

function replayIdempotentCreate(existing: TaskRow, inputHash: string): TaskRow {
  if (existing.inputHash !== inputHash) {
    throw new GraphQLError('This idempotencyKey was already used with a different input', {
      extensions: { code: 'IDEMPOTENCY_CONFLICT' },
    });
  }
  return existing;
}
