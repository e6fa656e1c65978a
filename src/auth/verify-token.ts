/**
 * The one place where a client's access token is verified (jose). HTTP, SSE and WebSocket all call
 * `verifyAccessToken`; `sub` becomes the viewer, the tenant that owns what it creates.
 */
import { createSecretKey } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyOptions, jwtVerify } from 'jose';
import type { Viewer } from '../context.js';
import type { AuthConfig, ClaimRules } from './auth-config.js';
import { UNAUTHENTICATED_REASONS as REASONS, unauthenticated } from './unauthenticated.js';
import { rememberVerifiedTokens, type Verify } from './verified-token-cache.js';

/** The shared secret signs with HS256 only: a longer HMAC gains nothing at 32+ byte secrets. */
export const SECRET_ALGORITHMS = ['HS256'] as const;

/**
 * Asymmetric algorithms an identity provider may publish in its JWKS: RSA PKCS#1 and PSS, P-256
 * ECDSA and Ed25519 (EdDSA, and its RFC 9864 name). No HMAC, so a public key can never be used as
 * an HMAC secret (HS/RS confusion), and never `none`.
 */
export const JWKS_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'] as const;

/** The development viewer: the single local user when no auth is configured. */
export const LOCAL_VIEWER: Viewer = { id: 'local' };

/** A `sub` is stored with every task the tenant owns; a bound keeps it an identifier. */
const SUBJECT_MAX_LENGTH = 255;

export interface VerifiedAccess {
  readonly viewer: Viewer;
  /** The token's `exp`: a WebSocket authenticated by it is closed then. Undefined without `exp`. */
  readonly expiresAt: Date | undefined;
}

export type TokenVerifier =
  | { readonly mode: 'development' }
  | {
      readonly mode: 'jwt';
      readonly verify: Verify;
      readonly options: JWTVerifyOptions;
      readonly now: () => Date;
    };

export interface TokenVerifierOptions {
  /** The current time, read at each verification. @default () => new Date() */
  readonly now?: () => Date;
}

function verifyOptions(claims: ClaimRules, algorithms: readonly string[]): JWTVerifyOptions {
  return {
    algorithms: [...algorithms],
    clockTolerance: claims.clockToleranceS,
    ...(claims.issuer === undefined ? {} : { issuer: claims.issuer }),
    ...(claims.audience === undefined ? {} : { audience: claims.audience }),
  };
}

/**
 * Built once per process. In JWKS mode jose fetches the key set on first use, caches it (10 min),
 * and refetches at most every 30 s when a token names an unknown `kid` (key rotation).
 */
export function createTokenVerifier(
  config: AuthConfig,
  { now = () => new Date() }: TokenVerifierOptions = {},
): TokenVerifier {
  switch (config.mode) {
    case 'development':
      return { mode: 'development' };
    case 'secret': {
      // Imported once: given raw bytes, jose would import the key again on every request.
      const key = createSecretKey(config.secret.reveal());
      const verify: Verify = async (token, options) => (await jwtVerify(token, key, options)).payload;
      return {
        mode: 'jwt',
        verify: rememberVerifiedTokens(verify),
        options: verifyOptions(config.claims, SECRET_ALGORITHMS),
        now,
      };
    }
    case 'jwks': {
      const keySet = createRemoteJWKSet(config.jwksUrl);
      const verify: Verify = async (token, options) => {
        try {
          return (await jwtVerify(token, keySet, options)).payload;
        } catch (error) {
          throw isKeySetFailure(error)
            ? new KeySetUnavailableError('The access token could not be verified', { cause: error })
            : error;
        }
      };
      return {
        mode: 'jwt',
        verify: rememberVerifiedTokens(verify),
        options: verifyOptions(config.claims, JWKS_ALGORITHMS),
        now,
      };
    }
  }
}

/**
 * The key set could not be fetched or read: the token was not judged, so this is no refusal of the
 * client. Thrown as a plain error, so Yoga masks it and the server logs it with its `cause`.
 */
export class KeySetUnavailableError extends Error {
  override readonly name = 'KeySetUnavailableError';
}

/** jose's errors about the key set rather than the token. */
const KEY_SET_FAILURES: ReadonlySet<string> = new Set([
  'ERR_JWKS_TIMEOUT',
  'ERR_JWKS_INVALID',
  'ERR_JWK_INVALID',
  'ERR_JOSE_GENERIC', // not 200, or not JSON
]);

/** A failed fetch surfaces as fetch's own TypeError, not as a jose error. */
function isKeySetFailure(error: unknown): boolean {
  return !(error instanceof errors.JOSEError) || KEY_SET_FAILURES.has(error.code);
}

/** A jose refusal as UNAUTHENTICATED; jose's own messages are not passed on. */
function refusalOf(error: errors.JOSEError) {
  if (error instanceof errors.JWTExpired) {
    return unauthenticated(REASONS.tokenExpired, 'The access token has expired');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf')
      return unauthenticated(REASONS.tokenNotYetValid, 'The access token is not valid yet');
    return unauthenticated(
      REASONS.invalidClaims,
      `The access token's "${error.claim}" claim is not accepted`,
    );
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return unauthenticated(REASONS.malformedToken, 'The access token is not a well-formed signed JWT');
  }
  return unauthenticated(
    REASONS.invalidSignature,
    "The access token's algorithm, key or signature is not accepted",
  );
}

async function payloadOf(
  verifier: Extract<TokenVerifier, { mode: 'jwt' }>,
  token: string,
): Promise<JWTPayload> {
  try {
    return await verifier.verify(token, { ...verifier.options, currentDate: verifier.now() });
  } catch (error) {
    throw error instanceof errors.JOSEError ? refusalOf(error) : error;
  }
}

/**
 * The viewer a token stands for, or a GraphQLError with `extensions.code` UNAUTHENTICATED. No
 * message ever contains the token.
 */
export async function verifyAccessToken(
  verifier: TokenVerifier,
  token: string | undefined,
): Promise<VerifiedAccess> {
  if (verifier.mode === 'development') return { viewer: LOCAL_VIEWER, expiresAt: undefined };
  if (token === undefined) {
    throw unauthenticated(
      REASONS.missingToken,
      'An access token is required: send "Authorization: Bearer <token>"',
    );
  }
  const { sub, exp } = await payloadOf(verifier, token);
  if (typeof sub !== 'string' || sub === '' || sub.length > SUBJECT_MAX_LENGTH) {
    throw unauthenticated(
      REASONS.invalidClaims,
      `The access token needs a "sub" claim of 1 to ${SUBJECT_MAX_LENGTH} characters`,
    );
  }
  return { viewer: { id: sub }, expiresAt: exp === undefined ? undefined : new Date(exp * 1000) };
}
