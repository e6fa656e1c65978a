/**
 * Prometheus metrics (prom-client) in a registry of their own, so two gateways in one process (the
 * tests) never share counters. Recorders are typed and label values come from closed sets: a
 * provider code outside the error table is counted as `other`, never as a new series.
 * Database-backed gauges are read on scrape through callbacks, so nothing polls in the background.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { TASK_STATUSES, type TaskStatus } from '../db/schema.js';
import type { KlingExchange, KlingOperation } from '../upstream/client.js';
import { KLING_ERROR_CODES } from '../upstream/errors.js';

export type SubscriptionTransport = 'websocket' | 'sse' | 'http';

/** Why a provider callback was turned away. */
export type CallbackRejection = 'unknown_token' | 'bad_signature' | 'invalid';

export interface PollerCycle {
  /** Tasks the pass leased and read. */
  batchSize: number;
  durationMs: number;
}

export interface MetricsOptions {
  /** Counts tasks per status, read from the database on each scrape. A missing status counts 0. */
  countTasksByStatus?: () => Promise<Partial<Record<TaskStatus, number>>>;
  /** Tasks waiting to be submitted to the provider, read on each scrape. */
  submissionQueueDepth?: () => Promise<number>;
  /** Node process metrics (CPU, memory, event loop lag, GC). @default true */
  processMetrics?: boolean;
  /** @default 'kling_graphql_' */
  prefix?: string;
}

export interface GatewayMetrics {
  readonly registry: Registry;
  /** The Content-Type of `metricsText()`. */
  readonly contentType: string;
  /** Fits `KlingClientOptions.onExchange`. */
  recordUpstreamExchange(exchange: KlingExchange): void;
  recordPollerCycle(cycle: PollerCycle): void;
  recordCallbackReceived(): void;
  recordCallbackRejected(reason: CallbackRejection): void;
  /** Counts a live subscription until the returned function is called (extra calls do nothing). */
  subscriptionOpened(transport: SubscriptionTransport): () => void;
  /** The Prometheus text exposition of every metric. */
  metricsText(): Promise<string>;
}

/** Seconds: Kling answers in tens of ms to a few s; the client's own timeout is 30 s. */
const LATENCY_BUCKETS_S = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Tasks per poller pass: the default batch bound is 1_000. */
const BATCH_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000];

const KNOWN_CODES = new Set(Object.keys(KLING_ERROR_CODES));

/** `0` for success, a code of the error table, `none` without a Kling answer, else `other`. */
function codeLabel(code: number | null): string {
  if (code === null) return 'none';
  const text = String(code);
  return code === 0 || KNOWN_CODES.has(text) ? text : 'other';
}

export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  const prefix = options.prefix ?? 'kling_graphql_';
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix });
  registerDatabaseGauges(registry, prefix, options);
  return { ...registerRecorders(registry, prefix), registry, contentType: registry.contentType };
}

/**
 * Gauges read from the database on scrape. A scrape reads every metric at once: the error counter,
 * registered after the gauges, waits for their reads so it reports a failure in the same scrape.
 */
function registerDatabaseGauges(registry: Registry, prefix: string, options: MetricsOptions): void {
  const reads = new Set<Promise<void>>();
  const failed: string[] = [];
  const read = (collector: string, work: () => Promise<void>): Promise<void> => {
    const promise: Promise<void> = work()
      .catch(() => void failed.push(collector))
      .finally(() => reads.delete(promise));
    reads.add(promise);
    return promise;
  };
  const { countTasksByStatus, submissionQueueDepth } = options;
  new Gauge({
    name: `${prefix}tasks`,
    help: 'Tasks stored, by status (read from the database on scrape).',
    labelNames: ['status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      if (countTasksByStatus === undefined) return;
      return read('tasks', async () => {
        const counts = await countTasksByStatus();
        for (const status of TASK_STATUSES) this.set({ status }, counts[status] ?? 0);
      });
    },
  });
  new Gauge({
    name: `${prefix}submission_queue_depth`,
    help: 'Tasks waiting (PENDING) to be submitted to the provider (read from the database on scrape).',
    registers: [registry],
    collect() {
      this.reset();
      if (submissionQueueDepth === undefined) return;
      return read('submission_queue_depth', async () => this.set(await submissionQueueDepth()));
    },
  });
  new Counter({
    name: `${prefix}metrics_collector_errors_total`,
    help: 'Scrapes in which a database-backed gauge could not be read (it is then left empty).',
    labelNames: ['collector'] as const,
    registers: [registry],
    async collect() {
      await Promise.allSettled([...reads]);
      for (const collector of failed.splice(0)) this.inc({ collector });
    },
  });
}

type Recorders = Omit<GatewayMetrics, 'registry' | 'contentType'>;

function registerRecorders(registry: Registry, prefix: string): Recorders {
  const upstreamDuration = new Histogram({
    name: `${prefix}upstream_request_duration_seconds`,
    help: 'Duration of one exchange with the Kling API, by operation and Kling body code.',
    labelNames: ['operation', 'code'] as const,
    buckets: LATENCY_BUCKETS_S,
    registers: [registry],
  });
  const upstreamRequests = new Counter({
    name: `${prefix}upstream_requests_total`,
    help: 'Exchanges with the Kling API by operation, Kling body code (0 = success, none = no Kling answer) and error name.',
    labelNames: ['operation', 'code', 'error'] as const,
    registers: [registry],
  });
  const pollerCycles = new Counter({
    name: `${prefix}poller_cycles_total`,
    help: 'Poller passes that leased at least one task.',
    registers: [registry],
  });
  const pollerBatch = new Histogram({
    name: `${prefix}poller_batch_size`,
    help: 'Tasks read per poller pass.',
    buckets: BATCH_BUCKETS,
    registers: [registry],
  });
  const pollerDuration = new Histogram({
    name: `${prefix}poller_cycle_duration_seconds`,
    help: 'Duration of one poller pass, provider reads and writes included.',
    buckets: LATENCY_BUCKETS_S,
    registers: [registry],
  });
  const callbacksReceived = new Counter({
    name: `${prefix}callbacks_received_total`,
    help: 'Provider callbacks received, accepted or not.',
    registers: [registry],
  });
  const callbacksRejected = new Counter({
    name: `${prefix}callbacks_rejected_total`,
    help: 'Provider callbacks turned away, by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const liveSubscriptions = new Gauge({
    name: `${prefix}live_subscriptions`,
    help: 'Subscriptions currently open, by transport.',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  // Series exist from the start, so a dashboard shows 0 rather than no data.
  for (const transport of ['websocket', 'sse', 'http'] as const) liveSubscriptions.set({ transport }, 0);
  for (const reason of ['unknown_token', 'bad_signature', 'invalid'] as const) {
    callbacksRejected.inc({ reason }, 0);
  }

  return {
    recordUpstreamExchange(exchange) {
      const operation: KlingOperation = exchange.operation;
      const code = codeLabel(exchange.code);
      upstreamDuration.observe({ operation, code }, exchange.durationMs / 1_000);
      const error = exchange.errorName === null ? 'none' : errorLabel(exchange);
      upstreamRequests.inc({ operation, code, error });
    },
    recordPollerCycle(cycle) {
      pollerCycles.inc();
      pollerBatch.observe(cycle.batchSize);
      pollerDuration.observe(cycle.durationMs / 1_000);
    },
    recordCallbackReceived: () => callbacksReceived.inc(),
    recordCallbackRejected: (reason) => callbacksRejected.inc({ reason }),
    subscriptionOpened(transport) {
      liveSubscriptions.inc({ transport });
      let open = true;
      return () => {
        if (!open) return;
        open = false;
        liveSubscriptions.dec({ transport });
      };
    },
    metricsText: () => registry.metrics(),
  };
}

/** Client-side names (`KLING_TIMEOUT`, `KLING_NETWORK_ERROR`…) are a closed set; `KLING_<n>` names are not. */
function errorLabel(exchange: KlingExchange): string {
  return codeLabel(exchange.code) === 'other' ? 'KLING_UNKNOWN_CODE' : (exchange.errorName ?? 'none');
}
