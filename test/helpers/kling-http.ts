/**
 * Talks to a Kling endpoint over real HTTP and keeps the whole answer (status, parsed envelope,
 * raw text), so a test can assert on any of it and a failure shows what came back.
 */
import { type KlingJwtOptions, mintKlingJwt } from './kling-jwt.js';

export interface KlingEnvelope {
  code: number;
  message: string;
  request_id: string;
  data?: unknown;
}

export interface KlingAnswer {
  status: number;
  text: string;
  envelope: KlingEnvelope;
  /** `envelope.data`, typed loosely for `toMatchObject`. */
  data: Record<string, unknown> & Record<number, unknown>;
}

export type KlingCredentials =
  | { accessKey: string; secretKey: string; jwt?: KlingJwtOptions }
  | { apiKey: string };

export interface KlingHttp {
  get(path: string): Promise<KlingAnswer>;
  post(path: string, body: unknown): Promise<KlingAnswer>;
  /** Full control: any method, header and raw body. */
  send(
    method: string,
    path: string,
    init?: { authorization?: string | null; body?: string },
  ): Promise<KlingAnswer>;
}

/** `baseUrl` includes any path prefix; paths start with '/v1/...'. */
export function klingHttp(baseUrl: string, credentials: KlingCredentials): KlingHttp {
  const authorization = async () =>
    'apiKey' in credentials
      ? `Bearer ${credentials.apiKey}`
      : `Bearer ${await mintKlingJwt(credentials, credentials.jwt)}`;
  const send: KlingHttp['send'] = async (method, path, init = {}) => {
    const header = init.authorization === undefined ? await authorization() : init.authorization;
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(header === null ? {} : { authorization: header }) },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await response.text();
    let envelope: KlingEnvelope;
    try {
      envelope = JSON.parse(text) as KlingEnvelope;
    } catch {
      throw new Error(`not JSON (HTTP ${response.status}): ${text.slice(0, 200)}`);
    }
    return { status: response.status, text, envelope, data: (envelope.data ?? {}) as KlingAnswer['data'] };
  };
  return {
    get: (path) => send('GET', path),
    post: (path, body) => send('POST', path, { body: JSON.stringify(body) }),
    send,
  };
}
