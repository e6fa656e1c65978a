/**
 * The GraphQL over WebSocket protocol (graphql-ws's `graphql-transport-ws`) on a `ws` server, with
 * graphql-ws's own message parsing, close codes and frames, and its server's behaviour message for
 * message, but holding little per idle subscription.
 *
 * graphql-ws's `makeServer` runs each subscription inside the async handler of the message that
 * opened it, suspended in a `for await` for the subscription's whole life: that frame keeps the
 * subscribe message (query text, variables, id), the execution arguments, three emit closures and
 * a pending promise chain down to the source. Across 10,000 idle subscribers that was most of the
 * gateway's memory above a raw `ws` server. Here a subscription is a small object that its stream
 * pushes results to (src/transport/push-stream.ts); each socket's state is one object, its listeners
 * are shared functions, and one timer pings every socket, a slice at a time (keep-alive-rounds.ts).
 */

import { type ExecutionResult, GraphQLError } from 'graphql';
import {
  CloseCode,
  DEPRECATED_GRAPHQL_WS_PROTOCOL,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  handleProtocols,
  type Message,
  MessageType,
  parseMessage,
  type SubscribePayload,
  stringifyMessage,
} from 'graphql-ws';
import type { Logger } from 'pino';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { visitInRounds } from './keep-alive-rounds.js';
import { isPushable, pullInto, type Sink } from './push-stream.js';
import { asError } from './shared-subscription-execution.js';

/** What a `subscribe` message comes to: errors for that operation alone, a result or a stream of them. */
export type OperationOutcome = readonly GraphQLError[] | ExecutionResult | AsyncIterable<ExecutionResult>;

export interface OperationRequest<S> {
  readonly socket: WebSocket;
  /** What `connect` settled for this socket. */
  readonly session: S;
  readonly payload: SubscribePayload;
  /** The socket's operations in flight or live, this one included. */
  readonly operations: number;
}

export interface GraphqlWsHandlers<S extends object> {
  /**
   * `connection_init`: the socket's session (its viewer, say), or false to close it with 4403
   * Forbidden. It may close the socket itself first, with a code of its own.
   */
  connect(socket: WebSocket, params: Readonly<Record<string, unknown>> | undefined): Promise<S | false>;
  /** A `subscribe`: what it comes to. A throw closes the socket with 4500. */
  operate(request: OperationRequest<S>): Promise<OperationOutcome>;
  /** The socket closed, whatever the reason. */
  closed?(socket: WebSocket): void;
}

export interface GraphqlWsServerOptions {
  logger: Logger;
  /** Between two keep-alive pings; a socket that has not answered the last one by the next is dropped. */
  keepAliveMs?: number;
  /** How long a socket may stay open without `connection_init`. @default 3_000 (graphql-ws's) */
  connectionInitWaitMs?: number;
  /** Whether close reasons hide error messages. @default NODE_ENV === 'production' */
  isProd?: boolean;
}

/** Serves graphql-transport-ws on `webSockets`; `dispose()` closes every socket and the server. */
export function serveGraphqlWs<S extends object>(
  handlers: GraphqlWsHandlers<S>,
  webSockets: WebSocketServer,
  {
    logger,
    keepAliveMs = 12_000,
    connectionInitWaitMs = 3_000,
    isProd = process.env.NODE_ENV === 'production',
  }: GraphqlWsServerOptions,
): { dispose(): Promise<void> } {
  const server = new GraphqlWsServer(handlers, logger, isProd);
  webSockets.options.handleProtocols = handleProtocols;

  webSockets.once('error', (error) => {
    logger.error({ err: error }, 'internal error on the WebSocket server');
    for (const client of webSockets.clients) {
      client.close(CloseCode.InternalServerError, server.closeReason(error));
    }
  });

  // Listeners shared by every socket (`this` is the socket): a closure each would be kept per socket.
  const connections = new WeakMap<WebSocket, Connection<S>>();
  // Sockets pinged and not yet answered. One timer for every socket of this server.
  const unanswered = new WeakSet<WebSocket>();
  function onMessage(this: WebSocket, data: RawData): void {
    const connection = connections.get(this);
    if (connection !== undefined) server.receive(connection, String(data));
  }
  function onClose(this: WebSocket, code: number, reason: Buffer): void {
    if (
      !isProd &&
      code === CloseCode.SubprotocolNotAcceptable &&
      this.protocol === DEPRECATED_GRAPHQL_WS_PROTOCOL
    ) {
      logger.warn('a client used the unsupported, deprecated subscriptions-transport-ws protocol');
    }
    const connection = connections.get(this);
    connections.delete(this);
    if (connection !== undefined) server.closed(connection, code, String(reason));
  }
  function onPong(this: WebSocket): void {
    unanswered.delete(this);
  }
  function onSocketError(this: WebSocket, error: Error): void {
    logger.error({ err: error }, 'internal error on a WebSocket');
    this.close(CloseCode.InternalServerError, server.closeReason(error));
  }
  function keepAlive(socket: WebSocket): void {
    if (socket.readyState !== socket.OPEN) return;
    if (unanswered.has(socket)) {
      socket.terminate();
      return;
    }
    unanswered.add(socket);
    socket.ping();
  }
  const stopKeepAlive =
    keepAliveMs > 0 && Number.isFinite(keepAliveMs)
      ? visitInRounds(webSockets.clients, keepAlive, keepAliveMs)
      : undefined;

  webSockets.on('connection', (socket) => {
    socket.on('error', onSocketError);
    socket.on('pong', onPong);
    socket.on('close', onClose);
    const connection = new Connection<S>(socket);
    connections.set(socket, connection);
    if (socket.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
      socket.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
      return;
    }
    if (connectionInitWaitMs > 0 && Number.isFinite(connectionInitWaitMs)) {
      connection.initWait = setTimeout(closeUninitialised, connectionInitWaitMs, connection);
    }
    socket.on('message', onMessage);
  });

  return {
    dispose: async () => {
      stopKeepAlive?.();
      for (const client of webSockets.clients) client.close(1001, 'Going away');
      webSockets.removeAllListeners();
      await new Promise<void>((resolve, reject) => {
        webSockets.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}

/** One socket's protocol state. */
class Connection<S extends object> {
  readonly socket: WebSocket;
  /** Set by `connection_init`, accepted or not. */
  initReceived = false;
  /** Set once `connection_init` was accepted: the socket is acknowledged. */
  session: S | undefined;
  initWait: NodeJS.Timeout | undefined;
  // Operations being set up and live subscriptions. Most sockets carry one at a time, held as it
  // is; a Map (about 240 B a socket) only once a second one comes.
  #operations: Operation | Map<string, Operation> | undefined;

  constructor(socket: WebSocket) {
    this.socket = socket;
  }

  get operationCount(): number {
    const operations = this.#operations;
    if (operations instanceof Map) return operations.size;
    return operations === undefined ? 0 : 1;
  }

  operation(id: string): Operation | undefined {
    const operations = this.#operations;
    if (operations instanceof Map) return operations.get(id);
    return operations?.id === id ? operations : undefined;
  }

  /** Takes on an operation whose id is not in use. */
  add(operation: Operation): void {
    const operations = this.#operations;
    if (operations === undefined) this.#operations = operation;
    else if (operations instanceof Map) operations.set(operation.id, operation);
    else {
      this.#operations = new Map([
        [operations.id, operations],
        [operation.id, operation],
      ]);
    }
  }

  /** Whether `operation` was this socket's; it is not any more. */
  remove(operation: Operation): boolean {
    if (this.operation(operation.id) !== operation) return false;
    if (this.#operations instanceof Map) this.#operations.delete(operation.id);
    else this.#operations = undefined;
    return true;
  }

  /** Every operation, each no longer this socket's. */
  removeAll(): Operation[] {
    const operations = this.#operations;
    this.#operations = undefined;
    if (operations instanceof Map) return [...operations.values()];
    return operations === undefined ? [] : [operations];
  }
}

function closeUninitialised(connection: Connection<object>): void {
  connection.initWait = undefined;
  if (!connection.initReceived) {
    connection.socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
  }
}

class GraphqlWsServer<S extends object> {
  readonly #handlers: GraphqlWsHandlers<S>;
  readonly #logger: Logger;
  readonly #isProd: boolean;

  constructor(handlers: GraphqlWsHandlers<S>, logger: Logger, isProd: boolean) {
    this.#handlers = handlers;
    this.#logger = logger;
    this.#isProd = isProd;
  }

  receive(connection: Connection<S>, data: string): void {
    try {
      this.#receive(connection, data);
    } catch (error) {
      this.#internalError(connection, error);
    }
  }

  closed(connection: Connection<S>, code: number, reason: string): void {
    clearTimeout(connection.initWait);
    connection.initWait = undefined;
    for (const operation of connection.removeAll()) {
      operation.stop().catch((error: unknown) => {
        this.#logger.error({ err: error, code, reason }, 'a subscription failed to stop on close');
      });
    }
    this.#handlers.closed?.(connection.socket);
  }

  /** As graphql-ws's `use/ws`: the error's message unless in production, if it fits a close frame. */
  closeReason(error: unknown): string {
    if (this.#isProd) return 'Internal server error';
    const message = asError(error).message;
    return Buffer.byteLength(message) <= 123 ? message : 'Internal server error';
  }

  #receive(connection: Connection<S>, data: string): void {
    let message: Message;
    try {
      message = parseMessage(data);
    } catch {
      connection.socket.close(CloseCode.BadRequest, 'Invalid message received');
      return;
    }
    switch (message.type) {
      case MessageType.ConnectionInit:
        this.#init(connection, message.payload ?? undefined);
        break;
      case MessageType.Ping:
        send(
          connection.socket,
          stringifyMessage(
            message.payload
              ? { type: MessageType.Pong, payload: message.payload }
              : { type: MessageType.Pong },
          ),
        );
        break;
      case MessageType.Pong:
        break;
      case MessageType.Subscribe:
        this.#subscribe(connection, message.id, message.payload);
        break;
      case MessageType.Complete:
        this.#complete(connection, message.id);
        break;
      default:
        // A message only a server sends (connection_ack, next, error): graphql-ws fails on it too.
        throw new Error(`Unexpected message of type ${message.type} received`);
    }
  }

  #init(connection: Connection<S>, params: Record<string, unknown> | undefined): void {
    if (connection.initReceived) {
      connection.socket.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
      return;
    }
    connection.initReceived = true;
    clearTimeout(connection.initWait);
    connection.initWait = undefined;
    this.#connect(connection, params).catch((error: unknown) => this.#internalError(connection, error));
  }

  #subscribe(connection: Connection<S>, id: string, payload: SubscribePayload): void {
    const { socket, session } = connection;
    if (session === undefined) {
      socket.close(CloseCode.Unauthorized, 'Unauthorized');
      return;
    }
    if (connection.operation(id) !== undefined) {
      socket.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
      return;
    }
    const operation = new Operation(connection, id);
    connection.add(operation);
    this.#start(operation, { socket, session, payload, operations: connection.operationCount }).catch(
      (error: unknown) => {
        operation.forget();
        this.#internalError(connection, error);
      },
    );
  }

  #complete(connection: Connection<S>, id: string): void {
    const operation = connection.operation(id);
    if (operation === undefined) return;
    operation.forget();
    operation.stop().catch((error: unknown) => this.#internalError(connection, error));
  }

  async #connect(connection: Connection<S>, params: Record<string, unknown> | undefined): Promise<void> {
    const { socket } = connection;
    const session = await this.#handlers.connect(socket, params);
    if (session === false) {
      socket.close(CloseCode.Forbidden, 'Forbidden');
      return;
    }
    connection.session = session;
    send(socket, CONNECTION_ACK);
  }

  async #start(operation: Operation, request: OperationRequest<S>): Promise<void> {
    const outcome = await this.#handlers.operate(request);
    if (isErrors(outcome)) {
      operation.refuse(outcome);
      return;
    }
    if (!isAsyncIterable(outcome)) {
      operation.push(outcome);
      operation.end();
      return;
    }
    const stream = outcome[Symbol.asyncIterator]();
    // Completed by the client (or the socket closed) while it was being set up.
    if (!operation.current) {
      await stream.return?.();
      return;
    }
    operation.stream = stream;
    if (isPushable(stream)) stream.pushTo(operation);
    else pullInto(stream, operation);
  }

  #internalError(connection: Connection<S>, error: unknown): void {
    this.#logger.error({ err: error }, 'internal error handling a graphql-ws message');
    connection.socket.close(CloseCode.InternalServerError, this.closeReason(error));
  }
}

const CONNECTION_ACK = stringifyMessage({ type: MessageType.ConnectionAck });

/**
 * One operation, from its `subscribe` until it completes, fails, is completed by the client or its
 * socket closes: what its stream pushes goes to the client as long as it is current.
 */
class Operation implements Sink<ExecutionResult> {
  readonly #connection: Connection<object>;
  readonly id: string;
  stream: AsyncIterator<ExecutionResult> | undefined;

  constructor(connection: Connection<object>, id: string) {
    this.#connection = connection;
    this.id = id;
  }

  /** Whether this is still its socket's operation of that id. */
  get current(): boolean {
    return this.#connection.operation(this.id) === this;
  }

  /** No longer the socket's: nothing more of it is sent. Whether it was. */
  forget(): boolean {
    return this.#connection.remove(this);
  }

  async stop(): Promise<void> {
    await this.stream?.return?.();
  }

  push(result: ExecutionResult): void {
    if (this.current) send(this.#connection.socket, nextFrame(this.id, result));
  }

  end(): void {
    if (this.forget()) {
      send(this.#connection.socket, stringifyMessage({ id: this.id, type: MessageType.Complete }));
    }
  }

  /** The stream failed: as graphql-ws, the error's message (and extensions) for the client, no `complete`. */
  fail(error: unknown): void {
    const cause = asError(error);
    this.#error([new GraphQLError(cause.message, { originalError: cause })]);
  }

  /** The operation did not start (a document that does not parse or validate, a cap). */
  refuse(errors: readonly GraphQLError[]): void {
    this.#error(errors);
  }

  #error(errors: readonly GraphQLError[]): void {
    if (!this.forget()) return;
    const payload = errors.map((error) => error.toJSON());
    send(this.#connection.socket, stringifyMessage({ id: this.id, type: MessageType.Error, payload }));
  }
}

// A result shared by many subscriptions (src/transport/shared-subscription-execution.ts) is
// serialized once for all of them; only the id differs between their frames.
const payloads = new WeakMap<ExecutionResult, string>();

/** graphql-ws's `next` frame, byte for byte: the result with its errors (if any) moved last. */
function nextFrame(id: string, result: ExecutionResult): string {
  let payload = payloads.get(result);
  if (payload === undefined) {
    const { errors, ...rest } = result;
    payload = JSON.stringify(errors ? { ...rest, errors: errors.map((error) => error.toJSON()) } : rest);
    payloads.set(result, payload);
  }
  return `{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`;
}

function send(socket: WebSocket, frame: string): void {
  if (socket.readyState === socket.OPEN) socket.send(frame);
}

function isErrors(outcome: OperationOutcome): outcome is readonly GraphQLError[] {
  return Array.isArray(outcome);
}

function isAsyncIterable(outcome: OperationOutcome): outcome is AsyncIterable<ExecutionResult> {
  return Symbol.asyncIterator in outcome;
}
