/**
 * Task-level steps shared by the gateway suites: create through GraphQL, read back, wait for a
 * status.
 */
import {
  CREATE_TASK,
  type CreateTaskData,
  GET_TASK,
  type GetTaskData,
  type TaskView,
} from '../fixtures/operations.js';
import type { GraphQLClient } from './graphql-client.js';
import { waitFor } from './wait-for.js';

export async function createTask(
  client: GraphQLClient,
  input: Record<string, unknown>,
  idempotencyKey?: string,
): Promise<TaskView> {
  const data = await client.expectData<CreateTaskData>(CREATE_TASK, { input, key: idempotencyKey });
  return data.createImageToVideoTask.task;
}

export async function readTask(client: GraphQLClient, id: string): Promise<TaskView | null> {
  return (await client.expectData<GetTaskData>(GET_TASK, { id })).task;
}

export async function waitForStatus(
  client: GraphQLClient,
  id: string,
  status: TaskView['status'],
  timeoutMs = 10_000,
): Promise<TaskView> {
  return waitFor(
    async () => {
      const task = await readTask(client, id);
      return task?.status === status ? task : undefined;
    },
    { timeoutMs, what: `task ${id} to be ${status}` },
  );
}

/**
 * Creates a task and waits until it is upstream: the background submitter may claim a fresh task
 * before the mutation's own attempt does, and then the mutation answers PENDING.
 */
export async function createSubmittedTask(
  client: GraphQLClient,
  input: Record<string, unknown>,
): Promise<TaskView> {
  const created = await createTask(client, input);
  return created.status === 'PENDING' ? waitForStatus(client, created.id, 'SUBMITTED') : created;
}
