/**
 * Multi-shot, voices and elements (kling-api.md 3.1–3.2, rules 3–8), gated by the capability map.
 */
import { LIMITS, SHOT_TYPES } from '../capabilities.js';
import { isAbsent, isRecord, type JsonObject } from './json.js';
import { type Cell, requireCell } from './validation-features.js';
import { invalid, Refusal, readBoolean, readEnum, readSeconds } from './validation-fields.js';

export interface ShotsInput {
  prompt: string | undefined;
  hasTail: boolean;
  sound: boolean;
}

/** Rules 3–6. With multi_shot off, shot_type and multi_prompt are ignored, as the provider does. */
export function checkMultiShot(body: JsonObject, cell: Cell, input: ShotsInput): void {
  if (readBoolean(body, 'multi_shot') !== true) return;
  requireCell(cell, 'multi_shot', cell.caps.multiShot);
  if (input.hasTail) throw new Refusal('multi_shot can not be used with image_tail');
  const shotType = readEnum(body, 'shot_type', SHOT_TYPES);
  if (shotType === undefined) throw new Refusal('shot_type can not be null when multi_shot is true');
  if (shotType === 'intelligence' && input.prompt === undefined) {
    throw new Refusal('prompt can not be null when shot_type is intelligence');
  }
  if (shotType === 'customize') checkShots(body.multi_prompt, cell.duration);
}

function checkShots(shots: unknown, duration: number): void {
  if (isAbsent(shots)) throw new Refusal('multi_prompt can not be null when shot_type is customize');
  if (!Array.isArray(shots)) throw invalid('multi_prompt', shots);
  if (shots.length < LIMITS.shotsMin || shots.length > LIMITS.shotsMax) {
    throw new Refusal(`multi_prompt must contain ${LIMITS.shotsMin} to ${LIMITS.shotsMax} shots`);
  }
  let total = 0;
  shots.forEach((shot: unknown, position) => {
    const field = `multi_prompt[${position}]`;
    if (!isRecord(shot)) throw invalid(field, shot);
    if (!Number.isInteger(shot.index)) throw invalid(`${field}.index`, shot.index);
    const { prompt } = shot;
    if (typeof prompt !== 'string' || prompt === '') throw new Refusal(`${field}.prompt can not be null`);
    if (prompt.length > LIMITS.shotPromptMaxLength) {
      throw new Refusal(`${field}.prompt length must not exceed ${LIMITS.shotPromptMaxLength} characters`);
    }
    const seconds = readSeconds(`${field}.duration`, shot.duration);
    if (seconds < LIMITS.shotDurationMin || seconds > duration) {
      throw invalid(`${field}.duration`, shot.duration);
    }
    total += seconds;
  });
  if (total !== duration) {
    throw new Refusal(`the sum of multi_prompt durations (${total}) must equal duration (${duration})`);
  }
}

/** Rules 7–8: voices only where the map allows, ids the account can use, references in range. */
export function checkVoicesAndElements(
  body: JsonObject,
  cell: Cell,
  input: { prompts: readonly string[]; sound: boolean; isKnownVoice: (voiceId: string) => boolean },
): void {
  const voiceIds = readList(body, 'voice_list', 'voice_id', LIMITS.voicesMax);
  const elementIds = readList(body, 'element_list', 'element_id', LIMITS.elementsMax);
  if (voiceIds.length > 0 && elementIds.length > 0) {
    throw new Refusal('voice_list and element_list can not be used together');
  }
  if (elementIds.length > 0) requireCell(cell, 'element_list', cell.caps.elements);
  if (voiceIds.length > 0) requireCell(cell, 'voice_list', cell.caps.voices);
  const unknown = voiceIds.find((voiceId) => !input.isKnownVoice(voiceId));
  if (unknown !== undefined) throw new Refusal(`voice_id '${unknown}' not found`);

  const references = input.prompts.flatMap((prompt) => [...prompt.matchAll(/<<<voice_(\d+)>>>/g)]);
  if (references.length === 0) return;
  if (!input.sound) throw new Refusal('sound must be on when the prompt references a voice');
  for (const [reference, position] of references) {
    const n = Number(position);
    if (n < 1 || n > voiceIds.length) {
      throw new Refusal(`prompt references ${reference} but voice_list has ${voiceIds.length} voice(s)`);
    }
  }
}

/** Ids of a `[{ <key>: id }]` list; ids may be JSON numbers (element ids are longs). */
function readList(body: JsonObject, field: string, key: string, max: number): string[] {
  const list: unknown = body[field];
  if (isAbsent(list)) return [];
  if (!Array.isArray(list)) throw invalid(field, list);
  if (list.length > max) throw new Refusal(`${field} must contain at most ${max} items`);
  return list.map((item: unknown, index) => {
    const id = isRecord(item) ? item[key] : undefined;
    const valid = (typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isInteger(id));
    if (!valid) throw invalid(`${field}[${index}].${key}`, id);
    return String(id);
  });
}
