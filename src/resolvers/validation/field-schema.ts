/**
 * The per-value rules in one zod schema: each field on its own (format, length, range). GraphQL has
 * already checked types and enum values; counts and relations are the cross-field rules'.
 */
import { z } from 'zod';
import { LIMITS } from '../../upstream/capabilities.js';
import type { ImageToVideoInput } from '../image-to-video-request.js';
import { cameraControlField } from './camera.js';
import { numberInRange } from './field-rules.js';
import { imageString } from './images.js';
import { dynamicMasksField } from './motion-brush.js';
import { shotsField } from './multi-shot.js';
import { negativePromptField, promptField } from './prompts.js';
import type { InputIssue } from './rule.js';
import { unstorableTextIssues } from './storable-text.js';
import { voicesField } from './voices-and-sound.js';

const fieldSchema = z.object({
  image: imageString('image').nullish(),
  imageTail: imageString('imageTail').nullish(),
  prompt: promptField.nullish(),
  negativePrompt: negativePromptField.nullish(),
  voices: voicesField.nullish(),
  // Accepted on every model: the reference says v2.x "do not support" it, UNCERTAIN whether that
  // means rejected or ignored, and it is silent on v3. The `models` query reports `ignoresCfgScale`.
  cfgScale: numberInRange('cfgScale', LIMITS.cfgScaleMin, LIMITS.cfgScaleMax).nullish(),
  staticMask: imageString('staticMask').nullish(),
  dynamicMasks: dynamicMasksField.nullish(),
  shots: shotsField.nullish(),
  cameraControl: cameraControlField.nullish(),
});

export function fieldIssues(input: ImageToVideoInput): InputIssue[] {
  const result = fieldSchema.safeParse(input);
  const zodIssues = result.success
    ? []
    : result.error.issues.map(({ path, message }) => ({
        path: ['input', ...path.map((key) => (typeof key === 'symbol' ? String(key) : key))],
        message,
      }));
  return [...zodIssues, ...unstorableTextIssues(input, ['input'])];
}
