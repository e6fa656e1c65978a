/** `cameraControl` (kling-api.md 3.1, 3.2 rule 9, 3.3). */
import { z } from 'zod';
import { CAMERA_AXES, type CameraAxis, LIMITS } from '../../upstream/capabilities.js';
import type { ImageToVideoInput } from '../image-to-video-request.js';
import { requireCell } from './capability.js';
import { clientName } from './client-names.js';
import { numberInRange } from './field-rules.js';
import { type CrossFieldRule, type InputIssue, issue } from './rule.js';

const axis = (name: CameraAxis) => numberInRange(name, LIMITS.cameraAxisMin, LIMITS.cameraAxisMax).nullish();

export const cameraControlField = z.object({
  config: z.object(Object.fromEntries(CAMERA_AXES.map((name) => [name, axis(name)]))).nullish(),
});

const AXIS_LIST = `${CAMERA_AXES.slice(0, -1).join(', ')} or ${CAMERA_AXES.at(-1)}`;
const AXIS_RANGE = `[${LIMITS.cameraAxisMin}, ${LIMITS.cameraAxisMax}]`;

type CameraControlInput = NonNullable<ImageToVideoInput['cameraControl']>;

/** `config` belongs to SIMPLE only, and then exactly one axis moves. */
function configRules({ type, config }: CameraControlInput): InputIssue[] {
  const path = ['cameraControl', 'config'];
  if (type !== 'simple') {
    // The provider accepts an absent or empty config for the preset movements.
    const given = config == null ? [] : CAMERA_AXES.filter((name) => config[name] != null);
    return given.length === 0
      ? []
      : [issue(path, `cameraControl.config is only for type SIMPLE: remove it for ${clientName(type)}`)];
  }
  if (config == null) {
    return [
      issue(
        path,
        `cameraControl.config is required for type SIMPLE: set one of ${AXIS_LIST} in ${AXIS_RANGE}`,
      ),
    ];
  }
  const moving = CAMERA_AXES.filter((name) => (config[name] ?? 0) !== 0);
  if (moving.length === 1) return [];
  return [
    issue(
      path,
      moving.length === 0
        ? `all axes are zero: exactly one of ${AXIS_LIST} must be non-zero`
        : `exactly one axis may be non-zero, but ${moving.join(' and ')} are`,
    ),
  ];
}

export const cameraRules: CrossFieldRule = (context) => {
  const control = context.input.cameraControl;
  if (control == null) return [];
  const issues = requireCell(context, 'cameraControl', ['cameraControl'], 'cameraControl');
  const types = context.model.cameraControl?.types;
  if (types !== undefined && !types.includes(control.type)) {
    issues.push(
      issue(
        ['cameraControl', 'type'],
        `${clientName(context.model.name)} supports cameraControl type ${types.map(clientName).join(' or ')} only (got ${clientName(control.type)})`,
      ),
    );
  }
  return [...issues, ...configRules(control)];
};
