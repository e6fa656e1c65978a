/**
 * The one error a client sees when it is not let in. Messages are fixed strings: a token, a header
 * value or a secret is never part of one.
 */
import { GraphQLError } from 'graphql';

/** Why a request was refused, stable for clients (e.g. refresh on TOKEN_EXPIRED and retry). */
export const UNAUTHENTICATED_REASONS = {
  missingToken: 'MISSING_TOKEN',
  malformedToken: 'MALFORMED_TOKEN',
  invalidSignature: 'INVALID_SIGNATURE',
  tokenExpired: 'TOKEN_EXPIRED',
  tokenNotYetValid: 'TOKEN_NOT_YET_VALID',
  invalidClaims: 'INVALID_CLAIMS',
} as const;

export type UnauthenticatedReason = (typeof UNAUTHENTICATED_REASONS)[keyof typeof UNAUTHENTICATED_REASONS];

export function unauthenticated(reason: UnauthenticatedReason, message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: 'UNAUTHENTICATED',
      reason,
      // Yoga answers an HTTP request with this status and header and drops `http` from the body.
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
    },
  });
}
