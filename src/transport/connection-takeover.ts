/**
 * Takes a connection away from Node's HTTP server once a response that lasts as long as the
 * connection (an SSE subscription) has written its head, the way Node hands a connection to an
 * `upgrade` handler and with the same steps (lib/_http_server.js, `onParserExecuteCommon`).
 *
 * Why: for every open response Node keeps the connection's native HTTP parser (about 3.5 KiB of
 * RSS), the request and response objects with the header text as written, and the server's
 * per-connection state and bound listeners (about 4 KiB of heap): twice what a graphql-ws
 * subscriber costs once `ws` has upgraded its socket. A stream that only writes needs none of it.
 * Measured with bench/probe-fan-out-memory.ts; see BENCHMARKS.md, row 5.
 *
 * The steps rest on what Node's own upgrade path uses (the socket's `parser` and `_http_common`'s
 * `freeParser`), checked before use. Where anything is not as expected (another Node, HTTP/1.0
 * without chunks, a pipelined request behind this one, a client already gone), nothing is taken
 * and the response goes on as Node's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';

/** The part of Node's HTTP parser (`socket.parser`) that its upgrade path touches. */
interface NodeHttpParser {
  incoming: IncomingMessage | null;
  finish(): unknown;
}

type FreeParser = (parser: NodeHttpParser, request: IncomingMessage, socket: Socket) => void;

const freeParser = ((): FreeParser | undefined => {
  try {
    const common: unknown = createRequire(import.meta.url)('node:_http_common');
    const candidate: unknown = common && Reflect.get(common, 'freeParser');
    return typeof candidate === 'function' ? (candidate as FreeParser) : undefined;
  } catch {
    return undefined;
  }
})();

/** The events on which Node's HTTP server listens to a connection it serves. */
const SERVER_SOCKET_EVENTS = ['data', 'end', 'close', 'drain', 'error', 'timeout', 'resume', 'pause'];

/**
 * The listeners a socket has before any server touches it (`net` itself listens for `end`):
 * those stay, every other listener on those events is the HTTP server's. Read off a bare socket
 * on first use.
 */
let ownListeners: Map<string, Set<unknown>> | undefined;

function ownListenersOf(event: string): Set<unknown> | undefined {
  if (ownListeners === undefined) {
    const bare = new Socket();
    ownListeners = new Map(
      SERVER_SOCKET_EVENTS.map((name) => [name, new Set<unknown>(bare.listeners(name))]),
    );
    bare.destroy();
  }
  return ownListeners.get(event);
}

/**
 * The connection of `response`, no longer Node's: `request` and `response` are left for the garbage
 * collector (neither emits anything more), and the caller writes HTTP/1.1 chunks straight to the
 * socket and ends it. Whatever the client still sends is discarded, its half-close ends the
 * connection (as Node's server does), and an error closes it: the caller listens for `close`.
 * Undefined when the connection stays Node's.
 *
 * Call it right after the head was written, before anything else listens to the socket: every
 * listener on the events Node's server uses, other than `net`'s own, is removed.
 */
export function takeOverConnection(request: IncomingMessage, response: ServerResponse): Socket | undefined {
  const socket = request.socket;
  const parser = httpParserOf(socket);
  const ready =
    freeParser !== undefined &&
    parser !== undefined &&
    // A parser holding another request means one is pipelined behind this response.
    (parser.incoming === null || parser.incoming === request) &&
    request.complete &&
    response.socket === socket &&
    response.headersSent &&
    response.chunkedEncoding &&
    !response.writableEnded &&
    !socket.destroyed;
  if (!ready) return undefined;
  response.detachSocket(socket);
  for (const event of SERVER_SOCKET_EVENTS) {
    const keep = ownListenersOf(event);
    for (const listener of socket.listeners(event)) {
      if (!keep?.has(listener)) socket.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  parser.finish();
  freeParser(parser, request, socket);
  // Node's server set these for a request being read; the stream has no deadline.
  socket.setTimeout(0);
  socket.on('error', closedByError).on('end', endedByClient).resume();
  return socket;
}

/** The socket is destroyed and closes; without a listener the error would be thrown. */
function closedByError(): void {}

function endedByClient(this: Socket): void {
  this.end();
}

function httpParserOf(socket: Socket): NodeHttpParser | undefined {
  const parser: unknown = Reflect.get(socket, 'parser');
  if (typeof parser !== 'object' || parser === null) return undefined;
  if (typeof Reflect.get(parser, 'finish') !== 'function' || !('incoming' in parser)) return undefined;
  return parser as NodeHttpParser;
}
