/**
 * Field readers for create bodies, each refusing with the provider's wording
 * (kling-api.md 6.2: "<field> value '<x>' is invalid"). Lenient where the reference is UNCERTAIN.
 */
import { isAbsent, type JsonObject } from './json.js';

/** A synchronous refusal: the request made nothing. 1201 unless said otherwise. */
export class Refusal extends Error {
  constructor(
    message: string,
    readonly code: number = 1201,
  ) {
    super(message);
  }
}

export function invalid(field: string, value: unknown): Refusal {
  const shown = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  return new Refusal(`${field} value '${shown}' is invalid`);
}

/** One of `allowed`, or undefined when absent. */
export function readEnum<T extends string>(
  body: JsonObject,
  field: string,
  allowed: readonly T[],
  label = field,
): T | undefined {
  const value = body[field];
  if (isAbsent(value)) return undefined;
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) throw invalid(label, value);
  return match;
}

/** The official example sends "true": string booleans are accepted (UNCERTAIN). */
export function readBoolean(body: JsonObject, field: string): boolean | undefined {
  const value = body[field];
  if (isAbsent(value)) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalid(field, value);
}

/** A string no longer than `maxLength` characters; '' counts as absent. */
export function readText(body: JsonObject, field: string, maxLength: number): string | undefined {
  const value = body[field];
  if (isAbsent(value) || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(field, value);
  if (value.length > maxLength) throw new Refusal(`${field} length must not exceed ${maxLength} characters`);
  return value;
}

/** Whole seconds as a string ("5") or, leniently, a JSON integer. */
export function readSeconds(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d{1,4}$/.test(value)) return Number(value);
  throw invalid(field, value);
}

/** A finite number in [min, max], or undefined when absent. */
export function readNumberInRange(
  field: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(field, value);
  }
  return value;
}

/** An absolute http(s) URL, or undefined when absent. */
export function readHttpUrl(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  if (isAbsent(value) || value === '') return undefined;
  if (typeof value !== 'string' || !isHttpUrl(value)) throw invalid(field, value);
  return value;
}

export function isHttpUrl(value: string): boolean {
  return /^https?:\/\//i.test(value) && URL.canParse(value);
}
