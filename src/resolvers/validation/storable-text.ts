/**
 * Text the gateway can store and send. PostgreSQL refuses U+0000 in `text` and `jsonb`, and a lone
 * UTF-16 surrogate has no UTF-8 encoding: either would fail the insert after validation passed, as
 * an internal error. Both are refused up front, naming the field, in every string of the input.
 */
import type { InputIssue } from './rule.js';

/** In `u` mode `\p{Cs}` matches only a surrogate without its pair. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Why `value` cannot be stored, or undefined when it can. */
export function unstorableTextReason(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(value)) {
    return 'must not contain a lone UTF-16 surrogate (U+D800–U+DFFF without its pair): it is not valid Unicode';
  }
  return undefined;
}

/** An issue for every string under `value` (objects and lists walked) that cannot be stored. */
export function unstorableTextIssues(value: unknown, path: (string | number)[]): InputIssue[] {
  if (typeof value === 'string') {
    const reason = unstorableTextReason(value);
    const field = path.at(-1);
    return reason === undefined ? [] : [{ path, message: `${String(field)} ${reason}` }];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item: unknown, index) => unstorableTextIssues(item, [...path, index]));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => unstorableTextIssues(item, [...path, key]));
  }
  return [];
}
