import { describe, expect, it } from 'vitest';
import { parseAuthConfig } from '../src/auth/auth-config.js';

const SECRET = 'x'.repeat(32);
const JWKS_URL = 'https://idp.example.test/.well-known/jwks.json';

describe('parseAuthConfig chooses', () => {
  it('development mode when no key is configured', () => {
    expect(parseAuthConfig({})).toEqual({ config: { mode: 'development' }, problems: [] });
  });

  it('HS256 with a secret of 32 bytes, and a clock tolerance of 5 s by default', () => {
    expect(parseAuthConfig({ AUTH_JWT_SECRET: SECRET }).config).toMatchObject({
      mode: 'secret',
      claims: { clockToleranceS: 5 },
    });
  });

  it('a remote key set, with the issuer, audience and tolerance given', () => {
    const { config } = parseAuthConfig({
      AUTH_JWKS_URL: JWKS_URL,
      AUTH_ISSUER: 'https://idp.example.test/',
      AUTH_AUDIENCE: 'kling-graphql',
      AUTH_CLOCK_TOLERANCE_S: '0',
      NODE_ENV: 'production',
    });
    expect(config).toEqual({
      mode: 'jwks',
      jwksUrl: new URL(JWKS_URL),
      claims: { issuer: 'https://idp.example.test/', audience: 'kling-graphql', clockToleranceS: 0 },
    });
  });

  it('the defaults for blank values', () => {
    expect(parseAuthConfig({ AUTH_JWT_SECRET: ' ', AUTH_JWKS_URL: '', AUTH_CLOCK_TOLERANCE_S: '' })).toEqual({
      config: { mode: 'development' },
      problems: [],
    });
  });
});

describe('parseAuthConfig refuses, listing every problem at once,', () => {
  it.each<[string, NodeJS.ProcessEnv, string[]]>([
    [
      'a secret under 32 bytes',
      { AUTH_JWT_SECRET: 'x'.repeat(31) },
      ['AUTH_JWT_SECRET: must be at least 32 bytes for HS256'],
    ],
    [
      'a key set URL that is not http(s)',
      { AUTH_JWKS_URL: 'file:///etc/jwks.json' },
      ['AUTH_JWKS_URL: must be an http(s) URL'],
    ],
    [
      'both a secret and a key set',
      { AUTH_JWT_SECRET: SECRET, AUTH_JWKS_URL: JWKS_URL },
      ['AUTH_JWT_SECRET, AUTH_JWKS_URL: set one of them, not both'],
    ],
    [
      'no key in production',
      { NODE_ENV: 'production' },
      ['AUTH_JWT_SECRET, AUTH_JWKS_URL: auth required in production (NODE_ENV=production): set one of them'],
    ],
    [
      'claim rules without a key, which would check nothing',
      { AUTH_ISSUER: 'https://idp.example.test/', AUTH_AUDIENCE: 'api' },
      [
        'AUTH_ISSUER: set, but neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is, so no token would be checked',
        'AUTH_AUDIENCE: set, but neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is, so no token would be checked',
      ],
    ],
    [
      'a tolerance that is no whole number of seconds',
      { AUTH_JWT_SECRET: SECRET, AUTH_CLOCK_TOLERANCE_S: '1.5' },
      ['AUTH_CLOCK_TOLERANCE_S: must be a whole number of seconds'],
    ],
    [
      'a tolerance over 300 s',
      { AUTH_JWT_SECRET: SECRET, AUTH_CLOCK_TOLERANCE_S: '301' },
      ['AUTH_CLOCK_TOLERANCE_S: must be at most 300 seconds'],
    ],
    [
      'a short secret and a bad URL together',
      { AUTH_JWT_SECRET: 'short', AUTH_JWKS_URL: 'nope' },
      [
        'AUTH_JWT_SECRET: must be at least 32 bytes for HS256',
        'AUTH_JWKS_URL: must be an http(s) URL',
        'AUTH_JWT_SECRET, AUTH_JWKS_URL: set one of them, not both',
      ],
    ],
  ])('%s', (_, env, problems) => {
    expect(parseAuthConfig(env)).toEqual({ config: undefined, problems });
  });
});
