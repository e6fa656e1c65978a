/**
 * A farm of subscribers in its own process, built from the libraries a frontend uses: one
 * graphql-ws client (one WebSocket) or one graphql-sse client (one SSE stream, read as
 * stream-fetch.ts says) per subscriber, or a bare `ws` socket for the raw baseline. It records
 * when each delivery arrives, by wall clock, first thing in the callback.
 */
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { serveRpc } from '../lib/rpc.js';
import { wallClockMs } from '../lib/stats.js';
import { streamFetch } from './stream-fetch.js';

export type Transport = 'graphql-ws' | 'graphql-sse' | 'raw-ws';

export interface Arrival {
  /** The subscription's key (e.g. the task it watches). */
  key: string;
  /** Wall clock, ms. */
  at: number;
}

export interface ConnectParams {
  transport: Transport;
  /** `http://…` base of the server (`ws://…` for raw-ws). */
  url: string;
  /** GraphQL subscription (ignored by raw-ws). */
  query: string;
  subscriptions: { key: string; variables: Record<string, unknown> }[];
  /**
   * How graphql-sse clients read their streams: `node-stream` (undici's `request`, see
   * stream-fetch.ts) or `web-stream` (Node's own `fetch`). @default 'node-stream'
   */
  sseFetch?: 'node-stream' | 'web-stream';
  /** `Bearer …`: connectionParams over WebSocket, a header over SSE. */
  authorization?: string;
  /** Subscriptions being set up at once. @default 100 */
  concurrency?: number;
  /** @default 60_000 ms */
  timeoutMs?: number;
}

export type FarmApi = {
  /** Opens every subscription and waits until each is live (its first result, or open for raw-ws). */
  connect(params: ConnectParams): Promise<{ live: number; failed: number; firstError?: string; ms: number }>;
  /** Waits until `expected` deliveries with `status` arrived (or the deadline); returns them. */
  arrivals(params: { status: string; expected: number; timeoutMs: number }): Promise<{
    arrivals: Arrival[];
    /** One delivery as received (the GraphQL result), to replay as the baselines' payload. */
    sample: unknown;
  }>;
  disconnect(params: Record<string, never>): Promise<void>;
};

interface Subscriber {
  dispose(): Promise<void> | void;
}

const subscribers: Subscriber[] = [];
const byStatus = new Map<string, Arrival[]>();
let sample: unknown;
const wakers = new Set<() => void>();

/** The task status a delivery carries, whatever the transport wrapped it in. */
function statusOf(result: unknown): string | undefined {
  const data = (result as { data?: { taskUpdated?: { status?: unknown } } } | undefined)?.data;
  const status = data?.taskUpdated?.status;
  return typeof status === 'string' ? status : undefined;
}

function record(key: string, at: number, result: unknown): void {
  const status = statusOf(result);
  if (status === undefined) return;
  let list = byStatus.get(status);
  if (list === undefined) {
    list = [];
    byStatus.set(status, list);
  }
  list.push({ key, at });
  sample ??= result;
  for (const wake of wakers) wake();
}

/** Resolves when the subscription is live; rejects on an error before that. */
function openGraphql(params: ConnectParams, key: string, variables: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    let live = false;
    const sink = {
      next: (result: unknown) => {
        const at = wallClockMs();
        if (!live) {
          live = true;
          resolve();
          return;
        }
        record(key, at, result);
      },
      error: (error: unknown) => {
        if (!live) reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
      },
      complete: () => {
        if (!live) reject(new Error('completed before any result'));
      },
    };
    const payload = { query: params.query, variables };
    if (params.transport === 'graphql-ws') {
      const client = createWsClient({
        url: `${params.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        ...(params.authorization ? { connectionParams: { authorization: params.authorization } } : {}),
      });
      const unsubscribe = client.subscribe(payload, sink);
      subscribers.push({
        dispose: async () => {
          unsubscribe();
          await client.dispose();
        },
      });
    } else {
      const client = createSseClient({
        url: `${params.url}/graphql`,
        retryAttempts: 0,
        ...(params.sseFetch === 'web-stream' ? {} : { fetchFn: streamFetch }),
        ...(params.authorization ? { headers: { authorization: params.authorization } } : {}),
      });
      const unsubscribe = client.subscribe(payload, sink);
      subscribers.push({
        dispose: () => {
          unsubscribe();
          client.dispose();
        },
      });
    }
  });
}

function openRaw(url: string, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('message', (data) => {
      const at = wallClockMs();
      const message = JSON.parse(data.toString()) as { payload?: unknown };
      record(key, at, message.payload);
    });
    socket.once('open', () => resolve());
    socket.once('error', reject);
    subscribers.push({ dispose: () => socket.terminate() });
  });
}

function beforeDeadline(promise: Promise<void>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('not live before the deadline')),
      Math.max(0, deadline - Date.now()),
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function connect(params: ConnectParams) {
  const started = Date.now();
  const deadline = started + (params.timeoutMs ?? 60_000);
  let live = 0;
  let failed = 0;
  let firstError: string | undefined;
  const queue = [...params.subscriptions];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const opening =
        params.transport === 'raw-ws'
          ? openRaw(params.url, next.key)
          : openGraphql(params, next.key, next.variables);
      try {
        await beforeDeadline(opening, deadline);
        live += 1;
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: params.concurrency ?? 100 }, worker));
  return { live, failed, ...(firstError === undefined ? {} : { firstError }), ms: Date.now() - started };
}

serveRpc(
  {
    connect,
    arrivals: async ({ status, expected, timeoutMs }) => {
      const arrived = () => byStatus.get(status)?.length ?? 0;
      if (arrived() < expected) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            wakers.delete(check);
            resolve();
          };
          const check = () => {
            if (arrived() >= expected) done();
          };
          const timer = setTimeout(done, timeoutMs);
          wakers.add(check);
        });
      }
      return { arrivals: byStatus.get(status) ?? [], sample };
    },
    disconnect: async () => {
      await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.dispose()));
      byStatus.clear();
      sample = undefined;
    },
  } satisfies FarmApi,
  {},
  async () => {
    await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.dispose()));
  },
);
