/**
 * The gateway's public address as the provider sees it (PUBLIC_URL), misbehaving on demand: it
 * takes every callback the simulator posts, answers at once, and passes it on to the gateway
 * duplicated, delayed, reordered or not at all, as an unreliable network or an at-least-once
 * sender would. Started before the gateway so its URL can be the gateway's PUBLIC_URL.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SeededRandom } from './seeded-random.js';

/**
 * - `as-sent`: each callback once, at once.
 * - `duplicated`: each callback twice, the copy a little later.
 * - `delayed`: each callback after a random wait, so callbacks of different tasks interleave.
 * - `reordered`: a task's callbacks are held until its last one, then sent newest first.
 * - `final-dropped`: every callback but a task's last (terminal) one.
 * - `dropped`: nothing reaches the gateway.
 */
export type CallbackDelivery =
  | 'as-sent'
  | 'duplicated'
  | 'delayed'
  | 'reordered'
  | 'final-dropped'
  | 'dropped';

export interface ForwardedCallback {
  path: string;
  /** The provider's status in the body, as sent. */
  taskStatus: string;
  /** The gateway's answer. */
  status: number;
}

export interface CallbackRelay {
  readonly url: string;
  /** Callbacks received from the provider so far. */
  readonly received: number;
  readonly forwarded: readonly ForwardedCallback[];
  forwardTo(baseUrl: string): void;
  deliver(mode: CallbackDelivery): void;
  /** Resolves once nothing is held or in transit. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const TERMINAL = new Set(['succeed', 'failed']);

export async function startCallbackRelay(random: SeededRandom): Promise<CallbackRelay> {
  let target: string | undefined;
  let mode: CallbackDelivery = 'as-sent';
  let received = 0;
  const forwarded: ForwardedCallback[] = [];
  const held = new Map<string, { body: string; taskStatus: string }[]>();
  const inTransit = new Set<Promise<void>>();

  const forward = (path: string, body: string, taskStatus: string, afterMs = 0): void => {
    const sent = (async () => {
      if (afterMs > 0) await new Promise((resolve) => setTimeout(resolve, afterMs));
      if (target === undefined) return;
      const response = await fetch(`${target}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).catch(() => undefined);
      await response?.arrayBuffer();
      forwarded.push({ path, taskStatus, status: response?.status ?? 0 });
    })();
    inTransit.add(sent);
    void sent.finally(() => inTransit.delete(sent));
  };

  const relay = (path: string, body: string): void => {
    const taskStatus = statusOf(body);
    if (mode === 'as-sent') forward(path, body, taskStatus);
    else if (mode === 'duplicated') {
      forward(path, body, taskStatus);
      forward(path, body, taskStatus, random.int(0, 50));
    } else if (mode === 'delayed') forward(path, body, taskStatus, random.int(50, 600));
    else if (mode === 'reordered') {
      const queue = [...(held.get(path) ?? []), { body, taskStatus }];
      if (!TERMINAL.has(taskStatus)) held.set(path, queue);
      else {
        held.delete(path);
        for (const callback of queue.reverse()) forward(path, callback.body, callback.taskStatus);
      }
    } else if (mode === 'final-dropped' && !TERMINAL.has(taskStatus)) forward(path, body, taskStatus);
    // 'dropped' (and a final callback in 'final-dropped'): nothing reaches the gateway.
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received += 1;
      res.writeHead(204).end();
      relay(req.url ?? '/', Buffer.concat(chunks).toString('utf8'));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get received() {
      return received;
    },
    forwarded,
    forwardTo(baseUrl) {
      target = baseUrl;
    },
    deliver(next) {
      mode = next;
    },
    async settled() {
      while (inTransit.size > 0) await Promise.all(inTransit);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function statusOf(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'task_status' in parsed) {
      return String(parsed.task_status);
    }
  } catch {
    // Not JSON: passed on as it came.
  }
  return 'unknown';
}
