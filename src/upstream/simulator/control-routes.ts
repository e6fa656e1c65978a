/**
 * Test control over HTTP, for a standalone simulator: queue faults, read tasks, advance a task.
 * No auth on purpose: this is a simulator, bound to 127.0.0.1 by default. Never expose it.
 *
 *   POST   /_simulator/faults                  body: a FaultRule          → 201 { queued: true }
 *   DELETE /_simulator/faults                                             → 200 { cleared: true }
 *   GET    /_simulator/tasks                                              → 200 SimulatedTask[]
 *   POST   /_simulator/tasks/{taskId}/advance  body: { to, message? }     → 200 SimulatedTask
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { type FaultQueue, faultRuleSchema } from './faults.js';
import { writeJson } from './http.js';
import type { AdvanceTarget } from './lifecycle.js';
import type { SimulatedTask } from './store.js';

export const CONTROL_PREFIX = '/_simulator';

export interface ControlApi {
  faults: FaultQueue;
  tasks: () => readonly SimulatedTask[];
  /** Throws when the task is unknown or the step is not forward. */
  advance: (taskId: string, to: AdvanceTarget, message?: string) => void;
}

const advanceSchema = z.object({
  to: z.enum(['processing', 'succeed', 'failed']),
  message: z.string().optional(),
});

/** Answers a control route; false when the path is not one. */
export function handleControl(
  api: ControlApi,
  method: string,
  path: string,
  body: unknown,
  res: ServerResponse,
): boolean {
  if (path !== CONTROL_PREFIX && !path.startsWith(`${CONTROL_PREFIX}/`)) return false;
  const route = path.slice(CONTROL_PREFIX.length);
  const advance = /^\/tasks\/([^/]+)\/advance$/.exec(route);
  if (route === '/faults' && method === 'POST') {
    const rule = faultRuleSchema.safeParse(body);
    if (!rule.success) writeJson(res, 400, { error: 'invalid fault rule', issues: rule.error.issues });
    else {
      api.faults.add(rule.data);
      writeJson(res, 201, { queued: true });
    }
  } else if (route === '/faults' && method === 'DELETE') {
    api.faults.clear();
    writeJson(res, 200, { cleared: true });
  } else if (route === '/tasks' && method === 'GET') {
    writeJson(res, 200, api.tasks());
  } else if (advance?.[1] !== undefined && method === 'POST') {
    advanceTask(api, decodeURIComponent(advance[1]), body, res);
  } else {
    writeJson(res, 404, { error: `no control route ${method} ${path}` });
  }
  return true;
}

function advanceTask(api: ControlApi, taskId: string, body: unknown, res: ServerResponse): void {
  const step = advanceSchema.safeParse(body);
  if (!step.success) {
    writeJson(res, 400, { error: 'invalid advance request', issues: step.error.issues });
    return;
  }
  const task = api.tasks().find((candidate) => candidate.taskId === taskId);
  if (task === undefined) {
    writeJson(res, 404, { error: `unknown task ${taskId}` });
    return;
  }
  try {
    api.advance(taskId, step.data.to, step.data.message);
  } catch (error) {
    writeJson(res, 409, { error: error instanceof Error ? error.message : String(error) });
    return;
  }
  writeJson(
    res,
    200,
    api.tasks().find((candidate) => candidate.taskId === taskId),
  );
}
