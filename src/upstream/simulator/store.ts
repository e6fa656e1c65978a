/**
 * The simulator's tasks, scoped per account, and the JSON the provider renders for one
 * (kling-api.md 4.2–4.3).
 */
import type { KlingModelName, VideoMode } from '../capabilities.js';
import type { WireTaskInput, WireTaskStatus } from '../wire.js';
import type { Page } from './paging.js';

export interface SimulatedTask {
  /** The accessKey or apiKey of the owning account. */
  account: string;
  taskId: string;
  externalTaskId: string | undefined;
  status: WireTaskStatus;
  /** The create body as received. */
  body: unknown;
  callbackUrl: string | undefined;
  /** ms since the epoch. */
  createdAt: number;
  updatedAt: number;
}

/** What validation learnt from a create body, with the provider's defaults applied. */
export interface CreateSummary {
  model: KlingModelName;
  mode: VideoMode;
  /** Seconds. */
  duration: number;
  sound: boolean;
  watermark: boolean;
  callbackUrl: string | undefined;
  externalTaskId: string | undefined;
}

export interface SimulatedVideo {
  id: string;
  url: string;
  watermark_url?: string;
  /** Seconds as a decimal string, e.g. "5.041". */
  duration: string;
}

export interface TaskRecord extends SimulatedTask {
  readonly summary: CreateSummary;
  statusMsg: string;
  videos: SimulatedVideo[];
  finalUnitDeduction: string | undefined;
}

/** A task as query, list and callback bodies carry it; `satisfies` the gateway's own parser input. */
export type SimulatedWireTask = WireTaskInput & { watermark_info: { enabled: boolean } };

/** One account's tasks, indexed for the requests that read them. */
interface AccountTasks {
  /** Creation order; the list endpoint reads it backwards (newest first). */
  readonly inOrder: TaskRecord[];
  /** The first task created under an external_task_id keeps it. */
  readonly byExternalId: Map<string, TaskRecord>;
  /** Tasks not yet finished: the concurrency limit's count. */
  readonly unfinished: Set<TaskRecord>;
}

/**
 * Indexed so that every request costs the same however many tasks the simulator holds: a bench
 * keeps tens of thousands, and the simulator shares the machine with the gateway it measures,
 * whereas the real provider's cost of a list page or a duplicate check is not paid on our cores.
 */
export class TaskStore {
  /** Creation order, all accounts. */
  readonly #tasks: TaskRecord[] = [];
  readonly #byTaskId = new Map<string, TaskRecord>();
  readonly #byAccount = new Map<string, AccountTasks>();

  add(task: TaskRecord): void {
    this.#tasks.push(task);
    this.#byTaskId.set(task.taskId, task);
    const account = this.#accountTasks(task.account);
    account.inOrder.push(task);
    const { externalTaskId } = task;
    if (externalTaskId !== undefined && !account.byExternalId.has(externalTaskId)) {
      account.byExternalId.set(externalTaskId, task);
    }
    if (!isFinished(task.status)) account.unfinished.add(task);
  }

  /** Every change of a stored task's status goes through here, so the in-flight count stays exact. */
  setStatus(task: TaskRecord, status: WireTaskStatus): void {
    task.status = status;
    if (isFinished(status)) this.#byAccount.get(task.account)?.unfinished.delete(task);
  }

  get(taskId: string): TaskRecord | undefined {
    return this.#byTaskId.get(taskId);
  }

  /** The path slot takes a task_id or the caller's external_task_id; a task_id wins a clash. */
  find(account: string, id: string): TaskRecord | undefined {
    const byId = this.#byTaskId.get(id);
    if (byId?.account === account) return byId;
    return this.findByExternalId(account, id);
  }

  findByExternalId(account: string, externalTaskId: string): TaskRecord | undefined {
    return this.#byAccount.get(account)?.byExternalId.get(externalTaskId);
  }

  /** One page of the account's tasks, newest first; past the end the page is empty. */
  page(account: string, { pageNum, pageSize }: Page): TaskRecord[] {
    const tasks = this.#byAccount.get(account)?.inOrder ?? [];
    const newest = tasks.length - 1 - (pageNum - 1) * pageSize;
    if (newest < 0) return [];
    return tasks.slice(Math.max(0, newest - pageSize + 1), newest + 1).reverse();
  }

  /** Tasks holding a concurrency slot: from `submitted` until they end. */
  inFlight(account: string): number {
    return this.#byAccount.get(account)?.unfinished.size ?? 0;
  }

  /** Copies, so a caller's view does not change under it. */
  snapshots(): SimulatedTask[] {
    return this.#tasks.map(toSimulatedTask);
  }

  /** The succeeded task that produced a video, for serving its file and for custom voices. */
  findVideo(videoId: string): TaskRecord | undefined {
    return this.#tasks.find((task) => task.videos.some((video) => video.id === videoId));
  }

  #accountTasks(account: string): AccountTasks {
    let tasks = this.#byAccount.get(account);
    if (tasks === undefined) {
      tasks = { inOrder: [], byExternalId: new Map(), unfinished: new Set() };
      this.#byAccount.set(account, tasks);
    }
    return tasks;
  }
}

function isFinished(status: WireTaskStatus): boolean {
  return status === 'succeed' || status === 'failed';
}

export function toSimulatedTask(task: TaskRecord): SimulatedTask {
  const { account, taskId, externalTaskId, status, body, callbackUrl, createdAt, updatedAt } = task;
  return { account, taskId, externalTaskId, status, body, callbackUrl, createdAt, updatedAt };
}

export function toWireTask(task: TaskRecord): SimulatedWireTask {
  return {
    task_id: task.taskId,
    task_status: task.status,
    // Observed as '' on tasks that did not fail.
    task_status_msg: task.statusMsg,
    task_info: task.externalTaskId === undefined ? {} : { external_task_id: task.externalTaskId },
    task_result: { videos: task.videos.map((video) => ({ ...video })) },
    watermark_info: { enabled: task.summary.watermark },
    ...(task.finalUnitDeduction === undefined ? {} : { final_unit_deduction: task.finalUnitDeduction }),
    created_at: task.createdAt,
    updated_at: task.updatedAt,
  };
}

/**
 * Ids like Kling's: 18-digit numeric strings past 2^53. Milliseconds × 10^5 keeps them unique and
 * increasing within a run and unlikely to repeat across restarts of a standalone simulator.
 */
export function createIdGenerator(): () => string {
  let last = 0n;
  return () => {
    const candidate = BigInt(Date.now()) * 100_000n + BigInt(Math.floor(Math.random() * 1000));
    last = candidate > last ? candidate : last + 1n;
    return last.toString();
  };
}
