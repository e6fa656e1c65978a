/**
 * HTTP load through autocannon, keeping every response time at full resolution (autocannon's
 * own histogram rounds to whole milliseconds, too coarse for a 5 ms budget).
 */
import autocannon from 'autocannon';
import { type LatencySummary, summarize } from './stats.js';

export interface LoadOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
  /** Requests per second over all connections; unset: as fast as the server answers. */
  overallRate?: number;
  /** The exact body every answer must have; others count as failed. */
  expectBody?: string;
  /** Rewrites each request (e.g. a unique id in the body). */
  setupRequest?: (request: autocannon.Request) => autocannon.Request;
  /** Judges each answer's body; false counts it as failed. */
  verifyBody?: (body: string) => boolean;
}

export interface LoadResult {
  /** Successful answers per second over the run. */
  requestsPerSecond: number;
  latency: LatencySummary;
  ok: number;
  /** Errors, timeouts, non-2xx answers and answers with the wrong body. */
  failed: number;
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: options.method,
        headers: options.headers,
        ...(options.body === undefined ? {} : { body: options.body }),
        connections: options.connections,
        duration: options.durationSeconds,
        ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
        ...(options.expectBody === undefined ? {} : { expectBody: options.expectBody }),
        ...(options.verifyBody === undefined
          ? {}
          : {
              verifyBody: (body: string | Buffer | undefined) =>
                options.verifyBody?.(String(body ?? '')) === true,
            }),
        // autocannon refuses `requests` alongside expectBody, so only when a request is rewritten.
        ...(options.setupRequest
          ? { requests: [{ method: options.method, setupRequest: options.setupRequest }] }
          : {}),
      },
      (error: unknown, result: autocannon.Result) => {
        if (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        // A 2xx answer with the wrong body is counted both as 2xx and as a mismatch.
        const ok = result['2xx'] - result.mismatches;
        resolve({
          requestsPerSecond: ok / result.duration,
          latency: summarize(latencies),
          ok,
          failed: result.errors + result.non2xx + result.mismatches,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}
