/**
 * graphql-ws (`graphql-transport-ws`) on the GraphQL path, parsing, validating, building context
 * and executing queries and mutations through Yoga's envelop so WebSocket operations share the
 * HTTP transport's plugins and context. Subscriptions run through shared execution instead
 * (src/transport/shared-subscription-execution.ts): one fan-out reaches thousands of sockets, and
 * executing it once per socket through the executor's and envelop's per-subscriber layers was most
 * of its cost. Identity is settled at `connection_init`; per-connection subscription caps are
 * enforced here.
 */
import { type ExecutionArgs, GraphQLError, getOperationAST, OperationTypeNode } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import { bearerTokenFromConnectionParams } from '../auth/bearer.js';
import { KeySetUnavailableError, type TokenVerifier, verifyAccessToken } from '../auth/verify-token.js';
import type { GatewayContext, Viewer } from '../context.js';
import type { GatewayLimits } from '../security/limits.js';
import { subscriptionLimit } from '../security/subscription-slots.js';
import { serveGraphqlWs } from './graphql-ws-server.js';
import { createSharedSubscriptions } from './shared-subscription-execution.js';

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
  const expiries = new SocketExpiries();
  const contextOf = (args: ExecutionArgs) => args.contextValue as GatewayContext;
  const subscriptions = createSharedSubscriptions({
    audienceOf: (args) => contextOf(args).viewer.id,
    logger: options.logger,
    onStreamStart: (args) => contextOf(args).metrics.subscriptionOpened('websocket'),
  });
  return serveGraphqlWs<Viewer>(
    {
      // A missing or bad token closes the socket with 4403 before any operation runs.
      connect: async (socket, connectionParams) => {
        try {
          const token = bearerTokenFromConnectionParams(connectionParams);
          const access = await verifyAccessToken(options.verifier, token);
          // A socket that closed while its token was checked has already left `expiries`.
          if (access.expiresAt !== undefined && socket.readyState === socket.OPEN) {
            expiries.add(socket, access.expiresAt);
          }
          return access.viewer;
        } catch (error) {
          if (!(error instanceof KeySetUnavailableError)) return false;
          options.logger.error({ err: error.cause }, 'identity provider key set unavailable');
          socket.close(1011, 'Identity provider unavailable');
          return false;
        }
      },
      closed: (socket) => expiries.delete(socket),
      operate: async ({ socket, session: viewer, payload, operations }) => {
        if (operations > limits.subscriptionsPerConnection) {
          return [subscriptionLimit(`at most ${limits.subscriptionsPerConnection} per connection`)];
        }
        const extra = { socket, viewer };
        const enveloped = yoga.getEnveloped({ extra, viewer, params: payload });
        const { schema, parse, validate } = enveloped;
        // A syntax error (or a document over the token limit) fails this operation, not the
        // connection and every other subscription on it.
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        const operationName = payload.operationName ?? null;
        const operation = getOperationAST(document, operationName);
        if (!operation) return [new GraphQLError('Unable to identify operation')];
        const args: ExecutionArgs = {
          schema,
          document,
          operationName,
          variableValues: payload.variables ?? null,
        };
        if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
          return enveloped.execute({ ...args, contextValue: await enveloped.contextFactory() });
        }
        // A live subscription keeps its context: one without the subscribe message (the whole
        // document text and its variables) or the socket in it.
        const contextValue = await yoga.getEnveloped({ viewer }).contextFactory();
        return subscriptions.subscribe({ ...args, contextValue });
      },
    },
    webSockets,
    { logger: options.logger },
  );
}

/**
 * A socket authenticated by a token lives no longer than the token. One timer for all sockets, set
 * for the earliest expiry, instead of a timer and a close listener per socket: thousands of idle
 * sockets each kept a Timeout, two closures and a `once` wrapper for this alone.
 */
class SocketExpiries {
  readonly #expiresAt = new Map<WebSocket, number>();
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  add(socket: WebSocket, expiresAt: Date): void {
    const at = expiresAt.getTime();
    // A token living longer than setTimeout's longest delay is simply not timed.
    if (at - Date.now() > MAX_TIMER_MS) return;
    this.#expiresAt.set(socket, at);
    if (at < this.#timerAt) this.#schedule(at);
  }

  delete(socket: WebSocket): void {
    this.#expiresAt.delete(socket);
    if (this.#expiresAt.size === 0) this.#schedule(Number.POSITIVE_INFINITY);
  }

  #schedule(at: number): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (at === Number.POSITIVE_INFINITY) return;
    this.#timer = setTimeout(() => this.#closeExpired(), Math.max(0, at - Date.now()));
    this.#timer.unref();
  }

  #closeExpired(): void {
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [socket, at] of this.#expiresAt) {
      if (at <= now) {
        this.#expiresAt.delete(socket);
        socket.close(4403, 'Forbidden: token expired');
      } else if (at < next) {
        next = at;
      }
    }
    this.#schedule(next);
  }
}
