/**
 * graphql-ws (`graphql-transport-ws`) on the GraphQL path, executing through Yoga's envelop so
 * WebSocket operations share the HTTP transport's plugins and context. Identity is settled at
 * `connection_init`; per-connection subscription caps are enforced here.
 */
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import { bearerTokenFromConnectionParams } from '../auth/bearer.js';
import { KeySetUnavailableError, type TokenVerifier, verifyAccessToken } from '../auth/verify-token.js';
import type { GatewayContext, Viewer } from '../context.js';
import type { GatewayLimits } from '../security/limits.js';
import { subscriptionLimit } from '../security/subscription-slots.js';

/** What a transport hands Yoga before the context is built. */
export interface TransportContext {
  /** Set by the WebSocket transport, which learns the viewer at `connection_init`. */
  viewer?: Viewer;
}

export interface WebSocketOptions {
  limits: GatewayLimits;
  verifier: TokenVerifier;
  logger: Logger;
}

/** setTimeout's longest delay; a token living longer is simply not timed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** graphql-ws on the same path, executing through Yoga's envelop (same plugins, same context). */
export function serveGraphqlOverWebSocket(
  yoga: YogaServerInstance<TransportContext, GatewayContext>,
  webSockets: WebSocketServer,
  options: WebSocketOptions,
) {
  const { limits } = options;
  type Enveloped = ReturnType<typeof yoga.getEnveloped>;
  interface EnvelopedRoot {
    execute: Enveloped['execute'];
    subscribe: Enveloped['subscribe'];
  }
  return useServer<Record<string, unknown>, { viewer: Viewer }>(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      // A missing or bad token closes the socket with 4403 before any operation runs.
      onConnect: async (ctx) => {
        try {
          const token = bearerTokenFromConnectionParams(ctx.connectionParams);
          const access = await verifyAccessToken(options.verifier, token);
          ctx.extra.viewer = access.viewer;
          closeWhenExpired(ctx.extra.socket, access.expiresAt);
          return true;
        } catch (error) {
          if (!(error instanceof KeySetUnavailableError)) return false;
          options.logger.error({ err: error.cause }, 'identity provider key set unavailable');
          ctx.extra.socket.close(1011, 'Identity provider unavailable');
          return false;
        }
      },
      onSubscribe: async (ctx, _id, params) => {
        // graphql-ws reserves the operation's id before this runs, so the count includes it.
        if (Object.keys(ctx.subscriptions).length > limits.subscriptionsPerConnection) {
          return [subscriptionLimit(`at most ${limits.subscriptionsPerConnection} per connection`)];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          viewer: ctx.extra.viewer,
          params,
        });
        // A syntax error (or a document over the token limit) fails this operation, not the
        // connection and every other subscription on it.
        let document: ReturnType<typeof parse>;
        try {
          document = parse(params.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: params.operationName ?? null,
          variableValues: params.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        return args;
      },
    },
    webSockets,
  );
}

/** A socket authenticated by a token lives no longer than the token. */
function closeWhenExpired(socket: WebSocket, expiresAt: Date | undefined): void {
  if (expiresAt === undefined) return;
  const delay = expiresAt.getTime() - Date.now();
  if (delay > MAX_TIMER_MS) return;
  const timer = setTimeout(() => socket.close(4403, 'Forbidden: token expired'), Math.max(0, delay));
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
