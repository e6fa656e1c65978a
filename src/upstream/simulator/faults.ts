/**
 * Scripted misbehaviour (kling-api.md 11, "Fault injection"): rules queue up and each answers the
 * next matching requests instead of (or on top of) the normal behaviour.
 */
import { z } from 'zod';

/** Which Kling route a rule applies to; 'any' matches every Kling route (not control or media). */
export type FaultTarget = 'create' | 'query' | 'list' | 'voices' | 'any';
export type RouteTarget = Exclude<FaultTarget, 'any'>;

export type Fault =
  /** Answer this Kling error without acting (5000, 5001, 5002, 1302, 1303 …). */
  | { type: 'error'; code: number; httpStatus?: number | undefined; message?: string | undefined }
  /** Act (e.g. create the task), then lose the answer: a 500 with code 5000, or a dropped socket. */
  | { type: 'lose-response'; as: 'error-body' | 'drop-connection' }
  /** Answer late, then behave normally. */
  | { type: 'delay'; ms: number }
  /** Destroy the socket without acting. */
  | { type: 'drop-connection' }
  /** Answer something that is not a Kling envelope, without acting. */
  | { type: 'malformed'; variant: 'truncated-json' | 'html' | 'not-envelope' }
  /** 401 / 1004 as if the bearer JWT had expired, so the client re-mints. */
  | { type: 'expire-token' };

export interface FaultRule {
  on: FaultTarget;
  /** How many matching requests the rule answers. @default 1 */
  times?: number | undefined;
  fault: Fault;
}

const faultSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('error'),
    code: z.number().int().min(1),
    httpStatus: z.number().int().min(100).max(599).optional(),
    message: z.string().optional(),
  }),
  z.object({ type: z.literal('lose-response'), as: z.enum(['error-body', 'drop-connection']) }),
  z.object({ type: z.literal('delay'), ms: z.number().int().min(0).max(600_000) }),
  z.object({ type: z.literal('drop-connection') }),
  z.object({ type: z.literal('malformed'), variant: z.enum(['truncated-json', 'html', 'not-envelope']) }),
  z.object({ type: z.literal('expire-token') }),
]);

export const faultRuleSchema = z.object({
  on: z.enum(['create', 'query', 'list', 'voices', 'any']),
  times: z.number().int().min(1).optional(),
  fault: faultSchema,
}) satisfies z.ZodType<FaultRule>;

interface QueuedRule {
  readonly on: FaultTarget;
  remaining: number;
  readonly fault: Fault;
}

export class FaultQueue {
  readonly #rules: QueuedRule[] = [];

  /** Throws a ZodError on a malformed rule: a test's typo should fail loudly, not be ignored. */
  add(rule: FaultRule): void {
    const parsed = faultRuleSchema.parse(rule);
    this.#rules.push({ on: parsed.on, remaining: parsed.times ?? 1, fault: parsed.fault });
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** The oldest rule matching the target, consumed once. */
  take(target: RouteTarget): Fault | undefined {
    const index = this.#rules.findIndex((rule) => rule.on === target || rule.on === 'any');
    const rule = this.#rules[index];
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#rules.splice(index, 1);
    return rule.fault;
  }
}
