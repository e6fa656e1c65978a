/**
 * Task changes, from the database to subscribers. A change is announced on the database channel in
 * the transaction that makes it (`announceTaskChange`), so only durable changes are announced and
 * every instance hears them. Each instance reads an announced task once, however many of its
 * subscribers watch it, and fans it out in-process.
 */
import { sql } from 'drizzle-orm';
import { pushable } from 'it-pushable';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Database, DatabaseHandle } from '../db/connection.js';
import type { NotificationListener } from '../db/notifications.js';
import { TASK_STATUSES, type TaskRow } from '../db/schema.js';

const taskUpdatedSchema = z.object({
  taskId: z.string(),
  owner: z.string(),
  status: z.enum(TASK_STATUSES),
  /** The task's event sequence after this change. */
  sequence: z.number().int(),
});
export type TaskUpdated = z.infer<typeof taskUpdatedSchema>;

/**
 * What a subscriber receives: a changed task, or word that changes may have been missed (the
 * notification connection dropped at `since`) so it should re-read what it watches.
 */
export type TaskDelivery = { kind: 'changed'; task: TaskRow } | { kind: 'resync'; since: Date };

type Executor = Pick<Database, 'execute'>;

/** Announces a change; call it inside the transaction that writes the change. */
export async function announceTaskChange(tx: Executor, channel: string, update: TaskUpdated): Promise<void> {
  await tx.execute(sql`select pg_notify(${channel}, ${JSON.stringify(update)})`);
}

export interface TaskEventBus {
  /** Deliveries for one task, buffered from the moment of the call until `signal` aborts. */
  watchTask(taskId: string, signal: AbortSignal): AsyncIterable<TaskDelivery>;
  /** Deliveries for every task of one owner, buffered from the moment of the call. */
  watchOwner(owner: string, signal: AbortSignal): AsyncIterable<TaskDelivery>;
  /** Live subscriptions on this instance. */
  subscriberCount(): number;
  close(): Promise<void>;
}

export interface TaskEventBusOptions {
  database: DatabaseHandle;
  logger: Logger;
  loadTask(taskId: string): Promise<TaskRow | undefined>;
}

const taskTopic = (taskId: string) => `task:${taskId}`;
const ownerTopic = (owner: string) => `owner:${owner}`;

export async function startTaskEventBus(options: TaskEventBusOptions): Promise<TaskEventBus> {
  // Topic → one push function per live subscription. A Set per topic, not an EventEmitter with
  // `events.on()`: that iterator preallocates ~36 KB per subscriber, which 10,000 sockets feel.
  const topics = new Map<string, Set<(delivery: TaskDelivery) => void>>();
  const emit = (topic: string, delivery: TaskDelivery) => {
    for (const push of topics.get(topic) ?? []) push(delivery);
  };

  const deliver = async (payload: string): Promise<void> => {
    const parsed = taskUpdatedSchema.safeParse(parseJson(payload));
    if (!parsed.success) return options.logger.warn('ignored a malformed task announcement');
    const update = parsed.data;
    const watched = [taskTopic(update.taskId), ownerTopic(update.owner)].filter((topic) => topics.has(topic));
    if (watched.length === 0) return;
    // One read per announcement, shared by every subscriber of this instance.
    const task = await options.loadTask(update.taskId);
    if (task === undefined) return;
    for (const topic of watched) emit(topic, { kind: 'changed', task });
  };

  const listener: NotificationListener = await options.database.listen(
    options.database.taskEventsChannel,
    {
      onMessage: (payload) => {
        deliver(payload).catch((error: unknown) =>
          options.logger.error({ err: error }, 'task delivery failed'),
        );
      },
      onResync: (since) => {
        for (const topic of topics.keys()) emit(topic, { kind: 'resync', since });
      },
    },
    options.logger,
  );

  /** Registered at once, so deliveries are buffered from the call on, not from the first `next()`. */
  const watch = (topic: string, signal: AbortSignal): AsyncIterable<TaskDelivery> => {
    const subscribers = topics.get(topic) ?? new Set();
    topics.set(topic, subscribers);
    const queue = pushable<TaskDelivery>({
      objectMode: true,
      onEnd: () => {
        subscribers.delete(push);
        if (subscribers.size === 0 && topics.get(topic) === subscribers) topics.delete(topic);
      },
    });
    const push = (delivery: TaskDelivery) => queue.push(delivery);
    subscribers.add(push);
    if (signal.aborted) queue.end();
    else signal.addEventListener('abort', () => queue.end(), { once: true });
    return queue;
  };

  return {
    watchTask: (taskId, signal) => watch(taskTopic(taskId), signal),
    watchOwner: (owner, signal) => watch(ownerTopic(owner), signal),
    subscriberCount: () => [...topics.values()].reduce((sum, subscribers) => sum + subscribers.size, 0),
    close: () => listener.close(),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
