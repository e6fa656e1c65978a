/**
 * Messages speak GraphQL, not the wire: `KLING_V2_6` rather than `kling-v2-6`, `PRO` rather than `pro`.
 */
import {
  describeDurations,
  type FeatureCells,
  type ModelCapabilities,
  type VideoMode,
} from '../../upstream/capabilities.js';

/** A provider value as its GraphQL enum spells it: 'kling-v2-6' → 'KLING_V2_6', 'down_back' → 'DOWN_BACK'. */
export function clientName(value: string): string {
  return value.replaceAll('-', '_').toUpperCase();
}

/**
 * Where a feature works, e.g. "in PRO mode at 5 or 10 s"; models without modes (the masters) get
 * "at 5 or 10 s". `describeCells` in capabilities.ts says the same with the provider's lowercase modes.
 */
export function describeCellsForClient(model: ModelCapabilities, cells: FeatureCells): string {
  const at = `at ${describeDurations(cells.durations)}`;
  if (model.modes.length === 0) return at;
  return `in ${cells.modes.map(clientName).join(' or ')} mode ${at}`;
}

/** The cell a request asks for, e.g. "STD mode at 5 s". */
export function describeRequestedCell(model: ModelCapabilities, mode: VideoMode, duration: number): string {
  return model.modes.length === 0 ? `${duration} s` : `${clientName(mode)} mode at ${duration} s`;
}
