/**
 * Prometheus metrics: each recorder shows up in the text exposition with bounded labels, and the
 * database-backed gauges are read at scrape time.
 */
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/observability/metrics.js';

/** The value of one sample line, e.g. `kling_graphql_tasks{status="PENDING"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('createMetrics', () => {
  it('reads tasks by status and the submission queue on each scrape', async () => {
    let pending = 3;
    const metrics = createMetrics({
      processMetrics: false,
      countTasksByStatus: async () => ({ PENDING: pending, SUCCEEDED: 7 }),
      submissionQueueDepth: async () => pending,
    });
    let text = await metrics.metricsText();
    expect(sample(text, 'kling_graphql_tasks{status="PENDING"}')).toBe(3);
    expect(sample(text, 'kling_graphql_tasks{status="SUCCEEDED"}')).toBe(7);
    expect(sample(text, 'kling_graphql_tasks{status="FAILED"}')).toBe(0);
    expect(sample(text, 'kling_graphql_submission_queue_depth')).toBe(3);

    pending = 1;
    text = await metrics.metricsText();
    expect(sample(text, 'kling_graphql_tasks{status="PENDING"}')).toBe(1);
    expect(sample(text, 'kling_graphql_submission_queue_depth')).toBe(1);
  });

  it('leaves a gauge empty and counts the failure when the database cannot be read', async () => {
    const metrics = createMetrics({
      processMetrics: false,
      countTasksByStatus: async () => {
        throw new Error('connection refused');
      },
      submissionQueueDepth: async () => 0,
    });
    const text = await metrics.metricsText();
    expect(text).not.toMatch(/^kling_graphql_tasks\{/m);
    expect(sample(text, 'kling_graphql_metrics_collector_errors_total{collector="tasks"}')).toBe(1);
    expect(sample(text, 'kling_graphql_submission_queue_depth')).toBe(0);
  });

  it('records upstream exchanges by operation and Kling code, folding unknown codes into `other`', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.recordUpstreamExchange({ operation: 'create', durationMs: 120, code: 0, errorName: null });
    metrics.recordUpstreamExchange({
      operation: 'create',
      durationMs: 40,
      code: 1303,
      errorName: 'KLING_CONCURRENCY_LIMIT',
    });
    metrics.recordUpstreamExchange({
      operation: 'query',
      durationMs: 30_000,
      code: null,
      errorName: 'KLING_TIMEOUT',
    });
    metrics.recordUpstreamExchange({
      operation: 'query',
      durationMs: 5,
      code: 4242,
      errorName: 'KLING_4242',
    });
    const text = await metrics.metricsText();
    expect(
      sample(text, 'kling_graphql_upstream_requests_total{operation="create",code="0",error="none"}'),
    ).toBe(1);
    expect(
      sample(
        text,
        'kling_graphql_upstream_requests_total{operation="create",code="1303",error="KLING_CONCURRENCY_LIMIT"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'kling_graphql_upstream_requests_total{operation="query",code="none",error="KLING_TIMEOUT"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'kling_graphql_upstream_requests_total{operation="query",code="other",error="KLING_UNKNOWN_CODE"}',
      ),
    ).toBe(1);
    expect(text).not.toContain('4242');
    expect(
      sample(
        text,
        'kling_graphql_upstream_request_duration_seconds_bucket{le="0.25",operation="create",code="0"}',
      ),
    ).toBe(1);
    expect(
      sample(text, 'kling_graphql_upstream_request_duration_seconds_sum{operation="create",code="0"}'),
    ).toBe(0.12);
  });

  it('records poller cycles, callbacks and live subscriptions', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.recordPollerCycle({ batchSize: 12, durationMs: 80 });
    metrics.recordPollerCycle({ batchSize: 1, durationMs: 20 });
    metrics.recordCallbackReceived();
    metrics.recordCallbackReceived();
    metrics.recordCallbackRejected('unknown_token');
    const closeFirst = metrics.subscriptionOpened('websocket');
    metrics.subscriptionOpened('websocket');
    metrics.subscriptionOpened('sse');
    closeFirst();
    closeFirst(); // a second end of the same subscription changes nothing
    const text = await metrics.metricsText();
    expect(sample(text, 'kling_graphql_poller_cycles_total')).toBe(2);
    expect(sample(text, 'kling_graphql_poller_batch_size_bucket{le="10"}')).toBe(1);
    expect(sample(text, 'kling_graphql_poller_batch_size_sum')).toBe(13);
    expect(sample(text, 'kling_graphql_callbacks_received_total')).toBe(2);
    expect(sample(text, 'kling_graphql_callbacks_rejected_total{reason="unknown_token"}')).toBe(1);
    expect(sample(text, 'kling_graphql_callbacks_rejected_total{reason="bad_signature"}')).toBe(0);
    expect(sample(text, 'kling_graphql_live_subscriptions{transport="websocket"}')).toBe(1);
    expect(sample(text, 'kling_graphql_live_subscriptions{transport="sse"}')).toBe(1);
    expect(sample(text, 'kling_graphql_live_subscriptions{transport="http"}')).toBe(0);
  });

  it('keeps two registries apart and includes process metrics by default', async () => {
    const first = createMetrics();
    const second = createMetrics();
    first.recordCallbackReceived();
    expect(sample(await second.metricsText(), 'kling_graphql_callbacks_received_total')).toBe(0);
    expect(await first.metricsText()).toMatch(/^kling_graphql_process_resident_memory_bytes /m);
    expect(first.contentType).toMatch(/^text\/plain/);
  });
});
