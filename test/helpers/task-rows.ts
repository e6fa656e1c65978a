/**
 * Task rows as the gateway stores them, for suites that write tasks straight to the database.
 */
import { randomUUID } from 'node:crypto';
import type { tasks } from '../../src/db/schema.js';

type TaskValues = typeof tasks.$inferInsert;

/** A PENDING task of alice's with its first event recorded, unless `overrides` say otherwise. */
export function storedTaskValues(overrides: Partial<TaskValues> = {}): TaskValues {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    owner: 'alice',
    externalTaskId: `kg-${id}`,
    inputHash: 'hash',
    model: 'kling-v2-6',
    mode: 'pro',
    duration: 5,
    // The minimal input of the stored shape; these suites never submit it.
    input: {
      model: 'kling-v2-6',
      mode: 'pro',
      duration: 5,
      image: 'https://example.com/a.png',
    } as TaskValues['input'],
    eventSequence: 1,
    ...overrides,
  };
}
