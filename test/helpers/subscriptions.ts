/**
 * Subscriptions as a frontend makes them: graphql-ws over a real WebSocket, graphql-sse over real
 * SSE. Both return a recorder of what arrived, with waits that have deadlines.
 */
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphQLResponse } from './graphql-client.js';
import { waitFor } from './wait-for.js';

export type Transport = 'websocket' | 'sse';
export const TRANSPORTS: Transport[] = ['websocket', 'sse'];

export interface SubscriptionRecorder<T> {
  readonly results: GraphQLResponse<T>[];
  /** Resolves when the server completes the subscription; rejects on a transport error. */
  readonly completed: Promise<void>;
  /** Waits until a result satisfies `predicate` and returns it. */
  waitFor(predicate: (result: GraphQLResponse<T>) => boolean, what?: string): Promise<GraphQLResponse<T>>;
  dispose(): Promise<void>;
}

export function subscribe<T>(
  transport: Transport,
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  /** `Bearer <token>`: a header over SSE, `connectionParams.authorization` over WebSocket. */
  authorization?: string,
): SubscriptionRecorder<T> {
  const results: GraphQLResponse<T>[] = [];
  let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  const completed = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  completed.catch(() => {}); // observed through `completed` by the tests that care
  const sink = {
    next: (result: unknown) => results.push(result as GraphQLResponse<T>),
    error: (error: unknown) => settle?.reject(error),
    complete: () => settle?.resolve(),
  };
  const client =
    transport === 'websocket'
      ? createWsClient({
          url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          ...(authorization ? { connectionParams: { authorization } } : {}),
        })
      : createSseClient({
          url: `${baseUrl}/graphql`,
          retryAttempts: 0,
          ...(authorization ? { headers: { authorization } } : {}),
        });
  const unsubscribe = client.subscribe({ query, variables }, sink);
  return {
    results,
    completed,
    waitFor: (predicate, what) =>
      waitFor(() => results.find(predicate), { what: what ?? 'a subscription result', timeoutMs: 10_000 }),
    async dispose() {
      unsubscribe();
      await client.dispose();
    },
  };
}
