/**
 * Injected faults: each rule answers the next matching requests (oldest rule first, `times` times),
 * either instead of acting or, for lose-response, after acting. Also reachable over HTTP.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_ACCOUNT,
  type FaultRule,
  type KlingSimulator,
  startKlingSimulator,
} from '../src/upstream/simulator/index.js';
import { type KlingHttp, klingHttp } from './helpers/kling-http.js';
import { mintKlingJwt } from './helpers/kling-jwt.js';

const TASKS = '/v1/videos/image2video';

let simulator: KlingSimulator;
let kling: KlingHttp;
beforeEach(async () => {
  simulator = await startKlingSimulator({ timings: 'manual' });
  kling = klingHttp(simulator.url, DEFAULT_ACCOUNT);
});
afterEach(() => simulator.stop());

let sequence = 0;
const create = () =>
  kling.post(TASKS, { image: 'https://example.com/a.png', external_task_id: `kg-fault-${++sequence}` });

describe('error', () => {
  it('answers the code with its table status without acting, `times` times, then behaves', async () => {
    simulator.injectFault({ on: 'create', times: 2, fault: { type: 'error', code: 5001 } });
    for (let i = 0; i < 2; i += 1) {
      const answer = await create();
      expect([answer.status, answer.envelope.code]).toEqual([503, 5001]);
    }
    expect(simulator.tasks()).toEqual([]);
    expect((await create()).envelope.code).toBe(0);
    expect(simulator.requests.map((request) => request.answeredCode)).toEqual([5001, 5001, 0]);
  });

  it('takes an explicit status and message, and the configured status for 1303', async () => {
    simulator.injectFault({
      on: 'create',
      fault: { type: 'error', code: 5002, httpStatus: 200, message: 'backlog' },
    });
    simulator.injectFault({ on: 'create', fault: { type: 'error', code: 1303 } });
    const first = await create();
    expect([first.status, first.envelope.code, first.envelope.message]).toEqual([200, 5002, 'backlog']);
    const second = await create();
    expect([second.status, second.envelope.code]).toEqual([429, 1303]);
  });

  it('applies only to its target, oldest matching rule first; `any` matches every route', async () => {
    simulator.injectFault({ on: 'query', fault: { type: 'error', code: 5000 } });
    simulator.injectFault({ on: 'any', fault: { type: 'error', code: 1302 } });
    simulator.injectFault({ on: 'list', fault: { type: 'error', code: 5001 } });

    expect((await create()).envelope.code).toBe(1302); // the query rule is skipped, 'any' matches
    expect((await kling.get(TASKS)).envelope.code).toBe(5001);
    expect((await kling.get(`${TASKS}/kg-fault-1`)).envelope.code).toBe(5000);
    expect((await create()).envelope.code).toBe(0);
  });

  it('is cleared by clearFaults()', async () => {
    simulator.injectFault({ on: 'any', times: 5, fault: { type: 'error', code: 5000 } });
    simulator.clearFaults();
    expect((await create()).envelope.code).toBe(0);
  });

  it('refuses a malformed rule at once', () => {
    expect(() =>
      simulator.injectFault({ on: 'create', fault: { type: 'nope' } } as unknown as FaultRule),
    ).toThrow();
  });
});

describe('lose-response', () => {
  it('error-body: the caller gets 500 / 5000 but the task exists and recovery finds it', async () => {
    simulator.injectFault({ on: 'create', fault: { type: 'lose-response', as: 'error-body' } });
    const lost = await create();
    expect([lost.status, lost.envelope.code]).toEqual([500, 5000]);
    const recovered = await kling.get(`${TASKS}/kg-fault-${sequence}`);
    expect(recovered.data).toMatchObject({ task_id: simulator.tasks()[0]?.taskId, task_status: 'submitted' });
  });

  it('drop-connection: the caller sees the socket close but the task exists', async () => {
    simulator.injectFault({ on: 'create', fault: { type: 'lose-response', as: 'drop-connection' } });
    await expect(create()).rejects.toThrow();
    expect(simulator.tasks()).toMatchObject([{ externalTaskId: `kg-fault-${sequence}` }]);
    expect(simulator.requests[0]?.answeredCode).toBeUndefined();
  });
});

describe('faults that do not act', () => {
  it('drop-connection closes the socket and creates nothing', async () => {
    simulator.injectFault({ on: 'create', fault: { type: 'drop-connection' } });
    await expect(create()).rejects.toThrow();
    expect(simulator.tasks()).toEqual([]);
  });

  it.each([
    ['truncated-json', 200, 'application/json'],
    ['html', 502, 'text/html'],
    ['not-envelope', 200, 'application/json'],
  ] as const)(
    'malformed %s answers HTTP %i with a body that is not a Kling envelope',
    async (variant, status, type) => {
      simulator.injectFault({ on: 'query', fault: { type: 'malformed', variant } });
      const response = await fetch(`${simulator.url}${TASKS}/1`, {
        headers: { authorization: `Bearer ${await mintKlingJwt(DEFAULT_ACCOUNT)}` },
      });
      expect([response.status, response.headers.get('content-type')]).toEqual([status, type]);
      const text = await response.text();
      const isEnvelope = (() => {
        try {
          const parsed: unknown = JSON.parse(text);
          return typeof parsed === 'object' && parsed !== null && 'code' in parsed && 'request_id' in parsed;
        } catch {
          return false;
        }
      })();
      expect(isEnvelope, text).toBe(false);
    },
  );

  it('expire-token answers 401 / 1004 once; the same token then works', async () => {
    simulator.injectFault({ on: 'list', fault: { type: 'expire-token' } });
    const token = `Bearer ${await mintKlingJwt(DEFAULT_ACCOUNT)}`;
    const expired = await kling.send('GET', TASKS, { authorization: token });
    expect([expired.status, expired.envelope.code]).toEqual([401, 1004]);
    expect((await kling.send('GET', TASKS, { authorization: token })).envelope.code).toBe(0);
  });

  it('delay answers late, then normally', async () => {
    simulator.injectFault({ on: 'create', fault: { type: 'delay', ms: 60 } });
    const sentAt = Date.now();
    const answer = await create();
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(55);
    expect(answer.envelope.code).toBe(0);
  });
});

describe('over HTTP (standalone use, no auth)', () => {
  const control = (method: string, path: string, body?: unknown) =>
    fetch(`${simulator.origin}/_simulator${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('queues, validates and clears fault rules', async () => {
    expect(
      (await control('POST', '/faults', { on: 'create', fault: { type: 'error', code: 5000 } })).status,
    ).toBe(201);
    expect((await create()).envelope.code).toBe(5000);

    const bad = await control('POST', '/faults', { on: 'everything', fault: { type: 'error' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid fault rule', issues: expect.any(Array) });

    await control('POST', '/faults', { on: 'create', fault: { type: 'error', code: 5000 } });
    expect((await control('DELETE', '/faults')).status).toBe(200);
    expect((await create()).envelope.code).toBe(0);
  });

  it('lists tasks and advances one forward only', async () => {
    const taskId = String((await create()).data.task_id);
    expect(await (await control('GET', '/tasks')).json()).toMatchObject([{ taskId, status: 'submitted' }]);

    const advanced = await control('POST', `/tasks/${taskId}/advance`, { to: 'succeed' });
    expect([advanced.status, await advanced.json()]).toEqual([
      200,
      expect.objectContaining({ status: 'succeed' }),
    ]);
    expect((await control('POST', `/tasks/${taskId}/advance`, { to: 'processing' })).status).toBe(409);
    expect((await control('POST', `/tasks/${taskId}/advance`, { to: 'done' })).status).toBe(400);
    expect((await control('POST', '/tasks/404/advance', { to: 'succeed' })).status).toBe(404);
  });
});
