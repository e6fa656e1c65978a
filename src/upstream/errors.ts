/**
 * Kling's business codes (../shared/kling-api.md section 6) mapped to named errors, each recording
 * what a caller may do about it. Decisions are made on the body `code`, never on the HTTP status.
 */

/**
 * - `auth`: the credentials are wrong; nothing to retry.
 * - `refused`: the provider rejected the request for good; a create made no task.
 * - `busy`: try again later; a create made no task.
 * - `ambiguous`: on a create, the task may or may not exist: recover by external id first.
 * - `not-found`: a read of an id the provider does not know.
 */
export type KlingErrorKind = 'auth' | 'refused' | 'busy' | 'ambiguous' | 'not-found';

export interface KlingErrorInfo {
  readonly name: string;
  /** The HTTP status the official table pairs with the code. */
  readonly httpStatus: number;
  readonly kind: KlingErrorKind;
  readonly meaning: string;
}

export const KLING_ERROR_CODES = {
  1000: { name: 'KLING_AUTH_FAILED', httpStatus: 401, kind: 'auth', meaning: 'authentication failed' },
  1001: { name: 'KLING_AUTH_MISSING', httpStatus: 401, kind: 'auth', meaning: 'Authorization header empty' },
  1002: { name: 'KLING_AUTH_INVALID', httpStatus: 401, kind: 'auth', meaning: 'Authorization invalid' },
  // The token clock is ours: re-minting fixes both, so the client retries them once.
  1003: { name: 'KLING_TOKEN_NOT_YET_VALID', httpStatus: 401, kind: 'auth', meaning: 'token not yet valid' },
  1004: { name: 'KLING_TOKEN_EXPIRED', httpStatus: 401, kind: 'auth', meaning: 'token expired' },
  1100: { name: 'KLING_ACCOUNT_EXCEPTION', httpStatus: 429, kind: 'refused', meaning: 'account exception' },
  1101: { name: 'KLING_ACCOUNT_IN_ARREARS', httpStatus: 429, kind: 'refused', meaning: 'account in arrears' },
  1102: {
    name: 'KLING_RESOURCE_PACK_EXHAUSTED',
    httpStatus: 429,
    kind: 'refused',
    meaning: 'resource pack used up or expired',
  },
  1103: {
    name: 'KLING_NO_PERMISSION',
    httpStatus: 403,
    kind: 'refused',
    meaning: 'no permission for this API or model',
  },
  1200: {
    name: 'KLING_INVALID_REQUEST',
    httpStatus: 400,
    kind: 'refused',
    meaning: 'invalid request parameters',
  },
  1201: { name: 'KLING_INVALID_PARAMETER', httpStatus: 400, kind: 'refused', meaning: 'invalid parameter' },
  1202: { name: 'KLING_INVALID_METHOD', httpStatus: 404, kind: 'refused', meaning: 'invalid request method' },
  1203: {
    name: 'KLING_RESOURCE_NOT_FOUND',
    httpStatus: 404,
    kind: 'refused',
    meaning: 'resource does not exist',
  },
  1300: {
    name: 'KLING_POLICY_TRIGGERED',
    httpStatus: 400,
    kind: 'refused',
    meaning: 'platform policy triggered',
  },
  1301: {
    name: 'KLING_CONTENT_SECURITY',
    httpStatus: 400,
    kind: 'refused',
    meaning: 'content-security policy triggered by the input',
  },
  1302: { name: 'KLING_RATE_LIMITED', httpStatus: 429, kind: 'busy', meaning: 'requests too fast' },
  1303: {
    name: 'KLING_CONCURRENCY_LIMIT',
    httpStatus: 429,
    kind: 'busy',
    meaning: 'parallel task over resource pack limit',
  },
  1304: { name: 'KLING_IP_NOT_ALLOWED', httpStatus: 429, kind: 'refused', meaning: 'IP whitelist policy' },
  5000: {
    name: 'KLING_INTERNAL_ERROR',
    httpStatus: 500,
    kind: 'ambiguous',
    meaning: 'internal server error',
  },
  5001: { name: 'KLING_UNAVAILABLE', httpStatus: 503, kind: 'busy', meaning: 'temporarily unavailable' },
  5002: { name: 'KLING_INTERNAL_TIMEOUT', httpStatus: 504, kind: 'ambiguous', meaning: 'internal timeout' },
} as const satisfies Record<number, KlingErrorInfo>;

export type KlingErrorCode = keyof typeof KLING_ERROR_CODES;

/** Kling's wording for an unknown id on a read (1201). */
export const TASK_NOT_FOUND_MESSAGE = 'Task not found by id/external id';

export function klingErrorInfo(code: number): KlingErrorInfo {
  const known = (KLING_ERROR_CODES as Record<number, KlingErrorInfo>)[code];
  // An unknown code on a 4xx-like answer is safest treated as a refusal; 5xxx ones as ambiguous.
  return (
    known ?? {
      name: `KLING_${code}`,
      httpStatus: 0,
      kind: code >= 5000 ? 'ambiguous' : 'refused',
      meaning: 'unknown code',
    }
  );
}

/**
 * What went wrong talking to the provider. `code` is Kling's business code, or null when no Kling
 * answer arrived (network failure, timeout, a body that is not the envelope).
 */
export class KlingError extends Error {
  override readonly name = 'KlingError';
  constructor(
    readonly kind: KlingErrorKind,
    readonly code: number | null,
    /** Stable name, e.g. `KLING_CONCURRENCY_LIMIT` or `KLING_NETWORK_ERROR`. */
    readonly errorName: string,
    message: string,
    readonly httpStatus: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static fromEnvelope(code: number, message: string, httpStatus: number): KlingError {
    const info = klingErrorInfo(code);
    return new KlingError(info.kind, code, info.name, message || info.meaning, httpStatus);
  }

  /**
   * The same answer to a read of one task: an unknown id comes back as 1201 "Task not found by
   * id/external id"; 1203 (resource does not exist) is read the same way, since the HTTP status and
   * code of a miss are UNCERTAIN.
   */
  static fromReadEnvelope(code: number, message: string, httpStatus: number): KlingError {
    const isMiss = (code === 1201 && /not found/i.test(message)) || code === 1203;
    if (!isMiss) return KlingError.fromEnvelope(code, message, httpStatus);
    return new KlingError('not-found', code, 'KLING_TASK_NOT_FOUND', message, httpStatus);
  }
}
