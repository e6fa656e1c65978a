/** `cameraControl`: a preset camera movement, or one simple movement along a single axis. */
import { clientName } from '../resolvers/validation/client-names.js';
import {
  CAMERA_CONTROL_TYPES,
  type CameraAxis,
  type CameraControlType as CameraControlTypeName,
  KLING_MODEL_NAMES,
  LIMITS,
  MODEL_CAPABILITIES,
} from '../upstream/capabilities.js';
import { builder } from './builder.js';
import { supportedBy } from './model.js';
import { providerEnumValues } from './provider-enum.js';

const TYPE_MEANINGS: Readonly<Record<CameraControlTypeName, string>> = {
  simple: 'One movement along one axis, given in `config` (required for this type).',
  down_back: 'Preset: the camera descends and pulls back. Takes no `config`.',
  forward_up: 'Preset: the camera moves forward and tilts up. Takes no `config`.',
  right_turn_forward: 'Preset: the camera turns right, then moves forward. Takes no `config`.',
  left_turn_forward: 'Preset: the camera turns left, then moves forward. Takes no `config`.',
};

function describeType(type: CameraControlTypeName): string {
  const models = KLING_MODEL_NAMES.filter((name) =>
    MODEL_CAPABILITIES[name].cameraControl?.types.includes(type),
  );
  const support =
    models.length === 0
      ? 'No image-to-video model accepts it yet.'
      : `Accepted by ${models.map(clientName).join(', ')}.`;
  return `${TYPE_MEANINGS[type]} ${support}`;
}

export const CameraControlType = builder.enumType('CameraControlType', {
  description: 'How the camera moves. Which models accept which type is noted on each value.',
  values: providerEnumValues(CAMERA_CONTROL_TYPES, describeType),
});

const RANGE = `Range [${LIMITS.cameraAxisMin}, ${LIMITS.cameraAxisMax}]; 0 or null: no movement on this axis.`;

// The current provider docs make pan a rotation about y and tilt one about x; an older edition
// swaps the two. Descriptions follow the current edition.
const AXIS_MEANINGS: Readonly<Record<CameraAxis, string>> = {
  horizontal: 'Horizontal translation (x axis); negative moves left.',
  vertical: 'Vertical translation (y axis); negative moves down.',
  pan: 'Rotation about the vertical (y) axis; negative turns left.',
  tilt: 'Rotation about the horizontal (x) axis; negative tilts down.',
  roll: 'Rotation about the viewing (z) axis; negative rolls counter-clockwise.',
  zoom: 'Focal length; negative zooms in (narrower view), positive zooms out (wider view).',
};

const axis = (name: CameraAxis) => `${AXIS_MEANINGS[name]} ${RANGE}`;

export const CameraConfigInput = builder.inputType('CameraConfigInput', {
  description: `The movement of a SIMPLE camera control: exactly one axis non-zero. ${RANGE}`,
  fields: (t) => ({
    horizontal: t.float({ description: axis('horizontal') }),
    vertical: t.float({ description: axis('vertical') }),
    pan: t.float({ description: axis('pan') }),
    tilt: t.float({ description: axis('tilt') }),
    roll: t.float({ description: axis('roll') }),
    zoom: t.float({ description: axis('zoom') }),
  }),
});

export const CameraControlInput = builder.inputType('CameraControlInput', {
  description: [
    'A camera movement. Without it the model chooses the motion itself.',
    'Excludes `imageTail` and motion brush: a request uses at most one of the three.',
    supportedBy('cameraControl'),
  ].join(' '),
  fields: (t) => ({
    type: t.field({
      type: CameraControlType,
      required: true,
      description: 'The movement: SIMPLE or a preset.',
    }),
    config: t.field({
      type: CameraConfigInput,
      description: 'Required for SIMPLE, where exactly one axis is non-zero; leave it out for the presets.',
    }),
  }),
});
