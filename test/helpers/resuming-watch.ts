/**
 * A frontend watching a task across lost connections: whenever it reconnects (to the same gateway
 * after an outage, or to a restarted one) it subscribes again to `taskUpdated` with
 * `afterSequence` = the last sequence it received, as the schema tells clients to. It records what
 * arrived and every sign of a broken promise (a sequence not above the last one, errors).
 */
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TaskView } from '../fixtures/operations.js';
import type { GraphQLResponse } from './graphql-client.js';

const TASK_UPDATED = /* GraphQL */ `
  subscription Resume($id: ID!, $afterSequence: Int) {
    taskUpdated(id: $id, afterSequence: $afterSequence) { id status sequence }
  }
`;

type Delivered = Pick<TaskView, 'id' | 'status' | 'sequence'>;

export interface ResumingWatch {
  readonly taskId: string;
  readonly deliveries: readonly Delivered[];
  /** The last sequence received; 0 before the first delivery. */
  readonly lastSequence: number;
  readonly lastStatus: Delivered['status'] | undefined;
  /** The server completed the subscription after a terminal state: nothing more will come. */
  readonly finished: boolean;
  /** Whether a subscription is open on a live connection. */
  readonly attached: boolean;
  /** Broken promises seen: repeated or backward sequences, GraphQL errors. */
  readonly problems: readonly string[];
  /** Why each subscription ended without a terminal state (a closed socket, an operation error). */
  readonly interruptions: readonly string[];
  /** Subscribes on `client`, resuming after the last sequence received; nothing once finished. */
  attach(client: Client): void;
}

/** One graphql-ws connection to a gateway, not retried: a lost connection is the test's business. */
export function connectWatchClient(baseUrl: string, authorization?: string): Client {
  return createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    ...(authorization ? { connectionParams: { authorization } } : {}),
  });
}

/**
 * Disposes of a watch client whose gateway may be gone. graphql-ws's `dispose` waits for the
 * connection attempt under way, and rejects only when that attempt failed (a close or error event
 * from a gateway that died before the socket opened): then nothing is left to close.
 */
export async function disposeWatchClient(client: Client): Promise<void> {
  try {
    await client.dispose();
  } catch {
    // The attempt failed: no socket to close.
  }
}

export function resumingWatch(taskId: string): ResumingWatch {
  const deliveries: Delivered[] = [];
  const problems: string[] = [];
  const interruptions: string[] = [];
  let lastSequence = 0;
  let lastStatus: Delivered['status'] | undefined;
  let finished = false;
  let attached = false;

  const receive = (result: GraphQLResponse<{ taskUpdated: Delivered }>) => {
    if (result.errors?.length) problems.push(`errors: ${JSON.stringify(result.errors)}`);
    const task = result.data?.taskUpdated;
    if (!task) return;
    if (task.sequence <= lastSequence) problems.push(`sequence ${task.sequence} after ${lastSequence}`);
    deliveries.push(task);
    lastSequence = Math.max(lastSequence, task.sequence);
    lastStatus = task.status;
  };

  return {
    taskId,
    deliveries,
    problems,
    interruptions,
    get lastSequence() {
      return lastSequence;
    },
    get lastStatus() {
      return lastStatus;
    },
    get finished() {
      return finished;
    },
    get attached() {
      return attached;
    },
    attach(client) {
      if (finished) return;
      attached = true;
      client.subscribe<{ taskUpdated: Delivered }>(
        { query: TASK_UPDATED, variables: { id: taskId, afterSequence: lastSequence || null } },
        {
          next: receive,
          // The connection went (a crash, an outage), or the server failed the operation.
          error: (error: unknown) => {
            attached = false;
            interruptions.push(describeEnd(error));
          },
          // The server completes after a terminal state; the client also completes what it was
          // subscribed to when it is disposed of, whatever the state: then attach again later.
          complete: () => {
            attached = false;
            finished = lastStatus === 'SUCCEEDED' || lastStatus === 'FAILED';
            if (!finished) interruptions.push(`completed at ${lastStatus ?? 'nothing'}`);
          },
        },
      );
    },
  };
}

/** A close event as `close <code> <reason>`, GraphQL errors as their JSON. */
function describeEnd(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && 'reason' in error) {
    return `close ${String(error.code)} ${String(error.reason)}`;
  }
  return Array.isArray(error) ? `errors ${JSON.stringify(error)}` : String(error);
}
