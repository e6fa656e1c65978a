/** The GraphQL operations the harness sends, as a frontend would write them, and a small client. */
import { decodeGlobalID } from '@pothos/plugin-relay';

/** A task details page: everything about one task, its history included. */
export const TASK_QUERY = /* GraphQL */ `
  query Task($id: ID!) {
    task(id: $id) {
      id status statusMessage failureCode providerTaskId externalTaskId model mode duration prompt
      sequence unitsCharged
      videos { id url watermarkUrl duration }
      events { status message sequence at }
      createdAt updatedAt
    }
  }
`;

export const CREATE_TASK = /* GraphQL */ `
  mutation Create($input: ImageToVideoInput!) {
    createImageToVideoTask(input: $input) { task { id status providerTaskId externalTaskId } }
  }
`;

/** A live status badge: what a list of tasks shows while they run. */
export const TASK_UPDATED = /* GraphQL */ `
  subscription Watch($id: ID!) {
    taskUpdated(id: $id) { id status statusMessage failureCode sequence videos { url duration } updatedAt }
  }
`;

export const CREATE_INPUT = {
  image: 'https://example.com/frames/first.png',
  prompt: 'A lighthouse at dusk, waves rolling in, slow dolly forward',
  duration: 5,
} as const;

export interface CreatedTask {
  /** Global ID, as the API hands it out. */
  id: string;
  /** The database id (uuid) inside the global ID. */
  taskId: string;
  status: string;
  providerTaskId: string | null;
}

export async function graphql<T>(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || body.data === undefined) {
    throw new Error(`GraphQL errors from ${url}: ${JSON.stringify(body)}`);
  }
  return body.data;
}

export async function createTask(url: string, token: string): Promise<CreatedTask> {
  const data = await graphql<{
    createImageToVideoTask: { task: { id: string; status: string; providerTaskId: string | null } };
  }>(url, token, CREATE_TASK, { input: CREATE_INPUT });
  const task = data.createImageToVideoTask.task;
  return { ...task, taskId: decodeGlobalID(task.id).id };
}

/** Creates `count` tasks, `concurrency` at a time. */
export async function createTasks(
  url: string,
  token: string,
  count: number,
  concurrency = 16,
): Promise<CreatedTask[]> {
  const created: CreatedTask[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      created.push(await createTask(url, token));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return created;
}
