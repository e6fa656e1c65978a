/**
 * The Kling simulator in a process of its own, so neither the gateway nor the load generator
 * shares its CPU. Counts every request it answers by kind (the simulator's own log keeps only the
 * latest 10,000, so it is drained every few ms into counters).
 *
 * Environment: BENCH_SIMULATOR (JSON of SimulatorOptions minus accounts), BENCH_ACCESS_KEY,
 * BENCH_SECRET_KEY.
 */
import {
  type SimulatedRequest,
  type SimulatorOptions,
  startKlingSimulator,
} from '../../src/upstream/simulator/index.js';
import { serveRpc } from '../lib/rpc.js';
import { wallClockMs } from '../lib/stats.js';

const TASKS_PATH = '/v1/videos/image2video';

export type RequestKind = 'create' | 'read' | 'list' | 'other';

export interface RequestCounts {
  create: number;
  read: number;
  list: number;
  other: number;
}

/** A single-task read (`GET …/image2video/{id}`), for attributing reads to tasks. */
export interface ReadRecord {
  /** Provider task id or external id, as in the path. */
  id: string;
  at: number;
}

export interface SimulatorTaskView {
  taskId: string;
  externalTaskId: string | undefined;
  status: string;
  callbackUrl: string | undefined;
  createdAt: number;
  updatedAt: number;
}

export interface SimulatorInfo {
  url: string;
}

export type SimulatorApi = {
  counts(params: { reset?: boolean }): Promise<RequestCounts>;
  /** Single-task reads recorded since start (when `BENCH_RECORD_READS` is set). */
  reads(params: Record<string, never>): Promise<ReadRecord[]>;
  tasks(params: Record<string, never>): Promise<SimulatorTaskView[]>;
  /** The body of the most recent create received. */
  lastCreateBody(params: Record<string, never>): Promise<unknown>;
  /** Moves tasks forward by hand (firing their callbacks); `t0` is read just before each step. */
  advance(params: {
    taskIds: string[];
    to: 'processing' | 'succeed';
    gapMs?: number;
  }): Promise<{ t0: number[] }>;
};

function kindOf(request: SimulatedRequest): RequestKind {
  if (request.path === TASKS_PATH) return request.method === 'POST' ? 'create' : 'list';
  if (request.method === 'GET' && request.path.startsWith(`${TASKS_PATH}/`)) return 'read';
  return 'other';
}

const options = JSON.parse(process.env.BENCH_SIMULATOR ?? '{}') as SimulatorOptions;
const simulator = await startKlingSimulator({
  ...options,
  accounts: [
    { accessKey: process.env.BENCH_ACCESS_KEY ?? '', secretKey: process.env.BENCH_SECRET_KEY ?? '' },
  ],
});
const recordReads = process.env.BENCH_RECORD_READS === '1';
const counts: RequestCounts = { create: 0, read: 0, list: 0, other: 0 };
const reads: ReadRecord[] = [];
/** Its body is filled in once read, so the record is kept, not the body. */
let lastCreate: SimulatedRequest | undefined;
let lastSeen: SimulatedRequest | undefined;

/** Counts what arrived since the last drain: newest first, back to the last request seen. */
function drain(): void {
  const log = simulator.requests;
  const fresh: SimulatedRequest[] = [];
  for (let i = log.length - 1; i >= 0; i--) {
    const request = log[i];
    if (request === undefined || request === lastSeen) break;
    fresh.push(request);
  }
  lastSeen = log.at(-1) ?? lastSeen;
  for (const request of fresh.reverse()) {
    const kind = kindOf(request);
    counts[kind] += 1;
    if (kind === 'create') lastCreate = request;
    if (kind === 'read' && recordReads) {
      reads.push({ id: request.path.slice(TASKS_PATH.length + 1), at: request.at });
    }
  }
}
const drainer = setInterval(drain, 5 /* ms */);

serveRpc(
  {
    counts: async ({ reset }) => {
      drain();
      const now = { ...counts };
      if (reset) Object.assign(counts, { create: 0, read: 0, list: 0, other: 0 });
      return now;
    },
    reads: async () => {
      drain();
      return reads;
    },
    tasks: async () =>
      simulator.tasks().map((task) => ({
        taskId: task.taskId,
        externalTaskId: task.externalTaskId,
        status: task.status,
        callbackUrl: task.callbackUrl,
        createdAt: task.createdAt,
        updatedAt: task.updatedAt,
      })),
    lastCreateBody: async () => {
      drain();
      return lastCreate?.body;
    },
    advance: async ({ taskIds, to, gapMs }) => {
      const t0: number[] = [];
      for (const taskId of taskIds) {
        t0.push(wallClockMs());
        simulator.advanceTask(taskId, to);
        if (gapMs) await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
      return { t0 };
    },
  } satisfies SimulatorApi,
  { url: simulator.url } satisfies SimulatorInfo,
  async () => {
    clearInterval(drainer);
    await simulator.stop();
  },
);
