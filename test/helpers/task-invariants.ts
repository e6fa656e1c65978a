/**
 * What the reliability suites promise, as checks over the gateway's tasks (read through GraphQL,
 * as a client sees them) and the provider's (the simulator's own record): nothing lost, nothing
 * created twice, nothing failed by a fault that was only transient.
 */
import type { SimulatedTask } from '../../src/upstream/simulator/index.js';
import type { TaskView } from '../fixtures/operations.js';
import type { GraphQLClient } from './graphql-client.js';
import { waitFor } from './wait-for.js';

export type TaskSnapshot = Pick<
  TaskView,
  | 'id'
  | 'status'
  | 'statusMessage'
  | 'failureCode'
  | 'providerTaskId'
  | 'externalTaskId'
  | 'prompt'
  | 'sequence'
>;

const ALL_TASKS = /* GraphQL */ `
  query AllTasks($after: String) {
    tasks(first: 100, after: $after) {
      edges { node { id status statusMessage failureCode providerTaskId externalTaskId prompt sequence } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

interface AllTasksData {
  tasks: { edges: { node: TaskSnapshot }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** Every task of the viewer, all pages. */
export async function listAllTasks(client: GraphQLClient): Promise<TaskSnapshot[]> {
  const all: TaskSnapshot[] = [];
  let after: string | null = null;
  for (;;) {
    const page: AllTasksData = await client.expectData<AllTasksData>(ALL_TASKS, { after });
    all.push(...page.tasks.edges.map((edge) => edge.node));
    if (!page.tasks.pageInfo.hasNextPage) return all;
    after = page.tasks.pageInfo.endCursor;
  }
}

/** Kling spells success `succeed`. */
const UPSTREAM_OUTCOME: Partial<Record<SimulatedTask['status'], TaskView['status']>> = {
  succeed: 'SUCCEEDED',
  failed: 'FAILED',
};

const isTerminal = (status: TaskSnapshot['status']) => status === 'SUCCEEDED' || status === 'FAILED';

/** The simulator fails a task whose prompt says so; any other FAILED came from the gateway's side. */
export const failsOnPurpose = (task: Pick<TaskSnapshot, 'prompt'>) =>
  task.prompt?.includes('sim:fail') ?? false;

/** Waits until every task of the viewer is SUCCEEDED or FAILED; returns them. */
export async function waitForAllTerminal(
  client: GraphQLClient,
  options: { timeoutMs: number; atLeast?: number },
): Promise<TaskSnapshot[]> {
  return waitFor(
    async () => {
      const tasks = await listAllTasks(client);
      const open = tasks.filter((task) => !isTerminal(task.status));
      if (tasks.length < (options.atLeast ?? 0)) throw new Error(`only ${tasks.length} tasks`);
      if (open.length > 0) {
        const sample = open.slice(0, 5).map((task) => `${task.status} ${task.statusMessage ?? ''}`);
        throw new Error(`${open.length} of ${tasks.length} tasks not terminal, e.g. ${sample.join('; ')}`);
      }
      return tasks;
    },
    { timeoutMs: options.timeoutMs, intervalMs: 100, what: 'every task to reach a terminal state' },
  );
}

/**
 * Every broken promise, as a sentence (empty when all hold):
 * - every gateway task is terminal, and FAILED only when the prompt asked for it (GENERATION_FAILED);
 * - every gateway task is linked (providerTaskId) to an upstream task carrying its external id,
 *   and agrees with it on the outcome;
 * - every upstream task is linked to exactly one gateway task;
 * - no external task id was created twice upstream.
 */
export function invariantViolations(
  gatewayTasks: readonly TaskSnapshot[],
  upstreamTasks: readonly SimulatedTask[],
): string[] {
  const violations: string[] = [];
  const upstreamById = new Map(upstreamTasks.map((task) => [task.taskId, task]));
  for (const task of gatewayTasks) {
    const name = `task ${task.externalTaskId}`;
    if (!isTerminal(task.status)) violations.push(`${name} is ${task.status}, not terminal`);
    if (task.status === 'FAILED' && !failsOnPurpose(task)) {
      violations.push(
        `${name} FAILED (${task.failureCode}: ${task.statusMessage}) though nothing should fail it`,
      );
    }
    if (failsOnPurpose(task) && task.status === 'FAILED' && task.failureCode !== 'GENERATION_FAILED') {
      violations.push(`${name} FAILED with ${task.failureCode}, not GENERATION_FAILED`);
    }
    if (task.providerTaskId === null) {
      violations.push(`${name} (${task.status}) has no providerTaskId`);
      continue;
    }
    const upstream = upstreamById.get(task.providerTaskId);
    if (upstream === undefined) {
      violations.push(`${name} links provider task ${task.providerTaskId}, which does not exist`);
      continue;
    }
    if (upstream.externalTaskId !== task.externalTaskId) {
      violations.push(`${name} links provider task ${upstream.taskId} of ${upstream.externalTaskId}`);
    }
    if (isTerminal(task.status) && UPSTREAM_OUTCOME[upstream.status] !== task.status) {
      violations.push(`${name} is ${task.status} but the provider says ${upstream.status}`);
    }
  }
  const links = countBy(gatewayTasks, (task) => task.providerTaskId ?? '');
  for (const upstream of upstreamTasks) {
    const linked = links.get(upstream.taskId) ?? 0;
    if (linked !== 1) {
      violations.push(
        `provider task ${upstream.taskId} (${upstream.externalTaskId}) is linked to ${linked} gateway tasks`,
      );
    }
  }
  for (const [externalTaskId, created] of countBy(upstreamTasks, (task) => task.externalTaskId ?? '')) {
    if (created > 1) violations.push(`external id ${externalTaskId} was created ${created} times upstream`);
  }
  return violations;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
