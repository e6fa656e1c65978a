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
  const startedAt = performance.now();
  response.setHeader(REQUEST_ID_HEADER, requestId);
  // The path only: a query string may carry a whole GraphQL document with its variables.
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  response.once('close', () => {
    const line = {
      reqId: requestId,
      method: request.method,
      path,
      status: response.statusCode,
      durationMs: Math.round(performance.now() - startedAt),
      // A response closed before it finished: the client went away (or a stream was cut).
      ...(response.writableFinished ? {} : { aborted: true }),
    };
    if (PROBE_PATHS.has(path)) logger.debug(line, 'request');
    else logger.info(line, 'request');
  });
  runWithRequestId(requestId, handle);
}
