/**
 * The background poller: reads tasks in flight from the provider and applies what it says through
 * the one status writer. Work is shared between gateway instances through leases (see
 * poll-leases.ts). Many due tasks are read through the list endpoint, few (and stragglers) singly;
 * a provider outage pauses the whole poller with backoff and never fails a task.
 */
import type { Logger } from 'pino';
import { type BackoffPolicy, DEFAULT_BACKOFF } from '../submission/backoff.js';
import {
  applyTaskChange,
  type Bookkeeping,
  type StatusChange,
  statusChangeFromWire,
  type TaskWriter,
} from '../tasks/apply-task-change.js';
import { isTerminal, movesForward } from '../tasks/task-status.js';
import type { KlingClient } from '../upstream/client.js';
import type { WireTask } from '../upstream/wire.js';
import { DEFAULT_LIST_READ, type ListReadOptions } from './list-reader.js';
import { createOutageBackoff, type OutageBackoff } from './outage-backoff.js';
import { handBack, leaseDueTasks, type PolledTask, RELEASED } from './poll-leases.js';
import { nextPollDelayMs } from './poll-schedule.js';
import { keepStaleNote, staleFlag } from './stale-flag.js';
import { forEachLimited, readTasks, type TaskReads } from './task-reads.js';

export { releaseLeases } from './poll-leases.js';

export interface PollerDeps extends TaskWriter {
  readonly kling: KlingClient;
  readonly logger: Logger;
  readonly instanceId: string;
  /** Called when a task reaches a terminal state, freeing a provider slot. */
  readonly onSlotFreed: () => void;
  /** Called after each pass that leased work, for metrics. */
  readonly onPass?: (pass: { leased: number; durationMs: number }) => void;
}

export interface PollerOptions {
  /** Base interval between two reads of one task, ms. */
  pollIntervalMs: number;
  /** How often the poller looks for due tasks, ms. @default min(1_000, pollIntervalMs) */
  tickMs?: number;
  /** Tasks one pass may lease: enough for ~1000 tasks in flight to take a couple of list pages. @default 1_000 */
  batchSize?: number;
  /** How long a poll lease holds, ms. @default 60_000 */
  leaseMs?: number;
  /** From this many due tasks on, a pass reads through the list endpoint. @default 10 */
  listThreshold?: number;
  /** Paging of list reads. @default { pageSize: 500, maxPages: 1000, ageMarginMs: 600_000 } */
  list?: Partial<ListReadOptions>;
  /** Single reads in flight at once. @default 8 */
  singleReadConcurrency?: number;
  /** Time in flight after which a task is flagged in its status message (never failed), ms. @default 3_600_000 */
  staleAfterMs?: number;
  /** Pause of the whole poller after a pass that found the provider down. @default DEFAULT_BACKOFF */
  backoff?: BackoffPolicy;
}

export interface Poller {
  /** Polls due tasks now (tests and shutdown-free nudges); does nothing while backing off. */
  pollNow(): Promise<void>;
  stop(): Promise<void>;
}

type Settings = Required<Omit<PollerOptions, 'tickMs' | 'list' | 'backoff'>> & { list: ListReadOptions };

export function startPoller(deps: PollerDeps, options: PollerOptions): Poller {
  const settings = resolveSettings(options);
  const outage = createOutageBackoff(options.backoff ?? DEFAULT_BACKOFF);
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = (): Promise<void> => {
    if (stopped || outage.isPaused()) return running ?? Promise.resolve();
    running ??= pollDueTasks(deps, settings, outage)
      .catch((error: unknown) => deps.logger.error({ err: error }, 'poller pass failed'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(tick, options.tickMs ?? Math.min(1_000, options.pollIntervalMs));
  timer.unref();
  return {
    pollNow: tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

function resolveSettings(options: PollerOptions): Settings {
  return {
    pollIntervalMs: options.pollIntervalMs,
    batchSize: options.batchSize ?? 1_000,
    leaseMs: options.leaseMs ?? 60_000,
    listThreshold: options.listThreshold ?? 10,
    list: { ...DEFAULT_LIST_READ, ...options.list },
    singleReadConcurrency: options.singleReadConcurrency ?? 8,
    staleAfterMs: options.staleAfterMs ?? 3_600_000,
  };
}

/** One pass: lease what is due, read it from the provider, apply, release. */
async function pollDueTasks(deps: PollerDeps, settings: Settings, outage: OutageBackoff): Promise<void> {
  const startedAt = performance.now();
  const leased = await leaseForPass(deps, settings);
  if (leased.length === 0) return;
  try {
    await pollLeased(deps, settings, outage, leased);
  } finally {
    deps.onPass?.({ leased: leased.length, durationMs: performance.now() - startedAt });
  }
}

async function pollLeased(
  deps: PollerDeps,
  settings: Settings,
  outage: OutageBackoff,
  leased: PolledTask[],
): Promise<void> {
  let reads: TaskReads;
  try {
    reads = await readTasks(deps.kling, deps.logger, leased, { ...settings, probeFirst: outage.recovering });
  } catch (error) {
    // A bug, not the provider: hand the tasks back rather than holding them until the leases expire.
    const retryAt = Date.now() + settings.pollIntervalMs;
    await settleAll(deps, settings, leased, () => ({ kind: 'unread', retryAt }));
    throw error;
  }
  deps.logger.debug(
    { leased: leased.length, listPages: reads.listPages, singleReads: reads.singleReads },
    'poller pass',
  );
  const retryAt = recordHealth(deps.logger, outage, reads);
  await settleAll(deps, settings, leased, (task) => readOf(reads, task, retryAt));
}

/** Pauses the poller after a pass that found the provider down; returns when it resumes, if it paused. */
function recordHealth(logger: Logger, outage: OutageBackoff, reads: TaskReads): number | undefined {
  if (reads.outage === undefined) {
    outage.recordSuccess();
    return undefined;
  }
  const resumeAt = outage.recordFailure();
  logger.warn(
    { error: reads.outage.errorName, resumeInMs: resumeAt - Date.now() },
    'provider unavailable to the poller; backing off',
  );
  return resumeAt;
}

/**
 * The due tasks; when they are enough for a list read, also those due within one base interval: a
 * list page reads them at no extra cost, and their schedules converge into shared list reads
 * instead of scattering into single ones.
 */
async function leaseForPass(deps: PollerDeps, settings: Settings): Promise<PolledTask[]> {
  const { batchSize, leaseMs } = settings;
  const due = await leaseDueTasks(deps.db, deps.instanceId, { limit: batchSize, leaseMs });
  if (due.length < settings.listThreshold || due.length >= batchSize) return due;
  const early = await leaseDueTasks(deps.db, deps.instanceId, {
    limit: batchSize - due.length,
    leaseMs,
    horizonMs: settings.pollIntervalMs,
  });
  return [...due, ...early];
}

type Read =
  | { kind: 'found'; wire: WireTask }
  | { kind: 'unreadable' }
  /** Not read this pass (the provider is down): read again once the poller resumes. */
  | { kind: 'unread'; retryAt: number };

function readOf(reads: TaskReads, task: PolledTask, retryAt: number | undefined): Read {
  const wire = reads.found.get(task.id);
  if (wire !== undefined) return { kind: 'found', wire };
  if (reads.unreadable.has(task.id)) return { kind: 'unreadable' };
  return { kind: 'unread', retryAt: retryAt ?? Date.now() };
}

async function settleAll(
  deps: PollerDeps,
  settings: Settings,
  leased: readonly PolledTask[],
  readFor: (task: PolledTask) => Read,
): Promise<void> {
  const now = Date.now();
  const settlements = leased.map((task) => settlementOf(deps.logger, settings, task, readFor(task), now));
  // Most reads change nothing: those tasks are handed back together, in one statement, instead of a
  // transaction each (3,000 tasks in flight read every 5 s would be 600 transactions a second).
  const quiet = settlements.filter((settlement) => settlement.quiet);
  if (quiet.length > 0) {
    await handBack(
      deps.db,
      quiet.map(({ task, nextReadAt }) => ({ taskId: task.id, nextReadAt })),
    ).catch((error: unknown) =>
      deps.logger.error({ err: error, tasks: quiet.length }, 'could not hand back polled tasks'),
    );
  }
  // Bounded, so a pass of a thousand changes does not queue a thousand transactions at once; one
  // task's failure does not keep the others' results from being applied.
  const moving = settlements.filter((settlement) => !settlement.quiet);
  await forEachLimited(moving, 8, (settlement) =>
    apply(deps, settlement).catch((error: unknown) =>
      deps.logger.error({ err: error, taskId: settlement.task.id }, 'could not apply a poll result'),
    ),
  );
}

interface Settlement {
  task: PolledTask;
  change: StatusChange | null;
  bookkeeping: Bookkeeping;
  nextReadAt: Date;
  /** Nothing to write but the lease and the schedule: the read does not move the task forward. */
  quiet: boolean;
}

/** What a read means for its task: the change to apply (if any) and when to read it next. */
function settlementOf(
  logger: Logger,
  settings: Settings,
  task: PolledTask,
  read: Read,
  now: number,
): Settlement {
  const flag = staleFlag(task, settings.staleAfterMs, now);
  if (flag.staleFlaggedAt !== undefined) logger.warn({ taskId: task.id }, 'task in flight for too long');
  if (read.kind === 'unreadable') {
    logger.warn({ taskId: task.id }, 'the provider would not show a task in flight; will read it again');
  }
  const nextReadAt = new Date(
    read.kind === 'unread'
      ? read.retryAt
      : now + nextPollDelayMs({ ...task, ...flag }, settings.pollIntervalMs, now),
  );
  const change =
    read.kind === 'found' ? keepStaleNote(task, statusChangeFromWire(read.wire), flag, now) : null;
  // The writer only moves a task forward, so a read that does not move the leased state cannot move
  // the current one either (it can only be further along).
  const moves = change !== null && movesForward(task.status, change.status);
  const quiet = !moves && flag.staleFlaggedAt === undefined;
  return {
    task,
    change,
    bookkeeping: { ...RELEASED, ...flag, nextAttemptAt: nextReadAt },
    nextReadAt,
    quiet,
  };
}

/** Applies a read that moves its task (or flags it stale), releasing the lease with it. */
async function apply(deps: PollerDeps, settlement: Settlement): Promise<void> {
  const result = await applyTaskChange(deps, settlement.task.id, settlement.change, settlement.bookkeeping);
  if (result?.changed && isTerminal(result.task.status)) deps.onSlotFreed();
}
