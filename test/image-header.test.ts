import { describe, expect, it } from 'vitest';
import type { ImageToVideoInput } from '../src/resolvers/image-to-video-request.js';
import {
  type InputIssue,
  validateImageToVideoInput,
} from '../src/resolvers/validate-image-to-video-input.js';
import { readImageHeader } from '../src/resolvers/validation/image-header.js';
import { LIMITS } from '../src/upstream/capabilities.js';
import { FRAME_PNG_BASE64, IMAGE_URL, jpegBase64, pngBase64 } from './fixtures/images.js';

function issuesOf(input: ImageToVideoInput): InputIssue[] {
  const result = validateImageToVideoInput(input);
  return result.ok ? [] : result.issues;
}

/** The first `bytes` bytes of a base64 image, as base64. */
function truncated(base64: string, bytes: number): string {
  return Buffer.from(base64, 'base64').subarray(0, bytes).toString('base64');
}

/** A base64 image followed by `bytes` of trailing data, as a large file would be. */
function followedBy(base64: string, bytes: number): string {
  return Buffer.concat([Buffer.from(base64, 'base64'), Buffer.alloc(bytes, 0x55)]).toString('base64');
}

/** A GIF89a logical screen descriptor of the given size. */
function gifBase64(width: number, height: number): string {
  const header = Buffer.alloc(13);
  header.write('GIF89a', 'latin1');
  header.writeUInt16LE(width, 6);
  header.writeUInt16LE(height, 8);
  return header.toString('base64');
}

/** An extended (VP8X) WebP header of the given size. */
function webpBase64(width: number, height: number): string {
  const header = Buffer.alloc(30);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(22, 4);
  header.write('WEBPVP8X', 8, 'latin1');
  header.writeUInt32LE(10, 16);
  header.writeUIntLE(width - 1, 24, 3);
  header.writeUIntLE(height - 1, 27, 3);
  return header.toString('base64');
}

/** A model and mode that take a first and last frame, so `imageTail` meets no capability rule. */
const withTail = (imageTail: string) =>
  ({ model: 'kling-v1-5', mode: 'pro', image: IMAGE_URL, imageTail }) as const;

const points = [
  { x: 0, y: 0 },
  { x: 10, y: 10 },
];

describe('a base64 image passes when its header shows', () => {
  it.each<[string, string]>([
    ['exactly 300×300 px', pngBase64(300, 300)],
    ['the widest ratio, 750×300 (2.5:1)', pngBase64(750, 300)],
    ['the tallest ratio, 300×750 (1:2.5)', pngBase64(300, 750)],
    ['a JPEG', jpegBase64(640, 360)],
    ['a JPEG whose size follows a 200 KB APP1 (EXIF) block', jpegBase64(640, 360, { app1Bytes: 200_000 })],
  ])('%s', (_, image) => {
    expect(issuesOf({ image })).toEqual([]);
    expect(issuesOf(withTail(image))).toEqual([]);
  });

  it('masks of one resolution', () => {
    const mask = pngBase64(640, 360);
    const input = {
      image: FRAME_PNG_BASE64,
      staticMask: mask,
      dynamicMasks: [{ mask, trajectories: points }],
    };
    expect(issuesOf(input)).toEqual([]);
  });
});

describe('a base64 image is refused, one issue on its path, when', () => {
  it.each<[string, ImageToVideoInput, (string | number)[], string]>([
    [
      'a side is under 300 px',
      { image: pngBase64(299, 400) },
      ['input', 'image'],
      'image is 299×400 px; its width and height must each be at least 300 px',
    ],
    [
      'it is wider than 2.5:1',
      { image: pngBase64(1000, 300) },
      ['input', 'image'],
      'image is 1000×300 px, an aspect ratio of 3.34:1; it must be between 1:2.5 and 2.5:1',
    ],
    [
      'a last frame is taller than 1:2.5',
      withTail(jpegBase64(300, 751)),
      ['input', 'imageTail'],
      'imageTail is 300×751 px, an aspect ratio of 1:2.51; it must be between 1:2.5 and 2.5:1',
    ],
    [
      'a PNG ends inside its IHDR header',
      { image: truncated(FRAME_PNG_BASE64, 20) },
      ['input', 'image'],
      'image is a truncated or corrupt PNG',
    ],
    [
      'a JPEG ends before its frame header (SOF)',
      { image: truncated(jpegBase64(640, 360, { app1Bytes: 30_000 }), 20_000) },
      ['input', 'image'],
      'image is a truncated or corrupt JPEG: no frame header (SOF)',
    ],
    [
      'the bytes are no image',
      { image: Buffer.from('certainly not a picture').toString('base64') },
      ['input', 'image'],
      'image is not a JPEG or PNG image',
    ],
    [
      'it is a GIF',
      { image: gifBase64(640, 360) },
      ['input', 'image'],
      'image is a GIF image; only JPEG and PNG are accepted',
    ],
    [
      'it is a WebP',
      { image: IMAGE_URL, staticMask: webpBase64(640, 360) },
      ['input', 'staticMask'],
      'staticMask is a WEBP image; only JPEG and PNG are accepted',
    ],
    [
      'one dynamic mask is unreadable',
      {
        image: FRAME_PNG_BASE64,
        dynamicMasks: [
          { mask: FRAME_PNG_BASE64, trajectories: points },
          { mask: gifBase64(640, 360), trajectories: points },
        ],
      },
      ['input', 'dynamicMasks', 1, 'mask'],
      'mask is a GIF image',
    ],
  ])('%s', (_, input, path, message) => {
    expect(issuesOf(input)).toEqual([{ path, message: expect.stringContaining(message) }]);
  });

  it('it is over 10 MB: judged by its length, its header is never read', () => {
    // The header says 100×100, which would be refused too if it were read.
    const huge = followedBy(pngBase64(100, 100), LIMITS.imageMaxBytes);
    expect(issuesOf({ image: huge })).toEqual([
      { path: ['input', 'image'], message: expect.stringContaining('the limit is 10 MB') },
    ]);
  });

  it('it breaks two rules: one issue for each', () => {
    expect(issuesOf({ image: pngBase64(100, 1000) })).toEqual([
      { path: ['input', 'image'], message: expect.stringContaining('at least 300 px') },
      { path: ['input', 'image'], message: expect.stringContaining('an aspect ratio of 1:10') },
    ]);
  });
});

describe('masks', () => {
  it('must all have the resolution of the first one: each other one is reported on its path', () => {
    const input = {
      image: FRAME_PNG_BASE64,
      staticMask: pngBase64(640, 360),
      dynamicMasks: [
        { mask: jpegBase64(640, 360), trajectories: points },
        { mask: pngBase64(1280, 720), trajectories: points },
      ],
    };
    expect(issuesOf(input)).toEqual([
      {
        path: ['input', 'dynamicMasks', 1, 'mask'],
        message:
          'dynamicMasks[1].mask is 1280×720 px but staticMask is 640×360 px: ' +
          'staticMask and every dynamicMasks mask must have the same resolution',
      },
    ]);
  });

  it('given as URLs are not compared: the gateway never fetches a URL', () => {
    const input = {
      image: FRAME_PNG_BASE64,
      staticMask: pngBase64(640, 360),
      dynamicMasks: [{ mask: 'http://169.254.169.254/latest/meta-data/mask.png', trajectories: points }],
    };
    expect(issuesOf(input)).toEqual([]);
  });
});

describe('readImageHeader', () => {
  it('decodes only the first few KB of a large image', () => {
    const large = followedBy(FRAME_PNG_BASE64, 9 * 1024 * 1024);
    const header = readImageHeader(large);
    expect(header).toMatchObject({ ok: true, format: 'png', width: 640, height: 360 });
    expect(header.decodedBytes).toBeLessThanOrEqual(8 * 1024);
  });

  it('decodes further, up to the whole image, while a JPEG header goes on', () => {
    const header = readImageHeader(jpegBase64(640, 360, { app1Bytes: 200_000 }));
    expect(header).toMatchObject({ ok: true, format: 'jpeg', width: 640, height: 360 });
    expect(header.decodedBytes).toBeGreaterThan(200_000);
  });

  it('stops at the first bytes when they are no JPEG or PNG signature', () => {
    const header = readImageHeader(followedBy(Buffer.from('no image').toString('base64'), 1024 * 1024));
    expect(header).toMatchObject({ ok: false, problem: 'not-an-image' });
    expect(header.decodedBytes).toBeLessThanOrEqual(8 * 1024);
  });
});
