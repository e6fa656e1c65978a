/**
 * The capability map as data, so a UI can build its form from the same table validation uses.
 */
import { KLING_MODEL_NAMES, MODEL_CAPABILITIES, type ModelCapabilities } from '../upstream/capabilities.js';

export function listModels(): ModelCapabilities[] {
  return KLING_MODEL_NAMES.map((name) => MODEL_CAPABILITIES[name]);
}
