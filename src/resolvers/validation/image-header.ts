/**
 * Reads an image's format and pixel size from the start of its raw base64, without decoding the
 * picture and usually without decoding more than a few KB of it. The limits are not applied here:
 * image-content.ts judges what this reads.
 */
import { imageSize } from 'image-size';

export type ImageFormat = 'jpeg' | 'png';

export type ImageHeader =
  | { ok: true; format: ImageFormat; width: number; height: number; decodedBytes: number }
  /** A JPEG or PNG signature, but no readable size in the whole image. */
  | { ok: false; problem: 'truncated'; format: ImageFormat; decodedBytes: number }
  /** An image of another format, named as image-size names it ('gif', 'webp', …). */
  | { ok: false; problem: 'unsupported'; format: string; decodedBytes: number }
  | { ok: false; problem: 'not-an-image'; decodedBytes: number };

/**
 * Base64 characters decoded first: 6 KB of bytes hold a PNG's IHDR and most JPEGs' SOF. A multiple
 * of 4, so every prefix decodes on its own.
 */
const FIRST_PREFIX_CHARACTERS = 8 * 1024;
/** Each retry decodes 4× more, so an image is decoded at most about 1⅓ times in all. */
const PREFIX_GROWTH = 4;

const SIGNATURES: readonly (readonly [ImageFormat, Uint8Array])[] = [
  ['png', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)],
  ['jpeg', Uint8Array.of(0xff, 0xd8, 0xff)],
];

/** The format the first bytes announce; a prefix shorter than a signature matches its start. */
function signatureFormat(bytes: Uint8Array): ImageFormat | undefined {
  return SIGNATURES.find(([, signature]) =>
    signature.subarray(0, bytes.length).every((byte, index) => bytes[index] === byte),
  )?.[0];
}

/**
 * Decodes into a Uint8Array that owns its ArrayBuffer. image-size reads through a DataView over
 * `input.buffer`; a small Buffer from Buffer.from() sits in Node's shared 8 KB pool, so a read past
 * its end would return a neighbour's bytes instead of throwing.
 */
function decode(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

type SizeAttempt = { width: number; height: number; type: string } | undefined;

/** image-size on a prefix: undefined when the bytes end before the size (or hold none). */
function trySize(bytes: Uint8Array): SizeAttempt {
  try {
    const { width, height, type } = imageSize(bytes);
    return type === undefined ? undefined : { width, height, type };
  } catch {
    return undefined;
  }
}

/**
 * `base64` must already be valid raw base64 (images.ts `parseImageString`). A JPEG's SOF can sit
 * after large APPn blocks (EXIF, ICC profiles, XMP), so the prefix grows until the size is found or
 * the whole image has been read.
 *
 * Known gap: image-size steps over the segment right after SOI unread, so a JPEG whose SOF comes
 * first (no APPn, no DQT before it) reads as truncated. Encoders write JFIF/EXIF or DQT first.
 */
export function readImageHeader(base64: string): ImageHeader {
  for (let characters = FIRST_PREFIX_CHARACTERS; ; characters *= PREFIX_GROWTH) {
    const whole = characters >= base64.length;
    const bytes = decode(whole ? base64 : base64.slice(0, characters));
    const decodedBytes = bytes.length;
    const size = trySize(bytes);
    if (size !== undefined) {
      if (size.type === 'png' || size.type === 'jpg') {
        const format = size.type === 'png' ? 'png' : 'jpeg';
        return { ok: true, format, width: size.width, height: size.height, decodedBytes };
      }
      return { ok: false, problem: 'unsupported', format: size.type, decodedBytes };
    }
    // Only a JPEG or PNG signature makes more bytes worth decoding.
    const format = signatureFormat(bytes);
    if (format === undefined) return { ok: false, problem: 'not-an-image', decodedBytes };
    if (whole) return { ok: false, problem: 'truncated', format, decodedBytes };
  }
}
