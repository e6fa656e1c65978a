/**
 * What a base64 image's header must show (kling-api.md 3.1 `image`, `image_tail`): JPEG or PNG,
 * each side at least LIMITS.imageMinSide, an aspect ratio within LIMITS.imageMaxAspectRatio. The
 * provider would refuse the task anyway; checking here refuses it before anything is stored or paid.
 */
import { LIMITS } from '../../upstream/capabilities.js';
import type { ImageHeader } from './image-header.js';

const MAX_RATIO = LIMITS.imageMaxAspectRatio;

/**
 * "3.34:1" or "1:2.51". Rounded up, so a ratio just past the bound never reads as the bound itself
 * (300×751 is 1:2.5033…, shown as 1:2.51, not 1:2.5).
 */
function describeRatio(width: number, height: number): string {
  const roundUp = (value: number) => Math.ceil(value * 100) / 100;
  return width >= height ? `${roundUp(width / height)}:1` : `1:${roundUp(height / width)}`;
}

function formatIssue(field: string, header: Extract<ImageHeader, { ok: false }>): string {
  switch (header.problem) {
    case 'truncated':
      return header.format === 'png'
        ? `${field} is a truncated or corrupt PNG: its IHDR header with the width and height is incomplete`
        : `${field} is a truncated or corrupt JPEG: no frame header (SOF) with the width and height was found`;
    case 'unsupported':
      return `${field} is a ${header.format.toUpperCase()} image; only JPEG and PNG are accepted`;
    case 'not-an-image':
      return `${field} is not a JPEG or PNG image: its decoded bytes start with neither signature`;
  }
}

/**
 * One message per broken rule. The same rules hold for every image field: the reference states no
 * aspect-ratio rule for `image_tail` (UNCERTAIN), but a last frame shaped unlike any accepted first
 * frame is very likely refused, and refusing it here costs nothing. Masks must match the image's
 * ratio, so the first frame's bounds hold for them too. Both rules are symmetric in width and
 * height, so an EXIF orientation (a 90° turn) cannot change the verdict.
 */
export function imageContentIssues(field: string, header: ImageHeader): string[] {
  if (!header.ok) return [formatIssue(field, header)];
  const { width, height } = header;
  const size = `${width}×${height} px`;
  const issues: string[] = [];
  if (width < LIMITS.imageMinSide || height < LIMITS.imageMinSide) {
    issues.push(`${field} is ${size}; its width and height must each be at least ${LIMITS.imageMinSide} px`);
  }
  // A zero side has no ratio; the side rule above already refuses it. Integer sides times 2.5 are
  // exact in floating point, so the bounds themselves pass.
  const hasRatio = width > 0 && height > 0;
  if (hasRatio && (width > height * MAX_RATIO || height > width * MAX_RATIO)) {
    issues.push(
      `${field} is ${size}, an aspect ratio of ${describeRatio(width, height)}; ` +
        `it must be between 1:${MAX_RATIO} and ${MAX_RATIO}:1`,
    );
  }
  return issues;
}
