/** Motion brush: masks that mark the regions to move along drawn paths (`dynamicMasks`). */
import { LIMITS } from '../upstream/capabilities.js';
import { builder } from './builder.js';

export const PointInput = builder.inputType('PointInput', {
  description: 'A point of a trajectory, in pixels of the input image, origin at its bottom-left corner.',
  fields: (t) => ({
    x: t.int({ required: true, description: 'Pixels from the left edge of the input image; not negative.' }),
    y: t.int({
      required: true,
      description: 'Pixels from the bottom edge of the input image; not negative.',
    }),
  }),
});

export const DynamicMaskInput = builder.inputType('DynamicMaskInput', {
  description: 'A region of the image and the path it moves along.',
  fields: (t) => ({
    mask: t.string({
      required: true,
      description:
        'The region to move: an http(s) URL or raw base64 of a .jpg/.jpeg/.png image. Its resolution must equal `staticMask`’s and the other masks’ (checked here for base64 masks) and its aspect ratio the image’s (the provider fails the task later on a mismatch).',
    }),
    trajectories: t.field({
      type: [PointInput],
      required: true,
      description: `The path, ${LIMITS.trajectoryPointsMin}–${LIMITS.trajectoryPointsMax} points joined in order (2 points: a straight line).`,
    }),
  }),
});
