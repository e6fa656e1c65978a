import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration from the environment', () => {
  it('runs on embedded defaults with nothing set', () => {
    expect(parseConfig({})).toMatchObject({
      port: 4000,
      database: { kind: 'pglite', dataDir: '.data' },
      upstream: { kind: 'simulator' },
      maxConcurrency: 5,
      pollIntervalMs: 5000,
    });
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    expect(parseConfig({ DATABASE_URL: 'postgres://127.0.0.1:5432/test' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://127.0.0.1:5432/test',
    });
  });

  it('signs JWTs for the official API and strips a trailing slash from the base URL', () => {
    const config = parseConfig({
      KLING_BASE_URL: 'https://api-singapore.klingai.com/',
      KLING_ACCESS_KEY: 'ak',
      KLING_SECRET_KEY: 'sk',
    });
    expect(config.upstream).toEqual({
      kind: 'kling',
      baseUrl: 'https://api-singapore.klingai.com',
      auth: { kind: 'jwt', accessKey: 'ak', secretKey: 'sk' },
    });
  });

  it('sends a static key to a reseller base with a path prefix', () => {
    const config = parseConfig({ KLING_BASE_URL: 'https://reseller.example/kling', KLING_API_KEY: 'sk-123' });
    expect(config.upstream).toEqual({
      kind: 'kling',
      baseUrl: 'https://reseller.example/kling',
      auth: { kind: 'static', apiKey: 'sk-123' },
    });
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      KLING_MAX_CONCURRENCY: '0',
      DATABASE_URL: 'mysql://nope',
      KLING_BASE_URL: 'https://api-singapore.klingai.com',
      KLING_ACCESS_KEY: 'ak',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT/),
        expect.stringMatching(/^KLING_MAX_CONCURRENCY/),
        expect.stringMatching(/^DATABASE_URL/),
        expect.stringMatching(/^KLING_SECRET_KEY/),
      ]),
    );
  });

  it('refuses credentials without a base URL, and both kinds of credentials at once', () => {
    expect(problemsOf({ KLING_API_KEY: 'sk' })).toEqual([expect.stringMatching(/^KLING_BASE_URL: required/)]);
    expect(
      problemsOf({
        KLING_BASE_URL: 'https://x.example',
        KLING_API_KEY: 'k',
        KLING_ACCESS_KEY: 'a',
        KLING_SECRET_KEY: 's',
      }),
    ).toEqual([expect.stringMatching(/either/)]);
  });

  it('never repeats a secret in its messages', () => {
    const secret = 'super-secret-value-123';
    const problems = problemsOf({ KLING_SECRET_KEY: secret, PORT: secret });
    expect(problems.join('\n')).not.toContain(secret);
  });
});
