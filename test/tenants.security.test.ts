import { once } from 'node:events';
import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SecretKey } from '../src/auth/secret-key.js';
import { IMAGE_URL } from './fixtures/images.js';
import { CREATE_TASK, GET_TASK, LIST_TASKS, TASK_FIELDS, type TaskView } from './fixtures/operations.js';
import { graphqlClient } from './helpers/graphql-client.js';
import { subscribe, TRANSPORTS } from './helpers/subscriptions.js';
import { createTask } from './helpers/tasks.js';
import { startTestApp, TEST_ACCOUNT, type TestApp } from './helpers/test-app.js';

const SECRET = 'tenant-test-secret-0123456789abcdef-0123456789';
const key = new TextEncoder().encode(SECRET);

async function tokenFor(sub: string, lifetimeS = 600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeS)
    .sign(key);
}

const TASK_UPDATED = `subscription($id: ID!) { taskUpdated(id: $id) { ...TaskFields } } ${TASK_FIELDS}`;

describe('tenants: every task belongs to the user who created it', () => {
  const logLines: string[] = [];
  let gateway: TestApp;
  let alice: { authorization: string };
  let bob: { authorization: string };
  let aliceTask: TaskView;

  beforeAll(async () => {
    const capture = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    gateway = await startTestApp({
      config: { auth: { mode: 'secret', secret: new SecretKey(SECRET), claims: { clockToleranceS: 5 } } },
      logger: pino({ level: 'trace' }, capture),
    });
    alice = { authorization: `Bearer ${await tokenFor('alice')}` };
    bob = { authorization: `Bearer ${await tokenFor('bob')}` };
    aliceTask = await createTask(
      graphqlClient(gateway.url, alice),
      { image: IMAGE_URL, prompt: 'private' },
      'alice-key',
    );
  });
  afterAll(() => gateway.stop());

  it('refuses a request without a token, or with a bad one, as UNAUTHENTICATED with HTTP 401', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer not-a-jwt' },
      { authorization: `Bearer ${await tokenFor('x', -60)}` },
    ]) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ models { name } }' }),
      });
      expect(response.status).toBe(401);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it("shows another tenant's task exactly as a missing one: task, node, tasks", async () => {
    const asBob = graphqlClient(gateway.url, bob);
    const missing = Buffer.from('VideoTask:00000000-0000-4000-8000-000000000000').toString('base64');
    for (const id of [aliceTask.id, missing]) {
      expect(await asBob.expectData(GET_TASK, { id })).toEqual({ task: null });
      expect(await asBob.expectData('query($id: ID!) { node(id: $id) { id } }', { id })).toEqual({
        node: null,
      });
    }
    const listed = await asBob.expectData<{ tasks: { edges: unknown[] } }>(LIST_TASKS, {});
    expect(listed.tasks.edges).toHaveLength(0);
    const asAlice = await graphqlClient(gateway.url, alice).expectData<{ task: TaskView }>(GET_TASK, {
      id: aliceTask.id,
    });
    expect(asAlice.task.prompt).toBe('private');
  });

  it.each(TRANSPORTS)(
    "refuses to watch another tenant's task over %s exactly like a missing one",
    async (transport) => {
      const missing = Buffer.from('VideoTask:00000000-0000-4000-8000-000000000000').toString('base64');
      const outcomes = await Promise.all(
        [aliceTask.id, missing].map(async (id) => {
          const watch = subscribe<unknown>(transport, gateway.url, TASK_UPDATED, { id }, bob.authorization);
          const outcome = await watch.completed.then(
            () => JSON.stringify(watch.results),
            (error: unknown) => JSON.stringify(error),
          );
          await watch.dispose();
          return outcome.replace(/"locations":\[[^\]]*\],?/g, '');
        }),
      );
      expect(outcomes[0]).toContain('NOT_FOUND');
      expect(outcomes[0]).toBe(outcomes[1]);
    },
  );

  it("keeps idempotency keys per tenant: another tenant's key neither conflicts nor leaks", async () => {
    const asBob = graphqlClient(gateway.url, bob);
    const bobs = await asBob.expectData<{ createImageToVideoTask: { task: TaskView } }>(CREATE_TASK, {
      input: { image: IMAGE_URL, prompt: 'something else' },
      key: 'alice-key',
    });
    expect(bobs.createImageToVideoTask.task.id).not.toBe(aliceTask.id);
  });

  it("does not stream another tenant's changes to myTaskUpdates", async () => {
    const mine = subscribe<{ myTaskUpdates: { id: string } }>(
      'sse',
      gateway.url,
      'subscription($since: DateTime) { myTaskUpdates(since: $since) { id } }',
      { since: new Date(Date.now() - 60_000).toISOString() },
      bob.authorization,
    );
    try {
      const marker = await createTask(graphqlClient(gateway.url, bob), {
        image: IMAGE_URL,
        prompt: 'bob marker',
      });
      await mine.waitFor((r) => r.data?.myTaskUpdates.id === marker.id);
      gateway.simulator.advanceTask(aliceTask.providerTaskId ?? '', 'processing');
      const after = await createTask(graphqlClient(gateway.url, bob), {
        image: IMAGE_URL,
        prompt: 'bob after',
      });
      await mine.waitFor((r) => r.data?.myTaskUpdates.id === after.id);
      expect(mine.results.some((r) => r.data?.myTaskUpdates.id === aliceTask.id)).toBe(false);
    } finally {
      await mine.dispose();
    }
  });

  it('closes a WebSocket whose connection_init carries no valid token with 4403, before any operation', async () => {
    const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await once(socket, 'open');
    socket.send(
      JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer forged.token.here' } }),
    );
    const [code] = await once(socket, 'close');
    expect(code).toBe(4403);
  });

  it('closes a WebSocket when its token expires', async () => {
    const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await once(socket, 'open');
    const shortLived = await tokenFor('alice', 2);
    socket.send(
      JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${shortLived}` } }),
    );
    const [code] = await once(socket, 'close');
    expect(code).toBe(4403);
  });

  it('never writes a token, a key or a secret to the logs', () => {
    const logs = logLines.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [
      SECRET,
      TEST_ACCOUNT.secretKey,
      alice.authorization.slice(7),
      bob.authorization.slice(7),
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});
