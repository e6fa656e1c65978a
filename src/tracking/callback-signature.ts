/**
 * Standard Webhooks signatures (`webhook-id`, `webhook-timestamp`, `webhook-signature`: HMAC-SHA256
 * over `id.timestamp.body`, ±5 min), which the provider is said to send once a webhook secret is
 * configured (kling-api.md 5, UNCERTAIN). Verified with the reference implementation.
 */
import { Webhook } from 'standardwebhooks';

export type HeaderBag = Record<string, string | string[] | undefined>;

/** Whether the headers carry a valid, fresh signature of exactly this body. */
export type SignatureCheck = (headers: HeaderBag, rawBody: string) => boolean;

const SIGNATURE_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/**
 * @param secret base64, optionally prefixed `whsec_`, as the standard defines; anything else throws,
 * so a mistyped secret stops start-up instead of refusing every callback.
 */
export function createSignatureCheck(secret: string): SignatureCheck {
  let webhook: Webhook;
  try {
    webhook = new Webhook(secret);
  } catch {
    throw new Error('the webhook secret must be base64, optionally prefixed whsec_ (Standard Webhooks)');
  }
  return (headers, rawBody) => {
    const signed = signatureHeaders(headers);
    if (signed === undefined) return false;
    try {
      // The body is verified as bytes, never parsed: a callback's content is not trusted anyway.
      webhook.verify(rawBody, signed, { jsonParse: false });
      return true;
    } catch {
      return false;
    }
  };
}

/** The three headers, each present exactly once; undefined otherwise. */
function signatureHeaders(headers: HeaderBag): Record<string, string> | undefined {
  const lowered = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const picked: Record<string, string> = {};
  for (const name of SIGNATURE_HEADERS) {
    const value = lowered.get(name);
    if (typeof value !== 'string' || value === '') return undefined;
    picked[name] = value;
  }
  return picked;
}
