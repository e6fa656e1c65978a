/**
 * Shared subscription execution: an event delivered to many subscribers as one object is executed
 * once per selection, variables and viewer, and each of them gets that result; nothing is shared
 * across any of those lines. Errors are masked as on HTTP, and a stream stops the moment it is told.
 * A stream is read by `next()` or pushes to a sink, and is pushed to by a source that can push.
 */
import { type ExecutionArgs, type ExecutionResult, GraphQLError, parse } from 'graphql';
import { createPubSub, createSchema } from 'graphql-yoga';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { DONE, type PushableStream, type Sink } from '../src/transport/push-stream.js';
import { createSharedSubscriptions } from '../src/transport/shared-subscription-execution.js';
import { waitFor } from './helpers/wait-for.js';

interface Item {
  id: string;
  broken?: 'unexpected' | 'deliberate';
}

const pubsub = createPubSub<{ item: [Item] }>();
let labelsExecuted = 0;

const schema = createSchema<{ viewer: string }>({
  typeDefs: /* GraphQL */ `
    type Query { ok: Boolean }
    type Item { id: ID! label(suffix: String): String! seenBy: String! }
    type Subscription { item: Item! }
  `,
  resolvers: {
    Item: {
      label: (item: Item, { suffix }: { suffix?: string }) => {
        labelsExecuted += 1;
        if (item.broken === 'unexpected') throw new Error('connection to 10.0.0.7 refused');
        if (item.broken === 'deliberate') {
          throw new GraphQLError('No such item', { extensions: { code: 'NOT_FOUND' } });
        }
        return `${item.id}${suffix ?? ''}`;
      },
      seenBy: (_item: Item, _args: unknown, ctx: { viewer: string }) => ctx.viewer,
    },
    Subscription: {
      item: { subscribe: () => pubsub.subscribe('item'), resolve: (item: Item) => item },
    },
  },
});

const LABEL = parse('subscription($suffix: String) { item { id label(suffix: $suffix) seenBy } }');
const ID_ONLY = parse('subscription { item { id } }');

const subscriptions = createSharedSubscriptions({
  audienceOf: (args) => (args.contextValue as { viewer: string }).viewer,
  logger: pino({ level: 'silent' }),
});

function args(viewer: string, document = LABEL, variables: Record<string, unknown> = {}): ExecutionArgs {
  return { schema, document, variableValues: variables, contextValue: { viewer } };
}

async function stream(watch: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult>> {
  const result = await subscriptions.subscribe(watch);
  if (!(Symbol.asyncIterator in result)) throw new Error(`did not start: ${JSON.stringify(result)}`);
  return result;
}

/** The next result of each stream, after publishing `item` once. */
async function deliver(streams: AsyncIterableIterator<ExecutionResult>[], item: Item) {
  const next = streams.map((s) => s.next());
  pubsub.publish('item', item);
  return (await Promise.all(next)).map((step) => step.value as ExecutionResult);
}

/** Shared subscriptions that count the streams that reported their end. */
function countingEnds() {
  const ends = { count: 0 };
  const counted = createSharedSubscriptions({
    audienceOf: () => 'anyone',
    logger: pino({ level: 'silent' }),
    onStreamStart: () => () => {
      ends.count += 1;
    },
  });
  return { counted, ends };
}

describe('shared subscription execution', () => {
  beforeEach(() => {
    labelsExecuted = 0;
  });

  it('executes an event once for subscribers who asked the same thing, and gives each that result', async () => {
    const streams = await Promise.all([stream(args('alice')), stream(args('alice')), stream(args('alice'))]);
    const [first, ...others] = await deliver(streams, { id: 'a' });

    expect(first).toEqual({ data: { item: { id: 'a', label: 'a', seenBy: 'alice' } } });
    for (const other of others) expect(other).toBe(first);
    expect(labelsExecuted).toBe(1);
    await Promise.all(streams.map((s) => s.return?.()));
  });

  it('keeps different selections and different variables apart', async () => {
    const streams = await Promise.all([
      stream(args('alice', LABEL, { suffix: '!' })),
      stream(args('alice', LABEL, { suffix: '?' })),
      stream(args('alice', ID_ONLY)),
    ]);
    const results = await deliver(streams, { id: 'b' });

    expect(results.map((r) => r.data)).toEqual([
      { item: { id: 'b', label: 'b!', seenBy: 'alice' } },
      { item: { id: 'b', label: 'b?', seenBy: 'alice' } },
      { item: { id: 'b' } },
    ]);
    await Promise.all(streams.map((s) => s.return?.()));
  });

  it("never hands one viewer's result to another", async () => {
    const streams = await Promise.all([stream(args('alice')), stream(args('bob'))]);
    const [alice, bob] = await deliver(streams, { id: 'c' });

    expect(alice?.data).toEqual({ item: { id: 'c', label: 'c', seenBy: 'alice' } });
    expect(bob?.data).toEqual({ item: { id: 'c', label: 'c', seenBy: 'bob' } });
    expect(labelsExecuted).toBe(2);
    await Promise.all(streams.map((s) => s.return?.()));
  });

  it('executes each delivered object anew, even with the same content', async () => {
    const watch = await stream(args('alice'));
    await deliver([watch], { id: 'd' });
    await deliver([watch], { id: 'd' });
    expect(labelsExecuted).toBe(2);
    await watch.return?.();
  });

  it('masks an unexpected error and keeps a deliberate one, as on HTTP', async () => {
    const watch = await stream(args('alice'));
    const [unexpected] = await deliver([watch], { id: 'e', broken: 'unexpected' });
    const [deliberate] = await deliver([watch], { id: 'f', broken: 'deliberate' });

    expect(unexpected?.errors?.map((e) => e.message)).toEqual(['Unexpected error.']);
    expect(JSON.stringify(unexpected)).not.toContain('10.0.0.7');
    expect(deliberate?.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    await watch.return?.();
  });

  it('answers a subscription that cannot start with a result carrying BAD_USER_INPUT', async () => {
    const result = await subscriptions.subscribe(args('alice', LABEL, { suffix: 42 }));
    expect(Symbol.asyncIterator in result).toBe(false);
    expect((result as ExecutionResult).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('stops at once: a waiting next() ends, and the end is reported once', async () => {
    const { counted, ends } = countingEnds();
    const watch = (await counted.subscribe(args('alice'))) as AsyncIterableIterator<ExecutionResult>;
    const waiting = watch.next();
    await watch.return?.();
    await watch.return?.();

    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(ends.count).toBe(1);
  });

  it('ends with the masked error when the source fails', async () => {
    const failing = createSchema({
      typeDefs: 'type Query { ok: Boolean } type Subscription { tick: Int }',
      resolvers: {
        Subscription: {
          tick: {
            // biome-ignore lint/correctness/useYield: a source that fails before its first event
            async *subscribe() {
              throw new Error('the database went away at 10.0.0.7');
            },
          },
        },
      },
    });
    const watch = (await subscriptions.subscribe({
      schema: failing,
      document: parse('subscription { tick }'),
      contextValue: { viewer: 'alice' },
    })) as AsyncIterableIterator<ExecutionResult>;

    await expect(watch.next()).rejects.toMatchObject({ message: 'Unexpected error.' });
    expect(await watch.next()).toEqual({ value: undefined, done: true });
  });
});

/** A source that pushes what the test sends it; `stopped` once returned. */
class PushingSource implements PushableStream<Item> {
  sink: Sink<Item> | undefined;
  stopped = false;
  pushTo(sink: Sink<Item>): void {
    this.sink = sink;
  }
  next(): Promise<IteratorResult<Item, undefined>> {
    return Promise.reject(new Error('a pushing source is not pulled here'));
  }
  async return(): Promise<IteratorReturnResult<undefined>> {
    this.stopped = true;
    return DONE;
  }
  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** What a stream pushed to its sink. */
function recorder() {
  const results: ExecutionResult[] = [];
  const state = { ended: 0, failure: undefined as unknown };
  const sink: Sink<ExecutionResult> = {
    push: (result) => results.push(result),
    end: () => {
      state.ended += 1;
    },
    fail: (error) => {
      state.failure = error;
    },
  };
  return { results, state, sink };
}

describe('shared subscription execution, pushed', () => {
  let sources: PushingSource[] = [];
  let slowLabels = 0;
  const pushing = createSchema<{ viewer: string }>({
    typeDefs: /* GraphQL */ `
      type Query { ok: Boolean }
      type Item { id: ID! label: String! }
      type Subscription { item: Item! ticks: Item! }
    `,
    resolvers: {
      Item: {
        // An item named `slow` takes a turn of the event loop to resolve, so its result comes after
        // one pushed later would, unless the stream keeps their order.
        label: (item: Item) => {
          if (item.id !== 'slow') return item.id;
          slowLabels += 1;
          return new Promise((resolve) => setImmediate(() => resolve(item.id)));
        },
      },
      Subscription: {
        item: {
          subscribe: () => {
            const source = new PushingSource();
            sources.push(source);
            return source;
          },
          resolve: (item: Item) => item,
        },
        ticks: {
          async *subscribe() {
            yield { ticks: { id: 'slow' } };
            yield { ticks: { id: 'fast' } };
          },
        },
      },
    },
  });
  const ITEM = parse('subscription { item { id label } }');
  const pushed = (document = ITEM) => ({ schema: pushing, document, contextValue: { viewer: 'alice' } });

  async function started(watch: ExecutionArgs): Promise<PushableStream<ExecutionResult>> {
    const result = await subscriptions.subscribe(watch);
    if (!(Symbol.asyncIterator in result)) throw new Error(`did not start: ${JSON.stringify(result)}`);
    return result;
  }

  beforeEach(() => {
    sources = [];
    slowLabels = 0;
  });

  it('executes a pushed event once for everyone who asked the same thing, in the order pushed', async () => {
    const streams = await Promise.all([started(pushed()), started(pushed())]);
    const recorders = streams.map((stream) => {
      const record = recorder();
      stream.pushTo(record.sink);
      return record;
    });
    for (const item of [{ id: 'slow' }, { id: 'fast' }])
      for (const source of sources) source.sink?.push(item);
    for (const source of sources) source.sink?.end();
    await waitFor(() => (recorders.every((record) => record.state.ended === 1) ? true : undefined));

    for (const { results } of recorders) {
      expect(results.map((result) => result.data)).toEqual([
        { item: { id: 'slow', label: 'slow' } },
        { item: { id: 'fast', label: 'fast' } },
      ]);
    }
    expect(recorders[1]?.results[0]).toBe(recorders[0]?.results[0]);
    expect(slowLabels).toBe(1);
  });

  it('pulls a source that cannot push, and pushes its results in order, then its end', async () => {
    const stream = await started(pushed(parse('subscription { ticks { id label } }')));
    const { results, state, sink } = recorder();
    stream.pushTo(sink);
    await waitFor(() => (state.ended === 1 ? true : undefined));

    expect(results.map((result) => result.data)).toEqual([
      { ticks: { id: 'slow', label: 'slow' } },
      { ticks: { id: 'fast', label: 'fast' } },
    ]);
  });

  it('stops at once: nothing more is pushed, the source is stopped, and the end is reported once', async () => {
    const { counted, ends } = countingEnds();
    const stream = (await counted.subscribe(pushed())) as PushableStream<ExecutionResult>;
    const { results, state, sink } = recorder();
    stream.pushTo(sink);
    await stream.return();
    sources[0]?.sink?.push({ id: 'late' });
    sources[0]?.sink?.end();

    expect(results).toEqual([]);
    expect(state.ended).toBe(0);
    expect(sources[0]?.stopped).toBe(true);
    expect(ends.count).toBe(1);
  });

  it('fails with the masked error when the source fails', async () => {
    const stream = await started(pushed());
    const { state, sink } = recorder();
    stream.pushTo(sink);
    sources[0]?.sink?.fail(new Error('the database went away at 10.0.0.7'));

    expect(state.failure).toMatchObject({ message: 'Unexpected error.' });
    expect(state.ended).toBe(0);
  });
});
