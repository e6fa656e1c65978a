/**
 * The `fetch` the farm's graphql-sse clients receive their streams with: undici's `request`,
 * answering with the response body as the Node stream undici reads it into. graphql-sse's client
 * reads a Node stream as it is (it iterates any body that is async-iterable), so each event goes
 * socket → HTTP parser → one stream → the client's SSE parser.
 *
 * Why not Node's own `fetch`: it puts a WHATWG `ReadableStream` on top of that same Node stream,
 * and on Node 20 those web streams cost the farm more per event than the gateway's whole delivery
 * (bench/findings.md, sixth round). A browser's `fetch` is native code, so the web-stream layer
 * measures Node, not anything a frontend would see. Row 5 still reports a plain SSE server read
 * through Node's `fetch`, to show what that layer costs.
 */
import { STATUS_CODES } from 'node:http';
import { type Dispatcher, request } from 'undici';

interface StreamFetchInit {
  method?: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  body?: string | null;
  signal?: AbortSignal | null;
}

/** The part of a `Response` graphql-sse's client reads. */
interface StreamResponse {
  ok: boolean;
  status: number;
  statusText: string;
  body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
}

export async function streamFetch(url: string, init: StreamFetchInit = {}): Promise<StreamResponse> {
  const response = await request(url, {
    method: init.method ?? 'GET',
    headers: init.headers ?? {},
    body: init.body ?? null,
    signal: init.signal ?? null,
  });
  return {
    ok: response.statusCode >= 200 && response.statusCode < 300,
    status: response.statusCode,
    statusText: STATUS_CODES[response.statusCode] ?? '',
    body: response.body,
    text: () => response.body.text(),
  };
}
