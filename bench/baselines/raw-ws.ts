/**
 * Baseline for rows 3 and 4: a raw `ws` server that holds idle sockets and, on demand, sends one
 * payload to every one of them. What a WebSocket fan-out costs with no GraphQL, no database and
 * no per-subscriber work.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { serveBroadcastBaseline } from '../lib/broadcast-baseline.js';

const server = createServer((_req, res) => res.writeHead(404).end());
const webSockets = new WebSocketServer({ server });

await serveBroadcastBaseline({
  server,
  scheme: 'ws',
  subscribers: () => webSockets.clients.size,
  sendToAll: (payload) => {
    for (const socket of webSockets.clients) socket.send(payload);
  },
  dropAll: () => {
    for (const socket of webSockets.clients) socket.terminate();
  },
});
