/**
 * One pass's reads of its leased tasks: through the list endpoint when there are many, singly
 * otherwise and for whatever the list did not show. A sign that the provider is down (busy,
 * unavailable, unreachable, refusing our credentials) stops the pass: the remaining tasks are not
 * read, so an outage costs a handful of requests, not one per task.
 */
import type { Logger } from 'pino';
import type { KlingClient } from '../upstream/client.js';
import { KlingError } from '../upstream/errors.js';
import type { WireTask } from '../upstream/wire.js';
import { type ListReadOptions, readThroughList } from './list-reader.js';
import type { PolledTask } from './poll-leases.js';

export interface TaskReadOptions {
  /** From this many tasks on, a pass reads through the list endpoint. */
  listThreshold: number;
  list: ListReadOptions;
  /** Single reads in flight at once. */
  singleReadConcurrency: number;
  /** Read one task alone first, because the last pass found the provider down. */
  probeFirst: boolean;
}

export interface TaskReads {
  /** By gateway task id. */
  found: Map<string, WireTask>;
  /** Tasks the provider answered for but would not show (unknown id, refused read). */
  unreadable: Set<string>;
  /** Set when the pass stopped because the provider looks down; unread tasks wait for the next pass. */
  outage: KlingError | undefined;
  /** Requests sent, by kind, for logs. */
  listPages: number;
  singleReads: number;
}

export async function readTasks(
  kling: KlingClient,
  logger: Logger,
  leased: readonly PolledTask[],
  options: TaskReadOptions,
): Promise<TaskReads> {
  const reads: TaskReads = {
    found: new Map(),
    unreadable: new Set(),
    outage: undefined,
    listPages: 0,
    singleReads: 0,
  };
  let stragglers = leased;
  if (leased.length >= options.listThreshold) {
    await readListInto(reads, kling, logger, leased, options.list);
    if (reads.outage !== undefined) return reads;
    stragglers = leased.filter((task) => !reads.found.has(task.id));
  }
  // A successful list page already proved the provider is back.
  const probeFirst = options.probeFirst && reads.listPages === 0;
  await readSinglyInto(reads, kling, stragglers, { ...options, probeFirst });
  return reads;
}

async function readListInto(
  reads: TaskReads,
  kling: KlingClient,
  logger: Logger,
  leased: readonly PolledTask[],
  options: ListReadOptions,
): Promise<void> {
  const listed = await readThroughList(kling, leased, options);
  reads.listPages = listed.pagesRead;
  for (const [taskId, wire] of listed.found) reads.found.set(taskId, wire);
  const { stoppedBy } = listed;
  if (!(stoppedBy instanceof KlingError)) return;
  if (meansOutage(stoppedBy)) reads.outage = stoppedBy;
  // A list the provider refuses (it may not offer one) leaves the rest to single reads.
  else logger.warn({ error: stoppedBy.errorName }, 'task list unreadable; reading the rest singly');
}

async function readSinglyInto(
  reads: TaskReads,
  kling: KlingClient,
  tasks: readonly PolledTask[],
  options: Pick<TaskReadOptions, 'singleReadConcurrency' | 'probeFirst'>,
): Promise<void> {
  const readOne = async (task: PolledTask): Promise<void> => {
    if (reads.outage !== undefined) return;
    reads.singleReads += 1;
    try {
      reads.found.set(task.id, await kling.getImageToVideoTask(task.providerTaskId ?? task.externalTaskId));
    } catch (error) {
      if (!(error instanceof KlingError)) throw error;
      if (meansOutage(error)) reads.outage ??= error;
      else reads.unreadable.add(task.id);
    }
  };
  const [first, ...rest] = tasks;
  if (options.probeFirst && first !== undefined) {
    await readOne(first);
    await forEachLimited(rest, options.singleReadConcurrency, readOne);
  } else {
    await forEachLimited(tasks, options.singleReadConcurrency, readOne);
  }
}

/** Failures that say nothing about the task and everything about the provider (or our access to it). */
function meansOutage(error: KlingError): boolean {
  return error.kind === 'busy' || error.kind === 'ambiguous' || error.kind === 'auth';
}

/** Runs `work` over `items` with at most `limit` at a time. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  // One iterator shared by every worker: each item is taken exactly once.
  const queue = items[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (const item of queue) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
