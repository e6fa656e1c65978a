/**
 * Bearer tokens for the provider: an HS256 JWT minted from the access key and secret key (official
 * API), or a static key (passthrough resellers).
 */
import { SignJWT } from 'jose';
import type { UpstreamAuth } from '../config.js';

/** Kling's sample lifetime; the largest it accepts is UNCERTAIN (third parties say 30 min). */
const TOKEN_LIFETIME_S = 1800;
/** Back-dating of `nbf`, as in the official sample, to absorb clock skew. */
const NOT_BEFORE_SKEW_S = 5;
/** Re-mint this long before `exp`, so a token never expires in flight. */
const REFRESH_MARGIN_S = 300;

export interface BearerTokens {
  /** The token to send now. */
  current(): Promise<string>;
  /** Drops a cached token the provider refused as expired or not yet valid (1003/1004). */
  invalidate(): void;
  /** Whether `invalidate` can make the next token different. */
  readonly renewable: boolean;
}

export interface BearerTokenOptions {
  /** Clock in ms, injectable for tests. @default Date.now */
  now?: () => number;
}

export function createBearerTokens(auth: UpstreamAuth, options: BearerTokenOptions = {}): BearerTokens {
  if (auth.kind === 'static') {
    const token = Promise.resolve(auth.apiKey);
    return { current: () => token, invalidate: () => {}, renewable: false };
  }
  return createJwtTokens(auth.accessKey, new TextEncoder().encode(auth.secretKey), options.now ?? Date.now);
}

function createJwtTokens(accessKey: string, secret: Uint8Array, now: () => number): BearerTokens {
  let cached: { token: Promise<string>; refreshAtS: number } | undefined;
  const mint = async (issuedAtS: number) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(accessKey)
      .setExpirationTime(issuedAtS + TOKEN_LIFETIME_S)
      .setNotBefore(issuedAtS - NOT_BEFORE_SKEW_S)
      .sign(secret);
  return {
    renewable: true,
    current() {
      const nowS = Math.floor(now() / 1000);
      if (cached === undefined || nowS >= cached.refreshAtS) {
        cached = { token: mint(nowS), refreshAtS: nowS + TOKEN_LIFETIME_S - REFRESH_MARGIN_S };
      }
      return cached.token;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
