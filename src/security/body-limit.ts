/**
 * Request body size, decided from the headers before a byte of the body is read: a body larger
 * than the limit, or one whose size is not declared, is refused without being buffered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Whether the request may proceed; otherwise the refusal has been sent. */
export function admitBody(request: IncomingMessage, response: ServerResponse, maxBodyBytes: number): boolean {
  if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return true;
  const declared = request.headers['content-length'];
  // A chunked upload could grow without bound; every GraphQL client sends a length for JSON bodies.
  if (declared === undefined) {
    if (request.headers['transfer-encoding'] === undefined) return true; // no body at all
    refuse(response, 411, 'LENGTH_REQUIRED', 'Send a Content-Length header with the request body');
    return false;
  }
  const length = Number(declared);
  if (Number.isFinite(length) && length <= maxBodyBytes) return true;
  refuse(response, 413, 'PAYLOAD_TOO_LARGE', `Request body over the limit of ${maxBodyBytes} bytes`);
  return false;
}

function refuse(response: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  // The unread body stays on the socket, so the connection cannot be reused.
  response.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end(body);
}

/**
 * The whole body as UTF-8, or undefined (and the socket dropped) once it passes `maxBytes`.
 *
 * Listeners rather than `for await`: the async iterator leaves its end-of-stream listeners and a
 * closure on the request, and an SSE subscription keeps its request for as long as it lives.
 */
export function readBodyWithin(request: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stopReading = (): void => {
      request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      stopReading();
      request.destroy();
      resolve(undefined);
    };
    const onEnd = (): void => {
      stopReading();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error): void => {
      stopReading();
      reject(error);
    };
    const onClose = (): void => {
      stopReading();
      reject(new Error('the request closed before its body was read'));
    };
    request.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}
