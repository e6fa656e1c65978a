/**
 * Reads many tasks through the provider's list endpoint, a page of up to 500 at a time, instead of
 * one request per task. The list's order is UNCERTAIN (assumed newest first), so paging stops as
 * soon as continuing cannot help: every wanted task seen, the end of the list, a page older than
 * the oldest wanted task, or the provider's last page number. What is not seen is read singly.
 */
import type { TaskRow } from '../db/schema.js';
import type { KlingClient } from '../upstream/client.js';
import { KlingError } from '../upstream/errors.js';
import type { WireTask } from '../upstream/wire.js';

export interface ListReadOptions {
  /** Tasks per page. @default 500 (the provider's maximum) */
  pageSize: number;
  /** Last page to read. @default 1000 (the provider's maximum `pageNum`) */
  maxPages: number;
  /**
   * Allowance for clock skew between the gateway and the provider, ms: a page is "older than every
   * wanted task" only when it is older than the oldest one's creation minus this.
   */
  ageMarginMs: number;
}

export const DEFAULT_LIST_READ: ListReadOptions = { pageSize: 500, maxPages: 1000, ageMarginMs: 10 * 60_000 };

type Wanted = Pick<TaskRow, 'id' | 'providerTaskId' | 'externalTaskId' | 'createdAt'>;

export interface ListRead {
  /** By gateway task id: what the provider says of each wanted task seen. */
  found: Map<string, WireTask>;
  pagesRead: number;
  /** Why paging stopped: a verdict, or the provider's error on the next page. */
  stoppedBy: Exclude<PagingVerdict, 'continue'> | KlingError;
}

/**
 * Pages until nothing more can be learnt. A page that cannot be read ends the reading without
 * losing what earlier pages showed.
 */
export async function readThroughList(
  kling: KlingClient,
  wanted: readonly Wanted[],
  options: ListReadOptions,
): Promise<ListRead> {
  const match = matcher(wanted);
  const found = new Map<string, WireTask>();
  // The provider stamps creation after the gateway inserts the task, so this bounds every wanted task.
  const oldestWantedMs = Math.min(...wanted.map((task) => task.createdAt.getTime()));
  for (let pageNum = 1; ; pageNum += 1) {
    let page: WireTask[];
    try {
      page = await kling.listImageToVideoTasks({ pageNum, pageSize: options.pageSize });
    } catch (error) {
      if (!(error instanceof KlingError)) throw error;
      return { found, pagesRead: pageNum - 1, stoppedBy: error };
    }
    for (const wire of page) {
      const taskId = match(wire);
      if (taskId !== undefined) found.set(taskId, wire);
    }
    const allFound = found.size === wanted.length;
    const verdict = pagingVerdict({ page, pageNum, allFound, oldestWantedMs, options });
    if (verdict !== 'continue') return { found, pagesRead: pageNum, stoppedBy: verdict };
  }
}

export type PagingVerdict = 'continue' | 'all-found' | 'end-of-list' | 'older-than-wanted' | 'page-limit';

/** Whether another page can still hold a wanted task. */
export function pagingVerdict(state: {
  page: readonly Pick<WireTask, 'created_at'>[];
  pageNum: number;
  allFound: boolean;
  oldestWantedMs: number;
  options: ListReadOptions;
}): PagingVerdict {
  const { page, options } = state;
  if (state.allFound) return 'all-found';
  // A short page is the last one; an empty page is past the end.
  if (page.length < options.pageSize) return 'end-of-list';
  // The oldest entry, whichever way the page is sorted.
  const oldestOnPageMs = Math.min(...page.map((wire) => wire.created_at));
  if (oldestOnPageMs < state.oldestWantedMs - options.ageMarginMs) return 'older-than-wanted';
  if (state.pageNum >= options.maxPages) return 'page-limit';
  return 'continue';
}

/** Matches on the provider's task id, or on our external id for a task whose id we do not know. */
function matcher(wanted: readonly Wanted[]): (wire: WireTask) => string | undefined {
  const byProviderId = new Map<string, string>();
  const byExternalId = new Map<string, string>();
  for (const task of wanted) {
    if (task.providerTaskId !== null) byProviderId.set(task.providerTaskId, task.id);
    byExternalId.set(task.externalTaskId, task.id);
  }
  return (wire) =>
    byProviderId.get(wire.task_id) ??
    (wire.task_info === undefined ? undefined : byExternalId.get(wire.task_info));
}
