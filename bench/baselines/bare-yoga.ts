/**
 * Baseline for rows 1 and 6: a bare graphql-yoga server with the gateway's printed schema
 * (schema.graphql) that answers `task(id)` with one task object held in memory, and serves
 * `taskUpdated` (that object, then each one published) over graphql-ws from Yoga's in-memory
 * pub/sub. No auth, limits, metrics, logging
 * or database: what any GraphQL server costs.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useServer } from 'graphql-ws/use/ws';
import { createPubSub, createSchema, createYoga } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { serveRpc } from '../lib/rpc.js';
import { wallClockMs } from '../lib/stats.js';

/** A task as the gateway's API renders it (JSON), held as-is. */
export type TaskObject = Record<string, unknown>;

export interface BareYogaInfo {
  url: string;
}

export type BareYogaApi = {
  /** The object `task(id)` returns from now on. */
  setTask(params: { task: TaskObject }): Promise<void>;
  /** Publishes each task in turn in-process; `t0` is read just before each publish. */
  publish(params: { tasks: TaskObject[]; gapMs?: number }): Promise<{ t0: number[] }>;
};

let current: TaskObject | null = null;
const pubSub = createPubSub<{ taskUpdated: [id: string, task: TaskObject] }>();
const typeDefs = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');

const yoga = createYoga({
  schema: createSchema({
    typeDefs,
    resolvers: {
      Query: { task: () => current },
      Subscription: {
        taskUpdated: {
          // Like the gateway: the current state first, then each change.
          subscribe: async function* (_root: unknown, args: { id: string }) {
            const changes = pubSub.subscribe('taskUpdated', args.id);
            if (current !== null) yield current;
            yield* changes;
          },
          resolve: (task: TaskObject) => task,
        },
      },
    },
    resolverValidationOptions: { requireResolversForResolveType: 'ignore' },
  }),
  graphqlEndpoint: '/graphql',
  landingPage: false,
  graphiql: false,
  logging: false,
});

const server = createServer(yoga);
const webSockets = new WebSocketServer({ server, path: '/graphql' });
// graphql-ws through Yoga's envelop, the recipe the gateway follows too.
const graphqlWs = useServer(
  {
    execute: (args) => (args.rootValue as ReturnType<typeof yoga.getEnveloped>).execute(args),
    subscribe: (args) => (args.rootValue as ReturnType<typeof yoga.getEnveloped>).subscribe(args),
    onSubscribe: async (ctx, _id, params) => {
      const enveloped = yoga.getEnveloped({ ...ctx, params });
      const document = enveloped.parse(params.query);
      const errors = enveloped.validate(enveloped.schema, document);
      if (errors.length > 0) return errors;
      return {
        schema: enveloped.schema,
        document,
        operationName: params.operationName ?? null,
        variableValues: params.variables ?? null,
        contextValue: await enveloped.contextFactory(),
        rootValue: enveloped,
      };
    },
  },
  webSockets,
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

serveRpc(
  {
    setTask: async ({ task }) => {
      current = task;
    },
    publish: async ({ tasks, gapMs }) => {
      const t0: number[] = [];
      for (const task of tasks) {
        t0.push(wallClockMs());
        pubSub.publish('taskUpdated', String(task.id), task);
        if (gapMs) await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
      return { t0 };
    },
  } satisfies BareYogaApi,
  { url: `http://127.0.0.1:${port}` } satisfies BareYogaInfo,
  async () => {
    await graphqlWs.dispose();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },
);
