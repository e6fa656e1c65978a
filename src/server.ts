/**
 * Transport only: GraphQL over HTTP and SSE (graphql-yoga, with GraphiQL) and over WebSocket
 * (graphql-ws, run through Yoga's envelop so both transports share plugins and context) on
 * `/graphql`. Business rules live in src/resolvers; identity comes from one place (`viewerFor`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { GatewayContext, GatewayServices, Viewer } from './context.js';
import { buildSchema } from './schema/index.js';

export interface HttpServerOptions {
  port: number;
  host: string;
  logger: Logger;
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

/** Development mode has one local user; tenants and tokens arrive with access control. */
const LOCAL_VIEWER: Viewer = { id: 'local' };

export function viewerFor(_request: Request | undefined): Viewer {
  return LOCAL_VIEWER;
}

export const GRAPHQL_PATH = '/graphql';

export async function startHttpServer(
  services: GatewayServices,
  options: HttpServerOptions,
): Promise<HttpServer> {
  const yoga = createYoga<TransportContext, GatewayContext>({
    schema: buildSchema(),
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    graphiql: { title: 'kling-graphql', subscriptionsProtocol: 'WS' },
    // Bundled GraphiQL: the default loads its assets from a CDN, which an offline machine lacks.
    renderGraphiQL,
    logging: yogaLogger(options.logger),
    context: ({ request, viewer }) => ({ ...services, viewer: viewer ?? viewerFor(request) }),
  });
  const server = createServer((request, response) => route(yoga, request, response));
  const webSockets = new WebSocketServer({ server, path: GRAPHQL_PATH });
  const graphqlWs = serveGraphqlOverWebSocket(yoga, webSockets);
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
      });
    },
  };
}

function route(
  yoga: YogaServerInstance<TransportContext, GatewayContext>,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  void yoga(request, response);
}

/** graphql-ws on the same path, executing through Yoga's envelop (same plugins, same context). */
function serveGraphqlOverWebSocket(
  yoga: YogaServerInstance<TransportContext, GatewayContext>,
  webSockets: WebSocketServer,
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
      onConnect: (ctx) => {
        ctx.extra.viewer = viewerFor(undefined);
        return true;
      },
      onSubscribe: async (ctx, _id, params) => {
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

/** Yoga's logger interface over pino, so its messages share the gateway's structured log. */
function yogaLogger(logger: Logger) {
  const child = logger.child({ component: 'yoga' });
  return {
    debug: (...args: unknown[]) => child.debug({ args }, 'yoga'),
    info: (...args: unknown[]) => child.info({ args }, 'yoga'),
    warn: (...args: unknown[]) => child.warn({ args }, 'yoga'),
    error: (...args: unknown[]) => child.error({ args }, 'yoga'),
  };
}
