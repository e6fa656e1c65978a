/** Reading tasks: one by global ID, and the viewer's tasks newest first as a Relay connection. */
import {
  decodeGlobalID,
  type ResolveCursorConnectionArgs,
  resolveCursorConnection,
} from '@pothos/plugin-relay';
import type { GatewayContext } from '../context.js';
import type { TaskStatus as TaskStatusName } from '../db/schema.js';
import { badUserInput } from '../resolvers/create-image-to-video-task.js';
import {
  decodeTaskCursor,
  encodeTaskCursor,
  getTask,
  listTasks,
  type TaskCursor,
} from '../resolvers/task-queries.js';
import { builder } from './builder.js';
import { TaskStatus, VideoTask } from './task.js';

/** Tasks per page when neither `first` nor `last` is given, and the most a page holds. */
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** The task id inside a global ID, or null when it is malformed or names another type. */
export function taskIdFromGlobalId(globalId: string): string | null {
  try {
    const decoded = decodeGlobalID(globalId);
    return decoded.typename === VideoTask.name ? decoded.id : null;
  } catch {
    return null;
  }
}

/** The task a global ID names, or null: a bad ID is never an error. */
async function taskByGlobalId(ctx: GatewayContext, globalId: string) {
  const taskId = taskIdFromGlobalId(globalId);
  return taskId === null ? null : getTask(ctx, taskId);
}

interface TaskPageArgs {
  first?: number | null | undefined;
  last?: number | null | undefined;
  after?: string | null | undefined;
  before?: string | null | undefined;
  status?: readonly TaskStatusName[] | null | undefined;
}

function cursorArg(name: 'after' | 'before', cursor: string | undefined): TaskCursor | undefined {
  if (cursor === undefined) return undefined;
  const decoded = decodeTaskCursor(cursor);
  if (decoded === null) throw badUserInput([{ path: [name], message: 'is not a cursor of this connection' }]);
  return decoded;
}

/** Relay paging over `listTasks`: cursors are the resolver's, page sizes are checked here. */
function taskPage(ctx: GatewayContext, args: TaskPageArgs) {
  const negative = (['first', 'last'] as const).filter((name) => (args[name] ?? 0) < 0);
  if (negative.length > 0) {
    throw badUserInput(negative.map((name) => ({ path: [name], message: 'must not be negative' })));
  }
  return resolveCursorConnection(
    { args, toCursor: encodeTaskCursor, defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE },
    ({ after, before, limit, inverted }: ResolveCursorConnectionArgs) =>
      listTasks(ctx, {
        statuses: args.status,
        after: cursorArg('after', after),
        before: cursorArg('before', before),
        limit,
        inverted,
      }),
  );
}

builder.queryFields((t) => ({
  task: t.field({
    type: VideoTask,
    nullable: true,
    description: 'One of your tasks by its global ID; null when no task of yours has that ID.',
    args: { id: t.arg.id({ required: true, description: 'The task’s `id`.' }) },
    resolve: (_root, args, ctx) => taskByGlobalId(ctx, args.id),
  }),
  tasks: t.connection(
    {
      type: VideoTask,
      description: `Your tasks, newest first. Pages hold ${DEFAULT_PAGE_SIZE} tasks by default, ${MAX_PAGE_SIZE} at most.`,
      args: {
        status: t.arg({
          type: [TaskStatus],
          description: 'Only tasks in one of these statuses; all tasks when absent or empty.',
        }),
      },
      resolve: (_root, args, ctx) => taskPage(ctx, args),
    },
    { name: 'VideoTaskConnection', description: 'A page of tasks, newest first.' },
    { name: 'VideoTaskEdge', description: 'A task and its position in the list.' },
  ),
}));
