/** The provider's scalar limits (`limits`), so a UI can show and check them before sending. */
import { LIMITS } from '../upstream/capabilities.js';
import { builder } from './builder.js';

export const InputLimits = builder.objectRef<typeof LIMITS>('InputLimits').implement({
  description: 'Limits on `ImageToVideoInput` values. Lengths count UTF-16 code units, as the provider does.',
  fields: (t) => ({
    promptMaxLength: t.exposeInt('promptMaxLength', { description: 'Longest `prompt`, characters.' }),
    negativePromptMaxLength: t.exposeInt('negativePromptMaxLength', {
      description: 'Longest `negativePrompt`, characters.',
    }),
    shotPromptMaxLength: t.exposeInt('shotPromptMaxLength', {
      description: 'Longest `shots[].prompt`, characters.',
    }),
    shotsMin: t.exposeInt('shotsMin', { description: 'Fewest `shots` of a CUSTOMIZE storyboard.' }),
    shotsMax: t.exposeInt('shotsMax', { description: 'Most `shots` of a CUSTOMIZE storyboard.' }),
    shotDurationMin: t.exposeInt('shotDurationMin', { description: 'Shortest `shots[].duration`, seconds.' }),
    voicesMax: t.exposeInt('voicesMax', { description: 'Most `voices` per request.' }),
    elementsMax: t.exposeInt('elementsMax', {
      description: 'Most element references per request (not accepted by this gateway yet).',
    }),
    dynamicMasksMax: t.exposeInt('dynamicMasksMax', { description: 'Most `dynamicMasks` per request.' }),
    trajectoryPointsMin: t.exposeInt('trajectoryPointsMin', {
      description: 'Fewest points of `dynamicMasks[].trajectories`.',
    }),
    trajectoryPointsMax: t.exposeInt('trajectoryPointsMax', {
      description: 'Most points of `dynamicMasks[].trajectories`.',
    }),
    cameraAxisMin: t.exposeFloat('cameraAxisMin', {
      description: 'Lowest value of a `cameraControl.config` axis.',
    }),
    cameraAxisMax: t.exposeFloat('cameraAxisMax', {
      description: 'Highest value of a `cameraControl.config` axis.',
    }),
    cfgScaleMin: t.exposeFloat('cfgScaleMin', { description: 'Lowest `cfgScale`.' }),
    cfgScaleMax: t.exposeFloat('cfgScaleMax', { description: 'Highest `cfgScale`.' }),
    imageMaxBytes: t.exposeInt('imageMaxBytes', {
      description: 'Largest image (`image`, `imageTail`, masks), bytes once decoded.',
    }),
    imageMinSide: t.exposeInt('imageMinSide', {
      description: 'Smallest width and height of an image, pixels.',
    }),
    imageMaxAspectRatio: t.exposeFloat('imageMaxAspectRatio', {
      description: 'Widest ratio of an image: width / height must lie between 1 / this and this.',
    }),
  }),
});

builder.queryField('limits', (t) =>
  t.field({ type: InputLimits, description: 'Limits on input values.', resolve: () => LIMITS }),
);
