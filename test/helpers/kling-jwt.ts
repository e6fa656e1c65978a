/** Mints Kling bearer JWTs the way the official sample does: HS256, iss = access key, seconds. */
import { SignJWT } from 'jose';

export interface KlingJwtOptions {
  /** Seconds from now until `exp`; negative for an expired token. @default 1800 */
  expiresInSeconds?: number;
  /** Seconds from now of `nbf`; positive for a token not valid yet. @default -5 */
  notBeforeInSeconds?: number;
  /** Overrides `iss`. */
  issuer?: string;
}

export function mintKlingJwt(
  account: { accessKey: string; secretKey: string },
  options: KlingJwtOptions = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(options.issuer ?? account.accessKey)
    .setExpirationTime(now + (options.expiresInSeconds ?? 1800))
    .setNotBefore(now + (options.notBeforeInSeconds ?? -5))
    .sign(new TextEncoder().encode(account.secretKey));
}
