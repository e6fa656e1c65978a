/**
 * Keep-alive on graphql-transport-ws sockets: the server pings every socket once per interval
 * and drops one that left the last ping unanswered, while a socket that answers stays open.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { serveGraphqlWs } from '../src/transport/graphql-ws-server.js';

const KEEP_ALIVE_MS = 240;

describe('graphql-transport-ws keep-alive', () => {
  const server = createServer();
  const webSockets = new WebSocketServer({ server });
  const served = serveGraphqlWs(
    { connect: async () => ({}), operate: async () => ({ data: null }) },
    webSockets,
    { logger: pino({ level: 'silent' }), keepAliveMs: KEEP_ALIVE_MS },
  );
  let url: string;

  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await served.dispose();
    await new Promise((resolve) => server.close(resolve));
  });

  async function open(answersPings: boolean): Promise<WebSocket> {
    const socket = new WebSocket(url, 'graphql-transport-ws', { autoPong: answersPings });
    await once(socket, 'open');
    return socket;
  }

  it('drops a socket that does not answer its ping by the next one, and keeps one that does', async () => {
    const answering = await open(true);
    const silent = await open(false);
    let pings = 0;
    answering.on('ping', () => {
      pings += 1;
    });
    const [code] = (await once(silent, 'close')) as [number];
    // Terminated, not closed: an unanswering peer would not take part in a closing handshake.
    expect(code).toBe(1006);
    await new Promise((resolve) => setTimeout(resolve, 2 * KEEP_ALIVE_MS));
    expect(answering.readyState).toBe(WebSocket.OPEN);
    expect(pings).toBeGreaterThanOrEqual(2);
    answering.close();
  });
});
