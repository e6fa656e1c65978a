/**
 * HTTP load at a steady arrival rate (an open model), through loadtest: one request every
 * 1000/rate ms whether or not the earlier ones were answered, on keep-alive connections opened as
 * needed. This is what "100 creates/s" means for a service whose users act independently.
 * autocannon's overallRate is a closed model paced per second: each connection sends its share
 * back to back as each second starts, so 100/s arrives as one burst of 100 and the p99 measures
 * how long a burst takes to drain (kept in row 2's notes for comparison).
 *
 * Latency is taken here, at full resolution, from handing the request over to the response's last
 * byte (loadtest's own figures are whole milliseconds). Requests still unanswered when the time is
 * up are waited for and counted: leaving the slowest out would flatter the tail.
 */
import type {
  Agent,
  ClientRequest,
  request as httpRequest,
  IncomingMessage,
  RequestOptions,
} from 'node:http';
import { loadTest } from 'loadtest';
import type { LoadResult } from './http-load.js';
import { summarize } from './stats.js';

export interface PacedLoadOptions {
  url: string;
  requestsPerSecond: number;
  durationSeconds: number;
  /** Headers and body of the next POST, made as it is sent. */
  nextRequest: () => { headers: Record<string, string>; body: string };
  /** Judges a 2xx answer's body; false counts it as failed. */
  verifyBody: (body: string) => boolean;
}

/** How long answers still owed at the end may take before the run gives up on them. */
const DRAIN_TIMEOUT_MS = 30_000;

export async function runPacedLoad(options: PacedLoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const agents = new Set<Agent>();
  let failed = 0;
  let unanswered = 0;
  let drained: (() => void) | undefined;

  const settle = (latencyMs: number | undefined) => {
    if (latencyMs === undefined) failed++;
    else latencies.push(latencyMs);
    unanswered--;
    if (unanswered === 0) drained?.();
  };

  // loadtest calls this for every request it paces, with its own connection's options.
  const requestGenerator = (
    _loadtestOptions: unknown,
    params: RequestOptions,
    request: typeof httpRequest,
    connect: (response: IncomingMessage) => void,
  ): ClientRequest => {
    const { headers, body } = options.nextRequest();
    if (params.agent instanceof Object) agents.add(params.agent);
    unanswered++;
    const startedAt = performance.now();
    const outgoing = request(
      {
        ...params,
        method: 'POST',
        headers: { ...params.headers, ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const good = status >= 200 && status < 300 && options.verifyBody(Buffer.concat(chunks).toString());
          settle(good ? performance.now() - startedAt : undefined);
        });
        connect(response);
      },
    );
    outgoing.on('error', () => settle(undefined));
    outgoing.write(body);
    return outgoing;
  };

  const startedAt = performance.now();
  await new Promise<void>((resolve, reject) => {
    loadTest(
      {
        url: options.url,
        method: 'POST',
        requestsPerSecond: options.requestsPerSecond,
        maxSeconds: options.durationSeconds,
        agentKeepAlive: true,
        quiet: true,
        requestGenerator,
      },
      (error: unknown) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
    );
  });
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  if (unanswered > 0) {
    await new Promise<void>((resolve) => {
      drained = resolve;
      setTimeout(resolve, DRAIN_TIMEOUT_MS).unref();
    });
  }
  for (const agent of agents) agent.destroy();
  return {
    requestsPerSecond: latencies.length / elapsedSeconds,
    latency: summarize(latencies),
    ok: latencies.length,
    failed: failed + unanswered,
  };
}
