/**
 * Builders for per-value zod rules whose messages name the field and the limit. Counts of list
 * items are not here: a failing zod `.max()` on an array hides its items' issues, so counts are
 * checked by the cross-field rules, which always run.
 */
import { z } from 'zod';

/** A string of at most `maxLength` characters; `required` also refuses an empty or blank one. */
export function boundedText(field: string, maxLength: number, options: { required?: boolean } = {}) {
  return z.string().superRefine((value, context) => {
    if (options.required === true && value.trim() === '') {
      context.addIssue({ code: 'custom', message: `${field} must not be empty` });
    }
    if (value.length > maxLength) {
      context.addIssue({
        code: 'custom',
        message: `${field} has ${value.length} characters; the limit is ${maxLength}`,
      });
    }
  });
}

/** A non-blank string without a length limit. */
export function nonBlankText(field: string) {
  return z.string().refine((value) => value.trim() !== '', { error: `${field} must not be empty` });
}

/** A number in [min, max]. */
export function numberInRange(field: string, min: number, max: number) {
  return z.number().superRefine((value, context) => {
    if (value < min || value > max) {
      context.addIssue({
        code: 'custom',
        message: `${field} must be between ${min} and ${max} (got ${value})`,
      });
    }
  });
}

/** A whole number, ≥ `min` when given; `unit` follows numbers in the message (" s"). */
export function wholeNumber(field: string, { min, unit = '' }: { min?: number; unit?: string } = {}) {
  return z.number().superRefine((value, context) => {
    if (!Number.isInteger(value)) {
      context.addIssue({ code: 'custom', message: `${field} must be a whole number (got ${value})` });
    } else if (min !== undefined && value < min) {
      context.addIssue({
        code: 'custom',
        message: `${field} must be at least ${min}${unit} (got ${value}${unit})`,
      });
    }
  });
}
