/**
 * Transport only: GraphQL over HTTP (graphql-yoga, with GraphiQL), over WebSocket (graphql-ws,
 * parsing and validating through Yoga's envelop so both transports share plugins and context) and
 * subscriptions over SSE, all on `/graphql`. Subscriptions on both streaming transports execute
 * through src/transport/shared-subscription-execution.ts. Business rules live in src/resolvers;
 * identity comes from one place (src/auth).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { bearerTokenFromHeader } from './auth/bearer.js';
import { type TokenVerifier, verifyAccessToken } from './auth/verify-token.js';
import type { GatewayContext, GatewayServices, Viewer } from './context.js';
import { graphiqlExamples } from './explorer/graphiql-examples.js';
import type { ReadinessReport } from './observability/health.js';
import { handleWithRequestId } from './observability/request-log.js';
import { useObservabilityEndpoints, useSubscriptionMetrics } from './observability/yoga-plugins.js';
import { buildSchema } from './schema/index.js';
import { admitBody } from './security/body-limit.js';
import { documentLimitsPlugin } from './security/graphql-armor.js';
import { malformedParamsAreBadRequests } from './security/malformed-params.js';
import { CALLBACK_PATH_PREFIX } from './tracking/callbacks.js';
import { type SseSubscriptions, serveGraphqlOverSse } from './transport/graphql-sse.js';
import { serveGraphqlOverWebSocket, type TransportContext } from './transport/graphql-websocket.js';
import { maskError } from './transport/mask-errors.js';
import { receiveCallback } from './transport/provider-callbacks.js';
import { yogaLogger } from './transport/yoga-logger.js';

export interface HttpServerOptions {
  port: number;
  host: string;
  logger: Logger;
  verifier: TokenVerifier;
  /** Whether the database is reachable and migrated, for /readyz. */
  readiness: () => Promise<ReadinessReport>;
}

export interface HttpServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The viewer an HTTP or SSE request speaks for: its bearer token, verified. */
async function viewerOf(verifier: TokenVerifier, request: Request): Promise<Viewer> {
  const token = bearerTokenFromHeader(request.headers.get('authorization'));
  return (await verifyAccessToken(verifier, token)).viewer;
}

export const GRAPHQL_PATH = '/graphql';

export async function startHttpServer(
  services: GatewayServices,
  options: HttpServerOptions,
): Promise<HttpServer> {
  const limits = services.config.limits;
  const yoga = createYoga<TransportContext, GatewayContext>({
    schema: buildSchema(),
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    // `route` has already refused any body over the limit or of undeclared length (admitBody),
    // and Node reads no more than the declared length. Yoga's own limit would pipe every body
    // through a TransformStream again, whose stream pipeline builds an AbortController and aborts
    // it, with a DOMException, once per request.
    maxRequestBodySize: false,
    maskedErrors: { maskError },
    plugins: [
      // First: probes and scrapes answer before GraphQL parsing and before any token check.
      useObservabilityEndpoints({ readiness: options.readiness, metrics: services.metrics }),
      useSubscriptionMetrics(services.metrics),
      malformedParamsAreBadRequests,
      documentLimitsPlugin(limits),
      ...(limits.exposeSchema ? [] : [useDisableIntrospection()]),
    ],
    graphiql: limits.exposeSchema
      ? {
          title: 'kling-graphql',
          subscriptionsProtocol: 'WS',
          // Ready-to-run examples (examples/operations) with their variables pane open.
          ...graphiqlExamples(),
          defaultEditorToolsVisibility: 'variables',
        }
      : false,
    // Bundled GraphiQL: the default loads its assets from a CDN, which an offline machine lacks.
    renderGraphiQL,
    logging: yogaLogger(options.logger),
    context: async ({ request, viewer }) => ({
      ...services,
      viewer: viewer ?? (await viewerOf(options.verifier, request)),
    }),
  });
  const sse = serveGraphqlOverSse(yoga, {
    verifier: options.verifier,
    logger: options.logger,
    path: GRAPHQL_PATH,
    limits,
  });
  const server = createServer((request, response) =>
    handleWithRequestId(options.logger, request, response, () =>
      route(yoga, sse, services, request, response),
    ),
  );
  const webSockets = new WebSocketServer({ server, path: GRAPHQL_PATH, maxPayload: limits.maxBodyBytes });
  const graphqlWs = serveGraphqlOverWebSocket(yoga, webSockets, {
    limits,
    verifier: options.verifier,
    logger: options.logger,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}`,
    async close() {
      // 1001 "going away": clients reconnect elsewhere and resume with afterSequence/since.
      for (const socket of webSockets.clients) socket.close(1001, 'server shutting down');
      await graphqlWs.dispose();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight requests get a grace period; SSE streams never end on their own, so whatever
        // is still open then is cut (clients resume with afterSequence/since).
        setTimeout(() => {
          server.closeAllConnections();
          sse.cutAll();
        }, SHUTDOWN_GRACE_MS).unref();
      });
    },
  };
}

/** How long shutdown waits for in-flight requests before cutting the connections left, ms. */
const SHUTDOWN_GRACE_MS = 5_000;

function route(
  yoga: YogaServerInstance<TransportContext, GatewayContext>,
  sse: SseSubscriptions,
  services: GatewayServices,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  if (request.method === 'POST' && path.startsWith(CALLBACK_PATH_PREFIX)) {
    void receiveCallback(services, path.slice(CALLBACK_PATH_PREFIX.length), request, response);
    return;
  }
  if (!admitBody(request, response, services.config.limits.maxBodyBytes)) return;
  // Subscriptions over SSE skip Yoga's fetch-API streams (see src/transport/graphql-sse.ts);
  // everything else, and anything that turns out not to be a valid subscription, is Yoga's.
  if (sse.wants(request)) void sse.serve(request, response, () => void yoga(request, response));
  else void yoga(request, response);
}
