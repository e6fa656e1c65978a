/**
 * Task changes, from the database to subscribers. A change is announced on the database channel in
 * the transaction that makes it (src/tasks/apply-task-change.ts), so only durable changes are announced and
 * every instance hears them. Each instance reads an announced task once, however many of its
 * subscribers watch it, and fans it out in-process.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DatabaseHandle } from '../db/connection.js';
import type { NotificationListener } from '../db/notifications.js';
import { TASK_STATUSES, type TaskRow } from '../db/schema.js';

const taskUpdatedSchema = z.object({
  taskId: z.string(),
  owner: z.string(),
  status: z.enum(TASK_STATUSES),
  /** The task's event sequence after this change. */
  sequence: z.number().int(),
});
/**
 * What a subscriber receives: a changed task, or word that changes may have been missed (the
 * notification connection dropped at `since`) so it should re-read what it watches.
 */
export type TaskDelivery = { kind: 'changed'; task: TaskRow } | { kind: 'resync'; since: Date };

/** Who receives a topic's deliveries, called with each one as it comes. */
export interface DeliveryReceiver {
  deliver(delivery: TaskDelivery): void;
}

/** What a receiver watches. */
export interface Watched {
  /** Stops `receiver`'s deliveries at once; the topic goes with its last receiver. Idempotent. */
  leave(receiver: DeliveryReceiver): void;
}

export interface TaskEventBus {
  /** Delivers every change to one task to `receiver`, from this call on, until it leaves. */
  watchTask(taskId: string, receiver: DeliveryReceiver): Watched;
  /** Delivers every change to one owner's tasks to `receiver`, from this call on, until it leaves. */
  watchOwner(owner: string, receiver: DeliveryReceiver): Watched;
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
  // Topic → its receivers. A Set per topic, not an EventEmitter with `events.on()`: that iterator
  // preallocates ~36 KB per subscriber, which 10,000 sockets feel. Receivers are called directly:
  // no queue, promise or closure per subscriber.
  const topics: Topics = new Map();
  const emit = (topic: string, delivery: TaskDelivery) => {
    const receivers = topics.get(topic);
    if (receivers === undefined) return;
    for (const receiver of receivers) {
      try {
        receiver.deliver(delivery);
      } catch (error) {
        // One receiver's bug must not cost the others their delivery.
        options.logger.error({ err: error }, 'a task delivery receiver failed');
      }
    }
  };

  const deliver = async (payload: string): Promise<void> => {
    const parsed = taskUpdatedSchema.safeParse(parseJson(payload));
    if (!parsed.success) return options.logger.warn('ignored a malformed task announcement');
    const update = parsed.data;
    const watched = [taskTopic(update.taskId), ownerTopic(update.owner)].filter((topic) => topics.has(topic));
    if (watched.length === 0) return;
    // One read per announcement, shared by every subscriber of this instance: they all receive this
    // very object, which lets the transport execute a selection once for all of them.
    const task = await options.loadTask(update.taskId);
    if (task === undefined) return;
    const delivery: TaskDelivery = { kind: 'changed', task };
    for (const topic of watched) emit(topic, delivery);
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
        const delivery: TaskDelivery = { kind: 'resync', since };
        for (const topic of [...topics.keys()]) emit(topic, delivery);
      },
    },
    options.logger,
  );

  /** Registered at once: deliveries reach the receiver from the call on. */
  const watch = (key: string, receiver: DeliveryReceiver): Watched => {
    let topic = topics.get(key);
    if (topic === undefined) {
      topic = new Topic(topics, key);
      topics.set(key, topic);
    }
    topic.add(receiver);
    return topic;
  };

  return {
    watchTask: (taskId, receiver) => watch(taskTopic(taskId), receiver),
    watchOwner: (owner, receiver) => watch(ownerTopic(owner), receiver),
    subscriberCount: () => [...topics.values()].reduce((sum, receivers) => sum + receivers.size, 0),
    close: () => listener.close(),
  };
}

type Topics = Map<string, Topic>;

/** A topic's receivers, which the topic's key and its map let leave without a closure each. */
class Topic extends Set<DeliveryReceiver> implements Watched {
  readonly #topics: Topics;
  readonly #key: string;

  constructor(topics: Topics, key: string) {
    super();
    this.#topics = topics;
    this.#key = key;
  }

  leave(receiver: DeliveryReceiver): void {
    if (!this.delete(receiver) || this.size > 0) return;
    if (this.#topics.get(this.#key) === this) this.#topics.delete(this.#key);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
