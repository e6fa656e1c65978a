/**
 * Images and masks (kling-api.md 3.1): an http(s) URL, which the provider fetches later, or raw
 * base64 of a .jpg/.png, which it checks at once for size, pixel size and aspect ratio.
 */
import { imageSize as readImageSize } from 'image-size';
import { LIMITS } from '../capabilities.js';
import { isAbsent, type JsonObject } from './json.js';
import { invalid, isHttpUrl, Refusal } from './validation-fields.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface MediaChecks {
  /** Refuse images narrower than 1:2.5 or wider than 2.5:1. */
  aspectRatio: boolean;
  /** Refuse images with a side under the minimum. */
  minSide: boolean;
}

/** The field's value when set; refuses what the provider would. */
export function readMedia(body: JsonObject, field: string, checks: MediaChecks): string | undefined {
  const value = body[field];
  if (isAbsent(value) || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(field, value);
  checkMedia(field, value, checks);
  return value;
}

export function checkMedia(field: string, value: string, checks: MediaChecks): void {
  if (/^https?:\/\//i.test(value)) {
    if (!isHttpUrl(value)) throw invalid(field, value);
    return;
  }
  // Kling wants raw base64: a `data:...;base64,` prefix fails here with the provider's wording.
  if (!BASE64.test(value) || value.length % 4 !== 0) {
    throw new Refusal('File is not in a valid base64 format');
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length > LIMITS.imageMaxBytes) {
    throw new Refusal(`${field} size must not exceed ${LIMITS.imageMaxBytes / 1024 / 1024}MB`);
  }
  const size = pixelSize(bytes);
  if (size === undefined) {
    throw new Refusal(`${field} format is invalid, only jpg, jpeg and png are supported`);
  }
  if (checks.minSide && Math.min(size.width, size.height) < LIMITS.imageMinSide) {
    throw new Refusal(`${field} width and height must be at least ${LIMITS.imageMinSide}px`);
  }
  const ratio = size.width / size.height;
  const max = LIMITS.imageMaxAspectRatio;
  if (checks.aspectRatio && (ratio > max || ratio < 1 / max)) {
    throw new Refusal(`${field} aspect ratio must be between 1:${max} and ${max}:1`);
  }
}

/** Pixel size of a whole PNG or JPEG; undefined for anything else or an unreadable header. */
function pixelSize(bytes: Buffer): { width: number; height: number } | undefined {
  try {
    // A copy that owns its memory: image-size reads through `.buffer`, and a small Buffer shares
    // Node's pool with its neighbours.
    const { width, height, type } = readImageSize(new Uint8Array(bytes));
    return type === 'png' || type === 'jpg' ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}
