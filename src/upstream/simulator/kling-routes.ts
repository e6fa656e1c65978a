/** Kling's routes as data: method, path, which fault target they are, and who answers. */
import type { KlingHandler } from './context.js';
import type { RouteTarget } from './faults.js';
import { createTask, listTasks, queryTask } from './tasks-routes.js';
import {
  createCustomVoice,
  deleteVoice,
  listCustomVoices,
  listPresetVoices,
  queryCustomVoice,
} from './voices-routes.js';

interface KlingRoute {
  method: 'GET' | 'POST';
  /** Matches the path without prefix; group 1, when present, is the `{id}` segment. */
  pattern: RegExp;
  target: RouteTarget | ((query: Record<string, string>) => RouteTarget);
  handler: KlingHandler;
}

const TASKS = /^\/v1\/videos\/image2video$/;
const TASK = /^\/v1\/videos\/image2video\/([^/]+)$/;
const CUSTOM_VOICES = /^\/v1\/general\/custom-voices$/;

const ROUTES: readonly KlingRoute[] = [
  { method: 'POST', pattern: TASKS, target: 'create', handler: createTask },
  // `?external_task_id=` reads one task: a query, not a list, for fault targeting.
  {
    method: 'GET',
    pattern: TASKS,
    target: (query) => (query.external_task_id ? 'query' : 'list'),
    handler: listTasks,
  },
  { method: 'GET', pattern: TASK, target: 'query', handler: queryTask },
  { method: 'GET', pattern: /^\/v1\/general\/presets-voices$/, target: 'voices', handler: listPresetVoices },
  { method: 'POST', pattern: CUSTOM_VOICES, target: 'voices', handler: createCustomVoice },
  { method: 'GET', pattern: CUSTOM_VOICES, target: 'voices', handler: listCustomVoices },
  {
    method: 'GET',
    pattern: /^\/v1\/general\/custom-voices\/([^/]+)$/,
    target: 'voices',
    handler: queryCustomVoice,
  },
  { method: 'POST', pattern: /^\/v1\/general\/delete-voices$/, target: 'voices', handler: deleteVoice },
];

export type RouteMatch =
  | { kind: 'route'; target: RouteTarget; handler: KlingHandler; id: string | undefined }
  /** 1202: the path exists, the method does not. */
  | { kind: 'wrong-method' }
  /** 1203: no such resource. */
  | { kind: 'not-found' };

export function matchKlingRoute(method: string, path: string, query: Record<string, string>): RouteMatch {
  let pathMatched = false;
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (match === null) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const target = typeof route.target === 'function' ? route.target(query) : route.target;
    return { kind: 'route', target, handler: route.handler, id: decodeSegment(match[1]) };
  }
  return pathMatched ? { kind: 'wrong-method' } : { kind: 'not-found' };
}

/** A malformed escape is kept as sent: it then simply matches no task. */
function decodeSegment(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
