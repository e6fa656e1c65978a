/**
 * The structured log: secrets never printed (by key, by shape, by value), every line of a request
 * tagged with its id, and one access line per request that echoes the id to the caller.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, REDACTED, requestIdFrom, scrubSecrets } from '../src/observability/logger.js';
import { handleWithRequestId, REQUEST_ID_HEADER, takeAccessLine } from '../src/observability/request-log.js';
import { waitFor } from './helpers/wait-for.js';

type Line = Record<string, unknown>;

function capture(level: Parameters<typeof createLogger>[0] = 'info', secrets: string[] = []) {
  const lines: Line[] = [];
  const text: string[] = [];
  const logger = createLogger(level, {
    secrets,
    destination: {
      write(line) {
        text.push(line);
        lines.push(JSON.parse(line) as Line);
      },
    },
  });
  return { logger, lines, text };
}

const CALLBACK_TOKEN = 'Qx3d9s0b1Zk8m2LwRr5tYh7uJ6nPv4cE1aB0fG9hI8j';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';

describe('createLogger', () => {
  it('redacts secret keys at any of the first three levels', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        headers: { authorization: `Bearer ${JWT}`, cookie: 'session=1', 'x-api-key': 'k-123' },
        req: { headers: { authorization: 'Basic dXNlcjpwYXNz' } },
        upstream: { auth: { accessKey: 'ak', secretKey: 'sk', apiKey: 'api' } },
        env: { KLING_SECRET_KEY: 'v1', KLING_API_KEY: 'v2', KLING_ACCESS_KEY: 'v3' },
        connectionParams: { authorization: 'Bearer x' },
        callbackToken: CALLBACK_TOKEN,
        taskId: 'kept',
      },
      'request',
    );
    expect(lines[0]).toMatchObject({
      headers: { authorization: REDACTED, cookie: REDACTED, 'x-api-key': REDACTED },
      req: { headers: { authorization: REDACTED } },
      upstream: { auth: { accessKey: REDACTED, secretKey: REDACTED, apiKey: REDACTED } },
      env: { KLING_SECRET_KEY: REDACTED, KLING_API_KEY: REDACTED, KLING_ACCESS_KEY: REDACTED },
      connectionParams: { authorization: REDACTED },
      callbackToken: REDACTED,
      taskId: 'kept',
    });
  });

  it('scrubs tokens from messages, URLs and error stacks, keeping the route', () => {
    const { logger, text } = capture();
    const url = `https://gw.example.com/callbacks/kling/${CALLBACK_TOKEN}`;
    logger.info({ url }, `callback for ${url} with Bearer ${JWT}`);
    logger.error({ err: new Error(`POST ${url} failed; token ${JWT}`) }, 'callback failed');
    const all = text.join('');
    expect(all).not.toContain(CALLBACK_TOKEN);
    expect(all).not.toContain(JWT);
    expect(all).toContain(`/callbacks/kling/${REDACTED}`);
    expect(all).toContain(`Bearer ${REDACTED}`);
  });

  it('removes the literal values of configured secrets wherever they appear', () => {
    const secret = 'sk-"quoted"\\and-long';
    const { logger, text } = capture('info', [secret, 'short', '']);
    logger.warn({ detail: `upstream said ${secret}` }, `key ${secret} rejected; short stays`);
    const all = text.join('');
    expect(all).not.toContain('quoted');
    expect(all).toContain('short stays');
  });

  it('writes JSON lines with a level name and an ISO time, honouring the level', () => {
    const { logger, lines } = capture('warn');
    logger.info('hidden');
    logger.warn('shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'shown' });
    expect(String(lines[0]?.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('scrubSecrets', () => {
  it('leaves ordinary text alone', () => {
    const line = '{"msg":"task kg-1 SUCCEEDED","url":"https://cdn.example.com/v.mp4"}';
    expect(scrubSecrets(line)).toBe(line);
  });

  it('hides the password of a database URL', () => {
    expect(scrubSecrets('"postgres://app:s3cret@db:5432/kg"')).toBe(`"postgres://${REDACTED}@db:5432/kg"`);
  });
});

describe('requestIdFrom', () => {
  it('keeps a caller-supplied token id and replaces anything else with a UUID', () => {
    expect(requestIdFrom('lb-7f3a.42')).toBe('lb-7f3a.42');
    expect(requestIdFrom(['first-id', 'second'])).toBe('first-id');
    for (const hostile of ['a b', 'x\n{"level":"fatal"}', 'x'.repeat(129), '', undefined]) {
      expect(requestIdFrom(hostile)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('handleWithRequestId', () => {
  const { logger, lines } = capture('debug');
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) =>
      handleWithRequestId(logger, request, response, () => {
        if (request.url === '/handed-over') return handOver(response);
        // Deep inside the handler, after an await: the id still travels with the log line.
        void Promise.resolve().then(() => {
          logger.info({ taskId: 't-1' }, 'inside the handler');
          response.writeHead(request.url === '/healthz' ? 200 : 201).end('ok');
        });
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('tags every line of the request, echoes the id, and closes with an access line', async () => {
    const response = await fetch(`${base}/graphql?query=secret-document`, {
      headers: { [REQUEST_ID_HEADER]: 'req-from-proxy' },
    });
    expect(response.headers.get(REQUEST_ID_HEADER)).toBe('req-from-proxy');
    const access = await waitFor(() =>
      lines.find((line) => line.msg === 'request' && line.path === '/graphql'),
    );
    expect(access).toMatchObject({ level: 'info', reqId: 'req-from-proxy', method: 'GET', status: 201 });
    expect(JSON.stringify(access)).not.toContain('secret-document');
    expect(lines.find((line) => line.msg === 'inside the handler')).toMatchObject({
      reqId: 'req-from-proxy',
      taskId: 't-1',
    });
  });

  /** As a stream that takes its connection over: it writes the line itself once it is done. */
  function handOver(response: ServerResponse): void {
    response.writeHead(202);
    const writeAccessLine = takeAccessLine(response);
    response.end('streamed', () => setTimeout(() => writeAccessLine(false), 50));
  }

  it('leaves the access line of a handed-over response to the stream, which writes it once', async () => {
    const response = await fetch(`${base}/handed-over`, { headers: { [REQUEST_ID_HEADER]: 'req-stream' } });
    expect(await response.text()).toBe('streamed');
    const access = await waitFor(() =>
      lines.find((line) => line.reqId === 'req-stream' && line.msg === 'request'),
    );
    expect(access).toMatchObject({ status: 202, path: '/handed-over', aborted: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines.filter((line) => line.reqId === 'req-stream' && line.msg === 'request')).toHaveLength(1);
  });

  it('makes an id when the caller sends none, and logs probes at debug', async () => {
    const response = await fetch(`${base}/healthz`);
    const id = response.headers.get(REQUEST_ID_HEADER);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const access = await waitFor(() => lines.find((line) => line.msg === 'request' && line.reqId === id));
    expect(access).toMatchObject({ level: 'debug', path: '/healthz', status: 200 });
  });
});
