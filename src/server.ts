/**
 * Transport only: GraphQL over HTTP (graphql-yoga, with GraphiQL) on `/graphql`. Business rules
 * live in src/resolvers; identity comes from one place (`viewerFor`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga } from 'graphql-yoga';
import type { Logger } from 'pino';
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

/** Development mode has one local user; tenants and tokens arrive with access control. */
const LOCAL_VIEWER: Viewer = { id: 'local' };

export function viewerFor(_request: Request): Viewer {
  return LOCAL_VIEWER;
}

export async function startHttpServer(
  services: GatewayServices,
  options: HttpServerOptions,
): Promise<HttpServer> {
  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'kling-graphql' },
    // Bundled GraphiQL: the default loads its assets from a CDN, which an offline machine lacks.
    renderGraphiQL,
    logging: yogaLogger(options.logger),
    context: ({ request }) => ({ ...services, viewer: viewerFor(request) }),
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
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
