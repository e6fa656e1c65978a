/**
 * Where a client puts its access token: `Authorization: Bearer <token>` over HTTP and SSE, and
 * `connectionParams.authorization` with the same value over graphql-ws. Strict about the format
 * (RFC 6750 2.1): anything else is refused rather than guessed at.
 */
import { UNAUTHENTICATED_REASONS, unauthenticated } from './unauthenticated.js';

/** Compact JWTs are far smaller; a bound keeps a hostile value from reaching the parser. */
const TOKEN_MAX_LENGTH = 8 * 1024;

/** The scheme is case-insensitive (RFC 7235 2.1), then exactly one space and a b64token. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

function malformed(where: string) {
  return unauthenticated(
    UNAUTHENTICATED_REASONS.malformedToken,
    `${where} must be "Bearer <token>" with one space and a token of at most ${TOKEN_MAX_LENGTH} characters`,
  );
}

function tokenFrom(value: string, where: string): string {
  if (value.length > TOKEN_MAX_LENGTH + 'Bearer '.length) throw malformed(where);
  const token = BEARER.exec(value)?.[1];
  if (token === undefined) throw malformed(where);
  return token;
}

/**
 * The token of an Authorization header value; undefined when the header is absent, so the
 * verifier can tell "no token" (fine in development mode) from a malformed one (always refused).
 */
export function bearerTokenFromHeader(value: string | null | undefined): string | undefined {
  return value == null ? undefined : tokenFrom(value, 'The Authorization header');
}

/** The token of graphql-ws `connectionParams` (`{ authorization: 'Bearer <token>' }`). */
export function bearerTokenFromConnectionParams(
  params: Readonly<Record<string, unknown>> | null | undefined,
): string | undefined {
  const value = params?.authorization;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw malformed('connectionParams.authorization');
  return tokenFrom(value, 'connectionParams.authorization');
}
