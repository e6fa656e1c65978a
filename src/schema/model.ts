/**
 * `KlingModel` and `VideoMode`, plus the sentences that tell which model supports what. Every such
 * sentence is built from MODEL_CAPABILITIES, so the docs follow the table validation reads.
 */

import type { CellFeature } from '../resolvers/validation/capability.js';
import { clientName, describeCellsForClient } from '../resolvers/validation/client-names.js';
import {
  DEFAULT_MODE,
  DEFAULT_MODEL,
  describeDurations,
  KLING_MODEL_NAMES,
  MODEL_CAPABILITIES,
  type ModelCapabilities,
  VIDEO_MODES,
  type VideoMode as VideoModeName,
} from '../upstream/capabilities.js';
import { builder } from './builder.js';
import { providerEnumValues } from './provider-enum.js';

/** Each capability column in GraphQL terms. */
export const FEATURE_LABELS: Readonly<Record<CellFeature, string>> = {
  firstAndLastFrame: 'first + last frame (`image` + `imageTail`)',
  lastFrameOnly: 'last frame only (`imageTail` without `image`)',
  motionBrush: 'motion brush (`staticMask`, `dynamicMasks`)',
  cameraControl: '`cameraControl`',
  sound: '`sound: true`',
  voices: '`voices`',
  multiShot: '`multiShot`',
  elements: 'element references',
};

const isFeature = (key: string): key is CellFeature => key in FEATURE_LABELS;
const FEATURES = Object.keys(FEATURE_LABELS).filter(isFeature);

const modelsWithout = (has: (model: ModelCapabilities) => boolean) =>
  KLING_MODEL_NAMES.filter((name) => !has(MODEL_CAPABILITIES[name])).map(clientName);

/** Models without modes (the masters) accept `mode` and ignore it. */
export const MODELS_WITHOUT_MODES = modelsWithout((model) => model.modes.length > 0);

/** Models that ignore `cfgScale`, and those that take `image` + `imageTail` only silently. */
export const MODELS_IGNORING_CFG_SCALE = modelsWithout((model) => !model.ignoresCfgScale);
export const MODELS_SILENT_WITH_LAST_FRAME = modelsWithout((model) => !model.firstAndLastFrameSilentOnly);

/** E.g. "5 or 10 s on KLING_V1, KLING_V1_5; 3–15 s on KLING_V3". */
export function durationsByModel(): string {
  const groups = new Map<string, string[]>();
  for (const name of KLING_MODEL_NAMES) {
    const durations = describeDurations(MODEL_CAPABILITIES[name].durations);
    groups.set(durations, [...(groups.get(durations) ?? []), clientName(name)]);
  }
  return [...groups].map(([durations, models]) => `${durations} on ${models.join(', ')}`).join('; ');
}

/** E.g. "KLING_V1 in STD or PRO mode at 5 s; KLING_V1_5 in PRO mode at 5 s". */
export function supportList(feature: CellFeature): string {
  const rows = KLING_MODEL_NAMES.flatMap((name) => {
    const model = MODEL_CAPABILITIES[name];
    const cells = model[feature];
    return cells === null ? [] : [`${clientName(name)} ${describeCellsForClient(model, cells)}`];
  });
  return rows.length === 0 ? 'no model' : rows.join('; ');
}

/** Validation refuses a feature outside these cells (BAD_USER_INPUT). */
export const supportedBy = (feature: CellFeature) => `Available only on ${supportList(feature)}.`;

function describeModel(model: ModelCapabilities): string {
  const modes =
    model.modes.length === 0
      ? 'no modes (`mode` is ignored)'
      : `${model.modes.map(clientName).join(' or ')} mode`;
  const features = FEATURES.flatMap((feature) => {
    const cells = model[feature];
    return cells === null ? [] : [`${FEATURE_LABELS[feature]} ${describeCellsForClient(model, cells)}`];
  });
  return [
    `Kling \`${model.name}\`${model.name === DEFAULT_MODEL ? ', the default' : ''}: ${modes}, ${describeDurations(model.durations)}; output ${model.output}.`,
    features.length === 0 ? 'Single-frame generation only.' : `Features: ${features.join('; ')}.`,
    model.ignoresCfgScale ? 'Ignores `cfgScale`.' : '',
  ]
    .filter((sentence) => sentence !== '')
    .join(' ');
}

export const KlingModel = builder.enumType('KlingModel', {
  description: `Kling's video models for image-to-video. Default ${clientName(DEFAULT_MODEL)}. The \`models\` query returns the same capabilities as data.`,
  values: providerEnumValues(KLING_MODEL_NAMES, (name) => describeModel(MODEL_CAPABILITIES[name])),
});

const MODE_DESCRIPTIONS: Readonly<Record<VideoModeName, string>> = {
  std: 'Standard: cheaper and faster.',
  pro: 'Professional: higher quality and price; several features exist only in this mode.',
};

export const VideoMode = builder.enumType('VideoMode', {
  description: `Quality mode; default ${clientName(DEFAULT_MODE)}. Ignored by models without modes (${MODELS_WITHOUT_MODES.join(', ')}).`,
  values: providerEnumValues(VIDEO_MODES, (mode) => MODE_DESCRIPTIONS[mode]),
});
