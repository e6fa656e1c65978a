/** A local HTTP server that records the callbacks a Kling simulator posts to it. */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

export interface CallbackReceiver {
  /** POST callbacks here; the path is free (e.g. a per-task token). */
  readonly url: string;
  readonly received: readonly ReceivedCallback[];
  /** Resolves once `count` callbacks have arrived; rejects at the deadline with what did arrive. */
  waitForCount(count: number, timeoutMs?: number): Promise<readonly ReceivedCallback[]>;
  stop(): Promise<void>;
}

/** `status` is what the receiver answers; a failing receiver must not disturb the simulator. */
export async function startCallbackReceiver(status = 204): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      received.push({ method: req.method ?? '', path: req.url ?? '', body });
      res.writeHead(status).end();
      for (const wake of waiters) wake();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    waitForCount(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length < count) return;
          cleanup();
          resolve(received);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`expected ${count} callbacks, got ${received.length}: ${JSON.stringify(received)}`),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
