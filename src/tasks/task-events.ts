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

/**
 * One subscriber's deliveries, buffered from the moment it was opened. `return()` stops it at once:
 * it leaves its topic and a pending `next()` resolves as done.
 */
export interface Deliveries extends AsyncIterableIterator<TaskDelivery> {
  return(): Promise<IteratorReturnResult<undefined>>;
}

export interface TaskEventBus {
  /** Deliveries for one task. */
  watchTask(taskId: string): Deliveries;
  /** Deliveries for every task of one owner. */
  watchOwner(owner: string): Deliveries;
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
  // Topic → its subscribers' queues. A Set per topic, not an EventEmitter with `events.on()`: that
  // iterator preallocates ~36 KB per subscriber, which 10,000 sockets feel.
  const topics: Topics = new Map();
  const emit = (topic: string, delivery: TaskDelivery) => {
    for (const queue of topics.get(topic) ?? []) queue.push(delivery);
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
        for (const topic of topics.keys()) emit(topic, delivery);
      },
    },
    options.logger,
  );

  /** Registered at once, so deliveries are buffered from the call on, not from the first `next()`. */
  const watch = (topic: string): Deliveries => {
    let subscribers = topics.get(topic);
    if (subscribers === undefined) {
      subscribers = new Topic(topic);
      topics.set(topic, subscribers);
    }
    // The topic (its key and its queues) is shared by its queues: no closure or key per queue.
    const queue = new DeliveryQueue(topics, subscribers);
    subscribers.add(queue);
    return queue;
  };

  return {
    watchTask: (taskId) => watch(taskTopic(taskId)),
    watchOwner: (owner) => watch(ownerTopic(owner)),
    subscriberCount: () => [...topics.values()].reduce((sum, subscribers) => sum + subscribers.size, 0),
    close: () => listener.close(),
  };
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/** A topic's subscribers' queues, with the topic's key. */
class Topic extends Set<DeliveryQueue> {
  readonly key: string;

  constructor(key: string) {
    super();
    this.key = key;
  }
}

type Topics = Map<string, Topic>;

/**
 * One subscriber's queue: a plain array and at most one waiting reader. Lighter than a general
 * pushable stream, which matters at thousands of idle subscribers, and stoppable while a reader
 * waits.
 */
class DeliveryQueue implements Deliveries {
  /** Allocated by the first delivery that finds no reader waiting. */
  #buffer: TaskDelivery[] | undefined;
  #waiting: ((result: IteratorResult<TaskDelivery, undefined>) => void) | undefined;
  #ended = false;
  readonly #topics: Topics;
  readonly #subscribers: Topic;

  constructor(topics: Topics, subscribers: Topic) {
    this.#topics = topics;
    this.#subscribers = subscribers;
  }

  push(delivery: TaskDelivery): void {
    if (this.#ended) return;
    const waiting = this.#waiting;
    if (waiting === undefined) {
      this.#buffer ??= [];
      this.#buffer.push(delivery);
      return;
    }
    this.#waiting = undefined;
    waiting({ value: delivery, done: false });
  }

  next(): Promise<IteratorResult<TaskDelivery, undefined>> {
    const buffered = this.#buffer?.shift();
    if (buffered !== undefined) return Promise.resolve({ value: buffered, done: false });
    if (this.#ended) return Promise.resolve(DONE);
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return(): Promise<IteratorReturnResult<undefined>> {
    if (!this.#ended) {
      this.#ended = true;
      this.#buffer = undefined;
      this.#subscribers.delete(this);
      // The topic goes with its last subscriber.
      const topic = this.#subscribers.key;
      if (this.#subscribers.size === 0 && this.#topics.get(topic) === this.#subscribers) {
        this.#topics.delete(topic);
      }
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.(DONE);
    }
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
