import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { bearerTokenFromConnectionParams, bearerTokenFromHeader } from '../src/auth/bearer.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0In0.c2lnbmF0dXJl';

function expectMalformed(read: () => unknown): void {
  let thrown: unknown;
  try {
    read();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(GraphQLError);
  expect((thrown as GraphQLError).extensions).toMatchObject({
    code: 'UNAUTHENTICATED',
    reason: 'MALFORMED_TOKEN',
  });
  expect((thrown as GraphQLError).message).not.toContain(TOKEN);
}

describe('bearerTokenFromHeader', () => {
  it('reads "Bearer <token>", the scheme in any case', () => {
    expect(bearerTokenFromHeader(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerTokenFromHeader(`bearer ${TOKEN}`)).toBe(TOKEN);
  });

  it('reads no token from an absent header', () => {
    expect(bearerTokenFromHeader(undefined)).toBeUndefined();
    expect(bearerTokenFromHeader(null)).toBeUndefined();
  });

  it.each([
    ['an empty header', ''],
    ['another scheme', `Basic ${TOKEN}`],
    ['the scheme alone', 'Bearer'],
    ['no token after the space', 'Bearer '],
    ['two spaces', `Bearer  ${TOKEN}`],
    ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
    ['a trailing space', `Bearer ${TOKEN} `],
    ['characters outside b64token', `Bearer ${TOKEN}"`],
    ['a token over 8 KB', `Bearer ${'a'.repeat(8 * 1024 + 1)}`],
  ])('refuses %s', (_, value) => expectMalformed(() => bearerTokenFromHeader(value)));

  it('accepts a token of exactly 8 KB', () => {
    const token = 'a'.repeat(8 * 1024);
    expect(bearerTokenFromHeader(`Bearer ${token}`)).toBe(token);
  });
});

describe('bearerTokenFromConnectionParams', () => {
  it('reads connectionParams.authorization like the header', () => {
    expect(bearerTokenFromConnectionParams({ authorization: `Bearer ${TOKEN}` })).toBe(TOKEN);
  });

  it('reads no token from absent params or an absent authorization', () => {
    expect(bearerTokenFromConnectionParams(undefined)).toBeUndefined();
    expect(bearerTokenFromConnectionParams({})).toBeUndefined();
    expect(bearerTokenFromConnectionParams({ authorization: null })).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>]>([
    ['a bare token without the scheme', { authorization: TOKEN }],
    ['a value that is not a string', { authorization: { token: TOKEN } }],
  ])('refuses %s', (_, params) => expectMalformed(() => bearerTokenFromConnectionParams(params)));
});
