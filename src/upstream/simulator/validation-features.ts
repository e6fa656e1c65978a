/**
 * Cross-field rules of kling-api.md 3.2 and the capability map of 3.3 for frames, motion brush and
 * camera control. Every limit comes from capabilities.ts.
 */
import {
  CAMERA_AXES,
  CAMERA_CONTROL_TYPES,
  type CameraControlType,
  describeCells,
  type FeatureCells,
  LIMITS,
  type ModelCapabilities,
  supportsCell,
  type VideoMode,
} from '../capabilities.js';
import { isAbsent, isRecord, type JsonObject } from './json.js';
import { invalid, Refusal, readEnum, readNumberInRange } from './validation-fields.js';
import { checkMedia, readMedia } from './validation-media.js';

/** The model, mode and duration a request asks for: the cell every feature is checked against. */
export interface Cell {
  caps: ModelCapabilities;
  mode: VideoMode;
  /** Seconds. */
  duration: number;
}

export function requireCell(cell: Cell, label: string, feature: FeatureCells | null): void {
  if (supportsCell(cell.caps, feature, cell.mode, cell.duration)) return;
  const where =
    cell.caps.modes.length === 0 ? `at ${cell.duration} s` : `in ${cell.mode} mode at ${cell.duration} s`;
  const supported = feature === null ? '' : ` (supported: ${describeCells(cell.caps, feature)})`;
  throw new Refusal(`${cell.caps.name} does not support ${label} ${where}${supported}`);
}

/** Rule 2: first+last frame, motion brush and camera control are mutually exclusive. */
export function checkExclusiveFeatures(
  body: JsonObject,
  cell: Cell,
  hasImage: boolean,
  hasTail: boolean,
): void {
  const brush = readMotionBrush(body);
  const camera = readCameraControl(body);
  const used = [hasTail && 'image_tail', brush && 'static_mask/dynamic_masks', camera && 'camera_control'];
  const features = used.filter((feature) => typeof feature === 'string');
  if (features.length > 1) throw new Refusal(`${features.join(' and ')} can not be used together`);
  if (hasTail && hasImage) {
    requireCell(cell, 'image_tail (first and last frame)', cell.caps.firstAndLastFrame);
  }
  if (hasTail && !hasImage) {
    requireCell(cell, 'image_tail without image (last frame only)', cell.caps.lastFrameOnly);
  }
  if (brush) requireCell(cell, 'motion brush (static_mask/dynamic_masks)', cell.caps.motionBrush);
  if (camera !== undefined) {
    requireCell(cell, 'camera_control', cell.caps.cameraControl);
    if (!cell.caps.cameraControl?.types.includes(camera)) {
      throw new Refusal(`${cell.caps.name} does not support camera_control type '${camera}'`);
    }
  }
}

/** Whether motion brush is used; checks each mask and trajectory. */
function readMotionBrush(body: JsonObject): boolean {
  // Mask sizes are checked against the image only later: a mismatch fails the task, not the request.
  const staticMask = readMedia(body, 'static_mask', { aspectRatio: false, minSide: false });
  const masks: unknown = body.dynamic_masks;
  if (isAbsent(masks)) return staticMask !== undefined;
  if (!Array.isArray(masks)) throw invalid('dynamic_masks', masks);
  if (masks.length > LIMITS.dynamicMasksMax) {
    throw new Refusal(`dynamic_masks must contain at most ${LIMITS.dynamicMasksMax} groups`);
  }
  masks.forEach((group: unknown, index) => {
    const field = `dynamic_masks[${index}]`;
    if (!isRecord(group)) throw invalid(field, group);
    if (typeof group.mask !== 'string' || group.mask === '') {
      throw new Refusal(`${field}.mask can not be null`);
    }
    checkMedia(`${field}.mask`, group.mask, { aspectRatio: false, minSide: false });
    checkTrajectories(`${field}.trajectories`, group.trajectories);
  });
  return staticMask !== undefined || masks.length > 0;
}

function checkTrajectories(field: string, points: unknown): void {
  if (!Array.isArray(points)) throw new Refusal(`${field} can not be null`);
  const { trajectoryPointsMin: min, trajectoryPointsMax: max } = LIMITS;
  if (points.length < min || points.length > max) {
    throw new Refusal(`${field} must contain ${min} to ${max} points`);
  }
  points.forEach((point: unknown, index) => {
    const valid = isRecord(point) && Number.isInteger(point.x) && Number.isInteger(point.y);
    if (!valid) throw invalid(`${field}[${index}]`, point);
  });
}

/** The camera type when set. Rule 9: a config only for `simple`, with exactly one non-zero axis. */
function readCameraControl(body: JsonObject): CameraControlType | undefined {
  const control = body.camera_control;
  if (isAbsent(control)) return undefined;
  if (!isRecord(control)) throw invalid('camera_control', control);
  if (isAbsent(control.type)) throw new Refusal('camera_control.type can not be null');
  const type = readEnum(control, 'type', CAMERA_CONTROL_TYPES, 'camera_control.type') ?? 'simple';
  const config = control.config;
  if (type !== 'simple') {
    const empty = isAbsent(config) || (isRecord(config) && Object.keys(config).length === 0);
    if (!empty) throw new Refusal(`camera_control.config must be empty when type is '${type}'`);
    return type;
  }
  if (!isRecord(config)) throw new Refusal("camera_control.config can not be null when type is 'simple'");
  const nonZero = CAMERA_AXES.filter((axis) => {
    const field = `camera_control.config.${axis}`;
    return (readNumberInRange(field, config[axis], LIMITS.cameraAxisMin, LIMITS.cameraAxisMax) ?? 0) !== 0;
  });
  if (nonZero.length !== 1) throw new Refusal('camera_control.config must have exactly one non-zero axis');
  return type;
}
