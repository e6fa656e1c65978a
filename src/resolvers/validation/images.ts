/**
 * Image-like strings (`image`, `imageTail`, `staticMask`, `dynamicMasks[].mask`) and the rule that a
 * request carries a frame at all (kling-api.md 3.1 `image`, 3.2 rule 1). Base64 images are judged by
 * their header (image-header.ts, image-content.ts); URLs by their scheme only.
 */
import { z } from 'zod';
import { LIMITS } from '../../upstream/capabilities.js';
import { imageContentIssues } from './image-content.js';
import { readImageHeader } from './image-header.js';
import { type CrossFieldRule, issue } from './rule.js';

/** A classified image string. */
export type ImageSource =
  | { kind: 'url'; url: URL }
  | {
      kind: 'base64';
      base64: string;
      /** Size once decoded, computed from the length. */
      bytes: number;
    };

export type ParsedImage = { ok: true; source: ImageSource } | { ok: false; message: string };

const BASE64_CHARACTERS = /^[A-Za-z0-9+/]*={0,2}$/;
const WRITTEN_HTTP_URL = /^https?:\/\/[^\s\\]+$/i;
const MAX_MEGABYTES = LIMITS.imageMaxBytes / (1024 * 1024);

/**
 * An http(s) URL or raw base64, as the provider takes them. Base64 cannot contain ':', so any
 * string with one is judged as a URL. The size limit is computed from the length, so an oversized
 * image is refused before a byte of it is decoded; the header of a `base64` source is judged after
 * this parse (`imageString`, image-content.ts).
 */
export function parseImageString(field: string, value: string): ParsedImage {
  if (value === '')
    return { ok: false, message: `${field} must not be empty: send an http(s) URL or raw base64` };
  if (/^data:/i.test(value)) {
    return {
      ok: false,
      message: `${field} must be raw base64: drop the "data:...;base64," prefix (the provider refuses data URLs)`,
    };
  }
  return value.includes(':') ? parseUrl(field, value) : parseBase64(field, value);
}

function parseUrl(field: string, value: string): ParsedImage {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, message: `${field} is not a valid URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      ok: false,
      message: `${field} must be an http or https URL or raw base64 (got the scheme ${url.protocol})`,
    };
  }
  // The provider takes the string as sent, while `new URL` silently repairs a missing slash, a
  // backslash or surrounding whitespace: the written form must already be a plain http(s) URL.
  if (!WRITTEN_HTTP_URL.test(value)) {
    return {
      ok: false,
      message: `${field} must be written as http:// or https:// followed by the address, with no whitespace or backslash`,
    };
  }
  // Only the form is checked: the gateway never fetches a URL (that would let a client make it
  // request internal addresses), so its format, size and pixels are the provider's to judge.
  return { ok: true, source: { kind: 'url', url } };
}

function parseBase64(field: string, value: string): ParsedImage {
  if (!BASE64_CHARACTERS.test(value)) {
    return {
      ok: false,
      message: `${field} is neither an http(s) URL nor raw base64: base64 allows only A–Z, a–z, 0–9, + and /, with = padding at the end`,
    };
  }
  if (value.length % 4 !== 0) {
    return {
      ok: false,
      message: `${field} is not valid base64: its length (${value.length}) must be a multiple of 4; keep the = padding`,
    };
  }
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  const bytes = (value.length / 4) * 3 - padding;
  if (bytes > LIMITS.imageMaxBytes) {
    return {
      ok: false,
      message: `${field} is ${bytes} bytes once decoded; the limit is ${MAX_MEGABYTES} MB (${LIMITS.imageMaxBytes} bytes)`,
    };
  }
  return { ok: true, source: { kind: 'base64', base64: value, bytes } };
}

/** The zod rule for one image-like field: its encoding, then for base64 what its header shows. */
export function imageString(field: string) {
  return z.string().superRefine((value, context) => {
    const parsed = parseImageString(field, value);
    const messages = !parsed.ok
      ? [parsed.message]
      : parsed.source.kind === 'base64'
        ? imageContentIssues(field, readImageHeader(parsed.source.base64))
        : [];
    for (const message of messages) context.addIssue({ code: 'custom', message });
  });
}

export const imageRules: CrossFieldRule = ({ request }) =>
  request.image === undefined && request.imageTail === undefined
    ? [issue(['image'], 'image or imageTail is required: send at least one frame')]
    : [];
