/**
 * The Yoga plugins the transport mounts: /healthz, /readyz and /metrics answered before any GraphQL
 * processing, and live subscriptions counted per transport over a real WebSocket and real SSE.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useServer } from 'graphql-ws/use/ws';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { ReadinessReport } from '../src/observability/health.js';
import { createMetrics, type GatewayMetrics } from '../src/observability/metrics.js';
import { useObservabilityEndpoints, useSubscriptionMetrics } from '../src/observability/yoga-plugins.js';
import { subscribe, TRANSPORTS } from './helpers/subscriptions.js';
import { waitFor } from './helpers/wait-for.js';

const READY: ReadinessReport = {
  ready: true,
  database: { ok: true },
  migrations: { ok: true, applied: 3, expected: 3, missing: [] },
};

const schema = createSchema({
  typeDefs: /* GraphQL */ `
    type Query { ok: Boolean }
    type Subscription { ticks: Int }
  `,
  resolvers: {
    Subscription: {
      ticks: {
        // Emits once, then stays open until the client leaves.
        async *subscribe() {
          yield { ticks: 1 };
          await new Promise(() => {});
        },
      },
    },
  },
});

describe('observability plugins', () => {
  let server: Server;
  let sockets: WebSocketServer;
  let base: string;
  let metrics: GatewayMetrics;
  let readiness: ReadinessReport = READY;

  beforeAll(async () => {
    metrics = createMetrics({ processMetrics: false });
    const yoga = createYoga({
      schema,
      logging: false,
      plugins: [
        useObservabilityEndpoints({ readiness: async () => readiness, metrics }),
        useSubscriptionMetrics(metrics),
      ],
    });
    type Enveloped = ReturnType<typeof yoga.getEnveloped>;
    type EnvelopedRoot = Pick<Enveloped, 'execute' | 'subscribe'>;
    server = createServer(yoga);
    sockets = new WebSocketServer({ server, path: '/graphql' });
    // The same shape as src/server.ts: graphql-ws runs operations through Yoga's envelop.
    useServer(
      {
        execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
        subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
        onSubscribe: async (ctx, _id, params) => {
          const enveloped = yoga.getEnveloped({ ...ctx, params });
          const document = enveloped.parse(params.query);
          return {
            schema: enveloped.schema,
            document,
            variableValues: params.variables,
            contextValue: await enveloped.contextFactory(),
            rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe } satisfies EnvelopedRoot,
          };
        },
      },
      sockets,
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets.clients) socket.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers /healthz while the process runs', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when ready and 503 with the report when not', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', migrations: { applied: 3 } });

    readiness = {
      ...READY,
      ready: false,
      migrations: { ok: false, applied: 2, expected: 3, missing: ['0002_x'] },
    };
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get('cache-control')).toBe('no-store');
    expect(await notReady.json()).toMatchObject({ status: 'not ready', migrations: { missing: ['0002_x'] } });
    readiness = READY;
  });

  it('serves /metrics in the Prometheus text format, and leaves other methods to GraphQL', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.contentType);
    expect(await response.text()).toContain('# TYPE kling_graphql_live_subscriptions gauge');
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(404);
  });

  it.each(TRANSPORTS)('counts a live subscription over %s until the client leaves', async (transport) => {
    const label = transport === 'websocket' ? 'websocket' : 'sse';
    const live = async () => {
      const text = await metrics.metricsText();
      const line = text
        .split('\n')
        .find((entry) => entry.startsWith(`kling_graphql_live_subscriptions{transport="${label}"}`));
      return Number(line?.split(' ')[1]);
    };
    const watch = subscribe<{ ticks: number }>(transport, base, 'subscription { ticks }');
    await watch.waitFor((result) => result.data?.ticks === 1);
    expect(await live()).toBe(1);
    await watch.dispose();
    await waitFor(async () => ((await live()) === 0 ? true : undefined), {
      what: `the ${label} gauge back to 0`,
    });
  });
});
