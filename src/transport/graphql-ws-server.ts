/**
 * graphql-ws's server on a `ws` server: graphql-ws's own `use/ws` starter ("feel free to copy the
 * code over and adjust it to your needs"), adjusted for thousands of idle sockets. Per socket it
 * kept an interval timer for keep-alive, `once` wrappers, and an async message listener that stays
 * suspended (holding the received Buffer) for as long as a subscription opened by that message
 * lives. Here one interval pings every socket, listeners that need no state are shared functions,
 * and a message's handling is a plain promise chain.
 */
import type { IncomingMessage } from 'node:http';
import {
  CloseCode,
  type ConnectionInitMessage,
  DEPRECATED_GRAPHQL_WS_PROTOCOL,
  handleProtocols,
  makeServer,
  type ServerOptions,
} from 'graphql-ws';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import { asError } from './shared-subscription-execution.js';

/** What graphql-ws's context carries as `extra`, as with `graphql-ws/use/ws`. */
export interface WebSocketExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

export interface GraphqlWsServerOptions {
  logger: Logger;
  /** Between two keep-alive pings; a socket that has not answered the last one by the next is dropped. */
  keepAliveMs?: number;
  /** Whether close reasons hide error messages. @default NODE_ENV === 'production' */
  isProd?: boolean;
}

/** As `useServer` from `graphql-ws/use/ws`, with the same `dispose()`. */
export function serveGraphqlWs<
  P extends ConnectionInitMessage['payload'] = ConnectionInitMessage['payload'],
  E extends Record<PropertyKey, unknown> = Record<PropertyKey, never>,
>(
  options: ServerOptions<P, WebSocketExtra & Partial<E>>,
  webSockets: WebSocketServer,
  { logger, keepAliveMs = 12_000, isProd = process.env.NODE_ENV === 'production' }: GraphqlWsServerOptions,
): { dispose(): Promise<void> } {
  const server = makeServer(options);
  webSockets.options.handleProtocols = handleProtocols;
  const reasonFor = (error: unknown) =>
    isProd ? 'Internal server error' : closeReason(asError(error).message);

  webSockets.once('error', (error) => {
    logger.error({ err: error }, 'internal error on the WebSocket server');
    for (const client of webSockets.clients) client.close(CloseCode.InternalServerError, reasonFor(error));
  });

  // Sockets pinged and not yet answered. One interval for every socket of this server.
  const unanswered = new WeakSet<WebSocket>();
  function onPong(this: WebSocket): void {
    unanswered.delete(this);
  }
  function onSocketError(this: WebSocket, error: Error): void {
    logger.error({ err: error }, 'internal error on a WebSocket');
    this.close(CloseCode.InternalServerError, reasonFor(error));
  }
  const keepAlive =
    keepAliveMs > 0 && Number.isFinite(keepAliveMs)
      ? setInterval(() => {
          for (const socket of webSockets.clients) {
            if (socket.readyState !== socket.OPEN) continue;
            if (unanswered.has(socket)) {
              socket.terminate();
              continue;
            }
            unanswered.add(socket);
            socket.ping();
          }
        }, keepAliveMs)
      : undefined;
  keepAlive?.unref();

  webSockets.on('connection', (socket, request) => {
    socket.on('error', onSocketError);
    socket.on('pong', onPong);
    const closed = server.opened(
      new GraphqlWsSocket(socket, (error) => {
        logger.error({ err: error }, 'internal error handling a graphql-ws message');
        socket.close(CloseCode.InternalServerError, reasonFor(error));
      }),
      { socket, request } as WebSocketExtra & Partial<E>,
    );
    socket.once('close', (code, reason) => {
      if (
        !isProd &&
        code === CloseCode.SubprotocolNotAcceptable &&
        socket.protocol === DEPRECATED_GRAPHQL_WS_PROTOCOL
      ) {
        logger.warn('a client used the unsupported, deprecated subscriptions-transport-ws protocol');
      }
      void closed(code, String(reason));
    });
  });

  return {
    dispose: async () => {
      clearInterval(keepAlive);
      for (const client of webSockets.clients) client.close(1001, 'Going away');
      webSockets.removeAllListeners();
      await new Promise<void>((resolve, reject) => {
        webSockets.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}

/**
 * What graphql-ws's server talks to, as methods: three arrow functions per socket each got a
 * property store of their own (tsx keeps function names by redefining `name` on every closure).
 */
class GraphqlWsSocket {
  readonly #socket: WebSocket;
  readonly #onError: (error: unknown) => void;

  constructor(socket: WebSocket, onError: (error: unknown) => void) {
    this.#socket = socket;
    this.#onError = onError;
  }

  get protocol(): string {
    return this.#socket.protocol;
  }

  send(data: string): Promise<void> {
    const socket = this.#socket;
    return new Promise<void>((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) return resolve();
      socket.send(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(code: number, reason: string): void {
    this.#socket.close(code, reason);
  }

  onMessage(handle: (data: string) => Promise<void>): void {
    const onError = this.#onError;
    this.#socket.on('message', (data) => {
      // Settles when what the message started ends (a subscription: when it completes).
      handle(String(data)).catch(onError);
    });
  }
}

/** A close reason fits in 123 bytes. */
function closeReason(message: string): string {
  return Buffer.byteLength(message) <= 123 ? message : 'Internal server error';
}
