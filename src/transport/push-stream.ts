/**
 * Streams that can push. A subscription's source is an async iterator, as graphql-js asks; one that
 * can also push lets a transport be called with each value instead of keeping a `next()` pending
 * per subscriber. Across thousands of idle subscribers each pending `next()` kept a promise, its
 * reactions and closures, and each async generator or function on the way a suspended frame: most
 * of what an idle subscription cost. Pushed, an idle subscription is a few plain objects.
 */

/** Where a pushed stream goes: each value, then either its end or its failure, once. */
export interface Sink<T> {
  push(value: T): void;
  end(): void;
  fail(error: unknown): void;
}

/**
 * An async iterator that can be told, instead, to push everything to a sink. Either way of reading
 * is chosen once: `pushTo` before any `next()`. `return()` stops it in both: nothing more is
 * pushed, and a pending `next()` ends as done.
 */
export interface PushableStream<T> extends AsyncIterableIterator<T> {
  pushTo(sink: Sink<T>): void;
  return(): Promise<IteratorReturnResult<undefined>>;
}

export function isPushable<T>(stream: AsyncIterator<T>): stream is PushableStream<T> {
  return typeof (stream as Partial<PushableStream<T>>).pushTo === 'function';
}

export const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * Pushes a plain async iterator's values to a sink, pulling the next one after the last was pushed.
 * Stopping is the iterator's own `return()`: a pull that then ends as done ends nothing more.
 */
export function pullInto<T>(iterator: AsyncIterator<T>, sink: Sink<T>): void {
  const pull = (): void => {
    iterator.next().then(
      (step) => {
        if (step.done) return sink.end();
        sink.push(step.value);
        pull();
      },
      (error: unknown) => sink.fail(error),
    );
  };
  pull();
}

/**
 * The reading end of a pushing stream, for a reader that calls `next()`: values wait here until
 * read, and a failure is the rejection of the `next()` that reaches it.
 */
export class PullBuffer<T> implements Sink<T> {
  #values: T[] | undefined;
  #waiting: { resolve(step: IteratorResult<T, undefined>): void; reject(error: unknown): void } | undefined;
  #failure: { error: unknown } | undefined;
  #ended = false;

  next(): Promise<IteratorResult<T, undefined>> {
    const values = this.#values;
    if (values !== undefined && values.length > 0) {
      return Promise.resolve({ value: values.shift() as T, done: false });
    }
    const failure = this.#failure;
    if (failure !== undefined) {
      // Only the first read after a failure sees it; the stream is over after that.
      this.#failure = undefined;
      return Promise.reject(failure.error);
    }
    if (this.#ended) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  push(value: T): void {
    if (this.#ended) return;
    const waiting = this.#take();
    if (waiting) {
      waiting.resolve({ value, done: false });
      return;
    }
    this.#values ??= [];
    this.#values.push(value);
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#take()?.resolve(DONE);
  }

  fail(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    const waiting = this.#take();
    if (waiting) waiting.reject(error);
    else this.#failure = { error };
  }

  /** Stopped by the reader: what was not read is dropped, and a pending read ends as done. */
  stop(): void {
    this.#values = undefined;
    this.#failure = undefined;
    this.#ended = true;
    this.#take()?.resolve(DONE);
  }

  #take() {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    return waiting;
  }
}
