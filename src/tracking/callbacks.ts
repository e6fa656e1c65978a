/**
 * Provider callbacks. Kling documents no signature, so a callback is only a hint that a task
 * changed: the task is found by the unguessable token in the callback URL, re-read from the
 * provider, and what the PROVIDER says is applied through the one status writer. The body's status
 * and URLs are never used, so a forged, replayed, duplicated or out-of-order callback can at most
 * cause a re-read. Re-reads run in the background (the endpoint answers at once), at most one per
 * task at a time, with one follow-up when more callbacks arrived meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import { tasks } from '../db/schema.js';
import { applyTaskChange, statusChangeFromWire, type TaskWriter } from '../tasks/apply-task-change.js';
import { isTerminal } from '../tasks/task-status.js';
import type { KlingClient } from '../upstream/client.js';
import { KlingError } from '../upstream/errors.js';
import { createSignatureCheck, type HeaderBag } from './callback-signature.js';

export const CALLBACK_PATH_PREFIX = '/callbacks/kling/';

/** 32 random bytes, base64url: what `newCallbackToken` makes, and all a valid token can look like. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A task's callback token: 256 bits, so a callback URL cannot be guessed. */
export function newCallbackToken(): string {
  return randomBytes(32).toString('base64url');
}

export function callbackUrlFor(publicUrl: string, callbackToken: string): string {
  return `${publicUrl}${CALLBACK_PATH_PREFIX}${callbackToken}`;
}

export interface CallbackReceiverDeps extends TaskWriter {
  readonly kling: KlingClient;
  readonly logger: Logger;
  /** When set, callbacks must carry a valid Standard Webhooks signature made with it. */
  readonly webhookSecret?: string | undefined;
  /** Called when a re-read moves a task to a terminal state, freeing a provider slot. */
  readonly onSlotFreed: () => void;
  /**
   * How far a callback pushes the task's next poll out, ms: callbacks evidently reach this task,
   * so polling is only a safety net for a lost one. @default 60_000
   */
  readonly pollDeferralMs?: number;
}

export interface CallbackReceiver {
  /**
   * Handles `POST /callbacks/kling/:token`: 404 for an unknown token, 401 for a missing or bad
   * signature (when a secret is configured), else 202 at once with the re-read in the background.
   */
  receive(token: string, headers: HeaderBag, rawBody: string): Promise<{ status: number }>;
  /** Waits for every background re-read, including follow-ups (shutdown, tests). */
  drain(): Promise<void>;
}

/** Throws when `webhookSecret` is not a Standard Webhooks secret. */
export function createCallbackReceiver(deps: CallbackReceiverDeps): CallbackReceiver {
  const signatureValid =
    deps.webhookSecret === undefined ? undefined : createSignatureCheck(deps.webhookSecret);
  const rereads = new Map<string, { again: boolean; done: Promise<void> }>();

  const scheduleReread = (taskId: string): void => {
    const running = rereads.get(taskId);
    if (running !== undefined) {
      running.again = true;
      return;
    }
    const entry = { again: false, done: Promise.resolve() };
    rereads.set(taskId, entry);
    entry.done = (async () => {
      do {
        entry.again = false;
        await rereadSafely(deps, taskId);
      } while (entry.again);
      rereads.delete(taskId);
    })();
  };

  return {
    async receive(token, headers, rawBody) {
      if (!TOKEN_PATTERN.test(token)) return { status: 404 };
      // Checked before the token is looked up: without the secret nobody can probe for tokens.
      if (signatureValid !== undefined && !signatureValid(headers, rawBody)) return { status: 401 };
      const [task] = await deps.db
        .select({ id: tasks.id, status: tasks.status })
        .from(tasks)
        .where(eq(tasks.callbackToken, token));
      if (task === undefined) return { status: 404 };
      // A settled task has nothing left to learn.
      if (!isTerminal(task.status)) scheduleReread(task.id);
      return { status: 202 };
    },
    async drain() {
      while (rereads.size > 0) await Promise.all([...rereads.values()].map((entry) => entry.done));
    },
  };
}

/** Never throws: a re-read that fails is logged and left to the poller. */
async function rereadSafely(deps: CallbackReceiverDeps, taskId: string): Promise<void> {
  try {
    await reread(deps, taskId);
  } catch (error) {
    if (error instanceof KlingError) {
      deps.logger.warn(
        { taskId, error: error.errorName },
        'callback re-read failed; the poller will catch up',
      );
    } else {
      deps.logger.error({ err: error, taskId }, 'callback re-read failed');
    }
  }
}

async function reread(deps: CallbackReceiverDeps, taskId: string): Promise<void> {
  const [task] = await deps.db.select().from(tasks).where(eq(tasks.id, taskId));
  if (task === undefined || isTerminal(task.status)) return;
  const wire = await deps.kling.getImageToVideoTask(task.providerTaskId ?? task.externalTaskId);
  const bookkeeping = {
    // A callback may beat the create's own answer: the task is upstream from now on.
    ...(task.submittedAt === null ? { submittedAt: new Date() } : {}),
    nextAttemptAt: new Date(Date.now() + (deps.pollDeferralMs ?? 60_000)),
  };
  const result = await applyTaskChange(deps, task.id, statusChangeFromWire(wire), bookkeeping);
  if (result?.changed && isTerminal(result.task.status)) deps.onSlotFreed();
}
