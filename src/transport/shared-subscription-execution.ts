/**
 * Subscription events executed once for everyone who asked the same thing. The task event bus hands
 * every subscriber of a task the very same row object, so the result of executing a selection for
 * that row can be shared by every subscription with the same document, operation, variables and
 * audience (the viewer); a fan-out to thousands of sockets then executes a handful of times instead
 * of once per socket. Results are remembered per row object (weakly), so they go when the row does.
 *
 * This is the spec's subscription algorithm (CreateSourceEventStream, then ExecuteSubscriptionEvent
 * per event) with one thin iterator per subscription in place of the executor's and envelop's
 * per-subscriber layers; what envelop's subscribe hooks did for a subscription (mask errors, count
 * it while it lives) is done through `options`.
 */
import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  GraphQLError,
} from 'graphql';
import type { Logger } from 'pino';
import { maskError } from './mask-errors.js';
import { DONE, isPushable, type PushableStream, pullInto, type Sink } from './push-stream.js';

/** What a client sees instead of an unexpected error: Yoga's wording, as on HTTP. */
const UNEXPECTED_ERROR_MESSAGE = 'Unexpected error.';

export interface SharedSubscriptionOptions {
  /** Whom a result is for: results are shared only between subscriptions with the same audience. */
  audienceOf(args: ExecutionArgs): string;
  /** Where the original of a masked (unexpected) error is logged. */
  logger: Logger;
  /** Called when a subscription starts streaming; the function it returns is called once at its end. */
  onStreamStart?(args: ExecutionArgs): () => void;
}

export interface SharedSubscriptions {
  /**
   * A stream of results, or a result with errors when the subscription cannot start. The stream is
   * read by `next()` or, lighter for a subscription that mostly idles, by `pushTo`.
   */
  subscribe(args: ExecutionArgs): Promise<PushableStream<ExecutionResult> | ExecutionResult>;
}

type Results = Map<string, ExecutionResult | Promise<ExecutionResult>>;

export function createSharedSubscriptions(options: SharedSubscriptionOptions): SharedSubscriptions {
  const execution = new SharedExecution(options);
  return {
    async subscribe(args) {
      const source = await createSourceEventStream(args);
      if (!isAsyncIterable(source)) {
        const errors = (source.errors ?? []).map((error) => execution.mask(requestError(error)));
        return { ...source, errors };
      }
      const selection = execution.select(args);
      const onEnd = options.onStreamStart?.(args);
      return new SharedResultStream(source[Symbol.asyncIterator](), execution, selection, onEnd);
    },
  };
}

/**
 * The results remembered per delivered object. Per-subscription state lives in plain fields and
 * methods rather than closures: thousands of subscriptions each keep theirs while they idle.
 */
class SharedExecution {
  readonly #options: SharedSubscriptionOptions;
  // Documents are compared by identity: Yoga's parser cache hands the same document to every
  // operation with the same text, and two equal documents that are not the same object merely
  // execute apart.
  readonly #documentIds = new WeakMap<DocumentNode, number>();
  #documentCount = 0;
  readonly #resultsByPayload = new WeakMap<object, Results>();
  // Each live selection once, however many subscriptions share it: its key (built per subscription
  // from a template literal, a tree of a dozen string pieces) and the arguments it executes with.
  readonly #selections = new Map<string, Selection>();

  constructor(options: SharedSubscriptionOptions) {
    this.#options = options;
  }

  /**
   * The live selection these arguments ask for: what must match for two subscriptions to share a
   * result. It executes with the arguments of the subscription that opened it, which differ from
   * the others' only in objects of their own (the context) and not in anything a result depends on.
   */
  select(args: ExecutionArgs): Selection {
    let documentId = this.#documentIds.get(args.document);
    if (documentId === undefined) {
      documentId = ++this.#documentCount;
      this.#documentIds.set(args.document, documentId);
    }
    const variables = JSON.stringify(args.variableValues ?? {});
    const key = `${documentId}\n${args.operationName ?? ''}\n${this.#options.audienceOf(args)}\n${variables}`;
    let selection = this.#selections.get(key);
    if (selection === undefined) {
      selection = { key, args, users: 0 };
      this.#selections.set(key, selection);
    }
    selection.users += 1;
    return selection;
  }

  /** A subscription with this selection ended. */
  release(selection: Selection): void {
    selection.users -= 1;
    if (selection.users === 0 && this.#selections.get(selection.key) === selection) {
      this.#selections.delete(selection.key);
    }
  }

  /** The event's result for this selection: executed by the first subscription to ask. */
  execute(selection: Selection, payload: unknown): ExecutionResult | Promise<ExecutionResult> {
    if (typeof payload !== 'object' || payload === null) return this.#run(selection.args, payload);
    let results = this.#resultsByPayload.get(payload);
    if (results === undefined) {
      results = new Map();
      this.#resultsByPayload.set(payload, results);
    }
    let result = results.get(selection.key);
    if (result === undefined) {
      result = this.#run(selection.args, payload);
      results.set(selection.key, result);
    }
    return result;
  }

  mask(error: GraphQLError): GraphQLError {
    return maskForClient(error, this.#options.logger);
  }

  #run(args: ExecutionArgs, payload: unknown): ExecutionResult | Promise<ExecutionResult> {
    const result = execute({ ...args, rootValue: payload });
    return result instanceof Promise ? result.then((done) => this.#masked(done)) : this.#masked(result);
  }

  #masked(result: ExecutionResult): ExecutionResult {
    return result.errors ? { ...result, errors: result.errors.map((error) => this.mask(error)) } : result;
  }
}

interface Selection {
  readonly key: string;
  readonly args: ExecutionArgs;
  users: number;
}

/**
 * One subscription: each source event, executed (shared), until the source ends or it is stopped.
 * Read by `next()`, or pushed to a sink, and then pushed to by its source where the source can.
 */
class SharedResultStream implements PushableStream<ExecutionResult>, Sink<unknown> {
  readonly #source: AsyncIterator<unknown>;
  readonly #execution: SharedExecution;
  readonly #selection: Selection;
  readonly #onEnd: (() => void) | undefined;
  #sink: Sink<ExecutionResult> | undefined;
  /** Pushed results wait for an earlier one whose execution has not finished. */
  #pending: Promise<void> | undefined;
  #ended = false;

  constructor(
    source: AsyncIterator<unknown>,
    execution: SharedExecution,
    selection: Selection,
    onEnd: (() => void) | undefined,
  ) {
    this.#source = source;
    this.#execution = execution;
    this.#selection = selection;
    this.#onEnd = onEnd;
  }

  // Promise chains rather than an async function: an idle subscription waits in here, and each
  // suspended async function would keep a frame of its own alive.
  next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    if (this.#ended) return Promise.resolve(DONE);
    return this.#source.next().then(
      (step) => this.#execute(step),
      (error: unknown) => {
        this.#end();
        throw this.#execution.mask(asGraphQLError(error));
      },
    );
  }

  async return(): Promise<IteratorReturnResult<undefined>> {
    this.#end();
    await this.#source.return?.();
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  pushTo(sink: Sink<ExecutionResult>): void {
    this.#sink = sink;
    if (isPushable(this.#source)) this.#source.pushTo(this);
    else pullInto(this.#source, this);
  }

  /** From the source, when pushing: an event. */
  push(value: unknown): void {
    if (this.#ended) return;
    const result = this.#execution.execute(this.#selection, value);
    if (this.#pending === undefined && !(result instanceof Promise)) {
      this.#sink?.push(result);
      return;
    }
    this.#afterPending(async () => {
      const done = await result;
      if (!this.#ended) this.#sink?.push(done);
    });
  }

  /** From the source, when pushing: its end, after every result before it. */
  end(): void {
    if (this.#pending === undefined) this.#finish();
    else this.#afterPending(() => this.#finish());
  }

  /** From the source, when pushing: its failure. */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#end();
    this.#sink?.fail(this.#execution.mask(asGraphQLError(error)));
  }

  #finish(): void {
    if (this.#ended) return;
    this.#end();
    this.#sink?.end();
  }

  /** Runs `step` once every earlier pushed result has gone to the sink (results can take a while). */
  #afterPending(step: () => unknown): void {
    const previous = this.#pending ?? Promise.resolve();
    const pending: Promise<void> = previous.then(step).then(
      () => this.#settled(pending),
      (error: unknown) => {
        this.#settled(pending);
        this.fail(error);
      },
    );
    this.#pending = pending;
  }

  #settled(pending: Promise<void>): void {
    if (this.#pending === pending) this.#pending = undefined;
  }

  #execute(
    step: IteratorResult<unknown>,
  ): IteratorResult<ExecutionResult, undefined> | Promise<IteratorResult<ExecutionResult, undefined>> {
    // A value that arrives after `return()` is not for the client any more.
    if (step.done || this.#ended) {
      this.#end();
      return DONE;
    }
    const result = this.#execution.execute(this.#selection, step.value);
    return result instanceof Promise ? result.then(asStep) : asStep(result);
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#execution.release(this.#selection);
    this.#onEnd?.();
  }
}

function asStep(value: ExecutionResult): IteratorYieldResult<ExecutionResult> {
  return { value, done: false };
}

/** As Yoga masks an error on HTTP; the original of a masked one is logged. */
function maskForClient(error: GraphQLError, logger: Logger): GraphQLError {
  const masked = maskError(error, UNEXPECTED_ERROR_MESSAGE);
  if (masked === error) return error;
  logger.error({ err: error }, 'unexpected error in a subscription');
  return masked instanceof GraphQLError
    ? masked
    : new GraphQLError(masked.message, { originalError: masked });
}

function isAsyncIterable(value: object): value is AsyncIterable<unknown> {
  return Symbol.asyncIterator in value;
}

/**
 * An error without a path is the request's (variables that do not fit the operation), not a
 * resolver's: it carries BAD_USER_INPUT, as Yoga's executor marks it.
 */
function requestError(error: GraphQLError): GraphQLError {
  if (error.path !== undefined) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT', http: { status: 400 } },
  });
}

function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const cause = asError(error);
  return new GraphQLError(cause.message, { originalError: cause });
}

/** Whatever was thrown, as an Error (a thrown string or object keeps its text). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
