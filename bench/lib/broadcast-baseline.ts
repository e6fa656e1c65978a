/**
 * What the fan-out baselines (raw `ws`, plain SSE) share: an HTTP server on a free port, served to
 * the harness as a child that reports its memory and, on demand, sends one payload to every
 * subscriber, timed from just before the first send.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MemoryReading, memoryAfterGc } from './memory.js';
import { serveRpc } from './rpc.js';
import { wallClockMs } from './stats.js';

export interface BroadcastBaselineInfo {
  url: string;
}

export type BroadcastBaselineApi = {
  memory(params: Record<string, never>): Promise<MemoryReading>;
  /** Sends `payload` to every subscriber; `t0` is read just before the first send. */
  broadcast(params: { payload: string }): Promise<{ t0: number; subscribers: number }>;
};

export interface BroadcastServer {
  server: Server;
  /** `ws` or `http`: how the farm reaches it. */
  scheme: string;
  subscribers(): number;
  sendToAll(payload: string): void;
  /** Drops every subscriber, so the server can close. */
  dropAll(): void;
}

export async function serveBroadcastBaseline(baseline: BroadcastServer): Promise<void> {
  const { server } = baseline;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  serveRpc(
    {
      memory: async () => memoryAfterGc(),
      broadcast: async ({ payload }) => {
        const t0 = wallClockMs();
        baseline.sendToAll(payload);
        return { t0, subscribers: baseline.subscribers() };
      },
    } satisfies BroadcastBaselineApi,
    { url: `${baseline.scheme}://127.0.0.1:${port}` } satisfies BroadcastBaselineInfo,
    async () => {
      baseline.dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  );
}
