/**
 * Typed topics for task changes. Published only after the change is durable; every update carries
 * the task's event sequence, so a subscriber can drop a duplicate.
 */
import { createPubSub } from 'graphql-yoga';
import type { TaskStatus } from '../db/schema.js';

export interface TaskUpdated {
  taskId: string;
  owner: string;
  status: TaskStatus;
  /** The task's event sequence after this change. */
  sequence: number;
}

// A type alias, not an interface: yoga's PubSub needs the index signature aliases get.
export type TaskTopics = {
  /** Changes to one task, keyed by task id. */
  'task:updated': [taskId: string, update: TaskUpdated];
  /** Changes to any task of one owner, keyed by owner. */
  'owner:task-updated': [owner: string, update: TaskUpdated];
};

export type TaskEventBus = ReturnType<typeof createTaskEventBus>;

export function createTaskEventBus() {
  const pubSub = createPubSub<TaskTopics>();
  return {
    subscribe: pubSub.subscribe,
    publish(update: TaskUpdated): void {
      pubSub.publish('task:updated', update.taskId, update);
      pubSub.publish('owner:task-updated', update.owner, update);
    },
  };
}
