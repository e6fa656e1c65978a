/**
 * Subscriptions over SSE (the "distinct connections" mode of GraphQL over SSE, as graphql-sse
 * clients and Yoga speak it), written straight to the connection (taken from Node's HTTP server
 * once the head is out, see connection-takeover.ts) and executed through the same shared
 * execution as graphql-ws. Yoga's own SSE path streams through the fetch API: a Request, a
 * ReadableStream and their listeners per subscriber, about 40 KiB each and several times the
 * WebSocket's cost per delivery once thousands of streams watch one task.
 *
 * Only a request that is certainly a valid subscription is served here; anything else (another
 * operation, a bad token, malformed parameters, a document that does not parse or validate,
 * variables that do not fit) is handed back to Yoga with its body, so every such answer, status
 * and error shape stays Yoga's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  getOperationAST,
  type OperationDefinitionNode,
  OperationTypeNode,
  parse as parseDocument,
} from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { bearerTokenFromHeader } from '../auth/bearer.js';
import { type TokenVerifier, verifyAccessToken } from '../auth/verify-token.js';
import type { GatewayContext, Viewer } from '../context.js';
import { takeAccessLine } from '../observability/request-log.js';
import { readBodyWithin } from '../security/body-limit.js';
import type { GatewayLimits } from '../security/limits.js';
import { takeOverConnection } from './connection-takeover.js';
import type { TransportContext } from './graphql-websocket.js';
import { visitInRounds } from './keep-alive-rounds.js';
import { isPushable, pullInto, type Sink } from './push-stream.js';
import { asError, createSharedSubscriptions } from './shared-subscription-execution.js';

export interface SseSubscriptionOptions {
  verifier: TokenVerifier;
  logger: Logger;
  /** The GraphQL endpoint's path. */
  path: string;
  limits: Pick<GatewayLimits, 'maxBodyBytes' | 'maxTokens'>;
  /** How often an idle stream gets a comment line, so proxies keep it open, ms. @default 12_000 (Yoga's) */
  keepAliveMs?: number;
}

export interface SseSubscriptions {
  /** Whether a request may be a subscription over SSE, judged from its headers alone. */
  wants(request: IncomingMessage): boolean;
  /** Serves the subscription, or hands the request (its body restored) to `fallback`. */
  serve(request: IncomingMessage, response: ServerResponse, fallback: () => void): Promise<void>;
  /** Cuts every open stream (at shutdown): clients reconnect and resume with afterSequence/since. */
  cutAll(): void;
}

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown>;
}

const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream',
  // The stream keeps its connection to the end, and then closes it: the connection is taken from
  // Node's server (see takeOverConnection), so no other request could follow on it.
  connection: 'close',
  'cache-control': 'no-cache',
  'content-encoding': 'none',
} as const;
/** A comment line: starts the stream (some browsers wait for a first byte) and keeps it alive. */
const KEEP_ALIVE = ':\n\n';
const CRLF = Buffer.from('\r\n');
/** The chunk that ends a chunked HTTP/1.1 body. */
const LAST_CHUNK = Buffer.from('0\r\n\r\n');
const KEEP_ALIVE_FRAME = eventFrame(KEEP_ALIVE);
const COMPLETE = 'event: complete\ndata:\n\n';

export function serveGraphqlOverSse(
  yoga: YogaServerInstance<TransportContext, GatewayContext>,
  options: SseSubscriptionOptions,
): SseSubscriptions {
  const subscriptions = createSharedSubscriptions({
    audienceOf: (args) => (args.contextValue as GatewayContext).viewer.id,
    logger: options.logger,
    onStreamStart: (args) => (args.contextValue as GatewayContext).metrics.subscriptionOpened('sse'),
  });
  const openStreams = new OpenStreams(options.keepAliveMs ?? 12_000);
  // Subscribers of one task with the same selection share the result object, so its event is
  // serialized once for all of them, and framed once as an HTTP chunk.
  const frames = new WeakMap<ExecutionResult, EventFrame>();
  const frameOf = (result: ExecutionResult): EventFrame => {
    let frame = frames.get(result);
    if (frame === undefined) {
      frame = eventFrame(nextEvent(result));
      frames.set(result, frame);
    }
    return frame;
  };

  /** The subscription's arguments, or undefined when Yoga should answer the request. */
  const prepare = async (request: IncomingMessage, body: string): Promise<ExecutionArgs | undefined> => {
    const params = paramsFrom(body);
    const viewer = params && (await viewerOf(options.verifier, request));
    if (params === undefined || viewer === undefined) return undefined;
    if (!parses(params.query, options.limits.maxTokens)) return undefined;
    // No `params` in the context: a live subscription would keep them (the whole document text).
    const { schema, contextFactory, parse, validate } = yoga.getEnveloped({ viewer });
    let document: ReturnType<typeof parse>;
    try {
      document = parse(params.query);
    } catch {
      return undefined;
    }
    if (validate(schema, document).length > 0) return undefined;
    const operationName = params.operationName ?? null;
    const operation = getOperationAST(document, operationName);
    if (operation?.operation !== OperationTypeNode.SUBSCRIPTION) return undefined;
    return {
      schema,
      document,
      operationName,
      variableValues: params.variables ?? null,
      contextValue: await contextFactory(),
    };
  };

  return {
    wants: (request) =>
      request.method === 'POST' &&
      request.url === options.path &&
      request.headers.accept === 'text/event-stream' &&
      (request.headers['content-type'] ?? '').startsWith('application/json'),

    async serve(request, response, fallback) {
      const body = await readBodyWithin(request, options.limits.maxBodyBytes).catch(() => undefined);
      if (body === undefined) return;
      const stream = await open(request, body).catch((error: unknown) => {
        options.logger.error({ err: error }, 'could not open an SSE subscription; Yoga answers it');
        return undefined;
      });
      if (stream === undefined) {
        // whatwg-node (under Yoga) takes a body already read from `request.body`, as Express leaves it.
        if (body.length > 0) Reflect.set(request, 'body', Buffer.from(body));
        fallback();
        return;
      }
      response.writeHead(200, { ...EVENT_STREAM_HEADERS, ...corsHeaders(request) });
      response.write(KEEP_ALIVE);
      new SseStream(wireFor(request, response), stream, frameOf, openStreams).start();
    },

    cutAll: () => openStreams.cutAll(),
  };

  /** The live stream, or undefined when the request is not a subscription this path serves. */
  async function open(request: IncomingMessage, body: string): Promise<OpenStream | undefined> {
    const args = await prepare(request, body);
    const stream = args && (await subscriptions.subscribe(args));
    if (args === undefined || stream === undefined || !(Symbol.asyncIterator in stream)) return undefined;
    return { results: stream, operation: getOperationAST(args.document, args.operationName) ?? null };
  }
}

interface OpenStream {
  results: AsyncIterableIterator<ExecutionResult>;
  operation: OperationDefinitionNode | null;
}

/**
 * One subscriber's stream: each result as it is pushed, then `complete`. Fields and methods rather
 * than closures, and pushed rather than pulled: an idle stream holds no pending `next()`, no
 * promise and no suspended frame, only these fields and its connection. Frames are few per task
 * (one per status change), so a slow reader's are left to the socket's own buffer.
 */
class SseStream implements Sink<ExecutionResult> {
  readonly #wire: EventWire;
  readonly #results: AsyncIterableIterator<ExecutionResult>;
  readonly #operation: OperationDefinitionNode | null;
  readonly #frameOf: (result: ExecutionResult) => EventFrame;
  readonly #openStreams: OpenStreams;
  #done = false;

  constructor(
    wire: EventWire,
    { results, operation }: OpenStream,
    frameOf: (result: ExecutionResult) => EventFrame,
    openStreams: OpenStreams,
  ) {
    this.#wire = wire;
    this.#results = results;
    this.#operation = operation;
    this.#frameOf = frameOf;
    this.#openStreams = openStreams;
  }

  start(): void {
    this.#openStreams.add(this);
    if (!this.#wire.watch(this)) return;
    if (isPushable(this.#results)) this.#results.pushTo(this);
    else pullInto(this.#results, this);
  }

  push(result: ExecutionResult): void {
    if (!this.#done) this.#wire.send(this.#frameOf(result));
  }

  end(): void {
    this.#finish(COMPLETE);
  }

  /**
   * The stream failed (the task vanished, the database went away): as on Yoga's SSE, the error is
   * the stream's last result, located at the operation.
   */
  fail(error: unknown): void {
    const cause = asError(error);
    const located = new GraphQLError(cause.message, { nodes: this.#operation, originalError: cause });
    this.#finish(nextEvent({ errors: [located] }) + COMPLETE);
  }

  keepAlive(): void {
    this.#wire.send(KEEP_ALIVE_FRAME);
  }

  /** Drops the connection without completing the stream, so the client comes back and resumes. */
  cut(): void {
    this.#wire.cut();
  }

  /** The connection closed: the client left, or the stream ended or was cut. */
  closed(): void {
    this.#openStreams.delete(this);
    if (this.#done) return;
    this.#done = true;
    void this.#results.return?.();
  }

  #finish(last: string): void {
    if (this.#done) return;
    this.#done = true;
    this.#openStreams.delete(this);
    this.#wire.end(last);
  }
}

/** Where one stream's events go: its connection, taken from Node's server, or Node's response. */
interface EventWire {
  send(frame: EventFrame): void;
  /** Writes the last text and ends the stream. */
  end(text: string): void;
  cut(): void;
  /** Tells `stream` when the connection closes; false if it already has (the client left early). */
  watch(stream: { closed(): void }): boolean;
}

/**
 * The connection itself, once Node has let go of it (src/transport/connection-takeover.ts): each
 * event is the one HTTP chunk prebuilt for every subscriber, one socket write.
 */
class ConnectionWire implements EventWire {
  readonly #socket: Socket;
  readonly #writeAccessLine: (finished: boolean) => void;
  #stream: { closed(): void } | undefined;
  readonly #onClose = this.#closed.bind(this);

  constructor(socket: Socket, writeAccessLine: (finished: boolean) => void) {
    this.#socket = socket;
    this.#writeAccessLine = writeAccessLine;
  }

  send(frame: EventFrame): void {
    if (this.#socket.writable) this.#socket.write(frame.chunk);
  }

  end(text: string): void {
    if (this.#socket.writable) this.#socket.end(Buffer.concat([eventFrame(text).chunk, LAST_CHUNK]));
  }

  cut(): void {
    this.#socket.destroy();
  }

  watch(stream: { closed(): void }): boolean {
    this.#stream = stream;
    this.#socket.once('close', this.#onClose);
    return true;
  }

  #closed(): void {
    this.#writeAccessLine(this.#socket.writableFinished);
    this.#stream?.closed();
  }
}

/** Node's response, where the connection could not be taken (see takeOverConnection). */
class ResponseWire implements EventWire {
  readonly #response: ServerResponse;

  constructor(response: ServerResponse) {
    this.#response = response;
  }

  send(frame: EventFrame): void {
    if (!this.#response.writableEnded) this.#response.write(frame.text);
  }

  end(text: string): void {
    if (!this.#response.writableEnded) this.#response.end(text);
  }

  cut(): void {
    this.#response.destroy();
  }

  watch(stream: { closed(): void }): boolean {
    if (this.#response.destroyed || this.#response.socket?.destroyed === true) {
      stream.closed();
      return false;
    }
    this.#response.once('close', () => stream.closed());
    return true;
  }
}

function keepStreamAlive(stream: SseStream): void {
  stream.keepAlive();
}

/** The stream's own connection, if Node lets go of it; otherwise the response. */
function wireFor(request: IncomingMessage, response: ServerResponse): EventWire {
  const socket = takeOverConnection(request, response);
  return socket === undefined
    ? new ResponseWire(response)
    : new ConnectionWire(socket, takeAccessLine(response));
}

/** Every open stream: one keep-alive timer for all of them, and what shutdown cuts. */
class OpenStreams {
  readonly #streams = new Set<SseStream>();
  readonly #keepAliveMs: number;
  #stopKeepAlive: (() => void) | undefined;

  constructor(keepAliveMs: number) {
    this.#keepAliveMs = keepAliveMs;
  }

  add(stream: SseStream): void {
    this.#streams.add(stream);
    this.#stopKeepAlive ??= visitInRounds(this.#streams, keepStreamAlive, this.#keepAliveMs);
  }

  delete(stream: SseStream): void {
    this.#streams.delete(stream);
    if (this.#streams.size > 0) return;
    this.#stopKeepAlive?.();
    this.#stopKeepAlive = undefined;
  }

  cutAll(): void {
    for (const stream of this.#streams) stream.cut();
  }
}

/** A result as the SSE `next` event that carries it. */
function nextEvent(result: ExecutionResult): string {
  return `event: next\ndata: ${JSON.stringify(withoutInternals(result))}\n\n`;
}

/** An SSE event, as text and as one HTTP/1.1 chunk (its size in hex, CRLF, the event, CRLF). */
interface EventFrame {
  text: string;
  chunk: Buffer;
}

function eventFrame(text: string): EventFrame {
  const bytes = Buffer.from(text);
  const size = Buffer.from(`${bytes.length.toString(16)}\r\n`);
  return { text, chunk: Buffer.concat([size, bytes, CRLF]) };
}

/** The viewer of a valid token; undefined for any other, which Yoga then refuses in its own words. */
async function viewerOf(verifier: TokenVerifier, request: IncomingMessage): Promise<Viewer | undefined> {
  try {
    const token = bearerTokenFromHeader(request.headers.authorization);
    return (await verifyAccessToken(verifier, token)).viewer;
  } catch {
    return undefined;
  }
}

/** A JSON body of the shape GraphQL over HTTP defines; undefined for anything else. */
function paramsFrom(body: string): Params | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const { query, variables, operationName, extensions } = value;
  if (typeof query !== 'string') return undefined;
  if (variables != null && !isRecord(variables)) return undefined;
  if (operationName != null && typeof operationName !== 'string') return undefined;
  if (extensions !== undefined && !isRecord(extensions)) return undefined;
  return {
    query,
    variables: isRecord(variables) ? variables : null,
    operationName: typeof operationName === 'string' ? operationName : null,
    ...(isRecord(extensions) ? { extensions } : {}),
  };
}

/**
 * Whether a document parses within the token limit (as graphql-armor counts). One that does not
 * goes to Yoga untouched: parsed through envelop here, without an HTTP request in its context,
 * Yoga's parser cache would keep the error without the 400 status and code Yoga gives it on HTTP.
 */
function parses(query: string, maxTokens: number): boolean {
  try {
    parseDocument(query, { noLocation: true, maxTokens });
    return true;
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Yoga's default CORS answer to a request with an Origin: that origin, with credentials. */
function corsHeaders(request: IncomingMessage): Record<string, string> {
  const origin = request.headers.origin;
  if (origin === undefined) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    vary: 'Origin',
  };
}

/** As Yoga serializes a result: `http` (status and headers) and `unexpected` are for the server only. */
function withoutInternals(result: ExecutionResult): unknown {
  if (result.errors === undefined) return result;
  const errors = result.errors.map((error) => {
    const { extensions, ...rest } = error.toJSON();
    const { http: _http, unexpected: _unexpected, ...visible } = extensions ?? {};
    return Object.keys(visible).length > 0 ? { ...rest, extensions: visible } : rest;
  });
  return { ...result, errors };
}
