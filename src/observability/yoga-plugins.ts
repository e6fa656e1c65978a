/**
 * The observability surface as Yoga plugins, so the transport wires it with one line each:
 * `/healthz`, `/readyz` and `/metrics` answered before any GraphQL processing (no auth, no
 * limits), and a gauge of live subscriptions that sees both transports, since graphql-ws runs
 * through Yoga's envelop too.
 */
import type { Plugin } from 'graphql-yoga';
import type { ReadinessReport } from './health.js';
import type { GatewayMetrics, SubscriptionTransport } from './metrics.js';

export const OBSERVABILITY_PATHS = { health: '/healthz', ready: '/readyz', metrics: '/metrics' } as const;

export interface ObservabilityEndpointsOptions {
  /** Answers `/readyz`: 200 when `ready`, else 503, with the report as JSON. */
  readiness: () => Promise<ReadinessReport>;
  /** Answers `/metrics` in the Prometheus text format. */
  metrics: Pick<GatewayMetrics, 'metricsText' | 'contentType'>;
}

/** A fresh object each time: the fetch implementation may add `content-length` to the one it is given. */
const noStore = () => ({ 'cache-control': 'no-store' });

type FetchResponse = typeof Response;

export function useObservabilityEndpoints(options: ObservabilityEndpointsOptions): Plugin {
  const answer = async (pathname: string, Response: FetchResponse): Promise<Response | undefined> => {
    const json = (body: unknown, status: number) => Response.json(body, { status, headers: noStore() });
    switch (pathname) {
      case OBSERVABILITY_PATHS.health:
        return json({ status: 'ok' }, 200);
      case OBSERVABILITY_PATHS.ready: {
        const report = await options.readiness();
        return json({ status: report.ready ? 'ready' : 'not ready', ...report }, report.ready ? 200 : 503);
      }
      case OBSERVABILITY_PATHS.metrics:
        return new Response(await options.metrics.metricsText(), {
          headers: { ...noStore(), 'content-type': options.metrics.contentType },
        });
      default:
        return undefined;
    }
  };
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const response = await answer(url.pathname, fetchAPI.Response);
      if (response !== undefined) endResponse(response);
    },
  };
}

/** graphql-ws hands envelop its own context, with `extra.socket`; HTTP requests carry `request`. */
export function transportOf(context: unknown): SubscriptionTransport {
  if (typeof context !== 'object' || context === null) return 'http';
  if (
    'extra' in context &&
    typeof context.extra === 'object' &&
    context.extra !== null &&
    'socket' in context.extra
  ) {
    return 'websocket';
  }
  const request = 'request' in context ? (context.request as Partial<Request> | undefined) : undefined;
  const accept = request?.headers?.get('accept') ?? '';
  return accept.includes('text/event-stream') ? 'sse' : 'http';
}

/** Counts each subscription from its first result to its end (completion, unsubscribe or disconnect). */
export function useSubscriptionMetrics(metrics: Pick<GatewayMetrics, 'subscriptionOpened'>): Plugin {
  return {
    onSubscribe({ context }) {
      const transport = transportOf(context);
      return {
        onSubscribeResult({ result }) {
          // An error instead of a stream (NOT_FOUND, validation) is no live subscription.
          if (!(Symbol.asyncIterator in result)) return;
          return { onEnd: metrics.subscriptionOpened(transport) };
        },
      };
    },
  };
}
