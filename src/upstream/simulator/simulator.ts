/** Builds a running simulator from its parts and hands back the handle tests and the gateway use. */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { createAuthenticator } from './auth.js';
import { CallbackSender } from './callbacks.js';
import type { SimulatorContext } from './context.js';
import { FaultQueue, type FaultRule } from './faults.js';
import { type AdvanceTarget, Lifecycle } from './lifecycle.js';
import { resolveOptions, type SimulatorOptions } from './options.js';
import { createRequestListener, type SimulatedRequest } from './server.js';
import { createIdGenerator, type SimulatedTask, TaskStore } from './store.js';
import { TimerSet } from './timers.js';
import { VoiceStore } from './voices.js';

export interface KlingSimulator {
  /** Base URL including the path prefix, without a trailing slash: 'http://127.0.0.1:43123/kling'. */
  readonly url: string;
  /** Scheme, host and port only. */
  readonly origin: string;
  /** Every request received, in order (the most recent 10,000). */
  readonly requests: readonly SimulatedRequest[];
  /** All tasks of all accounts, in creation order (copies). */
  tasks(): readonly SimulatedTask[];
  /** Queues a fault; throws on a malformed rule. */
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Moves a task forward by hand and fires its callbacks; throws on an unknown task or a backward step. */
  advanceTask(taskId: string, to: AdvanceTarget, message?: string): void;
  /** Closes the server, every socket and timer; idempotent. */
  stop(): Promise<void>;
}

export async function startKlingSimulator(options: SimulatorOptions = {}): Promise<KlingSimulator> {
  const resolved = resolveOptions(options);
  const timers = new TimerSet();
  const callbacks = new CallbackSender(resolved.callbacks, timers, resolved.logger);
  const newId = createIdGenerator();
  let origin = '';
  const store = new TaskStore();
  const lifecycle = new Lifecycle({
    options: resolved,
    timers,
    callbacks,
    newId,
    store,
    origin: () => origin,
  });
  const ctx: SimulatorContext = {
    options: resolved,
    store,
    voices: new VoiceStore(),
    lifecycle,
    newId,
    origin: () => origin,
  };
  const faults = new FaultQueue();
  const advanceTask = (taskId: string, to: AdvanceTarget, message?: string) => {
    const task = ctx.store.get(taskId);
    if (task === undefined) throw new Error(`unknown task ${taskId}`);
    lifecycle.advance(task, to, message);
  };
  const tasks = () => ctx.store.snapshots();
  const requests: SimulatedRequest[] = [];
  const control = { faults, tasks, advance: advanceTask };
  const authenticate = createAuthenticator(resolved.accounts, resolved.now);
  const server = createServer(
    createRequestListener({ ctx, control, faults, authenticate, timers, requests }),
  );
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : resolved.port;
  origin = `http://${urlHost(resolved.host)}:${port}`;
  resolved.logger.debug({ origin }, 'Kling simulator listening');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await Promise.all([closed, callbacks.stop()]);
    })();
    return stopping;
  };

  return {
    url: `${origin}${resolved.pathPrefix}`,
    origin,
    requests,
    tasks,
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    advanceTask,
    stop,
  };
}

/** A wildcard bind is reached through loopback; an IPv6 literal needs brackets in a URL. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
