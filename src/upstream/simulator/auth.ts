/**
 * Who is calling (kling-api.md 2): an HS256 JWT whose `iss` names an official account, or a
 * reseller's static key. Failures map to 1001–1004, all HTTP 401.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { decodeJwt, errors, jwtVerify } from 'jose';
import type { SimulatorAccount } from './options.js';

export type AuthResult =
  | { ok: true; account: string }
  | { ok: false; code: 1001 | 1002 | 1003 | 1004; message: string };

const MISSING = { ok: false, code: 1001, message: 'Authorization is empty' } as const;
const INVALID = { ok: false, code: 1002, message: 'Authorization is invalid' } as const;
const NOT_YET_VALID = { ok: false, code: 1003, message: 'Authorization is not active yet' } as const;
const EXPIRED = { ok: false, code: 1004, message: 'Authorization has expired' } as const;

/** The answer an 'expire-token' fault gives. */
export const EXPIRED_TOKEN = EXPIRED;

export type Authenticator = (header: string | undefined) => Promise<AuthResult>;

export function createAuthenticator(accounts: readonly SimulatorAccount[], now: () => number): Authenticator {
  const secrets = new Map<string, Uint8Array>();
  const apiKeys: Buffer[] = [];
  for (const account of accounts) {
    if ('apiKey' in account) apiKeys.push(digest(account.apiKey));
    else secrets.set(account.accessKey, new TextEncoder().encode(account.secretKey));
  }

  return async (header) => {
    if (header === undefined || header === '') return MISSING;
    // Exactly one space after `Bearer`, and nothing else.
    const token = /^Bearer ([^\s]+)$/.exec(header)?.[1];
    if (token === undefined) return INVALID;
    const staticKey = matchStaticKey(apiKeys, token);
    if (staticKey) return { ok: true, account: token };
    return verifyJwt(secrets, token, new Date(now()));
  };
}

async function verifyJwt(
  secrets: Map<string, Uint8Array>,
  token: string,
  currentDate: Date,
): Promise<AuthResult> {
  let issuer: string | undefined;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    return INVALID;
  }
  const secret = issuer === undefined ? undefined : secrets.get(issuer);
  if (issuer === undefined || secret === undefined) return INVALID;
  try {
    // jose checks the signature before the clock, as a server must: a forged token is never "expired".
    await jwtVerify(token, secret, { algorithms: ['HS256'], currentDate });
    return { ok: true, account: issuer };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return EXPIRED;
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') return NOT_YET_VALID;
    return INVALID;
  }
}

/** Compares against every key in constant time, so timing reveals neither which key nor how much matched. */
function matchStaticKey(keys: readonly Buffer[], token: string): boolean {
  const candidate = digest(token);
  let matched = false;
  for (const key of keys) matched = timingSafeEqual(key, candidate) || matched;
  return matched;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
