/**
 * Provider callbacks: a hint that makes the gateway re-read a task from the provider, never a
 * source of truth. Served on the gateway's public URL (PUBLIC_URL, here a proxy on its own port) at
 * `/callbacks/kling/:token`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from '../src/db/schema.js';
import type { SimulatedRequest, SimulatorOptions } from '../src/upstream/simulator/index.js';
import { IMAGE_URL } from './fixtures/images.js';
import type { TaskView } from './fixtures/operations.js';
import { testDatabaseKinds } from './helpers/databases.js';
import { type PublicEndpoint, startPublicEndpoint } from './helpers/public-endpoint.js';
import { createSubmittedTask, readTask, waitForStatus } from './helpers/tasks.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { waitFor } from './helpers/wait-for.js';

const TASKS_PATH = '/v1/videos/image2video';
/** Long enough that the poller never reads a task in these tests unless told to. */
const POLLER_OFF = { pollIntervalMs: 3_600_000 };

const readsOf = (task: TaskView) => (request: SimulatedRequest) =>
  request.method === 'GET' && request.path === `${TASKS_PATH}/${task.providerTaskId}`;

function providerId(task: TaskView): string {
  if (task.providerTaskId === null) throw new Error(`task ${task.id} has no provider id`);
  return task.providerTaskId;
}

interface Setup {
  gateway: TestApp;
  endpoint: PublicEndpoint;
}

describe.each(testDatabaseKinds())('provider callbacks (%s)', (database) => {
  let setup: Setup | undefined;
  afterEach(async () => {
    await setup?.gateway.stop();
    await setup?.endpoint.stop();
    setup = undefined;
  });

  async function start(
    options: { config?: Record<string, unknown>; callbacks?: SimulatorOptions['callbacks'] } = {},
  ): Promise<Setup> {
    const endpoint = await startPublicEndpoint();
    const gateway = await startTestApp({
      database,
      config: { publicUrl: endpoint.url, ...POLLER_OFF, ...options.config },
      simulatorOptions: { callbacks: options.callbacks },
    });
    endpoint.forwardTo(gateway.url);
    setup = { gateway, endpoint };
    return setup;
  }

  const tokenOf = (gateway: TestApp, task: TaskView): string => {
    const upstream = gateway.simulator.tasks().find((candidate) => candidate.taskId === task.providerTaskId);
    const token = upstream?.callbackUrl?.split('/').at(-1);
    if (token === undefined) throw new Error(`task ${task.id} has no callback URL`);
    return token;
  };

  const postCallback = (
    gateway: TestApp,
    token: string,
    body: string,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${gateway.url}/callbacks/kling/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  const drained = (gateway: TestApp) => gateway.running.services.callbacks.drain();

  it('gives every create a callback URL under PUBLIC_URL with its own unguessable token', async () => {
    const { gateway, endpoint } = await start({ callbacks: { enabled: false } });
    const first = await createSubmittedTask(gateway.client, { image: IMAGE_URL, prompt: 'one' });
    const second = await createSubmittedTask(gateway.client, { image: IMAGE_URL, prompt: 'two' });

    const urls = gateway.simulator.tasks().map((task) => task.callbackUrl);
    const pattern = new RegExp(`^${endpoint.url}/callbacks/kling/[A-Za-z0-9_-]{43}$`);
    for (const url of urls) expect(url).toMatch(pattern);
    expect(new Set(urls).size).toBe(2);
    const [stored] = await gateway.running.services.db
      .select({ token: tasks.callbackToken })
      .from(tasks)
      .where(eq(tasks.externalTaskId, first.externalTaskId));
    expect(stored?.token).toBe(tokenOf(gateway, first));
    expect(tokenOf(gateway, second)).not.toBe(stored?.token);
  });

  it('drives a task to SUCCEEDED with its video by callbacks alone', async () => {
    const { gateway, endpoint } = await start();
    const task = await createSubmittedTask(gateway.client, { image: IMAGE_URL, prompt: 'callbacks only' });

    gateway.simulator.advanceTask(providerId(task), 'processing');
    await waitForStatus(gateway.client, task.id, 'PROCESSING');
    gateway.simulator.advanceTask(providerId(task), 'succeed');
    const done = await waitForStatus(gateway.client, task.id, 'SUCCEEDED');

    expect(done.videos).toHaveLength(1);
    expect(done.videos[0]?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/videos\/\d+\.mp4$/);
    expect(done.events.map((event) => event.status)).toEqual([
      'PENDING',
      'SUBMITTED',
      'PROCESSING',
      'SUCCEEDED',
    ]);
    // Each read was a callback's re-read: the poller stayed out of it, and lists were never read.
    await drained(gateway);
    const callbacks = endpoint.log.filter((entry) => entry.path.endsWith(tokenOf(gateway, task)));
    expect(callbacks.every((entry) => entry.status === 202)).toBe(true);
    expect(gateway.simulator.requests.filter(readsOf(task)).length).toBeLessThanOrEqual(callbacks.length);
    expect(gateway.simulator.requests.filter((r) => r.method === 'GET' && r.path === TASKS_PATH)).toEqual([]);
  });

  it('answers 404 to a callback for an unknown or malformed token, and nothing happens', async () => {
    const { gateway } = await start({ callbacks: { enabled: false } });
    const task = await createSubmittedTask(gateway.client, { image: IMAGE_URL, prompt: 'target' });
    const before = gateway.simulator.requests.length;
    const forged = JSON.stringify({ task_id: task.providerTaskId, task_status: 'succeed' });

    for (const token of [
      randomBytes(32).toString('base64url'),
      'short',
      '..%2F..%2Fgraphql',
      'x'.repeat(500),
    ]) {
      expect((await postCallback(gateway, token, forged)).status).toBe(404);
    }
    await drained(gateway);
    expect(gateway.simulator.requests.length).toBe(before);
    expect((await readTask(gateway.client, task.id))?.status).toBe('SUBMITTED');
  });

  it("re-reads the task on a genuine token's callback and applies the provider's word, not the body's", async () => {
    const { gateway } = await start({ callbacks: { enabled: false } });
    const task = await createSubmittedTask(gateway.client, { image: IMAGE_URL, prompt: 'lied about' });
    gateway.simulator.advanceTask(providerId(task), 'processing');
    const token = tokenOf(gateway, task);
    const lie = JSON.stringify({
      task_id: task.providerTaskId,
      task_status: 'succeed',
      task_result: { videos: [{ id: '1', url: 'https://attacker.example/video.mp4', duration: '5' }] },
    });

    const started = Date.now();
    expect((await postCallback(gateway, token, lie)).status).toBe(202);
    expect((await postCallback(gateway, token, '{"not json')).status).toBe(202);
    await drained(gateway);

    const after = await readTask(gateway.client, task.id);
    expect(after).toMatchObject({ status: 'PROCESSING', videos: [] });
    expect(
      gateway.simulator.requests.filter((r) => r.at >= started && readsOf(task)(r)).length,
    ).toBeGreaterThan(0);
  });

  it('answers at once while the provider is slow, and coalesces a burst into one re-read and one follow-up', async () => {
    const { gateway } = await start({ callbacks: { enabled: false } });
    const task = await createSubmittedTask(gateway.client, { image: IMAGE_URL, prompt: 'burst' });
    const token = tokenOf(gateway, task);
    gateway.simulator.injectFault({ on: 'query', fault: { type: 'delay', ms: 3_000 } });
    gateway.simulator.advanceTask(providerId(task), 'processing');
    const started = Date.now();

    const first = await postCallback(gateway, token, '{}');
    const answeredInMs = Date.now() - started;
    const burst = await Promise.all(Array.from({ length: 5 }, () => postCallback(gateway, token, '{}')));
    await drained(gateway);

    expect(first.status).toBe(202);
    expect(answeredInMs).toBeLessThan(1_500);
    expect(burst.map((response) => response.status)).toEqual([202, 202, 202, 202, 202]);
    expect(gateway.simulator.requests.filter((r) => r.at >= started && readsOf(task)(r))).toHaveLength(2);
    expect((await readTask(gateway.client, task.id))?.status).toBe('PROCESSING');
  });

  it('moves forward only under duplicated callbacks, with each status recorded once', async () => {
    const { gateway } = await start({ callbacks: { duplicate: true } });
    const task = await createSubmittedTask(gateway.client, { image: IMAGE_URL, prompt: 'twice' });
    gateway.simulator.advanceTask(providerId(task), 'processing');
    await waitForStatus(gateway.client, task.id, 'PROCESSING');
    gateway.simulator.advanceTask(providerId(task), 'succeed');
    await waitForStatus(gateway.client, task.id, 'SUCCEEDED');

    // Late and out-of-order deliveries of earlier states, after the end.
    const token = tokenOf(gateway, task);
    for (const status of ['processing', 'submitted', 'failed']) {
      const stale = JSON.stringify({ task_id: task.providerTaskId, task_status: status });
      expect((await postCallback(gateway, token, stale)).status).toBe(202);
    }
    await drained(gateway);

    const after = await readTask(gateway.client, task.id);
    expect(after?.status).toBe('SUCCEEDED');
    expect(after?.events.map((event) => [event.sequence, event.status])).toEqual([
      [1, 'PENDING'],
      [2, 'SUBMITTED'],
      [3, 'PROCESSING'],
      [4, 'SUCCEEDED'],
    ]);
  });

  it('settles a task from its terminal callback alone when the provider sends no other', async () => {
    const { gateway } = await start({ callbacks: { statuses: 'terminal' } });
    const task = await createSubmittedTask(gateway.client, {
      image: IMAGE_URL,
      prompt: 'quiet provider sim:fail',
    });
    gateway.simulator.advanceTask(providerId(task), 'processing');
    gateway.simulator.advanceTask(providerId(task), 'failed', 'Failure to pass the risk control system');

    const failed = await waitForStatus(gateway.client, task.id, 'FAILED');
    expect(failed).toMatchObject({
      statusMessage: 'Failure to pass the risk control system',
      failureCode: 'GENERATION_FAILED',
    });
    expect(failed.events.map((event) => event.status)).toEqual(['PENDING', 'SUBMITTED', 'FAILED']);
  });

  it('never polls a task a callback settled, even once it is due', async () => {
    const { gateway } = await start();
    const settled = await createSubmittedTask(gateway.client, { image: IMAGE_URL, prompt: 'settled' });
    const running = await createSubmittedTask(gateway.client, { image: IMAGE_URL, prompt: 'still running' });
    gateway.simulator.advanceTask(providerId(settled), 'succeed');
    await waitForStatus(gateway.client, settled.id, 'SUCCEEDED');
    await drained(gateway);

    const started = Date.now();
    const { db } = gateway.running.services;
    await db
      .update(tasks)
      .set({ nextAttemptAt: sql`now()` })
      .where(sql`${tasks.externalTaskId} in (${settled.externalTaskId}, ${running.externalTaskId})`);
    // Passes run until the task still in flight has been read: proof that a pass ran after the change.
    await waitFor(async () => {
      await gateway.running.poller.pollNow();
      const reads = gateway.simulator.requests.filter((r) => r.at >= started && readsOf(running)(r));
      return reads.length > 0 ? true : undefined;
    });
    expect(gateway.simulator.requests.filter((r) => r.at >= started && readsOf(settled)(r))).toEqual([]);
  });

  describe('with a Standard Webhooks secret', () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const signer = new Webhook(secret);
    const signed = (body: string, at = new Date(), id = `msg_${randomUUID()}`) => ({
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(id, at, body),
    });

    it('accepts a valid signature and refuses missing, wrong, stale or mismatched ones', async () => {
      const { gateway, endpoint } = await start({ config: { webhookSecret: secret } });
      const task = await createSubmittedTask(gateway.client, { image: IMAGE_URL, prompt: 'signed' });
      const token = tokenOf(gateway, task);
      gateway.simulator.advanceTask(providerId(task), 'processing');
      // The simulator does not sign: its callbacks are refused, and the task stays as it was.
      await waitFor(() => (endpoint.log.some((entry) => entry.status === 401) ? true : undefined));
      await drained(gateway);
      expect((await readTask(gateway.client, task.id))?.status).toBe('SUBMITTED');

      const body = JSON.stringify({ task_id: task.providerTaskId, task_status: 'processing' });
      const before = gateway.simulator.requests.length;
      const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
      const refusals = [
        {},
        { ...signed(body), 'webhook-signature': `v1,${randomBytes(32).toString('base64')}` },
        signed(body, tenMinutesAgo),
        signed(`${body} `),
        { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) },
      ];
      for (const headers of refusals)
        expect((await postCallback(gateway, token, body, headers)).status).toBe(401);
      await drained(gateway);
      expect(gateway.simulator.requests.length).toBe(before);

      expect((await postCallback(gateway, token, body, signed(body))).status).toBe(202);
      await drained(gateway);
      expect((await readTask(gateway.client, task.id))?.status).toBe('PROCESSING');
    });
  });
});
