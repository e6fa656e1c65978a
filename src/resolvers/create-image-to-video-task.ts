/**
 * `createImageToVideoTask`: validate everything, persist the task as PENDING (with the external id
 * that makes the provider's create idempotent), then try to submit it once and return whatever
 * state it reached. The background submitter owns every later attempt.
 */
import { createHash, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import stringify from 'safe-stable-stringify';
import type { GatewayContext } from '../context.js';
import type { Transaction } from '../db/connection.js';
import { type TaskRow, tasks } from '../db/schema.js';
import { tenantLockSql, tenantQuota } from '../security/tenant-quota.js';
import type { NewTaskClaim } from '../submission/claim.js';
import { insertTaskWithFirstEvent } from '../tasks/apply-task-change.js';
import { newCallbackToken } from '../tracking/callbacks.js';
import type { ImageToVideoInput, ImageToVideoRequest } from './image-to-video-request.js';
import { type InputIssue, validateImageToVideoInput } from './validate-image-to-video-input.js';
import { unstorableTextReason } from './validation/storable-text.js';

/** Longest accepted idempotency key, characters. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

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
  return (await ctx.submitter.carryOut(insertion.claim)) ?? insertion.claim.task;
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

type Insertion = { kind: 'created'; claim: NewTaskClaim } | { kind: 'existing'; task: TaskRow };

/**
 * Stores the task with its first event and claims it for the first attempt, in one transaction,
 * unless the idempotency key names a task already. Three statements and the commit: the task, its
 * first event and announcement with the tenant lock; the tenant's quota counts with the submission
 * lock; the claim. The two serializing locks come after the insertion, so each is held for a
 * couple of round trips: every create of a tenant, and every create at all, passes through them.
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
    const task = await insertTaskWithFirstEvent(
      tx,
      ctx.taskEventsChannel,
      {
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
        eventSequence: 1,
      },
      tenantLockSql(owner),
    );
    if (task === undefined)
      return { kind: 'existing', task: await taskByIdempotencyKey(tx, owner, idempotencyKey) };
    const quota = tenantQuota(owner, id, ctx.config.limits);
    return { kind: 'created', claim: await ctx.submitter.claimNew(tx, task, quota) };
  });
}

async function taskByIdempotencyKey(
  tx: Transaction,
  owner: string,
  idempotencyKey: string | null,
): Promise<TaskRow> {
  const [existing] =
    idempotencyKey === null
      ? []
      : await tx
          .select()
          .from(tasks)
          .where(and(eq(tasks.owner, owner), eq(tasks.idempotencyKey, idempotencyKey)));
  // Only the key's unique index makes the insert conflict, so its task exists.
  if (existing === undefined) throw new Error('the task insert conflicted without an idempotency key');
  return existing;
}

function replayIdempotentCreate(existing: TaskRow, inputHash: string): TaskRow {
  if (existing.inputHash !== inputHash) {
    throw new GraphQLError('This idempotencyKey was already used with a different input', {
      extensions: { code: 'IDEMPOTENCY_CONFLICT' },
    });
  }
  return existing;
}
