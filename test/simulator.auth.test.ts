/**
 * Who may call the simulator: official JWTs (1001 missing, 1002 invalid, 1003 not yet valid,
 * 1004 expired), reseller static keys under a path prefix, and 404s for anything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ACCOUNT,
  type KlingSimulator,
  startKlingSimulator,
} from '../src/upstream/simulator/index.js';
import { klingHttp } from './helpers/kling-http.js';
import { mintKlingJwt } from './helpers/kling-jwt.js';

const TASKS = '/v1/videos/image2video';

describe('official accounts (JWT)', () => {
  let simulator: KlingSimulator;
  beforeAll(async () => {
    simulator = await startKlingSimulator({ timings: 'manual' });
  });
  afterAll(() => simulator.stop());

  const call = (authorization: string | null) =>
    klingHttp(simulator.url, DEFAULT_ACCOUNT).send('GET', TASKS, { authorization });

  it('accepts a token signed with the secret key and iss = access key', async () => {
    const answer = await call(`Bearer ${await mintKlingJwt(DEFAULT_ACCOUNT)}`);
    expect(answer.envelope).toMatchObject({ code: 0, data: [] });
  });

  it('answers 1001 when the header is missing or empty', async () => {
    for (const header of [null, '']) {
      const answer = await call(header);
      expect(answer.status).toBe(401);
      expect(answer.envelope.code).toBe(1001);
    }
  });

  it.each([
    [
      'a bad signature',
      () => mintKlingJwt({ ...DEFAULT_ACCOUNT, secretKey: 'wrong' }).then((t) => `Bearer ${t}`),
    ],
    [
      'an unknown issuer',
      () => mintKlingJwt(DEFAULT_ACCOUNT, { issuer: 'nobody' }).then((t) => `Bearer ${t}`),
    ],
    ['a lowercase scheme', () => mintKlingJwt(DEFAULT_ACCOUNT).then((t) => `bearer ${t}`)],
    ['two spaces', () => mintKlingJwt(DEFAULT_ACCOUNT).then((t) => `Bearer  ${t}`)],
    ['no token', async () => 'Bearer '],
    ['garbage', async () => 'Bearer not.a.jwt'],
    ['the secret itself', async () => `Bearer ${DEFAULT_ACCOUNT.secretKey}`],
  ])('answers 1002 for %s', async (_name, header) => {
    const answer = await call(await header());
    expect(answer.status).toBe(401);
    expect(answer.envelope.code).toBe(1002);
  });

  it('answers 1003 before nbf and 1004 after exp', async () => {
    const early = await call(`Bearer ${await mintKlingJwt(DEFAULT_ACCOUNT, { notBeforeInSeconds: 60 })}`);
    expect([early.status, early.envelope.code]).toEqual([401, 1003]);
    const late = await call(`Bearer ${await mintKlingJwt(DEFAULT_ACCOUNT, { expiresInSeconds: -60 })}`);
    expect([late.status, late.envelope.code]).toEqual([401, 1004]);
  });

  it('checks the signature before the clock: a forged expired token is 1002, not 1004', async () => {
    const forged = await mintKlingJwt({ ...DEFAULT_ACCOUNT, secretKey: 'wrong' }, { expiresInSeconds: -60 });
    expect((await call(`Bearer ${forged}`)).envelope.code).toBe(1002);
  });

  it('records the request with its Authorization header and answered code', async () => {
    await call(null);
    expect(simulator.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: TASKS,
      authorization: undefined,
      answeredCode: 1001,
    });
  });
});

describe('reseller accounts (static key, path prefix)', () => {
  const API_KEY = 'sk-reseller-0123456789';
  let simulator: KlingSimulator;
  beforeAll(async () => {
    simulator = await startKlingSimulator({
      timings: 'manual',
      accounts: [{ apiKey: API_KEY }],
      pathPrefix: '/kling',
    });
  });
  afterAll(() => simulator.stop());

  it('serves every route under the prefix, and url includes it', async () => {
    expect(simulator.url).toBe(`${simulator.origin}/kling`);
    const created = await klingHttp(simulator.url, { apiKey: API_KEY }).post(TASKS, {
      image: 'https://example.com/a.png',
    });
    expect(created.envelope.code).toBe(0);
    expect(simulator.tasks()[0]?.account).toBe(API_KEY);
    expect(simulator.requests.at(-1)).toMatchObject({ path: TASKS });
  });

  it('refuses a wrong key with 1002', async () => {
    const answer = await klingHttp(simulator.url, { apiKey: 'sk-wrong' }).get(TASKS);
    expect([answer.status, answer.envelope.code]).toEqual([401, 1002]);
  });

  it('answers 404 / 1203 outside the prefix and for unknown paths, 404 / 1202 for a wrong method', async () => {
    const kling = klingHttp(simulator.origin, { apiKey: API_KEY });
    const outside = await kling.get(TASKS);
    expect([outside.status, outside.envelope.code]).toEqual([404, 1203]);
    const unknown = await kling.get('/kling/v1/videos/text2image');
    expect([unknown.status, unknown.envelope.code]).toEqual([404, 1203]);
    const wrongMethod = await kling.send('DELETE', `/kling${TASKS}`);
    expect([wrongMethod.status, wrongMethod.envelope.code]).toEqual([404, 1202]);
  });
});

describe('the clock', () => {
  it('checks nbf and exp against the `now` option, so tests can move time', async () => {
    let now = Date.now();
    const simulator = await startKlingSimulator({ timings: 'manual', now: () => now });
    try {
      const token = `Bearer ${await mintKlingJwt(DEFAULT_ACCOUNT, { expiresInSeconds: 60 })}`;
      const call = () =>
        klingHttp(simulator.url, DEFAULT_ACCOUNT).send('GET', TASKS, { authorization: token });
      expect((await call()).envelope.code).toBe(0);
      now += 61_000;
      expect((await call()).envelope.code).toBe(1004);
      now -= 3_600_000;
      expect((await call()).envelope.code).toBe(1003);
    } finally {
      await simulator.stop();
    }
  });
});
