/**
 * The GraphQL over WebSocket protocol (graphql-transport-ws) as a raw client speaks it, frame by
 * frame: every close code the server can send, each for the reason the protocol gives, and
 * ping/pong. A gateway with shared-secret tokens serves most cases (4403 needs real tokens); one
 * whose identity provider's key set cannot be fetched shows the close for an outage of its own.
 */
import { once } from 'node:events';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SecretKey } from '../src/auth/secret-key.js';
import { IMAGE_URL } from './fixtures/images.js';
import { graphqlClient } from './helpers/graphql-client.js';
import { type JwksServer, startJwksServer } from './helpers/jwks-server.js';
import { createSubmittedTask } from './helpers/tasks.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { waitFor } from './helpers/wait-for.js';

const PROTOCOL = 'graphql-transport-ws';
/** graphql-ws's default `connectionInitWaitTimeout`, which the gateway keeps. */
const CONNECTION_INIT_WAIT_MS = 3_000;

const SECRET = 'graphql-ws-protocol-test-secret-0123456789abcdef';

async function tokenFor(sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(SECRET));
}

interface ServerMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

interface Closed {
  code: number;
  reason: string;
}

/** A WebSocket driven frame by frame, recording what the server sends and how it closes. */
interface RawSocket {
  readonly messages: readonly ServerMessage[];
  /** How the server closed the socket, once it did. */
  readonly closedWith: Closed | undefined;
  /** Objects go as JSON, strings as they are. */
  send(frame: unknown): void;
  nextMessage(predicate: (message: ServerMessage) => boolean, what: string): Promise<ServerMessage>;
  /** Resolves with the close the server sent; fails at the deadline. */
  closed(timeoutMs?: number): Promise<Closed>;
  dispose(): void;
}

/** `protocol: null` offers no subprotocol at all. */
async function openSocket(baseUrl: string, protocol: string | null = PROTOCOL): Promise<RawSocket> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/graphql`;
  const socket = protocol === null ? new WebSocket(url) : new WebSocket(url, protocol);
  const messages: ServerMessage[] = [];
  let closedWith: Closed | undefined;
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as ServerMessage));
  socket.on('close', (code, reason) => {
    closedWith = { code, reason: String(reason) };
  });
  await once(socket, 'open');
  return {
    messages,
    get closedWith() {
      return closedWith;
    },
    send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    async nextMessage(predicate, what) {
      // null: the socket closed first, so no such message will come.
      const found = await waitFor(
        () => messages.find(predicate) ?? (closedWith === undefined ? undefined : null),
        {
          timeoutMs: 5_000,
          what,
        },
      );
      if (found === null) throw new Error(`closed ${JSON.stringify(closedWith)} before ${what}`);
      return found;
    },
    closed: (timeoutMs = 5_000) =>
      waitFor(() => closedWith, { timeoutMs, what: 'the server to close the socket' }),
    dispose: () => socket.terminate(),
  };
}

/** Opens a socket and completes the handshake with `connectionParams`. */
async function acknowledged(baseUrl: string, connectionParams: Record<string, unknown>): Promise<RawSocket> {
  const socket = await openSocket(baseUrl);
  socket.send({ type: 'connection_init', payload: connectionParams });
  await socket.nextMessage((message) => message.type === 'connection_ack', 'connection_ack');
  return socket;
}

const TASK_UPDATED = 'subscription($id: ID!) { taskUpdated(id: $id) { id status sequence } }';

describe('graphql-transport-ws, frame by frame', () => {
  let gateway: TestApp;
  let auth: { authorization: string };
  /** A task in flight (manual simulator timings): its subscription stays open. */
  let taskId: string;

  beforeAll(async () => {
    gateway = await startTestApp({
      config: { auth: { mode: 'secret', secret: new SecretKey(SECRET), claims: { clockToleranceS: 5 } } },
    });
    auth = { authorization: `Bearer ${await tokenFor('protocol-tester')}` };
    const task = await createSubmittedTask(graphqlClient(gateway.url, auth), {
      image: IMAGE_URL,
      prompt: 'ws',
    });
    taskId = task.id;
  });
  const sockets: RawSocket[] = [];
  const track = (socket: RawSocket) => {
    sockets.push(socket);
    return socket;
  };
  afterAll(async () => {
    for (const socket of sockets) socket.dispose();
    await gateway.stop();
  });

  describe('ping and pong', () => {
    it('answers a ping with a pong carrying its payload, even before connection_init', async () => {
      const socket = track(await openSocket(gateway.url));
      socket.send({ type: 'ping', payload: { at: 1 } });
      expect(await socket.nextMessage((m) => m.type === 'pong', 'pong')).toEqual({
        type: 'pong',
        payload: { at: 1 },
      });
    });

    it('answers pings after the handshake, and takes an unsolicited pong silently', async () => {
      const socket = track(await acknowledged(gateway.url, auth));
      socket.send({ type: 'pong', payload: { unsolicited: true } });
      socket.send({ type: 'ping' });
      expect(await socket.nextMessage((m) => m.type === 'pong', 'pong')).toEqual({ type: 'pong' });
      expect(socket.messages.map((m) => m.type)).toEqual(['connection_ack', 'pong']);
      expect(socket.closedWith).toBeUndefined();
    });
  });

  describe('4400 Bad Request: a message that is not one of the protocol', () => {
    it.each<[string, unknown]>([
      ['not JSON', '{"type":'],
      ['JSON but not an object', '[1,2]'],
      ['no type', { id: '1' }],
      ['an unknown type', { type: 'start', id: '1', payload: { query: '{ __typename }' } }],
      ['a subscribe without an id', { type: 'subscribe', payload: { query: '{ __typename }' } }],
      ['a subscribe without a query', { type: 'subscribe', id: '1', payload: { variables: {} } }],
      ['a connection_init whose payload is not an object', { type: 'connection_init', payload: 'token' }],
    ])('closes with 4400 on %s', async (_name, frame) => {
      const socket = track(await openSocket(gateway.url));
      socket.send(frame);
      expect((await socket.closed()).code).toBe(4400);
    });
  });

  it('4401 Unauthorized: closes a socket that subscribes before connection_init', async () => {
    const socket = track(await openSocket(gateway.url));
    socket.send({ type: 'subscribe', id: '1', payload: { query: TASK_UPDATED, variables: { id: taskId } } });
    expect(await socket.closed()).toEqual({ code: 4401, reason: 'Unauthorized' });
    expect(socket.messages).toEqual([]);
  });

  describe('4403 Forbidden: connection_init without a valid token', () => {
    it.each<[string, Record<string, unknown>]>([
      ['no token', {}],
      ['a forged token', { authorization: 'Bearer forged.token.here' }],
      ['a token that is not a bearer string', { authorization: 42 }],
    ])('closes with 4403 on %s, before any operation', async (_name, connectionParams) => {
      const socket = track(await openSocket(gateway.url));
      socket.send({ type: 'connection_init', payload: connectionParams });
      expect((await socket.closed()).code).toBe(4403);
      expect(socket.messages).toEqual([]);
    });
  });

  it('4406 Subprotocol Not Acceptable: closes a socket that offers no graphql-transport-ws', async () => {
    const socket = track(await openSocket(gateway.url, null));
    expect((await socket.closed()).code).toBe(4406);
  });

  it('4408 Connection initialisation timeout: closes a socket silent for 3 s after opening', async () => {
    const openedAt = Date.now();
    const socket = track(await openSocket(gateway.url));
    const closed = await socket.closed(CONNECTION_INIT_WAIT_MS + 3_000);
    expect(closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(CONNECTION_INIT_WAIT_MS - 100);
  });

  it('4409 Subscriber already exists: closes on a second subscribe with an id in use', async () => {
    const socket = track(await acknowledged(gateway.url, auth));
    const subscribe = {
      type: 'subscribe',
      id: 'watch',
      payload: { query: TASK_UPDATED, variables: { id: taskId } },
    };
    socket.send(subscribe);
    await socket.nextMessage((m) => m.type === 'next' && m.id === 'watch', 'the current state');
    socket.send(subscribe);
    expect(await socket.closed()).toEqual({ code: 4409, reason: 'Subscriber for watch already exists' });
  });

  it('4429 Too many initialisation requests: closes on a second connection_init', async () => {
    const socket = track(await openSocket(gateway.url));
    socket.send({ type: 'connection_init', payload: auth });
    socket.send({ type: 'connection_init', payload: auth });
    expect(await socket.closed()).toEqual({ code: 4429, reason: 'Too many initialisation requests' });
  });

  // A message only a server may send (connection_ack, next, error) passes graphql-ws's shape check
  // and reaches its handler, which throws on it: the one internal error a client can cause without
  // a bug in the gateway.
  it.each(['connection_ack', 'next'])(
    '4500 Internal Server Error: closes when handling a message fails (a client sending %s)',
    async (type) => {
      const socket = track(await acknowledged(gateway.url, auth));
      socket.send(type === 'next' ? { type, id: '1', payload: { data: null } } : { type });
      const closed = await socket.closed();
      expect(closed.code).toBe(4500);
    },
  );

  // A bad document fails that operation only (graphql-ws `error`), as HTTP answers 400 for it:
  // the connection and every other subscription on it live on.
  it.each([
    ['a syntax error', 'subscription {'],
    ['too many tokens', `{ ${'__typename '.repeat(3_000)} }`],
  ])(
    'answers a subscribe with %s by an error for that operation and keeps the connection',
    async (_name, query) => {
      const socket = track(await acknowledged(gateway.url, auth));
      socket.send({
        type: 'subscribe',
        id: 'live',
        payload: { query: TASK_UPDATED, variables: { id: taskId } },
      });
      await socket.nextMessage((m) => m.type === 'next' && m.id === 'live', 'the live subscription');
      socket.send({ type: 'subscribe', id: 'broken', payload: { query } });

      const answer = await socket.nextMessage((m) => m.id === 'broken', 'an answer for the broken operation');
      expect(answer.type).toBe('error');
      socket.send({ type: 'ping' });
      await socket.nextMessage((m) => m.type === 'pong', 'pong');
      expect(socket.closedWith).toBeUndefined();
    },
  );

  describe('operations, frame by frame', () => {
    it('answers a query with its result, then complete', async () => {
      const socket = track(await acknowledged(gateway.url, auth));
      socket.send({ type: 'subscribe', id: 'q', payload: { query: '{ __typename }' } });
      await socket.nextMessage((m) => m.type === 'complete', 'complete');
      expect(socket.messages).toEqual([
        { type: 'connection_ack' },
        { id: 'q', type: 'next', payload: { data: { __typename: 'Query' } } },
        { id: 'q', type: 'complete' },
      ]);
    });

    it('streams a task to its end: each state as next, then complete', async () => {
      const task = await createSubmittedTask(graphqlClient(gateway.url, auth), {
        image: IMAGE_URL,
        prompt: 'end',
      });
      const socket = track(await acknowledged(gateway.url, auth));
      socket.send({
        type: 'subscribe',
        id: 'w',
        payload: { query: TASK_UPDATED, variables: { id: task.id } },
      });
      await socket.nextMessage((m) => m.type === 'next', 'the current state');
      gateway.simulator.advanceTask(task.providerTaskId ?? '', 'succeed');
      await socket.nextMessage((m) => m.type === 'complete', 'complete');

      const frames = socket.messages.slice(1);
      expect(frames.at(-1)).toEqual({ id: 'w', type: 'complete' });
      expect(frames.slice(0, -1).map((m) => [m.id, m.type])).toEqual(
        frames.slice(0, -1).map(() => ['w', 'next']),
      );
      expect(frames.at(-2)?.payload).toEqual({
        data: { taskUpdated: { id: task.id, status: 'SUCCEEDED', sequence: expect.any(Number) } },
      });
    });

    it('answers a subscription that fails to start with error, and no complete', async () => {
      const socket = track(await acknowledged(gateway.url, auth));
      socket.send({
        type: 'subscribe',
        id: 'gone',
        payload: { query: TASK_UPDATED, variables: { id: 'nope' } },
      });
      const error = await socket.nextMessage((m) => m.type === 'error', 'error');
      socket.send({ type: 'ping' });
      await socket.nextMessage((m) => m.type === 'pong', 'pong');

      expect(error).toEqual({
        id: 'gone',
        type: 'error',
        payload: [{ message: 'No task with this id', extensions: { code: 'NOT_FOUND' } }],
      });
      expect(socket.messages.map((m) => m.type)).toEqual(['connection_ack', 'error', 'pong']);
    });

    it('sends nothing more for a subscription the client completed, and frees its id', async () => {
      const task = await createSubmittedTask(graphqlClient(gateway.url, auth), {
        image: IMAGE_URL,
        prompt: 'quit',
      });
      const subscribe = {
        type: 'subscribe',
        id: 'w',
        payload: { query: TASK_UPDATED, variables: { id: task.id } },
      };
      const socket = track(await acknowledged(gateway.url, auth));
      // Hears the change on another socket: by then the fan-out has passed the first one too.
      const witness = track(await acknowledged(gateway.url, auth));
      socket.send(subscribe);
      witness.send(subscribe);
      await socket.nextMessage((m) => m.type === 'next', 'the current state');
      await witness.nextMessage((m) => m.type === 'next', 'the current state');
      socket.send({ type: 'complete', id: 'w' });
      socket.send({ type: 'ping' });
      await socket.nextMessage((m) => m.type === 'pong', 'pong');

      gateway.simulator.advanceTask(task.providerTaskId ?? '', 'processing');
      await witness.nextMessage(
        (m) => m.type === 'next' && JSON.stringify(m.payload).includes('PROCESSING'),
        'PROCESSING on the other socket',
      );
      expect(socket.messages.map((m) => m.type)).toEqual(['connection_ack', 'next', 'pong']);
      // The id is free again: subscribing with it is no 4409.
      socket.send(subscribe);
      const again = await socket.nextMessage(
        (m) => m.type === 'next' && socket.messages.indexOf(m) > 2,
        'next',
      );
      expect(JSON.stringify(again.payload)).toContain('PROCESSING');
      expect(socket.closedWith).toBeUndefined();
    });
  });
});

describe('graphql-transport-ws when the identity provider is down', () => {
  let jwks: JwksServer;
  let gateway: TestApp;
  let token: string;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    jwks = await startJwksServer(
      { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] },
      503,
    );
    gateway = await startTestApp({
      config: { auth: { mode: 'jwks', jwksUrl: jwks.url, claims: { clockToleranceS: 5 } } },
    });
    const now = Math.floor(Date.now() / 1000);
    token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('someone')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
  });
  afterAll(async () => {
    await gateway?.stop();
    await jwks?.stop();
  });

  // Not 4500: graphql-ws clients treat 4500 as fatal, while 1011 (the server met an unexpected
  // condition) is retried, which suits an outage that passes.
  it('closes with 1011 when the key set cannot be fetched: the token was not judged, so not 4403', async () => {
    const socket = await openSocket(gateway.url);
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    expect(await socket.closed()).toEqual({ code: 1011, reason: 'Identity provider unavailable' });
    expect(jwks.fetches).toBeGreaterThan(0);
  });
});

describe('graphql-transport-ws when the server shuts down', () => {
  it('closes every socket with 1001 (going away), so clients reconnect elsewhere', async () => {
    const gateway = await startTestApp();
    try {
      const socket = await acknowledged(gateway.url, {});
      await gateway.stopGateway();
      expect((await socket.closed()).code).toBe(1001);
    } finally {
      await gateway.stop();
    }
  });
});
