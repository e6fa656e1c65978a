import { request } from 'node:http';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_LIMITS, type GatewayLimits } from '../src/security/limits.js';
import { IMAGE_URL } from './fixtures/images.js';
import { CREATE_TASK } from './fixtures/operations.js';
import { testDatabaseKinds } from './helpers/databases.js';
import { subscribe } from './helpers/subscriptions.js';
import { createTask, waitForStatus } from './helpers/tasks.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const TIGHT: GatewayLimits = {
  ...DEFAULT_LIMITS,
  maxDepth: 4,
  maxAliases: 2,
  maxDirectives: 2,
  maxTokens: 40,
  maxCost: 30,
  maxBodyBytes: 64 * 1024,
};

/** Everyday document limits, with small quotas and subscription caps. */
const QUOTAS: GatewayLimits = {
  ...DEFAULT_LIMITS,
  createsPerMinute: 3,
  tasksInFlightPerTenant: 100,
  subscriptionsPerConnection: 2,
  subscriptionsPerTenant: 3,
};

describe('limits on what one client may ask of the gateway', () => {
  let gateway: TestApp;
  beforeAll(async () => {
    gateway = await startTestApp({ config: { limits: { ...TIGHT, maxCost: 1_000, maxTokens: 1_000 } } });
  });
  afterAll(() => gateway.stop());

  it('accepts a document at the depth limit and refuses one level deeper', async () => {
    const atLimit = await gateway.client.execute('{ tasks { edges { node { id } } } }');
    expect(atLimit.errors).toBeUndefined();
    const over = await gateway.client.execute('{ tasks { edges { node { videos { url } } } } }');
    expect(over.errors?.[0]?.message).toMatch(/depth/i);
  });

  it('accepts the alias limit and refuses one more alias', async () => {
    const atLimit = await gateway.client.execute('{ a: models { name } b: models { name } }');
    expect(atLimit.errors).toBeUndefined();
    const over = await gateway.client.execute('{ a: models { name } b: models { name } c: models { name } }');
    expect(over.errors?.[0]?.message).toMatch(/Aliases limit of 2/);
  });

  it('accepts the directive limit and refuses one more directive', async () => {
    const atLimit = await gateway.client.execute('{ models @skip(if: false) { name @include(if: true) } }');
    expect(atLimit.errors).toBeUndefined();
    const over = await gateway.client.execute(
      '{ models @skip(if: false) { name @include(if: true) output @include(if: true) } }',
    );
    expect(over.errors?.[0]?.message).toMatch(/Directives limit of 2/);
  });

  it('refuses a request body over the limit before reading it, and keeps serving others', async () => {
    const query = '{ models { name } }';
    const padding = ' '.repeat(TIGHT.maxBodyBytes);
    const over = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: query + padding }),
    });
    expect(over.status).toBe(413);
    expect(await over.json()).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });

    const exactly = JSON.stringify({ query }).padEnd(TIGHT.maxBodyBytes, ' ');
    const atLimit = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: exactly,
    });
    expect(Buffer.byteLength(exactly)).toBe(TIGHT.maxBodyBytes);
    expect(atLimit.status).toBe(200);
  });

  it('refuses a chunked request body, which declares no length, however it ends', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = request(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      outgoing.on('response', (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      // The gateway may answer and close before the whole body is written.
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
      });
      outgoing.write(JSON.stringify({ query: '{ models { name } }' }));
      outgoing.end(' '.repeat(TIGHT.maxBodyBytes));
    });
    expect(answer.status).toBe(411);
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ extensions: { code: 'LENGTH_REQUIRED' } }] });
  });
});

describe('caps on live subscriptions', () => {
  let gateway: TestApp;
  beforeAll(async () => {
    gateway = await startTestApp({ config: { limits: QUOTAS } });
  });
  afterAll(() => gateway.stop());

  it('caps live subscriptions on one WebSocket connection', async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL });
    const client = createClient({
      url: `${gateway.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const query = 'subscription($id: ID!) { taskUpdated(id: $id) { id status } }';
    const outcomes = Array.from({ length: QUOTAS.subscriptionsPerConnection + 1 }, () => {
      const received: unknown[] = [];
      const done = new Promise<string>((resolve) => {
        client.subscribe(
          { query, variables: { id: task.id } },
          {
            next: (value) => {
              received.push(value);
              resolve('live');
            },
            error: (error) => resolve(JSON.stringify(error)),
            complete: () => resolve('completed'),
          },
        );
      });
      return done;
    });
    try {
      const results = await Promise.all(outcomes);
      expect(results.filter((result) => result === 'live')).toHaveLength(QUOTAS.subscriptionsPerConnection);
      expect(results.find((result) => result !== 'live')).toContain('SUBSCRIPTION_LIMIT');
    } finally {
      await client.dispose();
    }
  });

  it('caps live subscriptions per user across connections', async () => {
    const task = await createTask(gateway.client, { image: IMAGE_URL });
    const query = 'subscription($id: ID!) { taskUpdated(id: $id) { id status } }';
    const watches = Array.from({ length: 3 }, () =>
      subscribe<unknown>('sse', gateway.url, query, { id: task.id }),
    );
    try {
      for (const watch of watches) await watch.waitFor((r) => r.data !== undefined);
      const fourth = subscribe<unknown>('sse', gateway.url, query, { id: task.id });
      const refusal = await fourth.completed.then(
        () => JSON.stringify(fourth.results),
        (error: unknown) => JSON.stringify(error),
      );
      expect(refusal).toContain('SUBSCRIPTION_LIMIT');
      await fourth.dispose();
    } finally {
      await Promise.all(watches.map((watch) => watch.dispose()));
    }
  });
});

describe('document size limits', () => {
  let gateway: TestApp;
  beforeAll(async () => {
    gateway = await startTestApp({ config: { limits: TIGHT } });
  });
  afterAll(() => gateway.stop());

  it('refuses a document over the token limit', async () => {
    const fields = Array.from({ length: 40 }, () => 'name').join(' ');
    const over = await gateway.client.execute(`{ models { ${fields} } }`);
    expect(over.errors?.[0]?.message).toMatch(/Token limit of 40/);
    const small = await gateway.client.execute('{ models { name } }');
    expect(small.errors).toBeUndefined();
  });

  it('refuses a document over the cost limit', async () => {
    const over = await gateway.client.execute(
      '{ tasks { edges { node { videos { url } events { status } } } } }',
    );
    expect(over.errors?.[0]?.message).toMatch(/Cost limit of 30/);
  });
});

describe('per-user quotas on creating tasks', () => {
  let gateway: TestApp;
  afterAll(() => gateway?.stop());

  it('allows the rate limit and refuses the next create with RATE_LIMITED, storing nothing', async () => {
    gateway = await startTestApp({ config: { limits: QUOTAS } });
    for (let i = 0; i < QUOTAS.createsPerMinute; i++) await createTask(gateway.client, { image: IMAGE_URL });
    const refused = await gateway.client.execute(CREATE_TASK, { input: { image: IMAGE_URL } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 3 });
    expect(gateway.simulator.tasks()).toHaveLength(QUOTAS.createsPerMinute);
  });

  it('allows the in-flight cap and refuses one more unfinished task with TOO_MANY_TASKS_IN_FLIGHT', async () => {
    const inFlight = await startTestApp({
      config: { limits: { ...QUOTAS, createsPerMinute: 100, tasksInFlightPerTenant: 2 } },
    });
    try {
      const first = await createTask(inFlight.client, { image: IMAGE_URL });
      await createTask(inFlight.client, { image: IMAGE_URL });
      const refused = await inFlight.client.execute(CREATE_TASK, { input: { image: IMAGE_URL } });
      expect(refused.errors?.[0]?.extensions?.code).toBe('TOO_MANY_TASKS_IN_FLIGHT');

      inFlight.simulator.advanceTask(first.providerTaskId ?? '', 'succeed');
      await waitForStatus(inFlight.client, first.id, 'SUCCEEDED');
      const accepted = await createTask(inFlight.client, { image: IMAGE_URL });
      expect(accepted.status).toBe('SUBMITTED');
    } finally {
      await inFlight.stop();
    }
  });
});

describe('quotas under concurrency', () => {
  it.each(testDatabaseKinds())(
    'counts simultaneous creates exactly: only as many as the quota allows are stored and sent (%s)',
    async (database) => {
      const racing = await startTestApp({ database, config: { limits: { ...QUOTAS, createsPerMinute: 4 } } });
      try {
        const results = await Promise.all(
          Array.from({ length: 10 }, () =>
            racing.client.execute(CREATE_TASK, { input: { image: IMAGE_URL } }),
          ),
        );
        const codes = results.map((result) => result.errors?.[0]?.extensions?.code ?? 'CREATED');
        expect(codes.filter((code) => code === 'CREATED')).toHaveLength(4);
        expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(6);
        expect(racing.simulator.tasks()).toHaveLength(4);
        const stored = await racing.client.execute<{ tasks: { edges: unknown[] } }>(
          '{ tasks { edges { cursor } } }',
        );
        expect(stored.data?.tasks.edges).toHaveLength(4);
      } finally {
        await racing.stop();
      }
    },
  );
});
