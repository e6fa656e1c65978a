/**
 * The gateway under test, in a process of its own: configured from the environment exactly as
 * `npm start` is (src/main.ts), plus a control channel for the harness (memory after a GC, a
 * status change applied here through the one status writer, stopping the poller).
 *
 * Environment: everything src/config.ts reads, plus BENCH_TUNING (JSON of AppTuning),
 * BENCH_POLLER=off and BENCH_V8_FLAGS (e.g. `--trace-gc`, which NODE_OPTIONS refuses).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import pino from 'pino';
import { type AppTuning, createApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import type { TaskStatus } from '../../src/db/schema.js';
import { applyTaskChange } from '../../src/tasks/apply-task-change.js';
import { collectGarbage, type MemoryReading, memoryAfterGc } from '../lib/memory.js';
import { serveRpc } from '../lib/rpc.js';
import { wallClockMs } from '../lib/stats.js';

export interface GatewayInfo {
  url: string;
  /** Whether this build serves provider callbacks (`services.callbacks`) at all. */
  callbacksWired: boolean;
}

export type GatewayApi = {
  /** Memory after a full garbage collection. */
  memory(params: Record<string, never>): Promise<MemoryReading>;
  /**
   * Applies `status` to each task in turn through the gateway's one status writer, as its poller
   * or a callback would; `t0` is read just before each change, `gapMs` waited between two.
   */
  applyStatus(params: { taskIds: string[]; status: TaskStatus; gapMs?: number }): Promise<{ t0: number[] }>;
  stopPoller(params: Record<string, never>): Promise<void>;
  subscriberCount(params: Record<string, never>): Promise<number>;
  /** Starts the V8 CPU profiler here, to profile one phase only (e.g. a fan-out). */
  startProfile(params: Record<string, never>): Promise<void>;
  /** Stops it and writes the profile (readable by bench/profile-summary.ts) to `path`. */
  stopProfile(params: { path: string }): Promise<void>;
  /** Writes a heap snapshot to `path` (after a GC), e.g. to see what each subscriber holds. */
  heapSnapshot(params: { path: string }): Promise<void>;
};

if (process.env.BENCH_V8_FLAGS) setFlagsFromString(process.env.BENCH_V8_FLAGS);
const config = parseConfig(process.env);
const logger = pino({ level: config.logLevel });
const tuning = JSON.parse(process.env.BENCH_TUNING ?? '{}') as AppTuning;
const app = createApp(config, { logger, tuning });
const running = await app.start();
if (process.env.BENCH_POLLER === 'off') await running.poller.stop();
const writer = { db: running.services.db, taskEventsChannel: running.services.taskEventsChannel };
const inspector = new Session();
inspector.connect();

serveRpc(
  {
    memory: async () => memoryAfterGc(),
    applyStatus: async ({ taskIds, status, gapMs }) => {
      const t0: number[] = [];
      for (const taskId of taskIds) {
        t0.push(wallClockMs());
        const result = await applyTaskChange(writer, taskId, { status });
        if (!result?.changed) throw new Error(`task ${taskId} did not move to ${status}`);
        if (gapMs) await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
      return { t0 };
    },
    stopPoller: () => running.poller.stop(),
    subscriberCount: async () => running.services.events.subscriberCount(),
    startProfile: async () => {
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
    },
    stopProfile: async ({ path }) => {
      const { profile } = await inspector.post('Profiler.stop');
      await writeFile(path, JSON.stringify(profile));
    },
    heapSnapshot: async ({ path }) => {
      collectGarbage();
      writeHeapSnapshot(path);
    },
  } satisfies GatewayApi,
  { url: running.url, callbacksWired: 'callbacks' in running.services } satisfies GatewayInfo,
  () => app.stop(),
);
