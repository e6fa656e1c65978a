/**
 * Tokens already verified, remembered per process: a client sends the same token with every
 * request, and checking its signature each time (WebCrypto under jose) was a fifth of the CPU a
 * `task(id)` query cost. Only tokens that passed the full check are kept, so a forged token never
 * enters; the time claims (`exp`, `nbf`) are checked again on every hit, so an expired token is
 * refused exactly when it would be without the cache. Entries live at most a few minutes, so a
 * key withdrawn from a JWKS stops being honoured soon after.
 */
import type { JWTPayload, JWTVerifyOptions } from 'jose';
import { LRUCache } from 'lru-cache';

export type Verify = (token: string, options: JWTVerifyOptions) => Promise<JWTPayload>;

export interface VerifiedTokenCacheOptions {
  /** Tokens kept. @default 10_000 */
  max?: number;
  /** How long a verified token is trusted before its signature is checked again, ms. @default 300_000 */
  ttlMs?: number;
}

export function rememberVerifiedTokens(
  verify: Verify,
  { max = 10_000, ttlMs = 300_000 }: VerifiedTokenCacheOptions = {},
): Verify {
  const verified = new LRUCache<string, JWTPayload>({ max, ttl: ttlMs });
  return async (token, options) => {
    const remembered = verified.get(token);
    if (remembered !== undefined && timeClaimsHold(remembered, options)) return remembered;
    // Not remembered, or its time is up: the full check decides (and words any refusal).
    verified.delete(token);
    const payload = await verify(token, options);
    verified.set(token, payload);
    return payload;
  };
}

/** The same comparisons jose makes for `exp` and `nbf`, with the same tolerance. */
function timeClaimsHold(payload: JWTPayload, options: JWTVerifyOptions): boolean {
  const now = Math.floor((options.currentDate ?? new Date()).getTime() / 1000);
  const tolerance = typeof options.clockTolerance === 'number' ? options.clockTolerance : 0;
  if (payload.exp !== undefined && payload.exp <= now - tolerance) return false;
  if (payload.nbf !== undefined && payload.nbf > now + tolerance) return false;
  return true;
}
