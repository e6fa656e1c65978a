/** `voices`, `<<<voice_N>>>` references and `sound` (kling-api.md 3.1, 3.2 rule 7, 3.3). */
import { z } from 'zod';
import { LIMITS } from '../../upstream/capabilities.js';
import type { ImageToVideoRequest } from '../image-to-video-request.js';
import { requireCell } from './capability.js';
import { clientName } from './client-names.js';
import { nonBlankText } from './field-rules.js';
import { type CrossFieldRule, type InputIssue, issue } from './rule.js';

export const voicesField = z.array(z.object({ voiceId: nonBlankText('voiceId') }));

/** `<<<voice_1>>>` names the first entry of `voices`. */
const VOICE_REFERENCE = /<<<voice_(\d+)>>>/g;

/** The prompts that may reference voices, with their paths. */
function prompts(request: ImageToVideoRequest): { path: (string | number)[]; text: string }[] {
  return [
    ...(request.prompt === undefined ? [] : [{ path: ['prompt'], text: request.prompt }]),
    ...request.shots.map((shot, position) => ({ path: ['shots', position, 'prompt'], text: shot.prompt })),
  ];
}

function unknownVoiceMessage(number: number, count: number): string {
  if (count === 0) return `<<<voice_${number}>>> refers to a voice, but voices is empty`;
  const range = count === 1 ? '<<<voice_1>>>' : `<<<voice_1>>> to <<<voice_${count}>>>`;
  return `<<<voice_${number}>>> refers to voice ${number}, but ${count} voice${count === 1 ? ' is' : 's are'} given: use ${range}`;
}

function referenceRules(request: ImageToVideoRequest): InputIssue[] {
  const count = request.voiceIds.length;
  const references = prompts(request).map(({ path, text }) => ({
    path,
    numbers: [...new Set([...text.matchAll(VOICE_REFERENCE)].map((match) => Number(match[1])))],
  }));
  const issues = references.flatMap(({ path, numbers }) =>
    numbers
      .filter((number) => number < 1 || number > count)
      .map((number) => issue(path, unknownVoiceMessage(number, count))),
  );
  if (!request.sound && references.some(({ numbers }) => numbers.length > 0)) {
    issues.push(issue(['sound'], 'sound must be true when a prompt references a voice (<<<voice_N>>>)'));
  }
  return issues;
}

const voiceRules: CrossFieldRule = (context) => {
  const { voiceIds } = context.request;
  if (voiceIds.length === 0) return [];
  const { voicesMax } = LIMITS;
  return [
    ...(voiceIds.length > voicesMax
      ? [issue(['voices'], `at most ${voicesMax} voices are allowed (got ${voiceIds.length})`)]
      : []),
    ...requireCell(context, 'voices', ['voices'], 'voices'),
  ];
};

const soundRules: CrossFieldRule = (context) => {
  const { request, model } = context;
  if (!request.sound) return [];
  const issues = requireCell(context, 'sound', ['sound'], 'sound: true');
  if (model.firstAndLastFrameSilentOnly && request.image !== undefined && request.imageTail !== undefined) {
    issues.push(
      issue(
        ['sound'],
        `${clientName(model.name)} supports image + imageTail only with sound: false (silent)`,
      ),
    );
  }
  return issues;
};

export const voiceAndSoundRules: CrossFieldRule = (context) => [
  ...voiceRules(context),
  ...referenceRules(context.request),
  ...soundRules(context),
];
