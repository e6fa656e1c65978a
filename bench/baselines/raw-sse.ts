/**
 * Reference for row 5: a plain Node HTTP server that answers each SSE request (as graphql-sse
 * clients send it) with an event stream and, on demand, writes one event to every stream. It
 * shows what the farm's graphql-sse clients themselves take to receive a fan-out, with no GraphQL,
 * no database and no per-subscriber work on the server. Its payload is a GraphQL result as JSON.
 */
import { createServer, type ServerResponse } from 'node:http';
import { serveBroadcastBaseline } from '../lib/broadcast-baseline.js';

const streams = new Set<ServerResponse>();
const server = createServer((request, response) => {
  request.resume();
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // A first result, as the gateway sends the task's current state: the farm counts the
  // subscription live on it.
  response.write('event: next\ndata: {"data":null}\n\n');
  streams.add(response);
  response.once('close', () => streams.delete(response));
});

await serveBroadcastBaseline({
  server,
  scheme: 'http',
  subscribers: () => streams.size,
  sendToAll: (payload) => {
    const event = `event: next\ndata: ${payload}\n\n`;
    for (const stream of streams) stream.write(event);
  },
  dropAll: () => server.closeAllConnections(),
});
