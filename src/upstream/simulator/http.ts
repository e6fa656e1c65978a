/**
 * The wire around every answer: Kling's envelope `{ code, message, request_id, data }`, and request
 * bodies read as streams under a size cap.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KLING_ERROR_CODES } from '../errors.js';

/** A request body larger than this is refused with 413 / 1200. */
export const MAX_BODY_BYTES = 50 * 1024 * 1024;

export interface KlingReply {
  httpStatus: number;
  code: number;
  message: string;
  data?: unknown;
}

export function ok(data: unknown): KlingReply {
  return { httpStatus: 200, code: 0, message: 'SUCCEED', data };
}

/** A business error with the HTTP status the official table pairs with its code. */
export function refuse(code: number, message?: string, httpStatus?: number): KlingReply {
  const known = (KLING_ERROR_CODES as Record<number, { httpStatus: number; meaning: string }>)[code];
  return {
    httpStatus: httpStatus ?? known?.httpStatus ?? 500,
    code,
    message: message ?? known?.meaning ?? 'error',
  };
}

export function writeReply(res: ServerResponse, reply: KlingReply): void {
  // Errors carry no `data`, as the provider's do.
  const envelope = { code: reply.code, message: reply.message, request_id: randomUUID(), ...dataOf(reply) };
  writeRaw(res, reply.httpStatus, 'application/json; charset=utf-8', JSON.stringify(envelope));
}

function dataOf(reply: KlingReply): { data?: unknown } {
  return reply.code === 0 ? { data: reply.data } : {};
}

export function writeJson(res: ServerResponse, httpStatus: number, body: unknown): void {
  writeRaw(res, httpStatus, 'application/json; charset=utf-8', JSON.stringify(body));
}

export function writeRaw(
  res: ServerResponse,
  httpStatus: number,
  contentType: string,
  body: string | Buffer,
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(httpStatus, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export type BodyRead = { kind: 'ok'; text: string } | { kind: 'too-large' } | { kind: 'aborted' };

/**
 * Reads the whole body, keeping at most `maxBytes`. An oversized body is drained rather than cut
 * off, so the client is still reading when the 413 arrives instead of seeing a reset.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => {
      resolve(
        size > maxBytes
          ? { kind: 'too-large' }
          : { kind: 'ok', text: Buffer.concat(chunks).toString('utf8') },
      );
    });
    req.on('error', () => resolve({ kind: 'aborted' }));
    req.on('close', () => {
      if (!req.complete) resolve({ kind: 'aborted' });
    });
  });
}

/** `undefined` for an empty body; `{ ok: false }` when it is not JSON. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
