/**
 * The lean SSE transport in front of Yoga: it serves a valid subscription itself, streamed straight
 * to Node's response, and hands every other request to Yoga with its body intact, so those answers
 * stay Yoga's. Mounted here on a server of its own in front of the gateway's schema and services.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../src/auth/verify-token.js';
import type { GatewayContext } from '../src/context.js';
import { buildSchema } from '../src/schema/index.js';
import { DEFAULT_LIMITS } from '../src/security/limits.js';
import { serveGraphqlOverSse } from '../src/transport/graphql-sse.js';
import type { TransportContext } from '../src/transport/graphql-websocket.js';
import { maskError } from '../src/transport/mask-errors.js';
import { IMAGE_URL } from './fixtures/images.js';
import { subscribe } from './helpers/subscriptions.js';
import { createTask } from './helpers/tasks.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { waitFor } from './helpers/wait-for.js';

const TASK_UPDATED = 'subscription($id: ID!) { taskUpdated(id: $id) { id status sequence } }';
type Watched = { taskUpdated: { id: string; status: string; sequence: number } };

describe('GraphQL over SSE in front of Yoga', () => {
  let gateway: TestApp;
  let server: Server;
  let url: string;
  /** Requests the SSE transport handed to Yoga. */
  let handedToYoga = 0;

  beforeAll(async () => {
    gateway = await startTestApp();
    const services = gateway.running.services;
    const verifier = createTokenVerifier({ mode: 'development' });
    const yoga = createYoga<TransportContext, GatewayContext>({
      schema: buildSchema(),
      maskedErrors: { maskError },
      logging: false,
      context: ({ viewer }) => ({ ...services, viewer: viewer ?? { id: 'local' } }),
    });
    const sse = serveGraphqlOverSse(yoga, {
      verifier,
      logger: pino({ level: 'silent' }),
      path: '/graphql',
      limits: DEFAULT_LIMITS,
    });
    server = createServer((request, response) => {
      if (!sse.wants(request)) return void yoga(request, response);
      void sse.serve(request, response, () => {
        handedToYoga += 1;
        void yoga(request, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await gateway.stop();
  });

  /** One SSE request as graphql-sse sends it; the raw answer. */
  async function post(body: unknown): Promise<{ status: number; text: string }> {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  }

  it("streams a task's states itself and completes after the final one", async () => {
    const before = handedToYoga;
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'sse' });
    const watch = subscribe<Watched>('sse', url, TASK_UPDATED, { id: task.id });
    try {
      await watch.waitFor((r) => r.data?.taskUpdated.status === 'SUBMITTED');
      gateway.simulator.advanceTask(task.providerTaskId ?? '', 'succeed');
      await watch.completed;
      expect(watch.results.map((r) => r.data?.taskUpdated.status)).toEqual(['SUBMITTED', 'SUCCEEDED']);
      expect(handedToYoga).toBe(before);
    } finally {
      await watch.dispose();
    }
  });

  it('gives two subscribers of one task the same events', async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'twice' });
    const watches = [1, 2].map(() => subscribe<Watched>('sse', url, TASK_UPDATED, { id: task.id }));
    try {
      for (const watch of watches) await watch.waitFor((r) => r.data?.taskUpdated.status === 'SUBMITTED');
      gateway.simulator.advanceTask(task.providerTaskId ?? '', 'processing');
      const processing = await Promise.all(
        watches.map((watch) => watch.waitFor((r) => r.data?.taskUpdated.status === 'PROCESSING')),
      );
      expect(processing[0]).toEqual(processing[1]);
    } finally {
      await Promise.all(watches.map((watch) => watch.dispose()));
    }
  });

  it('ends the stream with NOT_FOUND for a task that is not there', async () => {
    const unknown = Buffer.from('VideoTask:00000000-0000-4000-8000-000000000000').toString('base64');
    const answer = await post({ query: TASK_UPDATED, variables: { id: unknown } });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('"code":"NOT_FOUND"');
    expect(answer.text).toMatch(/event: complete\ndata:\n\n$/);
  });

  it('lets the slot go when the client leaves', async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'leave' });
    const watch = subscribe<Watched>('sse', url, TASK_UPDATED, { id: task.id });
    await watch.waitFor((r) => r.data?.taskUpdated.status === 'SUBMITTED');
    expect(gateway.running.services.subscriptionSlots.count()).toBe(1);
    await watch.dispose();
    await waitFor(() => (gateway.running.services.subscriptionSlots.count() === 0 ? true : undefined), {
      what: 'the slot to be free',
    });
  });

  it.each([
    ['a query', { query: '{ __typename }' }, 200, '"__typename":"Query"'],
    ['a document that does not parse', { query: 'subscription {' }, 200, 'GRAPHQL_PARSE_FAILED'],
    ['a missing variable', { query: TASK_UPDATED, variables: {} }, 400, 'BAD_USER_INPUT'],
    ['variables that are not an object', { query: TASK_UPDATED, variables: [1] }, 400, 'errors'],
  ])('hands %s to Yoga with its body, which answers it', async (_name, body, status, expected) => {
    const before = handedToYoga;
    const answer = await post(body);
    expect(handedToYoga).toBe(before + 1);
    expect(answer.status).toBe(status);
    expect(answer.text).toContain(expected);
  });
});

describe('GraphQL over SSE when the server shuts down', () => {
  it('cuts every open stream once the grace period is over, without completing it, so clients resume', async () => {
    const gateway = await startTestApp();
    try {
      const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'shutdown' });
      const watch = subscribe<Watched>('sse', gateway.url, TASK_UPDATED, { id: task.id });
      await watch.waitFor((r) => r.data?.taskUpdated.status === 'SUBMITTED');
      await gateway.stopGateway();
      await expect(watch.completed).rejects.toBeDefined();
    } finally {
      await gateway.stop();
    }
  });
});
