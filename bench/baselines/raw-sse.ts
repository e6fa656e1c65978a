/**
 * Reference for row 5: a plain Node HTTP server that answers each SSE request (as graphql-sse
 * clients send it) with an event stream and, on demand, writes one event to every stream. It
 * shows what the farm's graphql-sse clients themselves take to receive a fan-out, with no GraphQL,
 * no database and no per-subscriber work on the server.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MemoryReading, memoryAfterGc } from '../lib/memory.js';
import { serveRpc } from '../lib/rpc.js';
import { wallClockMs } from '../lib/stats.js';

export interface RawSseInfo {
  url: string;
}

export type RawSseApi = {
  memory(params: Record<string, never>): Promise<MemoryReading>;
  /** Writes `payload` (a GraphQL result, as JSON) as one `next` event to every open stream. */
  broadcast(params: { payload: string }): Promise<{ t0: number; streams: number }>;
};

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
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

serveRpc(
  {
    memory: async () => memoryAfterGc(),
    broadcast: async ({ payload }) => {
      const t0 = wallClockMs();
      const event = `event: next\ndata: ${payload}\n\n`;
      for (const stream of streams) stream.write(event);
      return { t0, streams: streams.size };
    },
  } satisfies RawSseApi,
  { url: `http://127.0.0.1:${port}` } satisfies RawSseInfo,
  async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },
);
