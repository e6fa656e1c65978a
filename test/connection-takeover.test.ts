/**
 * Taking a streaming response's connection from Node's HTTP server: the client reads the stream as
 * before, Node's request and response are let go, the client's leaving is still seen, and where
 * the connection cannot be taken it stays Node's.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { takeOverConnection } from '../src/transport/connection-takeover.js';
import { waitFor } from './helpers/wait-for.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** One HTTP/1.1 chunk. */
const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

interface Served {
  request: IncomingMessage;
  response: ServerResponse;
  /** The connection, if it was taken. */
  socket: Socket | undefined;
}

describe('takeOverConnection', () => {
  let server: Server | undefined;

  afterEach(() => closeServer());

  async function closeServer(): Promise<void> {
    const open = server;
    server = undefined;
    if (open === undefined) return;
    open.closeAllConnections();
    await new Promise((resolve) => open.close(resolve));
  }

  /** A server whose one handler writes a stream's head, then hands the connection to `onServed`. */
  async function serveStreams(onServed: (served: Served) => void): Promise<number> {
    server = createServer((request, response) => {
      request.resume();
      request.once('end', () => {
        response.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
        response.write('head-flushed;');
        onServed({ request, response, socket: takeOverConnection(request, response) });
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  }

  it('lets the client read every chunk written straight to the connection, to the end', async () => {
    const port = await serveStreams(({ socket }) => {
      socket?.write(chunk('first;'));
      socket?.end(`${chunk('last')}0\r\n\r\n`);
    });
    const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}' });
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(await response.text()).toBe('head-flushed;first;last');
  });

  it("lets Node's request and response go, which it keeps while it serves the connection", async () => {
    const held = async (take: boolean) => {
      await closeServer();
      let refs: { request: WeakRef<IncomingMessage>; response: WeakRef<ServerResponse> } | undefined;
      server = createServer((request, response) => {
        request.resume();
        request.once('end', () => {
          response.writeHead(200, { connection: 'close' });
          response.write('open');
          if (take) takeOverConnection(request, response);
          refs = { request: new WeakRef(request), response: new WeakRef(response) };
        });
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
      client.end('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}');
      await once(client, 'data');
      await nextTurn();
      collectGarbage();
      const kept = refs?.request.deref() !== undefined || refs?.response.deref() !== undefined;
      client.destroy();
      return kept;
    };
    expect(await held(false)).toBe(true);
    expect(await held(true)).toBe(false);
  });

  it('closes the taken connection when the client leaves, or half-closes', async () => {
    const taken: Socket[] = [];
    const port = await serveStreams(({ socket }) => {
      if (socket) taken.push(socket);
    });
    for (const leave of [(client: Socket) => client.destroy(), (client: Socket) => client.end()]) {
      const client = connect(port, '127.0.0.1');
      client.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}');
      await once(client, 'data');
      const socket = taken.at(-1);
      expect(socket).toBeDefined();
      const closed = once(socket as Socket, 'close');
      leave(client);
      await closed;
      client.destroy();
    }
  });

  it('leaves the connection to Node where the response is not chunked (HTTP/1.0)', async () => {
    let served: Served | undefined;
    const port = await serveStreams((s) => {
      served = s;
      s.response.end('done');
    });
    const client = connect(port, '127.0.0.1');
    client.end('POST / HTTP/1.0\r\ncontent-length: 2\r\n\r\n{}');
    let text = '';
    client.on('data', (data: Buffer) => {
      text += data.toString();
    });
    await once(client, 'close');
    expect(served?.socket).toBeUndefined();
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text.endsWith('\r\n\r\nhead-flushed;done')).toBe(true);
  });

  it('leaves the connection to Node when another request is pipelined behind this one', async () => {
    const served: Served[] = [];
    const port = await serveStreams((s) => {
      served.push(s);
      s.response.end();
    });
    const client = connect(port, '127.0.0.1');
    const request = 'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}';
    client.write(request + request);
    await waitFor(() => (served.length === 2 ? true : undefined), { what: 'both requests served' });
    client.destroy();
    expect(served[0]?.socket).toBeUndefined();
  });
});
