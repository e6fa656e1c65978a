/**
 * Transport only: GraphQL over HTTP and SSE (graphql-yoga, with GraphiQL) and over WebSocket
 * (graphql-ws, run through Yoga's envelop so both transports share plugins and context) on
 * `/graphql`. Business rules live in src/resolvers; identity comes from one place (src/auth).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { bearerTokenFromConnectionParams, bearerTokenFromHeader } from './auth/bearer.js';
import { KeySetUnavailableError, type TokenVerifier, verifyAccessToken } from './auth/verify-token.js';
import type { GatewayContext, GatewayServices, Viewer } from './context.js';
import { graphiqlExamples } from './explorer/graphiql-examples.js';
import type { ReadinessReport } from './observability/health.js';
import { handleWithRequestId } from './observability/request-log.js';
import { useObservabilityEndpoints, useSubscriptionMetrics } from './observability/yoga-plugins.js';
import { buildSchema } from './schema/index.js';
import { admitBody, readBodyWithin } from './security/body-limit.js';
import { documentLimitsPlugin } from './security/graphql-armor.js';
import type { GatewayLimits } from './security/limits.js';
import { malformedParamsAreBadRequests } from './security/malformed-params.js';
import { subscriptionLimit } from './security/subscription-slots.js';
import { CALLBACK_PATH_PREFIX } from './tracking/callbacks.js';

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

/** What a transport hands Yoga before the context is built. */
interface TransportContext {
  /** Set by the WebSocket transport, which learns the viewer at `connection_init`. */
  viewer?: Viewer;
}

/** The viewer an HTTP or SSE request speaks for: its bearer token, verified. */
async function viewerOf(verifier: TokenVerifier, request: Request): Promise<Viewer> {
  const token = bearerTokenFromHeader(request.headers.get('authorization'));
  return (await verifyAccessToken(verifier, token)).viewer;
}

/** setTimeout's longest delay; a token living longer is simply not timed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
  const server = createServer((request, response) =>
    handleWithRequestId(options.logger, request, response, () => route(yoga, services, request, response)),
  );
  const webSockets = new WebSocketServer({ server, path: GRAPHQL_PATH, maxPayload: limits.maxBodyBytes });
  const graphqlWs = serveGraphqlOverWebSocket(yoga, webSockets, limits, options);
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
        setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
      });
    },
  };
}

/** How long shutdown waits for in-flight requests before cutting the connections left, ms. */
const SHUTDOWN_GRACE_MS = 5_000;

/** Provider callbacks are small JSON objects; anything larger is not one. */
const CALLBACK_BODY_MAX_BYTES = 1024 * 1024;

function route(
  yoga: YogaServerInstance<TransportContext, GatewayContext>,
  services: GatewayServices,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  if (request.method === 'POST' && path.startsWith(CALLBACK_PATH_PREFIX)) {
    void receiveCallback(services, path.slice(CALLBACK_PATH_PREFIX.length), request, response);
    return;
  }
  if (admitBody(request, response, services.config.limits.maxBodyBytes)) void yoga(request, response);
}

/** Answers at once; the receiver re-reads the task from the provider in the background. */
async function receiveCallback(
  services: GatewayServices,
  encodedToken: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  services.metrics.recordCallbackReceived();
  try {
    // The provider's sender is not ours to constrain: a chunked body is read, up to the cap.
    const body = await readBodyWithin(request, CALLBACK_BODY_MAX_BYTES);
    if (body === undefined) {
      services.metrics.recordCallbackRejected('invalid');
      return; // over the cap: the connection was dropped
    }
    const { status } = await services.callbacks.receive(safeDecode(encodedToken), request.headers, body);
    const rejection =
      status === 404
        ? 'unknown_token'
        : status === 401
          ? 'bad_signature'
          : status >= 400
            ? 'invalid'
            : undefined;
    if (rejection) services.metrics.recordCallbackRejected(rejection);
    response.writeHead(status).end();
  } catch {
    if (!response.headersSent) response.writeHead(500).end();
  }
}

function safeDecode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

/** graphql-ws on the same path, executing through Yoga's envelop (same plugins, same context). */
function serveGraphqlOverWebSocket(
  yoga: YogaServerInstance<TransportContext, GatewayContext>,
  webSockets: WebSocketServer,
  limits: GatewayLimits,
  options: HttpServerOptions,
) {
  type Enveloped = ReturnType<typeof yoga.getEnveloped>;
  interface EnvelopedRoot {
    execute: Enveloped['execute'];
    subscribe: Enveloped['subscribe'];
  }
  return useServer<Record<string, unknown>, { viewer: Viewer }>(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      // A missing or bad token closes the socket with 4403 before any operation runs.
      onConnect: async (ctx) => {
        try {
          const token = bearerTokenFromConnectionParams(ctx.connectionParams);
          const access = await verifyAccessToken(options.verifier, token);
          ctx.extra.viewer = access.viewer;
          closeWhenExpired(ctx.extra.socket, access.expiresAt);
          return true;
        } catch (error) {
          if (!(error instanceof KeySetUnavailableError)) return false;
          options.logger.error({ err: error.cause }, 'identity provider key set unavailable');
          ctx.extra.socket.close(1011, 'Identity provider unavailable');
          return false;
        }
      },
      onSubscribe: async (ctx, _id, params) => {
        // graphql-ws reserves the operation's id before this runs, so the count includes it.
        if (Object.keys(ctx.subscriptions).length > limits.subscriptionsPerConnection) {
          return [subscriptionLimit(`at most ${limits.subscriptionsPerConnection} per connection`)];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          viewer: ctx.extra.viewer,
          params,
        });
        const document = parse(params.query);
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: params.operationName ?? null,
          variableValues: params.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        return args;
      },
    },
    webSockets,
  );
}

/** A socket authenticated by a token lives no longer than the token. */
function closeWhenExpired(socket: WebSocket, expiresAt: Date | undefined): void {
  if (expiresAt === undefined) return;
  const delay = expiresAt.getTime() - Date.now();
  if (delay > MAX_TIMER_MS) return;
  const timer = setTimeout(() => socket.close(4403, 'Forbidden: token expired'), Math.max(0, delay));
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Longest error message logged: a failed insert's message can carry a whole 10 MB input. */
const LOGGED_MESSAGE_MAX = 2_000;

/**
 * Yoga's logger interface over pino, so its messages share the gateway's structured log. Errors
 * go under `err` (pino serializes them), with their messages cut short.
 */
function yogaLogger(logger: Logger) {
  const child = logger.child({ component: 'yoga' });
  const fields = (args: unknown[]) => {
    const error = args.find((arg) => arg instanceof Error);
    if (error === undefined) return { args };
    const message = error.message.slice(0, LOGGED_MESSAGE_MAX);
    return { err: { type: error.name, message, stack: error.stack?.slice(0, LOGGED_MESSAGE_MAX) } };
  };
  return {
    debug: (...args: unknown[]) => child.debug(fields(args), 'yoga'),
    info: (...args: unknown[]) => child.info(fields(args), 'yoga'),
    warn: (...args: unknown[]) => child.warn(fields(args), 'yoga'),
    error: (...args: unknown[]) => child.error(fields(args), 'yoga'),
  };
}
