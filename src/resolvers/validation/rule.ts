/**
 * The shape every validation rule group shares. Field rules (zod, one value at a time) and
 * cross-field rules (plain functions over the whole input) both end as `InputIssue`s.
 */
import type { ModelCapabilities } from '../../upstream/capabilities.js';
import type { ImageToVideoInput, ImageToVideoRequest } from '../image-to-video-request.js';

/** One problem, at a path that starts with `input` as the GraphQL argument does. */
export interface InputIssue {
  path: (string | number)[];
  message: string;
}

/**
 * What a cross-field rule reads: the raw input (for what the client literally sent), the same
 * input with the provider's defaults applied, and the model's row of the capability table.
 */
export interface RuleContext {
  readonly input: ImageToVideoInput;
  readonly request: ImageToVideoRequest;
  readonly model: ModelCapabilities;
}

export type CrossFieldRule = (context: RuleContext) => InputIssue[];

/** An issue at `input.<path>`. */
export function issue(path: (string | number)[], message: string): InputIssue {
  return { path: ['input', ...path], message };
}
