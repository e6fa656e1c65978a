/**
 * Random raw HTTP against /graphql (fast-check): any method, path, query string, content type,
 * accept and content-encoding header, and any body (invalid or truncated JSON, JSON of any shape,
 * batches, huge and deeply nested documents, mutations over GET, binary noise), plus malformed HTTP
 * on a bare socket. The gateway never answers 5xx and keeps serving.
 *
 * FUZZ_RUNS=<n> runs the property n/10 times instead of the default (see fuzz-create-task.test.ts).
 */
import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 0);
const RUNS = FUZZ_RUNS > 0 ? Math.ceil(FUZZ_RUNS / 10) : 300;
const SEED = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };

interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

interface RawAnswer {
  status: number;
  body: string;
}

/** One request on its own connection, nothing added but Host and the body's length. */
function send(origin: string, raw: RawRequest): Promise<RawAnswer> {
  // Node frames a GET, DELETE or OPTIONS body only when told its length.
  const length = raw.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(raw.body)) };
  const headers = { ...raw.headers, ...length };
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${raw.path}`, { method: raw.method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      const answer = () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', answer);
      // The status is what is judged; a body cut short by the server closing is still an answer.
      res.on('error', answer);
    });
    req.on('error', reject);
    req.end(raw.body);
  });
}

/** Bytes written as they are on a fresh socket; resolves with the status line's code (0: none). */
async function sendBytes(port: number, bytes: string | Uint8Array): Promise<number> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  // A reset after the answer is the server's right; a silent hang is not.
  socket.on('error', () => {});
  let hung = false;
  socket.setTimeout(10_000 /* ms */, () => {
    hung = true;
    socket.destroy();
  });
  socket.end(bytes);
  await once(socket, 'close');
  if (hung) throw new Error('no answer and no close within 10 s');
  const statusLine = Buffer.concat(chunks).toString('latin1').split('\r\n')[0] ?? '';
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Documents

const nestedSelections = (depth: number) => `{${'a{'.repeat(depth)}b${'}'.repeat(depth + 1)}`;
const nestedListArgument = (depth: number) => `{__typename(x:${'['.repeat(depth)}${']'.repeat(depth)})}`;
const nestedObjectArgument = (depth: number) => `{__typename(x:${'{a:'.repeat(depth)}1${'}'.repeat(depth)})}`;

const CREATE =
  'mutation { createImageToVideoTask(input: { image: "https://example.com/a.png" }) { task { id } } }';

const document = fc.oneof(
  fc.constantFrom(
    '{ __typename }',
    'query { limits { promptMaxLength } }',
    CREATE,
    'subscription { __typename }',
    '{ __schema { types { name } } }',
    'query A { __typename } query B { __typename }',
    '{',
    '}',
    '',
    '#',
    '{ __typename @skip(if: true) @skip(if: false) }',
    'fragment F on Query { ...F } { ...F }',
  ),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.integer({ min: 1, max: 10_000 }).map(nestedSelections),
  fc.integer({ min: 1, max: 10_000 }).map(nestedListArgument),
  fc.integer({ min: 1, max: 5_000 }).map(nestedObjectArgument),
  fc.integer({ min: 1, max: 20_000 }).map((count) => `{ ${'__typename '.repeat(count)}}`),
  fc
    .integer({ min: 1, max: 2_000 })
    .map((count) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: __typename`).join(' ')} }`),
  fc.integer({ min: 1, max: 1_000_000 }).map((count) => `{ "${'x'.repeat(count)}" }`),
);

/** A JSON value nested `depth` deep, as text (JSON.stringify would recurse). */
const deepJson = fc
  .tuple(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) => `${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`);

const params = fc.record(
  {
    query: fc.oneof(document, fc.jsonValue()),
    variables: fc.oneof(fc.jsonValue(), fc.constant({ input: { image: 5 } })),
    operationName: fc.oneof(fc.string(), fc.jsonValue()),
    extensions: fc.oneof(fc.jsonValue(), fc.constant({ persistedQuery: { version: 1, sha256Hash: 'x' } })),
  },
  { requiredKeys: [] },
);

const jsonBody = fc.oneof(
  { arbitrary: params.map((value) => JSON.stringify(value)), weight: 6 },
  { arbitrary: fc.array(params, { maxLength: 5 }).map((batch) => JSON.stringify(batch)), weight: 2 },
  { arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)), weight: 2 },
  { arbitrary: deepJson, weight: 1 },
  {
    arbitrary: deepJson.map((variables) => `{"query":"{ __typename }","variables":${variables}}`),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom(
      '{"query":"{ __typename }","variables":NaN}',
      '{"query":"{ __typename }","variables":{"a":Infinity}}',
      '{"query":"{ __typename }","variables":{"a":1e400}}',
      '{"query":"{ __typename }"}{"query":"{ __typename }"}',
      '{"query":"{ __typename }",}',
      '{"query":"{ __typename }","query":"{ nope }"}',
      '{"__proto__":{"query":"{ __typename }"}}',
      '\ufeff{"query":"{ __typename }"}',
    ),
    weight: 1,
  },
);

/** Valid JSON cut anywhere. */
const truncatedJson = params
  .map((value) => JSON.stringify(value))
  .chain((text) => fc.nat({ max: Math.max(0, text.length - 1) }).map((end) => text.slice(0, end)));

const body = fc.oneof(
  { arbitrary: jsonBody, weight: 8 },
  { arbitrary: truncatedJson, weight: 2 },
  { arbitrary: fc.string(), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 2_000 }), weight: 1 },
  { arbitrary: document, weight: 2 },
  { arbitrary: fc.constant(undefined), weight: 1 },
);

// ---------------------------------------------------------------------------------------------
// Requests

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/graphql-response+json',
  'application/graphql+json',
  'application/graphql',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=x',
  'text/plain',
  'text/event-stream',
  'application/octet-stream',
  'application/json, text/plain',
  '*/*',
  '',
];

const ACCEPTS = [
  'application/json',
  'application/graphql-response+json',
  'text/event-stream',
  'multipart/mixed',
  'text/html',
  '*/*',
  'application/xml',
  'application/graphql-response+json;q=0, application/json;q=0',
  '',
];

/** Header values a client can put on the wire: printable ASCII. */
const headerText = fc.string({ maxLength: 200 });
const optionalHeader = (values: readonly string[]) =>
  fc.option(
    fc.oneof({ arbitrary: fc.constantFrom(...values), weight: 4 }, { arbitrary: headerText, weight: 1 }),
    {
      nil: undefined,
    },
  );

const searchValue = fc.oneof(
  document,
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string(),
  deepJson,
);
const searchParam = fc.tuple(
  fc.constantFrom('query', 'variables', 'extensions', 'operationName', 'x'),
  searchValue,
);
const queryString = fc.oneof(
  fc.array(searchParam, { maxLength: 4 }).map((pairs) => new URLSearchParams(pairs).toString()),
  fc.constantFrom('%', '%E0%A4%A', 'query=%7B', 'query', '&&&', 'variables=%7B&query=%7B__typename%7D'),
  fc.string().map((text) => encodeURI(text).replaceAll('#', '%23')),
);

const rawRequest: fc.Arbitrary<RawRequest> = fc
  .record({
    method: fc.constantFrom(
      'GET',
      'POST',
      'POST',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      'OPTIONS',
      'HEAD',
      'PROPFIND',
    ),
    path: fc.constantFrom(
      '/graphql',
      '/graphql',
      '/graphql',
      '/graphql/',
      '/GRAPHQL',
      '/',
      '/graphql/x',
      '//graphql',
    ),
    query: fc.option(queryString, { nil: undefined }),
    contentType: optionalHeader(CONTENT_TYPES),
    accept: optionalHeader(ACCEPTS),
    contentEncoding: optionalHeader(['gzip', 'deflate', 'br', 'identity', 'gzip, deflate']),
    body,
  })
  .map(({ method, path, query, contentType, accept, contentEncoding, body }) => ({
    method,
    path: query === undefined ? path : `${path}?${query}`,
    headers: {
      ...(contentType === undefined ? {} : { 'content-type': contentType }),
      ...(accept === undefined ? {} : { accept }),
      ...(contentEncoding === undefined ? {} : { 'content-encoding': contentEncoding }),
    },
    // RFC 9110 gives a GET body no meaning; Node answers without reading it and may reset the
    // connection while a large answer (GraphiQL's page) is still in flight.
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
  }));

const MALFORMED_HTTP = [
  'GARBAGE\r\n\r\n',
  'POST /graphql HTTP/9.9\r\nHost: x\r\n\r\n',
  'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
  'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}',
  'POST /graphql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  'POST /graphql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
  `GET /graphql?query=${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  `POST /graphql HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(100_000)}\r\n\r\n`,
  'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\nConnection: close\r\n\r\n{"query":',
  'POST /graphql HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{"query":"{ __typename }"}\n',
  'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n\u0000\u0000',
];

describe('raw HTTP to /graphql', () => {
  let gateway: TestApp;
  beforeAll(async () => {
    gateway = await startTestApp();
  });
  afterAll(() => gateway.stop());

  const port = () => Number(new URL(gateway.url).port);

  it(
    `never answers 5xx to random requests (${RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(rawRequest, async (raw) => {
          const answer = await send(gateway.url, raw);
          expect(answer.status, answer.body.slice(0, 1_000)).toBeGreaterThanOrEqual(200);
          expect(answer.status, answer.body.slice(0, 1_000)).toBeLessThan(500);
        }),
        { numRuns: RUNS, ...SEED },
      );
    },
    60_000 + RUNS * 200,
  );

  it.each([
    ['selection sets', nestedSelections(5_000)],
    ['list values', nestedListArgument(5_000)],
    ['object values', nestedObjectArgument(5_000)],
  ])('refuses a document with %s nested 5,000 deep as a client error', async (_kind, query) => {
    const answer = await send(gateway.url, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query }),
    });
    expect(answer.status, answer.body.slice(0, 1_000)).toBe(400);
  });

  it.each(['variables', 'extensions'])(
    'refuses GET with %s that are not JSON as a client error',
    async (param) => {
      const answer = await send(gateway.url, {
        method: 'GET',
        path: `/graphql?query=${encodeURIComponent('{ __typename }')}&${param}=%7B`,
        headers: {},
        body: undefined,
      });
      expect(answer.status, answer.body).toBe(400);
    },
  );

  it('refuses a mutation over GET without running it', async () => {
    const tasksBefore = gateway.simulator.requests.length;
    const answer = await send(gateway.url, {
      method: 'GET',
      path: `/graphql?query=${encodeURIComponent(CREATE)}`,
      headers: { accept: 'application/json' },
      body: undefined,
    });
    expect(answer.status).toBe(405);
    expect(gateway.simulator.requests.length).toBe(tasksBefore);
  });

  it('refuses a body of 45 MB without failing', async () => {
    const answer = await send(gateway.url, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body: `{"query":"{ __typename }","variables":{"x":"${'x'.repeat(45 * 1024 * 1024)}"}}`,
    });
    expect(answer.status).toBeLessThan(500);
  });

  it.each(MALFORMED_HTTP.map((bytes) => [bytes.slice(0, 60).replaceAll('\r\n', '⏎'), bytes]))(
    'answers malformed HTTP %j with a client error or a closed connection',
    async (_label, bytes) => {
      const status = await sendBytes(port(), bytes);
      if (status !== 0) expect(status).toBeLessThan(500);
    },
  );

  it('answers random bytes on a socket with a client error or a closed connection', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4_000 }), async (bytes) => {
        const status = await sendBytes(port(), Buffer.concat([bytes, Buffer.from('\r\n\r\n')]));
        if (status !== 0) expect(status).toBeLessThan(500);
      }),
      { numRuns: Math.ceil(RUNS / 3), ...SEED },
    );
  });

  it('still answers a GraphQL query afterwards', async () => {
    expect(await gateway.client.execute('{ __typename }')).toEqual({ data: { __typename: 'Query' } });
  });
});
