/** Motion brush: `staticMask` and `dynamicMasks` (kling-api.md 3.1, 3.3). */
import { z } from 'zod';
import { LIMITS } from '../../upstream/capabilities.js';
import type { ImageToVideoRequest } from '../image-to-video-request.js';
import { requireCell } from './capability.js';
import { wholeNumber } from './field-rules.js';
import { imageString } from './images.js';
import { type CrossFieldRule, type InputIssue, issue } from './rule.js';

export const MOTION_BRUSH_LABEL = 'motion brush (staticMask/dynamicMasks)';

/** Pixel coordinates, origin at the bottom-left of the image. */
const point = z.object({ x: wholeNumber('x', { min: 0 }), y: wholeNumber('y', { min: 0 }) });

export const dynamicMasksField = z.array(
  z.object({ mask: imageString('mask'), trajectories: z.array(point) }),
);

/** Where a motion-brush issue is reported, or undefined when the request uses none. */
export function motionBrushPath(request: ImageToVideoRequest): 'staticMask' | 'dynamicMasks' | undefined {
  if (request.staticMask !== undefined) return 'staticMask';
  return request.dynamicMasks.length > 0 ? 'dynamicMasks' : undefined;
}

function countRules(request: ImageToVideoRequest): InputIssue[] {
  const { dynamicMasksMax, trajectoryPointsMin: min, trajectoryPointsMax: max } = LIMITS;
  const issues: InputIssue[] = [];
  if (request.dynamicMasks.length > dynamicMasksMax) {
    issues.push(
      issue(
        ['dynamicMasks'],
        `at most ${dynamicMasksMax} dynamicMasks are allowed (got ${request.dynamicMasks.length})`,
      ),
    );
  }
  request.dynamicMasks.forEach(({ trajectories }, index) => {
    if (trajectories.length < min || trajectories.length > max) {
      issues.push(
        issue(
          ['dynamicMasks', index, 'trajectories'],
          `trajectories must have ${min}–${max} points (got ${trajectories.length})`,
        ),
      );
    }
  });
  return issues;
}

export const motionBrushRules: CrossFieldRule = (context) => {
  const path = motionBrushPath(context.request);
  if (path === undefined) return [];
  return [...requireCell(context, 'motionBrush', [path], MOTION_BRUSH_LABEL), ...countRules(context.request)];
};
