/** The capability table as data (`models`), so a UI builds its form from what validation reads. */
import { listModels } from '../resolvers/models.js';
import type {
  CameraControlType as CameraControlTypeName,
  FeatureCells,
  ModelCapabilities as ModelCapabilitiesShape,
} from '../upstream/capabilities.js';
import { builder } from './builder.js';
import { CameraControlType } from './camera-control.js';
import { FEATURE_LABELS, KlingModel, MODELS_WITHOUT_MODES, VideoMode } from './model.js';

const IGNORED_MODE = `Ignored for models without modes (${MODELS_WITHOUT_MODES.join(', ')}).`;

export const FeatureSupport = builder.objectRef<FeatureCells>('FeatureSupport').implement({
  description:
    'The mode × duration cells in which a feature works: any listed mode with any listed duration.',
  fields: (t) => ({
    modes: t.expose('modes', { type: [VideoMode], description: `Modes. ${IGNORED_MODE}` }),
    durations: t.exposeIntList('durations', { description: 'Durations, whole seconds.' }),
  }),
});

export const CameraControlSupport = builder
  .objectRef<FeatureCells & { readonly types: readonly CameraControlTypeName[] }>('CameraControlSupport')
  .implement({
    description: 'Where `cameraControl` works, and with which movement types.',
    fields: (t) => ({
      modes: t.expose('modes', { type: [VideoMode], description: `Modes. ${IGNORED_MODE}` }),
      durations: t.exposeIntList('durations', { description: 'Durations, whole seconds.' }),
      types: t.expose('types', {
        type: [CameraControlType],
        description: 'The accepted `cameraControl.type`s.',
      }),
    }),
  });

const feature = (description: string) => ({ type: FeatureSupport, nullable: true, description }) as const;
const where = (label: string) => `Where ${label} works; null when the model does not support it.`;

export const ModelCapabilities = builder.objectRef<ModelCapabilitiesShape>('ModelCapabilities').implement({
  description: 'What one model accepts, as validation checks it. Requests outside these are refused.',
  fields: (t) => ({
    name: t.expose('name', { type: KlingModel, description: 'The model.' }),
    modes: t.expose('modes', {
      type: [VideoMode],
      description: 'Modes the model distinguishes; empty when it has none (it then ignores `mode`).',
    }),
    durations: t.exposeIntList('durations', { description: 'Accepted `duration`s, whole seconds.' }),
    firstAndLastFrame: t.expose('firstAndLastFrame', feature(where(FEATURE_LABELS.firstAndLastFrame))),
    lastFrameOnly: t.expose('lastFrameOnly', feature(where(FEATURE_LABELS.lastFrameOnly))),
    motionBrush: t.expose('motionBrush', feature(where(FEATURE_LABELS.motionBrush))),
    cameraControl: t.expose('cameraControl', {
      type: CameraControlSupport,
      nullable: true,
      description: where(FEATURE_LABELS.cameraControl),
    }),
    sound: t.expose('sound', feature(where(FEATURE_LABELS.sound))),
    voices: t.expose('voices', feature(where(FEATURE_LABELS.voices))),
    multiShot: t.expose('multiShot', feature(where(FEATURE_LABELS.multiShot))),
    elements: t.expose(
      'elements',
      feature(`${where(FEATURE_LABELS.elements)} This gateway does not accept them yet.`),
    ),
    firstAndLastFrameSilentOnly: t.exposeBoolean('firstAndLastFrameSilentOnly', {
      description: 'Whether `image` + `imageTail` works only with `sound: false`.',
    }),
    ignoresCfgScale: t.exposeBoolean('ignoresCfgScale', {
      description:
        'Whether the provider documents that the model ignores `cfgScale` (it is accepted anyway).',
    }),
    output: t.exposeString('output', {
      description:
        'Output resolution and frame rate as the provider documents them; UNCERTAIN where it is unsure.',
    }),
  }),
});

builder.queryField('models', (t) =>
  t.field({
    type: [ModelCapabilities],
    description: 'Every model with its modes, durations and the cells in which each feature works.',
    resolve: () => listModels(),
  }),
);
