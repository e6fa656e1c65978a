/**
 * What a client sees of an unexpected error. A lost database connection is not a bug: the client
 * should retry later, so it is named SERVICE_UNAVAILABLE (HTTP 503, Retry-After). Anything else
 * stays masked as Yoga masks it.
 */
import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';

/** Retry-After for a database outage, seconds. */
const RETRY_AFTER_S = 5;

/** Node and pg errors that mean the database cannot be reached right now. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
]);
const CONNECTION_MESSAGES =
  /Connection terminated|connection (?:is )?(?:closed|ended)|Client has encountered a connection error/i;

export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  if (isDatabaseUnavailable(error)) {
    return new GraphQLError('The service is temporarily unavailable; try again shortly', {
      extensions: {
        code: 'SERVICE_UNAVAILABLE',
        http: { status: 503, headers: { 'retry-after': String(RETRY_AFTER_S) } },
      },
    });
  }
  return yogaMaskError(error, message, isDev);
}

function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
    if (CONNECTION_MESSAGES.test(current.message)) return true;
    current = current instanceof GraphQLError ? current.originalError : current.cause;
  }
  return false;
}
