/**
 * Validates `ImageToVideoInput` before any side effect and applies the provider's defaults. Every
 * problem is reported in one pass: the per-value zod rules and the cross-field rules both run,
 * whatever the other finds. The rules themselves read src/upstream/capabilities.ts.
 */
import { MODEL_CAPABILITIES } from '../upstream/capabilities.js';
import type { ImageToVideoInput, ImageToVideoRequest } from './image-to-video-request.js';
import { cameraRules } from './validation/camera.js';
import { capabilityRules } from './validation/capability.js';
import { exclusivityRules } from './validation/exclusivity.js';
import { fieldIssues } from './validation/field-schema.js';
import { imageRules } from './validation/images.js';
import { maskResolutionRules } from './validation/mask-resolution.js';
import { motionBrushRules } from './validation/motion-brush.js';
import { multiShotRules } from './validation/multi-shot.js';
import { normalizeImageToVideoInput } from './validation/normalize.js';
import { promptRules } from './validation/prompts.js';
import type { CrossFieldRule, InputIssue } from './validation/rule.js';
import { voiceAndSoundRules } from './validation/voices-and-sound.js';

export type { InputIssue } from './validation/rule.js';

export type ValidationResult =
  | { ok: true; request: ImageToVideoRequest }
  | { ok: false; issues: InputIssue[] };

const CROSS_FIELD_RULES: readonly CrossFieldRule[] = [
  imageRules,
  capabilityRules,
  promptRules,
  exclusivityRules,
  multiShotRules,
  voiceAndSoundRules,
  cameraRules,
  motionBrushRules,
  maskResolutionRules,
];

export function validateImageToVideoInput(input: ImageToVideoInput): ValidationResult {
  const request = normalizeImageToVideoInput(input);
  const context = { input, request, model: MODEL_CAPABILITIES[request.model] };
  const issues = [...fieldIssues(input), ...CROSS_FIELD_RULES.flatMap((rule) => rule(context))];
  return issues.length === 0 ? { ok: true, request } : { ok: false, issues };
}
