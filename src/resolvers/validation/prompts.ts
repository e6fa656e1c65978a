/** `prompt` and `negativePrompt` (kling-api.md 3.1 `prompt`, 3.2 rule 6). */
import { LIMITS } from '../../upstream/capabilities.js';
import { clientName } from './client-names.js';
import { boundedText } from './field-rules.js';
import { type CrossFieldRule, issue } from './rule.js';

export const promptField = boundedText('prompt', LIMITS.promptMaxLength);
export const negativePromptField = boundedText('negativePrompt', LIMITS.negativePromptMaxLength);

/**
 * The current reference requires a non-empty prompt when `multi_shot` is false or `shot_type` is
 * `intelligence`; older editions make it optional, and it is UNCERTAIN whether pre-v3 models refuse
 * an empty one. So the first half is enforced on kling-v3 only: lenient on older models.
 */
export const promptRules: CrossFieldRule = ({ request, model }) => {
  if (request.prompt !== undefined && request.prompt.trim() !== '') return [];
  if (model.name === 'kling-v3' && !request.multiShot) {
    return [
      issue(['prompt'], `${clientName(model.name)} requires a non-empty prompt unless multiShot is true`),
    ];
  }
  if (request.shotType === 'intelligence') {
    return [
      issue(
        ['prompt'],
        'shotType INTELLIGENCE requires a non-empty prompt: the provider writes the shots from it',
      ),
    ];
  }
  return [];
};
