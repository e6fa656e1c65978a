/**
 * The gateway's structured JSON log (pino). Secrets are removed twice: by key (`authorization`,
 * `KLING_SECRET_KEY`, `callbackToken`… at any of the first three levels) before serialization, and
 * by shape on the finished line (bearer tokens, JWTs, callback URLs' tokens, and the literal
 * values of configured secrets), so a secret inside a message, an error or a URL is caught too.
 * Every line written while a request is handled carries its `reqId` (see `runWithRequestId`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Where finished lines go. */
export interface LogSink {
  write(line: string): void;
}

export interface LoggerOptions {
  /**
   * Values never to print, wherever they appear (the configured KLING_SECRET_KEY, KLING_API_KEY,
   * webhook and token secrets). Values shorter than 8 characters are ignored: replacing them would
   * mangle ordinary text while hiding little.
   */
  secrets?: readonly (string | undefined)[];
  /** @default standard output */
  destination?: LogSink;
}

export const REDACTED = '[redacted]';

/** Keys whose values are secret wherever they sit in a log object. */
const SECRET_KEYS = [
  'authorization',
  'cookie',
  '"set-cookie"',
  '"x-api-key"',
  'KLING_ACCESS_KEY',
  'KLING_SECRET_KEY',
  'KLING_API_KEY',
  'KLING_WEBHOOK_SECRET',
  'AUTH_JWT_SECRET',
  'DATABASE_URL',
  'accessKey',
  'secretKey',
  'apiKey',
  'webhookSecret',
  'secret',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'callbackToken',
] as const;

/** `key`, `*.key` and `*.*.key`: deep enough for `req.headers.authorization` and `upstream.auth.secretKey`. */
export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => {
  const segment = key.startsWith('"') ? `[${key}]` : `.${key}`;
  const top = key.startsWith('"') ? `[${key}]` : key;
  return [top, `*${segment}`, `*.*${segment}`];
});

const SHAPES: readonly [RegExp, string][] = [
  // The token is the only credential a callback carries: keep the route, drop the token.
  [/(callbacks(?:\/|%2F)kling(?:\/|%2F))[A-Za-z0-9_-]+/gi, `$1${REDACTED}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, `$1 ${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  [/(postgres(?:ql)?:\/\/)[^\s"@/]+@/gi, `$1${REDACTED}@`],
];

const MIN_SECRET_LENGTH = 8;

/** Removes secrets from a finished log line by their shape and by their literal values. */
export function scrubSecrets(line: string, secrets: readonly string[] = []): string {
  let scrubbed = line;
  for (const secret of secrets) {
    // The line is JSON: a secret with quotes or backslashes appears escaped.
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
      scrubbed = scrubbed.split(form).join(REDACTED);
    }
  }
  for (const [pattern, replacement] of SHAPES) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}

const requestScope = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `fn` so that every log line written within it, however deep, carries `reqId`. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return requestScope.run({ requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.requestId;
}

const INCOMING_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The caller's `X-Request-Id` when it is a plain token (a proxy's id keeps one id across hops),
 * else a fresh UUID: an arbitrary header value must not be able to forge log lines.
 */
export function requestIdFrom(header: string | readonly string[] | null | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === 'string' && INCOMING_REQUEST_ID.test(value) ? value : randomUUID();
}

export function createLogger(level: LogLevel, options: LoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter(
    (secret): secret is string => secret !== undefined && secret.length >= MIN_SECRET_LENGTH,
  );
  const sink = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level,
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId === undefined ? {} : { reqId: requestId };
      },
    },
    { write: (line: string) => sink.write(scrubSecrets(line, secrets)) },
  );
}
