/**
 * Baseline for rows 3 and 4: a raw `ws` server that holds idle sockets and, on demand, sends one
 * payload to every one of them. What a WebSocket fan-out costs with no GraphQL, no database and
 * no per-subscriber work.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { type MemoryReading, memoryAfterGc } from '../lib/memory.js';
import { serveRpc } from '../lib/rpc.js';
import { wallClockMs } from '../lib/stats.js';

export interface RawWsInfo {
  url: string;
}

export type RawWsApi = {
  memory(params: Record<string, never>): Promise<MemoryReading>;
  /** Sends `payload` to every open socket; `t0` is read just before the first send. */
  broadcast(params: { payload: string }): Promise<{ t0: number; sockets: number }>;
};

const server = createServer((_req, res) => res.writeHead(404).end());
const webSockets = new WebSocketServer({ server });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

serveRpc(
  {
    memory: async () => memoryAfterGc(),
    broadcast: async ({ payload }) => {
      const t0 = wallClockMs();
      for (const socket of webSockets.clients) socket.send(payload);
      return { t0, sockets: webSockets.clients.size };
    },
  } satisfies RawWsApi,
  { url: `ws://127.0.0.1:${port}` } satisfies RawWsInfo,
  async () => {
    for (const socket of webSockets.clients) socket.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },
);
