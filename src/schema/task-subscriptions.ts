/** Live task updates, over WebSocket (graphql-ws) and SSE alike. */

import { watchMyTasks, watchTask } from '../resolvers/task-subscriptions.js';
import { builder } from './builder.js';
import { VideoTask } from './task.js';
import { taskIdFromGlobalId } from './task-queries.js';

builder.subscriptionFields((t) => ({
  taskUpdated: t.field({
    type: VideoTask,
    description:
      "The task's current state first, then every change; completes after SUCCEEDED or FAILED. Each " +
      'delivery carries `sequence`: drop any at or below one already seen. An unknown id (or one that is ' +
      'not yours) is a NOT_FOUND error.',
    args: {
      id: t.arg.id({ required: true, description: 'Global ID of the task, as returned by `id`.' }),
      afterSequence: t.arg.int({
        description:
          'Resume: the last `sequence` received. The current state is delivered only if it is newer, ' +
          'and its `events` list everything missed.',
      }),
    },
    subscribe: (_root, args, ctx) => watchTask(ctx, taskIdFromGlobalId(args.id), args.afterSequence),
    resolve: (task) => task,
  }),
  myTaskUpdates: t.field({
    type: VideoTask,
    description:
      'Every change to any of your tasks, as it happens (creation included). Does not complete. Use ' +
      '`sequence` per task to drop duplicates.',
    args: {
      since: t.arg({
        type: 'DateTime',
        description:
          'Resume: first replay your tasks changed since this time (the `updatedAt` of the last ' +
          'delivery received), each in its current state.',
      }),
    },
    subscribe: (_root, args, ctx) => watchMyTasks(ctx, args.since),
    resolve: (task) => task,
  }),
}));
