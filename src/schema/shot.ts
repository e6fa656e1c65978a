/** Multi-shot storyboards: `shotType` and the shots of a CUSTOMIZE storyboard. */
import { LIMITS, SHOT_TYPES, type ShotType as ShotTypeName } from '../upstream/capabilities.js';
import { builder } from './builder.js';
import { providerEnumValues } from './provider-enum.js';

const SHOT_COUNT = `${LIMITS.shotsMin}–${LIMITS.shotsMax}`;

const SHOT_TYPE_MEANINGS: Readonly<Record<ShotTypeName, string>> = {
  customize: `You write the storyboard: ${SHOT_COUNT} \`shots\` whose durations add up to \`duration\` exactly.`,
  intelligence: 'The provider writes the shots from `prompt`, which must be non-empty; send no `shots`.',
};

export const ShotType = builder.enumType('ShotType', {
  description: 'Who writes a multi-shot storyboard (with `multiShot: true`, where it is required).',
  values: providerEnumValues(SHOT_TYPES, (type) => SHOT_TYPE_MEANINGS[type]),
});

export const ShotInput = builder.inputType('ShotInput', {
  description: `One shot of a CUSTOMIZE storyboard, which has ${SHOT_COUNT} shots.`,
  fields: (t) => ({
    index: t.int({
      required: true,
      description:
        '1-based position in the storyboard: n shots are numbered 1 to n, each once, in any order.',
    }),
    prompt: t.string({
      required: true,
      description: `What happens in this shot; non-empty, at most ${LIMITS.shotPromptMaxLength} characters.`,
    }),
    duration: t.int({
      required: true,
      description: `Seconds, at least ${LIMITS.shotDurationMin} and at most the task's \`duration\`; the shots' durations add up to \`duration\` exactly.`,
    }),
  }),
});
