/**
 * How client tokens are checked, from the environment: an HS256 shared secret or a remote JWKS,
 * never both. With neither, the gateway runs as one local user, which production refuses. Problems
 * are returned, not thrown, so src/config.ts can list them with its own; no problem quotes a value.
 */
import { z } from 'zod';
import { SecretKey } from './secret-key.js';

/** The claims checked besides the signature. */
export interface ClaimRules {
  /** Expected `iss`; any issuer when absent. */
  readonly issuer?: string;
  /** Expected `aud` (one of the token's audiences); any audience when absent. */
  readonly audience?: string;
  /** Clock skew allowed on `exp` and `nbf`, seconds. @default 5 */
  readonly clockToleranceS: number;
}

export type AuthConfig =
  /** No auth configured: every operation runs as the viewer `local`. */
  | { readonly mode: 'development' }
  /** HS256 with a shared secret: the UTF-8 bytes of AUTH_JWT_SECRET, printed as "[redacted]". */
  | { readonly mode: 'secret'; readonly secret: SecretKey; readonly claims: ClaimRules }
  /** Asymmetric signatures, keys fetched from the identity provider's JWKS and cached. */
  | { readonly mode: 'jwks'; readonly jwksUrl: URL; readonly claims: ClaimRules };

/** `config` exists only when there is no problem, so a caller cannot start on a broken one. */
export type ParsedAuthConfig =
  | { readonly config: AuthConfig; readonly problems: readonly [] }
  | { readonly config: undefined; readonly problems: readonly string[] };

/** For the caller to log at start-up, loudly, when the mode is `development`. */
export const DEVELOPMENT_MODE_WARNING =
  'AUTH DISABLED: neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is set, so every request runs as the single ' +
  'user "local" without a token. Development only: set one of them before exposing this server.';

/** HS256 keys shorter than the hash output make brute-forcing the secret cheaper (RFC 7518 3.2). */
const SECRET_MIN_BYTES = 32;

const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());

const authEnvironmentSchema = z.object({
  // Not trimmed: a secret is used byte for byte, and a silently trimmed one would fail every token.
  AUTH_JWT_SECRET: z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine((value) => Buffer.byteLength(value, 'utf8') >= SECRET_MIN_BYTES, {
        error: `must be at least ${SECRET_MIN_BYTES} bytes for HS256`,
      })
      .optional(),
  ),
  AUTH_JWKS_URL: optionalText.pipe(
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  ),
  AUTH_ISSUER: optionalText,
  AUTH_AUDIENCE: optionalText,
  AUTH_CLOCK_TOLERANCE_S: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a whole number of seconds' })
      .int({ error: 'must be a whole number of seconds' })
      .min(0, { error: 'must be 0 or more seconds' })
      .max(300, { error: 'must be at most 300 seconds' })
      .default(5),
  ),
  NODE_ENV: optionalText,
});

type AuthEnvironment = z.infer<typeof authEnvironmentSchema>;

const isSet = (value: string | undefined) => value !== undefined && value.trim() !== '';

/**
 * Rules across variables, read from which variables are set, so they are reported even when a
 * value is malformed: the operator sees every problem in one start.
 */
function presenceProblems(env: NodeJS.ProcessEnv): string[] {
  const hasSecret = isSet(env.AUTH_JWT_SECRET);
  const hasJwks = isSet(env.AUTH_JWKS_URL);
  if (hasSecret && hasJwks) {
    return ['AUTH_JWT_SECRET, AUTH_JWKS_URL: set one of them, not both'];
  }
  if (hasSecret || hasJwks) return [];
  if (env.NODE_ENV?.trim() === 'production') {
    return [
      'AUTH_JWT_SECRET, AUTH_JWKS_URL: auth required in production (NODE_ENV=production): set one of them',
    ];
  }
  // Claim rules without a key would silently run without any check: likely a misspelled variable.
  return (['AUTH_ISSUER', 'AUTH_AUDIENCE'] as const)
    .filter((name) => isSet(env[name]))
    .map(
      (name) =>
        `${name}: set, but neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is, so no token would be checked`,
    );
}

function configFrom(e: AuthEnvironment): AuthConfig {
  const claims: ClaimRules = {
    ...(e.AUTH_ISSUER === undefined ? {} : { issuer: e.AUTH_ISSUER }),
    ...(e.AUTH_AUDIENCE === undefined ? {} : { audience: e.AUTH_AUDIENCE }),
    clockToleranceS: e.AUTH_CLOCK_TOLERANCE_S,
  };
  if (e.AUTH_JWT_SECRET !== undefined) {
    return { mode: 'secret', secret: new SecretKey(e.AUTH_JWT_SECRET), claims };
  }
  if (e.AUTH_JWKS_URL !== undefined) return { mode: 'jwks', jwksUrl: new URL(e.AUTH_JWKS_URL), claims };
  return { mode: 'development' };
}

export function parseAuthConfig(env: NodeJS.ProcessEnv = process.env): ParsedAuthConfig {
  const parsed = authEnvironmentSchema.safeParse(env);
  // zod messages here name the rule, never the input; the path is the variable's name.
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)),
    ...presenceProblems(env),
  ];
  if (!parsed.success || problems.length > 0) return { config: undefined, problems };
  return { config: configFrom(parsed.data), problems: [] };
}
