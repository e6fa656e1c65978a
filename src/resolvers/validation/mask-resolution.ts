/**
 * `staticMask` and every `dynamicMasks[].mask` must have the same resolution (kling-api.md 3.1).
 * The provider accepts a mismatch and then fails the task (3.2 rule 10); refusing it here saves the
 * round trip. Only base64 masks can be compared: a URL is never fetched (see images.ts).
 */
import type { ImageToVideoRequest } from '../image-to-video-request.js';
import { readImageHeader } from './image-header.js';
import { parseImageString } from './images.js';
import { type CrossFieldRule, issue } from './rule.js';

interface MeasuredMask {
  readonly label: string;
  readonly path: (string | number)[];
  readonly width: number;
  readonly height: number;
}

/** The masks whose size can be read; the field rules report every other one. */
function measuredMasks(request: ImageToVideoRequest): MeasuredMask[] {
  const masks = [
    ...(request.staticMask === undefined
      ? []
      : [{ label: 'staticMask', path: ['staticMask'], value: request.staticMask }]),
    ...request.dynamicMasks.map(({ mask }, index) => ({
      label: `dynamicMasks[${index}].mask`,
      path: ['dynamicMasks', index, 'mask'],
      value: mask,
    })),
  ];
  return masks.flatMap(({ label, path, value }) => {
    const parsed = parseImageString(label, value);
    if (!parsed.ok || parsed.source.kind !== 'base64') return [];
    const header = readImageHeader(parsed.source.base64);
    return header.ok ? [{ label, path, width: header.width, height: header.height }] : [];
  });
}

/** Each mask that differs from the first readable one is reported on its own path. */
export const maskResolutionRules: CrossFieldRule = ({ request }) => {
  const [reference, ...others] = measuredMasks(request);
  if (reference === undefined) return [];
  const expected = `${reference.width}×${reference.height} px`;
  return others
    .filter(({ width, height }) => width !== reference.width || height !== reference.height)
    .map(({ label, path, width, height }) =>
      issue(
        path,
        `${label} is ${width}×${height} px but ${reference.label} is ${expected}: ` +
          'staticMask and every dynamicMasks mask must have the same resolution',
      ),
    );
};
