/**
 * One id per HTTP request: taken from `X-Request-Id` or made, echoed in the response, attached to
 * every log line written while the request is handled (resolvers, the submitter's first attempt,
 * Yoga's own messages), and closing with one access line. Probes are logged at debug, so a
 * load balancer polling /healthz does not flood the log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { requestIdFrom, runWithRequestId } from './logger.js';

export const REQUEST_ID_HEADER = 'x-request-id';

const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export function handleWithRequestId(
  logger: Logger,
  request: IncomingMessage,
  response: ServerResponse,
  handle: () => void,
): void {
  const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
  response.setHeader(REQUEST_ID_HEADER, requestId);
  // The path only: a query string may carry a whole GraphQL document with its variables.
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  accessLines.set(response, new AccessLine(logger, requestId, request.method, path));
  response.once('close', writeAccessLine);
  runWithRequestId(requestId, handle);
}

/**
 * Hands a response's access line to a stream that took its connection over
 * (src/transport/connection-takeover.ts), whose response never closes: the stream writes it when
 * the connection closes, `finished` when the stream ended it rather than the client leaving.
 */
export function takeAccessLine(response: ServerResponse): (finished: boolean) => void {
  const line = accessLines.get(response);
  accessLines.delete(response);
  response.off('close', writeAccessLine);
  const status = response.statusCode;
  return (finished) => line?.write(status, finished);
}

/** What an access line says, kept apart from the request so a long stream keeps only this. */
class AccessLine {
  readonly #startedAt = performance.now();

  constructor(
    private readonly logger: Logger,
    private readonly requestId: string,
    private readonly method: string | undefined,
    private readonly path: string,
  ) {}

  write(status: number, finished: boolean): void {
    const line = {
      reqId: this.requestId,
      method: this.method,
      path: this.path,
      status,
      durationMs: Math.round(performance.now() - this.#startedAt),
      // A response closed before it finished: the client went away (or a stream was cut).
      ...(finished ? {} : { aborted: true }),
    };
    if (PROBE_PATHS.has(this.path)) this.logger.debug(line, 'request');
    else this.logger.info(line, 'request');
  }
}

const accessLines = new WeakMap<ServerResponse, AccessLine>();

function writeAccessLine(this: ServerResponse): void {
  accessLines.get(this)?.write(this.statusCode, this.writableFinished);
}
