/**
 * Watching tasks live. Each stream starts listening before it reads the current state, so a change
 * that lands while a client subscribes is never lost; every delivered task carries its event
 * sequence, and anything at or below what was already delivered is skipped, so duplicates from the
 * at-least-once fan-out never reach the client.
 */
import { and, asc, eq, gte } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.js';
import { type TaskRow, tasks } from '../db/schema.js';
import type { DeliveryReceiver, TaskDelivery, Watched } from '../tasks/task-events.js';
import { isTerminal } from '../tasks/task-status.js';
import { DONE, PullBuffer, type PushableStream, type Sink } from '../transport/push-stream.js';
import { getTask } from './task-queries.js';

/** Replays reach this far before `since` (and before a notification outage), ms: commit order and
 * timestamps can disagree by the length of a transaction, and a duplicate is harmless. */
const REPLAY_GRACE_MS = 5_000;
/** Most tasks one replay delivers. */
const REPLAY_LIMIT = 500;

/**
 * The task's current state (unless the client saw it already: `afterSequence`), then each change;
 * completes after a terminal state. On resume the current state carries every missed event in
 * `events`.
 */
export function watchTask(
  ctx: GatewayContext,
  taskId: string | null,
  afterSequence: number | null | undefined,
): PushableStream<TaskRow> {
  return new TaskWatch(ctx, taskId, afterSequence ?? 0);
}

/**
 * Every change to the viewer's tasks. With `since`, first replays the viewer's tasks changed since
 * then (current state each), so a client resumes after a dropped connection without a gap.
 */
export function watchMyTasks(ctx: GatewayContext, since: Date | null | undefined): PushableStream<TaskRow> {
  return new MyTasksWatch(ctx, since ?? null);
}

/**
 * A live watch: takes a subscription slot and starts listening when first read (`next()` or
 * `pushTo`), reads what it must to begin, then handles each delivery in order; a delivery that
 * needs a read (a resync) holds back those after it until the read is done. It pushes to its
 * reader; a reader calling `next()` reads through a `PullBuffer`.
 *
 * A state machine rather than an async generator: an idle watch then holds no suspended frame and
 * no pending promise, only these fields, and `return()` takes effect at once, even while the watch
 * waits for a change that may never come.
 */
abstract class Watch implements PushableStream<TaskRow>, DeliveryReceiver {
  protected readonly ctx: GatewayContext;
  #sink: Sink<TaskRow> | undefined;
  #release: (() => void) | undefined;
  #watched: Watched | undefined;
  /** Deliveries that came while a read was under way, in order. */
  #backlog: TaskDelivery[] | undefined;
  /** A read is under way (the first one included): deliveries wait in the backlog. */
  #reading = true;
  #stopped = false;

  constructor(ctx: GatewayContext) {
    this.ctx = ctx;
  }

  /** Starts listening; what it returns is what must be read before the first delivery is handled. */
  protected abstract begin(): Promise<void>;
  /** Handles one delivery: a promise when that needs a read. */
  protected abstract receive(delivery: TaskDelivery): Promise<void> | undefined;

  pushTo(sink: Sink<TaskRow>): void {
    if (this.#sink !== undefined) throw new Error('a watch is read once, by one reader');
    this.#sink = sink;
    if (this.#stopped) {
      sink.end();
      return;
    }
    try {
      this.#release = this.ctx.subscriptionSlots.acquire(this.ctx.viewer.id);
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#read(this.begin());
  }

  next(): Promise<IteratorResult<TaskRow, undefined>> {
    if (this.#sink === undefined) this.pushTo(new PullBuffer());
    if (this.#sink instanceof PullBuffer) return this.#sink.next();
    return Promise.reject(new Error('a watch is read once, by one reader'));
  }

  return(): Promise<IteratorReturnResult<undefined>> {
    if (this.#sink instanceof PullBuffer) this.#sink.stop();
    this.#stop();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** From the event bus. */
  deliver(delivery: TaskDelivery): void {
    if (this.#stopped) return;
    if (!this.#reading) {
      this.#read(this.receive(delivery));
      return;
    }
    this.#backlog ??= [];
    this.#backlog.push(delivery);
  }

  protected listen(open: (receiver: DeliveryReceiver) => Watched): void {
    if (!this.#stopped) this.#watched = open(this);
  }

  protected emit(task: TaskRow): void {
    if (!this.#stopped) this.#sink?.push(task);
  }

  protected complete(): void {
    if (this.#stopped) return;
    this.#stop();
    this.#sink?.end();
  }

  /** Waits for `reading` (if any), then handles the backlog until one delivery needs a read. */
  #read(reading: Promise<void> | undefined): void {
    if (reading !== undefined) {
      this.#reading = true;
      reading.then(() => this.#read(undefined)).catch((error: unknown) => this.#fail(error));
      return;
    }
    this.#reading = false;
    const backlog = this.#backlog;
    while (!this.#stopped && backlog !== undefined && backlog.length > 0) {
      const delivery = backlog.shift() as TaskDelivery;
      const reading = this.receive(delivery);
      if (reading !== undefined) {
        this.#read(reading);
        return;
      }
    }
    this.#backlog = undefined;
  }

  #fail(error: unknown): void {
    if (this.#stopped) return;
    this.#stop();
    this.#sink?.fail(error);
  }

  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#backlog = undefined;
    this.#watched?.leave(this);
    this.#watched = undefined;
    this.#release?.();
    this.#release = undefined;
  }
}

class TaskWatch extends Watch {
  #taskId: string | null;
  /** The highest sequence delivered. */
  #delivered: number;

  constructor(ctx: GatewayContext, taskId: string | null, afterSequence: number) {
    super(ctx);
    this.#taskId = taskId;
    this.#delivered = afterSequence;
  }

  protected async begin(): Promise<void> {
    const taskId = this.#taskId;
    if (taskId === null) throw taskNotFound();
    this.listen((receiver) => this.ctx.events.watchTask(taskId, receiver));
    const current = await getTask(this.ctx, taskId);
    // Another tenant's task looks exactly like a missing one.
    if (current === null) throw taskNotFound();
    // The row's own id rather than a slice of the global ID's text, which would keep all of it.
    this.#taskId = current.id;
    if (this.#isNews(current)) this.emit(current);
    if (isTerminal(current.status)) this.complete();
  }

  protected receive(delivery: TaskDelivery): Promise<void> | undefined {
    const taskId = this.#taskId;
    if (delivery.kind === 'resync' && taskId !== null) {
      return getTask(this.ctx, taskId).then((task) => this.#deliver(task));
    }
    if (delivery.kind === 'changed') this.#deliver(delivery.task);
    return undefined;
  }

  #deliver(task: TaskRow | null): void {
    if (task === null || !this.#isNews(task)) return;
    this.emit(task);
    if (isTerminal(task.status)) this.complete();
  }

  /** Whether the client has not seen `task` yet; records that it will have. */
  #isNews(task: TaskRow): boolean {
    if (task.eventSequence <= this.#delivered) return false;
    this.#delivered = task.eventSequence;
    return true;
  }
}

class MyTasksWatch extends Watch {
  readonly #since: Date | null;
  /** Highest sequence delivered per task still in flight; finished tasks never change again. */
  readonly #delivered = new Map<string, number>();

  constructor(ctx: GatewayContext, since: Date | null) {
    super(ctx);
    this.#since = since;
  }

  protected async begin(): Promise<void> {
    this.listen((receiver) => this.ctx.events.watchOwner(this.ctx.viewer.id, receiver));
    if (this.#since) this.#deliver(await tasksChangedSince(this.ctx, this.#since));
  }

  protected receive(delivery: TaskDelivery): Promise<void> | undefined {
    if (delivery.kind === 'changed') {
      this.#deliver([delivery.task]);
      return undefined;
    }
    return tasksChangedSince(this.ctx, delivery.since).then((tasks) => this.#deliver(tasks));
  }

  #deliver(tasks: TaskRow[]): void {
    for (const task of tasks) {
      if (task.owner === this.ctx.viewer.id && isNew(this.#delivered, task)) this.emit(task);
    }
  }
}

/** Whether `task` is news to a stream that has delivered `delivered`; records it if so. */
function isNew(delivered: Map<string, number>, task: TaskRow): boolean {
  if (task.eventSequence <= (delivered.get(task.id) ?? 0)) return false;
  if (isTerminal(task.status)) delivered.delete(task.id);
  else delivered.set(task.id, task.eventSequence);
  return true;
}

async function tasksChangedSince(ctx: GatewayContext, since: Date): Promise<TaskRow[]> {
  const from = new Date(since.getTime() - REPLAY_GRACE_MS);
  return ctx.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.owner, ctx.viewer.id), gte(tasks.updatedAt, from)))
    .orderBy(asc(tasks.updatedAt))
    .limit(REPLAY_LIMIT);
}

function taskNotFound(): GraphQLError {
  return new GraphQLError('No task with this id', { extensions: { code: 'NOT_FOUND' } });
}
