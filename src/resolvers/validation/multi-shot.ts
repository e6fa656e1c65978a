/** Multi-shot storyboards: `multiShot`, `shotType`, `shots` (kling-api.md 3.1, 3.2 rules 3–6). */
import { z } from 'zod';
import { LIMITS } from '../../upstream/capabilities.js';
import type { ShotRequest } from '../image-to-video-request.js';
import { requireCell } from './capability.js';
import { boundedText, wholeNumber } from './field-rules.js';
import { type CrossFieldRule, type InputIssue, issue } from './rule.js';

export const shotsField = z.array(
  z.object({
    index: wholeNumber('index'),
    prompt: boundedText('shot prompt', LIMITS.shotPromptMaxLength, { required: true }),
    duration: wholeNumber('shot duration', { min: LIMITS.shotDurationMin, unit: ' s' }),
  }),
);

/**
 * With `multiShot` off the provider silently ignores `shotType` and `shots`; a paid task that drops
 * the storyboard is worse than a refusal.
 */
const disabledRules: CrossFieldRule = ({ request }) => [
  ...(request.shotType === undefined
    ? []
    : [issue(['shotType'], 'shotType needs multiShot: true; without it the provider ignores shotType')]),
  ...(request.shots.length === 0
    ? []
    : [
        issue(
          ['shots'],
          'shots need multiShot: true and shotType CUSTOMIZE; without them the provider ignores shots',
        ),
      ]),
];

const enabledRules: CrossFieldRule = (context) => {
  const { request } = context;
  const issues = requireCell(context, 'multiShot', ['multiShot'], 'multiShot');
  if (request.imageTail !== undefined) {
    issues.push(
      issue(['imageTail'], 'imageTail cannot be used with multiShot: true (no first/last-frame pair)'),
    );
  }
  switch (request.shotType) {
    case undefined:
      issues.push(
        issue(['shotType'], 'shotType is required when multiShot is true: CUSTOMIZE or INTELLIGENCE'),
      );
      break;
    case 'intelligence':
      if (request.shots.length > 0) {
        issues.push(
          issue(['shots'], 'shotType INTELLIGENCE ignores shots: remove them, or use shotType CUSTOMIZE'),
        );
      }
      break;
    case 'customize':
      issues.push(...storyboardRules(request.shots, request.duration));
      break;
  }
  return issues;
};

/** `shotType: CUSTOMIZE`: 1–6 shots numbered 1..n whose durations add up to the task's exactly. */
function storyboardRules(shots: readonly ShotRequest[], duration: number): InputIssue[] {
  const { shotsMin, shotsMax } = LIMITS;
  const issues =
    shots.length < shotsMin || shots.length > shotsMax
      ? [issue(['shots'], `shotType CUSTOMIZE requires ${shotsMin}–${shotsMax} shots (got ${shots.length})`)]
      : [];
  if (shots.length === 0) return issues;
  return [...issues, ...shotDurationRules(shots, duration), ...shotIndexRules(shots)];
}

function shotDurationRules(shots: readonly ShotRequest[], duration: number): InputIssue[] {
  const issues = shots.flatMap((shot, position) =>
    shot.duration > duration
      ? [
          issue(
            ['shots', position, 'duration'],
            `shot duration ${shot.duration} s exceeds the task duration of ${duration} s`,
          ),
        ]
      : [],
  );
  const sum = shots.reduce((total, shot) => total + shot.duration, 0);
  if (sum !== duration) {
    issues.push(
      issue(['shots'], `shot durations add up to ${sum} s but duration is ${duration} s: they must be equal`),
    );
  }
  return issues;
}

/** Any order is accepted; the indices must be 1..n, each once. Non-integers are the field rule's. */
function shotIndexRules(shots: readonly ShotRequest[]): InputIssue[] {
  const count = shots.length;
  const rule = `${count} shot${count === 1 ? ' is' : 's are'} numbered 1–${count}, each once`;
  const firstUse = new Map<number, number>();
  const issues: InputIssue[] = [];
  shots.forEach(({ index }, position) => {
    if (!Number.isInteger(index)) return;
    const earlier = firstUse.get(index);
    if (index < 1 || index > count) {
      issues.push(issue(['shots', position, 'index'], `index ${index} is out of range: ${rule}`));
    } else if (earlier !== undefined) {
      issues.push(
        issue(['shots', position, 'index'], `index ${index} is already used by shots[${earlier}]: ${rule}`),
      );
    } else {
      firstUse.set(index, position);
    }
  });
  return issues;
}

export const multiShotRules: CrossFieldRule = (context) =>
  context.request.multiShot ? enabledRules(context) : disabledRules(context);
