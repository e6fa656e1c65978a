import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createKlingClient, type KlingClient } from '../src/upstream/client.js';
import { KlingError } from '../src/upstream/errors.js';
import { type KlingSimulator, startKlingSimulator } from '../src/upstream/simulator/index.js';
import type { CreateImageToVideoBody } from '../src/upstream/wire.js';
import { IMAGE_URL } from './fixtures/images.js';
import { createTask } from './helpers/tasks.js';
import { startTestApp } from './helpers/test-app.js';

const ACCOUNT = { accessKey: 'ak-client-test', secretKey: 'sk-client-test-secret' };
const body = (externalTaskId: string): CreateImageToVideoBody => ({
  model_name: 'kling-v1',
  image: IMAGE_URL,
  duration: '5',
  external_task_id: externalTaskId,
});

describe('the upstream client against the provider protocol', () => {
  let simulator: KlingSimulator | undefined;
  let client: KlingClient | undefined;
  afterEach(async () => {
    await client?.close();
    await simulator?.stop();
  });

  it('signs an HS256 JWT from the access key and secret key, and reuses it', async () => {
    simulator = await startKlingSimulator({ accounts: [ACCOUNT], timings: 'manual' });
    client = createKlingClient({ baseUrl: simulator.url, auth: { kind: 'jwt', ...ACCOUNT } });
    await client.createImageToVideoTask(body('kg-jwt-1'));
    await client.getImageToVideoTask('kg-jwt-1');

    const tokens = simulator.requests.map((request) => request.authorization?.replace(/^Bearer /, ''));
    expect(new Set(tokens).size).toBe(1);
    const token = tokens[0] ?? '';
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(claims.iss).toBe(ACCOUNT.accessKey);
    const now = Math.floor(Date.now() / 1000);
    expect(claims.exp).toBeGreaterThanOrEqual(now + 1790);
    expect(claims.exp).toBeLessThanOrEqual(now + 1800);
    expect((claims.exp ?? 0) - (claims.nbf ?? 0)).toBe(1805);
  });

  it('re-mints the token once when the provider says it expired (1004)', async () => {
    simulator = await startKlingSimulator({ accounts: [ACCOUNT], timings: 'manual' });
    let now = Date.now();
    client = createKlingClient({ baseUrl: simulator.url, auth: { kind: 'jwt', ...ACCOUNT }, now: () => now });
    await client.createImageToVideoTask(body('kg-remint-1'));
    now += 1_000;
    simulator.injectFault({ on: 'query', fault: { type: 'expire-token' } });

    const task = await client.getImageToVideoTask('kg-remint-1');
    expect(task.task_info).toBe('kg-remint-1');
    const [, refused, retried] = simulator.requests.map((request) => request.authorization);
    expect(refused).not.toBe(retried);
  });

  it('mints a fresh token before the cached one expires', async () => {
    let now = Date.now();
    // The provider's clock moves with ours, or it would find the fresh token not yet valid.
    simulator = await startKlingSimulator({ accounts: [ACCOUNT], timings: 'manual', now: () => now });
    client = createKlingClient({ baseUrl: simulator.url, auth: { kind: 'jwt', ...ACCOUNT }, now: () => now });
    await client.listImageToVideoTasks({ pageNum: 1, pageSize: 10 });
    now += 26 * 60_000;
    await client.listImageToVideoTasks({ pageNum: 1, pageSize: 10 });

    const [first, second] = simulator.requests.map((request) => request.authorization);
    expect(first).not.toBe(second);
  });

  it('reports wrong credentials as an auth error with the provider code', async () => {
    simulator = await startKlingSimulator({ accounts: [ACCOUNT], timings: 'manual' });
    client = createKlingClient({
      baseUrl: simulator.url,
      auth: { kind: 'jwt', accessKey: ACCOUNT.accessKey, secretKey: 'wrong' },
    });
    const failure = await client
      .listImageToVideoTasks({ pageNum: 1, pageSize: 1 })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KlingError);
    expect(failure).toMatchObject({ kind: 'auth', code: 1002 });
  });

  it('reads an unknown task id as not-found', async () => {
    simulator = await startKlingSimulator({ accounts: [ACCOUNT], timings: 'manual' });
    client = createKlingClient({ baseUrl: simulator.url, auth: { kind: 'jwt', ...ACCOUNT } });
    await expect(client.getImageToVideoTask('kg-missing')).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('classifies a malformed body on a create as ambiguous', async () => {
    simulator = await startKlingSimulator({ accounts: [ACCOUNT], timings: 'manual' });
    client = createKlingClient({ baseUrl: simulator.url, auth: { kind: 'jwt', ...ACCOUNT } });
    simulator.injectFault({ on: 'create', fault: { type: 'malformed', variant: 'truncated-json' } });
    await expect(client.createImageToVideoTask(body('kg-malformed'))).rejects.toMatchObject({
      kind: 'ambiguous',
      errorName: 'KLING_MALFORMED_RESPONSE',
    });
  });

  it('classifies an unreachable provider as busy: nothing was created', async () => {
    client = createKlingClient({ baseUrl: 'http://127.0.0.1:9', auth: { kind: 'static', apiKey: 'k' } });
    await expect(client.createImageToVideoTask(body('kg-unreachable'))).rejects.toMatchObject({
      kind: 'busy',
      errorName: 'KLING_UNREACHABLE',
    });
  });
});

describe('a reseller: static bearer key under a path prefix', () => {
  it('serves the whole gateway unchanged', async () => {
    const gateway = await startTestApp({
      simulatorOptions: { accounts: [{ apiKey: 'sk-reseller-key' }], pathPrefix: '/kling' },
      upstreamAuth: { kind: 'static', apiKey: 'sk-reseller-key' },
    });
    try {
      expect(gateway.simulator.url).toMatch(/\/kling$/);
      const task = await createTask(gateway.client, { image: IMAGE_URL, prompt: 'via reseller' });
      expect(task.status).toBe('SUBMITTED');
      expect(
        gateway.simulator.requests.every((request) => request.authorization === 'Bearer sk-reseller-key'),
      ).toBe(true);
    } finally {
      await gateway.stop();
    }
  });
});
