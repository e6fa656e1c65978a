import { inspect } from 'node:util';
import { GraphQLError } from 'graphql';
import {
  CompactSign,
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthConfig, parseAuthConfig } from '../src/auth/auth-config.js';
import {
  createTokenVerifier,
  KeySetUnavailableError,
  type TokenVerifier,
  verifyAccessToken,
} from '../src/auth/verify-token.js';
import { type JwksServer, startJwksServer } from './helpers/jwks-server.js';

const SECRET = 'test-only-hs256-secret-of-40-characters!';
const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'kling-graphql';
/** Every verification in this file happens at this instant: clock edges are exact, not raced. */
const NOW = new Date('2030-01-01T00:00:00Z');
const NOW_S = NOW.getTime() / 1000;
const TOLERANCE_S = 5;

function configFrom(env: NodeJS.ProcessEnv): AuthConfig {
  const { config, problems } = parseAuthConfig(env);
  if (config === undefined) expect.fail(`expected a valid auth config, got ${problems.join('; ')}`);
  return config;
}

const claimEnv = {
  AUTH_ISSUER: ISSUER,
  AUTH_AUDIENCE: AUDIENCE,
  AUTH_CLOCK_TOLERANCE_S: String(TOLERANCE_S),
};
const verifierFor = (env: NodeJS.ProcessEnv): TokenVerifier =>
  createTokenVerifier(configFrom({ ...claimEnv, ...env }), { now: () => NOW });

/** Claims of a token that passes, unless a test overrides some. */
const GOOD_CLAIMS: JWTPayload = {
  sub: 'tenant-a',
  iss: ISSUER,
  aud: AUDIENCE,
  iat: NOW_S - 60,
  exp: NOW_S + 600,
};

/** Claims to change; `undefined` leaves one out. */
type ClaimOverrides = Readonly<Record<string, unknown>>;

async function sign(
  key: Uint8Array | CryptoKey,
  alg: string,
  overrides: ClaimOverrides = {},
  kid?: string,
): Promise<string> {
  const claims = Object.fromEntries(
    Object.entries({ ...GOOD_CLAIMS, ...overrides }).filter(([, value]) => value !== undefined),
  );
  return new SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'JWT', ...(kid === undefined ? {} : { kid }) })
    .sign(key);
}

const secretBytes = (secret: string) => new TextEncoder().encode(secret);
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsecured JWT (`alg: none`): header and claims, an empty signature. */
const unsecuredToken = (claims: JWTPayload = GOOD_CLAIMS) =>
  `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;

/**
 * Verifies and expects an UNAUTHENTICATED refusal with `reason`, whose message and extensions
 * contain neither the token, nor its signature, nor the secret.
 */
async function expectRefused(verifier: TokenVerifier, token: string | undefined, reason: string) {
  const error = await verifyAccessToken(verifier, token).then(
    (access) => expect.fail(`expected a refusal, got viewer ${access.viewer.id}`),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(GraphQLError);
  const { message, extensions } = error as GraphQLError;
  expect(extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
  const shown = JSON.stringify({ message, extensions });
  for (const secret of [token, token?.split('.')[2], SECRET]) {
    if (secret) expect(shown).not.toContain(secret);
  }
}

describe('HS256 with AUTH_JWT_SECRET', () => {
  const verifier = verifierFor({ AUTH_JWT_SECRET: SECRET });
  const hs256 = (overrides: ClaimOverrides = {}) => sign(secretBytes(SECRET), 'HS256', overrides);

  it('accepts a valid token: sub is the viewer, exp says when it ends', async () => {
    await expect(verifyAccessToken(verifier, await hs256())).resolves.toEqual({
      viewer: { id: 'tenant-a' },
      expiresAt: new Date((NOW_S + 600) * 1000),
    });
  });

  it('refuses a missing token', () => expectRefused(verifier, undefined, 'MISSING_TOKEN'));

  it.each([
    ['no JWT at all', 'not-a-token'],
    ['three segments of garbage', 'abc.def.ghi'],
  ])('refuses a malformed token: %s', (_, token) => expectRefused(verifier, token, 'MALFORMED_TOKEN'));

  it('refuses a correctly signed token whose claims are not JSON', async () => {
    const token = await new CompactSign(new TextEncoder().encode('{oops'))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(secretBytes(SECRET));
    await expectRefused(verifier, token, 'MALFORMED_TOKEN');
  });

  it('refuses alg: none', () => expectRefused(verifier, unsecuredToken(), 'INVALID_SIGNATURE'));

  it('refuses a token signed with another secret', async () => {
    const token = await sign(secretBytes(`${SECRET}-but-not-this-one`), 'HS256');
    await expectRefused(verifier, token, 'INVALID_SIGNATURE');
  });

  it('refuses an RS256 token: only HS256 is allowed with a secret', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await expectRefused(verifier, await sign(privateKey, 'RS256'), 'INVALID_SIGNATURE');
  });

  it('refuses an HS512 token signed with the right secret: the algorithm is pinned', async () => {
    await expectRefused(verifier, await sign(secretBytes(SECRET), 'HS512'), 'INVALID_SIGNATURE');
  });

  it.each<[string, ClaimOverrides, string]>([
    ['expired', { exp: NOW_S - 3600 }, 'TOKEN_EXPIRED'],
    ['not yet valid (nbf)', { nbf: NOW_S + 3600 }, 'TOKEN_NOT_YET_VALID'],
    ['from another issuer', { iss: 'https://evil.example.test/' }, 'INVALID_CLAIMS'],
    ['without an issuer', { iss: undefined }, 'INVALID_CLAIMS'],
    ['for another audience', { aud: 'another-api' }, 'INVALID_CLAIMS'],
    ['without an audience', { aud: undefined }, 'INVALID_CLAIMS'],
    ['without sub', { sub: undefined }, 'INVALID_CLAIMS'],
    ['with an empty sub', { sub: '' }, 'INVALID_CLAIMS'],
    ['with a 256-character sub', { sub: 's'.repeat(256) }, 'INVALID_CLAIMS'],
  ])('refuses a token %s', async (_, overrides, reason) => {
    await expectRefused(verifier, await hs256(overrides), reason);
  });

  it('accepts a token without exp, with no expiry to enforce', async () => {
    const access = await verifyAccessToken(verifier, await hs256({ exp: undefined }));
    expect(access.expiresAt).toBeUndefined();
  });

  describe(`allows ${TOLERANCE_S} s of clock skew (AUTH_CLOCK_TOLERANCE_S)`, () => {
    it('accepts a token that expired less than the tolerance ago, refuses one at the tolerance', async () => {
      await expect(
        verifyAccessToken(verifier, await hs256({ exp: NOW_S - TOLERANCE_S + 1 })),
      ).resolves.toBeDefined();
      await expectRefused(verifier, await hs256({ exp: NOW_S - TOLERANCE_S }), 'TOKEN_EXPIRED');
    });

    it('accepts a token valid within the tolerance from now, refuses one valid later', async () => {
      await expect(
        verifyAccessToken(verifier, await hs256({ nbf: NOW_S + TOLERANCE_S })),
      ).resolves.toBeDefined();
      await expectRefused(verifier, await hs256({ nbf: NOW_S + TOLERANCE_S + 1 }), 'TOKEN_NOT_YET_VALID');
    });
  });
});

describe('a remote key set with AUTH_JWKS_URL', () => {
  let rsa: CryptoKeyPair;
  let rs384: CryptoKeyPair;
  let jwks: JwksServer;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    rs384 = await generateKeyPair('RS384', { extractable: true });
    jwks = await startJwksServer({
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(rs384.publicKey)), kid: 'rsa-384', alg: 'RS384', use: 'sig' },
      ],
    });
    verifier = verifierFor({ AUTH_JWKS_URL: jwks.url.href });
  });
  afterAll(() => jwks.stop());

  it('accepts a valid RS256 token and fetches the key set once for many tokens', async () => {
    for (const sub of ['tenant-a', 'tenant-b']) {
      const access = await verifyAccessToken(verifier, await sign(rsa.privateKey, 'RS256', { sub }, 'rsa-1'));
      expect(access.viewer).toEqual({ id: sub });
    }
    expect(jwks.fetches).toBe(1);
  });

  it('refuses an HS256 token keyed with the public key (HS/RS confusion)', async () => {
    const publicKeyAsSecret = secretBytes(await exportSPKI(rsa.publicKey));
    const token = await sign(publicKeyAsSecret, 'HS256', {}, 'rsa-1');
    await expectRefused(verifier, token, 'INVALID_SIGNATURE');
  });

  it('refuses alg: none', () => expectRefused(verifier, unsecuredToken(), 'INVALID_SIGNATURE'));

  it('refuses a token signed by a key not in the set, even under a known kid', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await expectRefused(verifier, await sign(privateKey, 'RS256', {}, 'rsa-1'), 'INVALID_SIGNATURE');
  });

  it('refuses a token naming an unknown kid', async () => {
    await expectRefused(
      verifier,
      await sign(rsa.privateKey, 'RS256', {}, 'rsa-unknown'),
      'INVALID_SIGNATURE',
    );
  });

  it('refuses RS384 even when the set holds its key: the algorithms are pinned', async () => {
    await expectRefused(verifier, await sign(rs384.privateKey, 'RS384', {}, 'rsa-384'), 'INVALID_SIGNATURE');
  });

  it('refuses an expired token and one for another audience', async () => {
    await expectRefused(
      verifier,
      await sign(rsa.privateKey, 'RS256', { exp: NOW_S - 60 }, 'rsa-1'),
      'TOKEN_EXPIRED',
    );
    await expectRefused(
      verifier,
      await sign(rsa.privateKey, 'RS256', { aud: 'x' }, 'rsa-1'),
      'INVALID_CLAIMS',
    );
  });

  it('fails closed without blaming the client when the key set cannot be fetched', async () => {
    const broken = await startJwksServer({ keys: [] }, 503);
    try {
      const token = await sign(rsa.privateKey, 'RS256', {}, 'rsa-1');
      const error = await verifyAccessToken(verifierFor({ AUTH_JWKS_URL: broken.url.href }), token).catch(
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(KeySetUnavailableError);
      expect(String(error)).not.toContain(token);
    } finally {
      await broken.stop();
    }
  });
});

describe('development mode (no auth configured)', () => {
  const verifier = createTokenVerifier(configFrom({}));

  it('runs every operation as the single local user, with or without a token', async () => {
    await expect(verifyAccessToken(verifier, undefined)).resolves.toEqual({
      viewer: { id: 'local' },
      expiresAt: undefined,
    });
    await expect(verifyAccessToken(verifier, 'anything')).resolves.toMatchObject({ viewer: { id: 'local' } });
  });

  it('is refused in production', () => {
    const { config, problems } = parseAuthConfig({ NODE_ENV: 'production' });
    expect(config).toBeUndefined();
    expect(problems).toEqual([expect.stringContaining('auth required in production')]);
  });
});

describe('configured secrets', () => {
  it('are never quoted by a configuration problem', () => {
    const tooShort = 'short-but-secret-value';
    const { problems } = parseAuthConfig({ AUTH_JWT_SECRET: tooShort, AUTH_JWKS_URL: 'ftp://keys' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).not.toContain(tooShort);
  });

  it('print as [redacted] when the configuration is logged', () => {
    const config = configFrom({ AUTH_JWT_SECRET: SECRET });
    expect(JSON.stringify(config)).not.toContain(SECRET);
    expect(inspect(config, { depth: 10 })).not.toContain(SECRET);
    expect(`${config.mode === 'secret' ? config.secret : ''}`).toBe('[redacted]');
  });
});
