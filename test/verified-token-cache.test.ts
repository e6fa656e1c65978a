import { errors, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { describe, expect, it } from 'vitest';
import { rememberVerifiedTokens, type Verify } from '../src/auth/verified-token-cache.js';

const NOW_S = 1_800_000_000;
const at = (seconds: number): Date => new Date(seconds * 1000);

/** A stand-in for jose: accepts the tokens it is given payloads for, and counts its checks. */
function fakeJose(payloads: Record<string, JWTPayload>) {
  const checks: string[] = [];
  const verify: Verify = async (token, options) => {
    checks.push(token);
    const payload = payloads[token];
    if (payload === undefined) throw new errors.JWSSignatureVerificationFailed();
    const now = Math.floor((options.currentDate ?? new Date()).getTime() / 1000);
    const tolerance = Number(options.clockTolerance ?? 0);
    if (payload.exp !== undefined && payload.exp <= now - tolerance) {
      throw new errors.JWTExpired('expired', payload);
    }
    return payload;
  };
  return { verify, checks };
}

const options = (seconds: number, clockTolerance = 0): JWTVerifyOptions => ({
  currentDate: at(seconds),
  clockTolerance,
});

describe('verified tokens, remembered', () => {
  it('checks a token once and answers its next uses from memory', async () => {
    const jose = fakeJose({ good: { sub: 'alice', exp: NOW_S + 600 } });
    const verify = rememberVerifiedTokens(jose.verify);
    for (let i = 0; i < 5; i++) {
      await expect(verify('good', options(NOW_S + i))).resolves.toMatchObject({ sub: 'alice' });
    }
    expect(jose.checks).toEqual(['good']);
  });

  it('never remembers a token that failed: each attempt is checked in full', async () => {
    const jose = fakeJose({});
    const verify = rememberVerifiedTokens(jose.verify);
    await expect(verify('forged', options(NOW_S))).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
    await expect(verify('forged', options(NOW_S))).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
    expect(jose.checks).toEqual(['forged', 'forged']);
  });

  it('refuses a remembered token from the moment it expires, with the same error as without memory', async () => {
    const jose = fakeJose({ good: { sub: 'alice', exp: NOW_S + 60 } });
    const verify = rememberVerifiedTokens(jose.verify);
    await verify('good', options(NOW_S));
    await expect(verify('good', options(NOW_S + 59))).resolves.toMatchObject({ sub: 'alice' });
    await expect(verify('good', options(NOW_S + 60))).rejects.toBeInstanceOf(errors.JWTExpired);
  });

  it('honours the clock tolerance on a remembered token as jose does', async () => {
    const jose = fakeJose({ good: { sub: 'alice', exp: NOW_S + 60 } });
    const verify = rememberVerifiedTokens(jose.verify);
    await verify('good', options(NOW_S, 30));
    await expect(verify('good', options(NOW_S + 89, 30))).resolves.toMatchObject({ sub: 'alice' });
    expect(jose.checks).toEqual(['good']);
    await expect(verify('good', options(NOW_S + 90, 30))).rejects.toBeInstanceOf(errors.JWTExpired);
  });

  it('does not answer from memory before a remembered token is valid (nbf)', async () => {
    const jose = fakeJose({ later: { sub: 'alice', nbf: NOW_S + 100 } });
    const verify = rememberVerifiedTokens(jose.verify);
    await verify('later', options(NOW_S + 100));
    await verify('later', options(NOW_S + 99));
    expect(jose.checks).toEqual(['later', 'later']);
  });

  it('checks a remembered token again once its time in memory is up', async () => {
    const jose = fakeJose({ good: { sub: 'alice' } });
    const verify = rememberVerifiedTokens(jose.verify, { ttlMs: 1 });
    await verify('good', options(NOW_S));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await verify('good', options(NOW_S));
    expect(jose.checks).toEqual(['good', 'good']);
  });
});
