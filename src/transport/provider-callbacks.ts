/**
 * `POST /callbacks/kling/:token`: provider callbacks. The receiver answers at once and re-reads
 * the task from the provider in the background; this file only moves bytes and counts outcomes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayServices } from '../context.js';
import type { CallbackRejection } from '../observability/metrics.js';
import { readBodyWithin } from '../security/body-limit.js';

/** Provider callbacks are small JSON objects; anything larger is not one. */
const CALLBACK_BODY_MAX_BYTES = 1024 * 1024;

/** Which rejection a receiver's status means, for metrics. */
function rejectionOf(status: number): CallbackRejection | undefined {
  if (status === 404) return 'unknown_token';
  if (status === 401) return 'bad_signature';
  return status >= 400 ? 'invalid' : undefined;
}

/** Answers at once; the receiver re-reads the task from the provider in the background. */
export async function receiveCallback(
  services: GatewayServices,
  encodedToken: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  services.metrics.recordCallbackReceived();
  try {
    // The provider's sender is not ours to constrain: a chunked body is read, up to the cap.
    const body = await readBodyWithin(request, CALLBACK_BODY_MAX_BYTES);
    if (body === undefined) {
      services.metrics.recordCallbackRejected('invalid');
      return; // over the cap: the connection was dropped
    }
    const { status } = await services.callbacks.receive(safeDecode(encodedToken), request.headers, body);
    const rejection = rejectionOf(status);
    if (rejection) services.metrics.recordCallbackRejected(rejection);
    response.writeHead(status).end();
  } catch {
    if (!response.headersSent) response.writeHead(500).end();
  }
}

function safeDecode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}
