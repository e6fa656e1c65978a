/**
 * The provider's image-to-video API over HTTP (undici). One client serves the official API (JWT),
 * passthrough resellers (static key, path prefix in the base URL) and the simulator. It speaks the
 * protocol and classifies failures; retry policy belongs to its callers, except the one re-mint of
 * an expired token, which only the client can do.
 */
import { Agent, type Dispatcher, request } from 'undici';
import type { z } from 'zod';
import type { UpstreamAuth } from '../config.js';
import { createBearerTokens } from './auth.js';
import { KlingError } from './errors.js';
import {
  type CreateImageToVideoBody,
  envelopeSchema,
  IMAGE_TO_VIDEO_PATH,
  PRESET_VOICES_PATH,
  type WireTask,
  type WireVoice,
  wirePresetVoicesSchema,
  wireTaskListSchema,
  wireTaskSchema,
} from './wire.js';

export type KlingOperation = 'create' | 'query' | 'list' | 'voices';

/** One finished exchange, for metrics and logs. `code` is Kling's body code, or null without one. */
export interface KlingExchange {
  operation: KlingOperation;
  durationMs: number;
  code: number | null;
  errorName: string | null;
}

export interface KlingClientOptions {
  /** Up to, not including, `/v1/...`: `https://api-singapore.klingai.com` or `https://host/kling`. */
  baseUrl: string;
  auth: UpstreamAuth;
  /** Bound on one exchange, ms. @default 30_000 */
  timeoutMs?: number;
  /** @default a keep-alive Agent owned (and closed) by the client */
  dispatcher?: Dispatcher;
  /** Clock in ms for token minting. @default Date.now */
  now?: () => number;
  onExchange?: (exchange: KlingExchange) => void;
}

export interface KlingClient {
  createImageToVideoTask(body: CreateImageToVideoBody): Promise<WireTask>;
  /** By `task_id` or `external_task_id`; a miss throws a KlingError of kind `not-found`. */
  getImageToVideoTask(id: string): Promise<WireTask>;
  listImageToVideoTasks(page: { pageNum: number; pageSize: number }): Promise<WireTask[]>;
  listPresetVoices(): Promise<WireVoice[]>;
  close(): Promise<void>;
}

/** Connection failures that prove the request never reached the provider. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface Exchange<T> {
  operation: KlingOperation;
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  data: z.ZodType<T>;
}

export function createKlingClient(options: KlingClientOptions): KlingClient {
  const tokens = createBearerTokens(options.auth, options.now ? { now: options.now } : {});
  const ownDispatcher =
    options.dispatcher === undefined ? new Agent({ keepAliveTimeout: 30_000 /* ms */ }) : undefined;
  const dispatcher = options.dispatcher ?? (ownDispatcher as Dispatcher);
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function send<T>(exchange: Exchange<T>, reminted = false): Promise<T> {
    const startedAt = performance.now();
    try {
      const data = await sendOnce(exchange);
      options.onExchange?.({
        operation: exchange.operation,
        durationMs: performance.now() - startedAt,
        code: 0,
        errorName: null,
      });
      return data;
    } catch (error) {
      const failure = asKlingError(error, exchange.operation);
      options.onExchange?.({
        operation: exchange.operation,
        durationMs: performance.now() - startedAt,
        code: failure.code,
        errorName: failure.errorName,
      });
      // 1003/1004 are about our token's clock: one fresh token settles it.
      if ((failure.code === 1003 || failure.code === 1004) && tokens.renewable && !reminted) {
        tokens.invalidate();
        return send(exchange, true);
      }
      throw failure;
    }
  }

  async function sendOnce<T>(exchange: Exchange<T>): Promise<T> {
    const url = new URL(`${options.baseUrl}${exchange.path}`);
    for (const [key, value] of Object.entries(exchange.query ?? {})) url.searchParams.set(key, String(value));
    const response = await request(url, {
      method: exchange.method,
      dispatcher,
      headers: {
        authorization: `Bearer ${await tokens.current()}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      ...(exchange.body === undefined ? {} : { body: JSON.stringify(exchange.body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.body.text();
    return readEnvelope(exchange, response.statusCode, text);
  }

  return {
    createImageToVideoTask: (body) =>
      send({ operation: 'create', method: 'POST', path: IMAGE_TO_VIDEO_PATH, body, data: wireTaskSchema }),
    getImageToVideoTask: (id) =>
      send({
        operation: 'query',
        method: 'GET',
        path: `${IMAGE_TO_VIDEO_PATH}/${encodeURIComponent(id)}`,
        data: wireTaskSchema,
      }),
    listImageToVideoTasks: (page) =>
      send({
        operation: 'list',
        method: 'GET',
        path: IMAGE_TO_VIDEO_PATH,
        query: page,
        data: wireTaskListSchema,
      }),
    listPresetVoices: async () => {
      const pages = await send({
        operation: 'voices',
        method: 'GET',
        path: PRESET_VOICES_PATH,
        query: { pageNum: 1, pageSize: 1000 },
        data: wirePresetVoicesSchema,
      });
      return pages.flatMap((page) => page.task_result?.voices ?? []);
    },
    close: async () => {
      await ownDispatcher?.close();
    },
  };
}

/** Decides on the body `code`; the HTTP status speaks only when the body is not Kling's envelope. */
function readEnvelope<T>(exchange: Exchange<T>, httpStatus: number, text: string): T {
  const envelope = envelopeSchema.safeParse(parseJson(text));
  if (!envelope.success)
    throw malformed(exchange.operation, httpStatus, 'the response is not a Kling envelope');
  const { code, message, data } = envelope.data;
  if (code !== 0) {
    const reason = message ?? '';
    throw exchange.operation === 'query'
      ? KlingError.fromReadEnvelope(code, reason, httpStatus)
      : KlingError.fromEnvelope(code, reason, httpStatus);
  }
  const parsed = exchange.data.safeParse(data);
  if (!parsed.success)
    throw malformed(exchange.operation, httpStatus, `unexpected data: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function malformed(operation: KlingOperation, httpStatus: number, detail: string): KlingError {
  // Without a body code, the HTTP status is the only verdict: auth and rate limits keep their
  // meaning (a reseller's own auth failures may not use Kling's envelope); anything else on a
  // create leaves its outcome unknown.
  if (httpStatus === 401 || httpStatus === 403) {
    return new KlingError(
      'auth',
      null,
      'KLING_AUTH_FAILED',
      `provider refused the credentials (HTTP ${httpStatus})`,
      httpStatus,
    );
  }
  if (httpStatus === 429)
    return new KlingError('busy', null, 'KLING_RATE_LIMITED', `provider busy (HTTP 429)`, httpStatus);
  const kind = operation === 'create' || httpStatus >= 500 ? 'ambiguous' : 'busy';
  return new KlingError(
    kind,
    null,
    'KLING_MALFORMED_RESPONSE',
    `malformed provider response (HTTP ${httpStatus}): ${detail}`,
    httpStatus,
  );
}

function asKlingError(error: unknown, operation: KlingOperation): KlingError {
  if (error instanceof KlingError) return error;
  const code = networkCode(error);
  if (code !== undefined && NOT_SENT_CODES.has(code)) {
    return new KlingError('busy', null, 'KLING_UNREACHABLE', `provider unreachable (${code})`, null, {
      cause: error,
    });
  }
  const isTimeout =
    error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
  // The request may have arrived: for a create the task may exist, for a read a retry is enough.
  const detail = isTimeout ? 'timed out' : `network error (${code ?? 'unknown'})`;
  return new KlingError(
    operation === 'create' ? 'ambiguous' : 'busy',
    null,
    isTimeout ? 'KLING_TIMEOUT' : 'KLING_NETWORK_ERROR',
    `provider ${detail}`,
    null,
    { cause: error },
  );
}

function networkCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED') return code;
    current = current.cause;
  }
  return undefined;
}
