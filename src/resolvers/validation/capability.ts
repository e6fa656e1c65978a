/**
 * The per-model gates of kling-api.md 3.3: accepted durations and modes, and the cells (mode ×
 * duration) in which each feature works. Every rule group asks `requireCell`; the table itself
 * lives in capabilities.ts.
 */
import {
  describeDurations,
  type FeatureCells,
  KLING_MODEL_NAMES,
  MODEL_CAPABILITIES,
  type ModelCapabilities,
  supportsCell,
} from '../../upstream/capabilities.js';
import { clientName, describeCellsForClient, describeRequestedCell } from './client-names.js';
import { type CrossFieldRule, type InputIssue, issue, type RuleContext } from './rule.js';

/** The capability columns that are cell sets. */
export type CellFeature = {
  [K in keyof ModelCapabilities]: ModelCapabilities[K] extends FeatureCells | null ? K : never;
}[keyof ModelCapabilities];

/**
 * An issue at `path` unless the model offers `feature` in the requested mode and duration.
 * `label` names the feature in GraphQL terms ("imageTail", "sound: true").
 */
export function requireCell(
  { model, request }: RuleContext,
  feature: CellFeature,
  path: (string | number)[],
  label: string,
): InputIssue[] {
  const cells = model[feature];
  if (supportsCell(model, cells, request.mode, request.duration)) return [];
  const name = clientName(model.name);
  if (cells === null) {
    const offering = KLING_MODEL_NAMES.filter((other) => MODEL_CAPABILITIES[other][feature] !== null);
    const alternatives =
      offering.length > 0 ? `; it is available on ${offering.map(clientName).join(', ')}` : '';
    return [issue(path, `${name} does not support ${label}${alternatives}`)];
  }
  const requested = describeRequestedCell(model, request.mode, request.duration);
  return [
    issue(
      path,
      `${name} supports ${label} only ${describeCellsForClient(model, cells)} (requested ${requested})`,
    ),
  ];
}

const durationRule: CrossFieldRule = ({ model, request }) =>
  model.durations.includes(request.duration)
    ? []
    : [
        issue(
          ['duration'],
          `${clientName(model.name)} accepts a duration of ${describeDurations(model.durations)} (got ${request.duration})`,
        ),
      ];

/**
 * The masters have no mode: the reference marks `mode` UNCERTAIN there (probably ignored), so any
 * mode is accepted and the wire body leaves it out.
 */
const modeRule: CrossFieldRule = ({ model, request }) =>
  model.modes.length === 0 || model.modes.includes(request.mode)
    ? []
    : [issue(['mode'], `${clientName(model.name)} accepts mode ${model.modes.map(clientName).join(' or ')}`)];

/** `image` + `imageTail` is a first/last-frame pair; `imageTail` alone is a last-frame generation. */
const imageTailRule: CrossFieldRule = (context) => {
  const { request } = context;
  if (request.imageTail === undefined) return [];
  return request.image === undefined
    ? requireCell(context, 'lastFrameOnly', ['imageTail'], 'imageTail without image')
    : requireCell(context, 'firstAndLastFrame', ['imageTail'], 'imageTail');
};

export const capabilityRules: CrossFieldRule = (context) => [
  ...durationRule(context),
  ...modeRule(context),
  ...imageTailRule(context),
];
