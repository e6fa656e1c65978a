/**
 * An identity provider's key endpoint on 127.0.0.1 (port 0): serves a JSON Web Key Set, or fails
 * with a status, and counts the fetches so a test can see the gateway's cache at work.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONWebKeySet } from 'jose';

export interface JwksServer {
  readonly url: URL;
  /** Fetches served so far. */
  readonly fetches: number;
  stop(): Promise<void>;
}

/** `status` other than 200 answers every fetch with that status and no key set. */
export async function startJwksServer(jwks: JSONWebKeySet, status = 200): Promise<JwksServer> {
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches++;
    if (status !== 200) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`),
    get fetches() {
      return fetches;
    },
    async stop() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
