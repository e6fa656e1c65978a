/**
 * The gateway's public address as the provider sees it: a reverse proxy on its own port, started
 * before the gateway so its URL can be the gateway's PUBLIC_URL, and pointed at the gateway once the
 * gateway has a port. It records what went through, as a proxy's access log would.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  /** The gateway's answer. */
  status: number;
}

export interface PublicEndpoint {
  readonly url: string;
  readonly log: readonly ProxiedRequest[];
  /** Where requests go from now on: the gateway's base URL. */
  forwardTo(baseUrl: string): void;
  stop(): Promise<void>;
}

/** Hop-by-hop and length headers are the proxy's own business. */
const NOT_FORWARDED = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

export async function startPublicEndpoint(): Promise<PublicEndpoint> {
  const log: ProxiedRequest[] = [];
  let target: string | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      forward(target, method, path, req.headers, Buffer.concat(chunks)).then(
        (status) => {
          log.push({ method, path, status });
          res.writeHead(status).end();
        },
        () => res.writeHead(502).end(),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    forwardTo(baseUrl) {
      target = baseUrl;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function forward(
  target: string | undefined,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<number> {
  if (target === undefined) return 503;
  const forwarded = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (NOT_FORWARDED.has(name) || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) forwarded.append(name, one);
  }
  const response = await fetch(`${target}${path}`, {
    method,
    headers: forwarded,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
  });
  await response.arrayBuffer();
  return response.status;
}
